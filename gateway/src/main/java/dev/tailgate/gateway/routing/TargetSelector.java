package dev.tailgate.gateway.routing;

import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.config.Target;
import java.util.List;

/**
 * The one decision "which targets, in which order" for a request to {@code route}. Replaceable: the routing-policy
 * work plugs health, budgets and ledgers in here. Throws {@link dev.tailgate.gateway.ApiException} to refuse
 * (e.g. 503 {@code no_private_route}). The returned list is tried in order; only the first is used unless the
 * route has {@code fallback: true}.
 */
public interface TargetSelector {
    List<Target> select(RequestContext ctx, ModelRoute route, GatewayConfig config);
}
