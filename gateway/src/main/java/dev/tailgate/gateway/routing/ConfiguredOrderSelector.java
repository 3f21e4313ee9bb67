package dev.tailgate.gateway.routing;

import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.wire.ApiError;
import java.util.List;

/**
 * The default selector: the route's targets in config order; a private request (client key, header or model marked
 * private) keeps only targets on {@code local: true} providers, and is refused with {@code no_private_route} when
 * none is left — it is never sent to an external provider, whatever the fallback setting.
 */
public final class ConfiguredOrderSelector implements TargetSelector {
    @Override
    public List<Target> select(RequestContext ctx, ModelRoute route, GatewayConfig config) {
        if (!dev.tailgate.gateway.policy.Privacy.isPrivate(ctx.caller() != null && ctx.caller().privateOnly(), route.privateOnly(), ctx.privateHeader())) return route.targets();
        List<Target> local = route.targets().stream().filter(t -> {
            ProviderConfig p = config.providers().get(t.provider());
            return p != null && p.local();
        }).toList();
        if (local.isEmpty()) throw new ApiException(ApiError.noPrivateRoute(route.alias()));
        return local;
    }
}
