package dev.tailgate.gateway.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.chat.DefaultChatCaller;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dependency directions the one request path relies on, kept by the build: the routing policy reads health and
 * limits, never the other way round; {@code Gateway} (the assembled parts) knows nothing of the chat caller built on
 * top of it, and the parts know nothing of the {@code Gateway}; the server builds the one chat caller; the routing
 * policy never reaches into the HTTP layer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PackageCyclesTest {
    static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tailgate.gateway");
    }

    @Test
    void healthAndLimitNeverDependOnThePolicy() {
        noClasses().that().resideInAnyPackage("dev.tailgate.gateway.health..", "dev.tailgate.gateway.limit..")
                .should().dependOnClassesThat().resideInAPackage("dev.tailgate.gateway.policy..")
                .because("the policy reads health and limits; a way back would be a package cycle")
                .check(classes);
    }

    @Test
    void theGatewayNeverDependsOnTheChatCaller() {
        noClasses().that().haveFullyQualifiedName("dev.tailgate.gateway.Gateway")
                .should().dependOnClassesThat().resideInAPackage("dev.tailgate.gateway.chat..")
                .because("the chat caller is built on the Gateway's parts (GatewayServer: new DefaultChatCaller(gateway)), not held by it")
                .check(classes);
    }

    @Test
    void thePartsNeverReachUpToTheGatewayThatAssemblesThem() {
        noClasses().that().resideInAnyPackage("dev.tailgate.gateway.policy..", "dev.tailgate.gateway.health..",
                        "dev.tailgate.gateway.limit..", "dev.tailgate.gateway.upstream..", "dev.tailgate.gateway.config..",
                        "dev.tailgate.gateway.ledger..", "dev.tailgate.gateway.auth..")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.tailgate.gateway.Gateway")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.tailgate.gateway.GatewayServer")
                .because("Gateway.assemble builds them in dependency order and holds them; a way back would be a cycle")
                .check(classes);
    }

    @Test
    void theChatCallerIsBuiltOnceByTheServer() {
        noClasses().that().doNotHaveFullyQualifiedName("dev.tailgate.gateway.GatewayServer")
                .should().callConstructor(DefaultChatCaller.class, Gateway.class)
                .because("one chat caller per gateway, handed to every extension (GatewayExtension.register)")
                .check(classes);
    }

    @Test
    void thePolicyAndHealthNeverReachIntoTheHttpLayer() {
        noClasses().that().resideInAnyPackage("dev.tailgate.gateway.policy..", "dev.tailgate.gateway.health..",
                        "dev.tailgate.gateway.limit..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tailgate.gateway.http..", "dev.tailgate.gateway.chat..")
                .check(classes);
    }
}
