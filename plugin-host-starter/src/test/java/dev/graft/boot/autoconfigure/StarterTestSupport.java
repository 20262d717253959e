package dev.graft.boot.autoconfigure;

import java.nio.file.Path;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The context runner every starter test uses, and plugin files shared by the tests. */
abstract class StarterTestSupport {

    static final String PRICING_RULE = StarterFixtures.PricingRule.class.getName();
    static final String TIER_LOOKUP = StarterFixtures.TierLookup.class.getName();

    static ApplicationContextRunner runner() {
        return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
                GraftEngineAutoConfiguration.class, GraftHostFunctionsAutoConfiguration.class,
                GraftRegistryAutoConfiguration.class));
    }

    /** {@link #runner()} plus the actuator endpoint, health indicator and Micrometer auto-configurations. */
    static ApplicationContextRunner operationsRunner() {
        return runner().withConfiguration(AutoConfigurations.of(
                        dev.graft.boot.actuate.GraftEndpointAutoConfiguration.class,
                        dev.graft.boot.actuate.GraftHealthAutoConfiguration.class,
                        dev.graft.boot.metrics.GraftMetricsAutoConfiguration.class))
                .withPropertyValues("management.endpoints.web.exposure.include=graft");
    }

    /** Every message in a failure's cause chain, so a test can look for the one that explains it. */
    static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    static String file(Path path) {
        return "file:" + path.toAbsolutePath();
    }
}
