package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.answering;
import static dev.graft.boot.autoconfigure.StarterFixtures.trapping;
import static dev.graft.boot.autoconfigure.StarterFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.api.DefaultExtension;
import dev.graft.api.Extensions;
import dev.graft.api.PluginQuarantinedException;
import dev.graft.api.PluginTrapException;
import dev.graft.boot.autoconfigure.StarterFixtures.PricingRule;
import dev.graft.host.registry.CircuitBreaker;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** graft.extension-point-policies.* (fallback to a @DefaultExtension bean) and graft.breaker.*. */
class FailurePolicyTest extends StarterTestSupport {

    @TempDir
    static Path plugins;

    static String alpha;
    static String broken;

    @BeforeAll
    static void writePlugins() {
        alpha = file(write(plugins, "alpha.wasm", answering("alpha")));
        broken = file(write(plugins, "broken.wasm", trapping()));
    }

    @DefaultExtension
    static class ListPrice implements PricingRule {
        @Override
        public String apply(String sku) {
            return "list price of " + sku;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class DefaultFromABeanMethod {
        @Bean
        @DefaultExtension
        PricingRule listPrice() {
            return sku -> "list price of " + sku;
        }
    }

    static String[] twoPlugins(String... more) {
        List<String> all = new java.util.ArrayList<>(List.of(
                "graft.plugins.alpha.location=" + alpha,
                "graft.plugins.alpha.extension-points=" + PRICING_RULE,
                "graft.plugins.alpha.order=1",
                "graft.plugins.broken.location=" + broken,
                "graft.plugins.broken.extension-points=" + PRICING_RULE,
                "graft.plugins.broken.order=2"));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @SuppressWarnings("unchecked")
    static Extensions<PricingRule> rules(org.springframework.context.ApplicationContext context) {
        return context.getBean(Extensions.class);
    }

    @Test
    void theDefaultAnswersForAPluginThatTraps() {
        runner().withBean(ListPrice.class)
                .withPropertyValues(twoPlugins("graft.extension-point-policies.pricing-rule.on-failure=fallback"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Extensions<PricingRule> rules = rules(context);
                    assertThat(rules.stream().map(rule -> rule.apply("sku-1")).toList())
                            .containsExactly("alpha", "list price of sku-1");
                    assertThat(context.getBean(PluginRegistry.class).breaker("broken").orElseThrow().fallbacks())
                            .isEqualTo(1);
                });
    }

    @Test
    void theDefaultMayComeFromABeanMethodAndTheKeyMayBeTheInterfaceName() {
        runner().withUserConfiguration(DefaultFromABeanMethod.class)
                .withPropertyValues(twoPlugins("graft.extension-point-policies[" + PRICING_RULE + "].on-failure=FALLBACK"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(rules(context).byId("broken").orElseThrow().apply("x")).isEqualTo("list price of x");
                });
    }

    @Test
    void withoutAPolicyAFailureIsThrownEvenWhenADefaultExists() {
        runner().withBean(ListPrice.class).withPropertyValues(twoPlugins()).run(context -> {
            assertThat(context).hasNotFailed();
            assertThatThrownBy(() -> rules(context).byId("broken").orElseThrow().apply("x"))
                    .isInstanceOf(PluginTrapException.class).hasMessageContaining("plugin 'broken'");
        });
    }

    @Test
    void fallbackWithoutADefaultBeanFailsStartup() {
        runner().withPropertyValues(twoPlugins("graft.extension-point-policies.pricing-rule.on-failure=fallback"))
                .run(context -> assertThat(messages(context.getStartupFailure())).contains(
                        "graft.extension-point-policies.pricing-rule.on-failure",
                        "no bean annotated @DefaultExtension implements " + PRICING_RULE));
    }

    @Test
    void badPolicySettingsFailStartupNamingTheProperty() {
        runner().withPropertyValues(twoPlugins("graft.extension-point-policies.pricing-rule.on-failure=retry"))
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("graft.extension-point-policies.pricing-rule.on-failure", "allowed values are throw, fallback"));
        runner().withPropertyValues(twoPlugins("graft.extension-point-policies.no-such-point.on-failure=throw"))
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("graft.extension-point-policies.no-such-point", "names no known extension point"));
        runner().withPropertyValues("graft.breaker.failure-threshold=-1")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("graft.breaker.failure-threshold", "must be 0 (no breaker) or positive"));
        runner().withBean("one", ListPrice.class).withBean("two", ListPrice.class)
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("Two beans are annotated @DefaultExtension for " + PRICING_RULE));
    }

    @Test
    void theBreakerQuarantinesFailsFastAndLetsATrialThroughAfterTheCoolDown() throws Exception {
        runner().withPropertyValues(twoPlugins("graft.breaker.failure-threshold=2", "graft.breaker.cool-down=300ms"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PluginRegistry registry = context.getBean(PluginRegistry.class);
                    PricingRule rule = rules(context).byId("broken").orElseThrow();
                    for (int i = 0; i < 2; i++) {
                        assertThatThrownBy(() -> rule.apply("x")).isInstanceOf(PluginTrapException.class);
                    }
                    assertThat(registry.descriptor("broken").orElseThrow().state()).isEqualTo(PluginState.QUARANTINED);
                    assertThatThrownBy(() -> rule.apply("x")).isInstanceOf(PluginQuarantinedException.class)
                            .hasMessageContaining("plugin 'broken': is quarantined after 2 consecutive failures")
                            .hasMessageContaining("cool-down of 300 ms");
                    assertThat(rules(context).byId("alpha").orElseThrow().apply("x")).isEqualTo("alpha");

                    Thread.sleep(350);
                    assertThat(registry.breaker("broken").orElseThrow().state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
                    assertThatThrownBy(() -> rule.apply("x")).as("the trial call reaches the plugin")
                            .isInstanceOf(PluginTrapException.class);
                    assertThatThrownBy(() -> rule.apply("x")).as("and its failure quarantines it again")
                            .isInstanceOf(PluginQuarantinedException.class);
                    assertThat(registry.breaker("broken").orElseThrow().timesOpened()).isEqualTo(2);
                    assertThat(registry.breaker("broken").orElseThrow().coolDown()).isEqualTo(Duration.ofMillis(300));
                });
    }

    @Test
    void aQuarantinedPluginFallsBackWithoutRunning() {
        runner().withBean(ListPrice.class)
                .withPropertyValues(twoPlugins("graft.breaker.failure-threshold=1",
                        "graft.extension-point-policies.pricing-rule.on-failure=fallback"))
                .run(context -> {
                    PricingRule rule = rules(context).byId("broken").orElseThrow();
                    assertThat(rule.apply("a")).isEqualTo("list price of a");
                    assertThat(rule.apply("b")).isEqualTo("list price of b");
                    CircuitBreaker.Status breaker = context.getBean(PluginRegistry.class).breaker("broken").orElseThrow();
                    assertThat(breaker.rejectedCalls()).isEqualTo(1);
                    assertThat(breaker.fallbacks()).isEqualTo(2);
                });
    }
}
