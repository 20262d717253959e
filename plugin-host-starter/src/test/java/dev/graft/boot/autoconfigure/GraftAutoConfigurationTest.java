package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.answering;
import static dev.graft.boot.autoconfigure.StarterFixtures.answeringConfig;
import static dev.graft.boot.autoconfigure.StarterFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.api.Extensions;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.boot.autoconfigure.StarterFixtures.PricingRule;
import dev.graft.boot.autoconfigure.StarterFixtures.TierLookup;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.registry.PluginDescriptor;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;

class GraftAutoConfigurationTest extends StarterTestSupport {

    @TempDir
    static Path plugins;

    static String alpha;
    static String beta;
    static String gamma;
    static String config;

    @BeforeAll
    static void writePlugins() {
        alpha = file(write(plugins, "alpha.wasm", answering("alpha")));
        beta = file(write(plugins, "beta.wasm", answering("beta")));
        gamma = file(write(plugins, "gamma.wasm", answering("gamma")));
        config = file(write(plugins, "config.wasm", answeringConfig()));
    }

    /** Application code holding the injected view, as a service would. */
    static class PricingService {
        final Extensions<PricingRule> rules;

        PricingService(Extensions<PricingRule> rules) {
            this.rules = rules;
        }

        List<String> prices(String sku) {
            return rules.stream().map(rule -> rule.apply(sku)).toList();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PricingServiceConfiguration {
        @Bean
        PricingService pricingService(Extensions<PricingRule> rules) {
            return new PricingService(rules);
        }
    }

    @Test
    void startsWithNoPluginsAtAll() {
        runner().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(GraftEngine.class).hasSingleBean(PluginRegistry.class);
            assertThat(context.getBean(PluginRegistry.class).descriptors()).isEmpty();
            assertThat(context.getBeanNamesForType(Extensions.class)).isEmpty();
        });
    }

    @Test
    void anExtensionPointDeclaredWithoutPluginsIsInjectableAndEmpty() {
        runner().withPropertyValues("graft.extension-points=" + PRICING_RULE)
                .withUserConfiguration(PricingServiceConfiguration.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(PricingService.class).rules.isEmpty()).isTrue();
                });
    }

    @Test
    void injectedExtensionsAreOrderedAndFollowTheRegistry() {
        runner().withPropertyValues(
                        "graft.plugins.gamma.location=" + gamma,
                        "graft.plugins.gamma.extension-points=" + PRICING_RULE,
                        "graft.plugins.gamma.order=1",
                        "graft.plugins.beta.location=" + beta,
                        "graft.plugins.beta.extension-points=" + PRICING_RULE,
                        "graft.plugins.beta.order=2",
                        "graft.plugins.alpha.location=" + alpha,
                        "graft.plugins.alpha.extension-points=" + PRICING_RULE,
                        "graft.plugins.alpha.order=2",
                        "graft.plugins.off.location=" + alpha,
                        "graft.plugins.off.extension-points=" + PRICING_RULE,
                        "graft.plugins.off.enabled=false")
                .withUserConfiguration(PricingServiceConfiguration.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PricingService service = context.getBean(PricingService.class);
                    assertThat(service.rules.pluginIds()).containsExactly("gamma", "alpha", "beta");
                    assertThat(service.prices("sku-1")).containsExactly("gamma", "alpha", "beta");

                    PluginRegistry registry = context.getBean(PluginRegistry.class);
                    assertThat(registry.descriptor("off").orElseThrow().state()).isEqualTo(PluginState.DISABLED);
                    registry.disable("alpha");
                    registry.enable("off");
                    assertThat(service.rules.pluginIds()).containsExactly("off", "gamma", "beta");
                    registry.unload("gamma");
                    assertThat(service.prices("sku-1")).containsExactly("alpha", "beta");
                    assertThat(service.rules.byId("beta")).isPresent();
                });
    }

    @Test
    void propertiesBindIntoTheEffectivePolicyAndConfig() {
        runner().withPropertyValues(
                        "graft.defaults.policy.timeout=2s",
                        "graft.defaults.policy.max-memory=8MB",
                        "graft.defaults.policy.capabilities.host-functions=a.b,c.d",
                        "graft.plugins.cfg.location=" + config,
                        "graft.plugins.cfg.config.greeting=hello from config",
                        "graft.plugins.cfg.policy.max-memory=4MB",
                        "graft.plugins.cfg.policy.max-input-bytes=2KB",
                        "graft.plugins.cfg.policy.max-output-bytes=3KB",
                        "graft.plugins.cfg.policy.fuel=5000",
                        "graft.plugins.cfg.policy.instances=pooled",
                        "graft.plugins.cfg.policy.pool-size=2",
                        "graft.plugins.cfg.policy.mode=Interpreted",
                        "graft.plugins.cfg.policy.capabilities.clock=true",
                        "graft.plugins.cfg.policy.capabilities.env.REGION=eu",
                        "graft.plugins.cfg.order=7")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PluginRegistry registry = context.getBean(PluginRegistry.class);
                    PluginDescriptor cfg = registry.descriptor("cfg").orElseThrow();
                    PluginPolicy policy = cfg.policy();
                    assertThat(policy.timeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(policy.maxMemoryBytes()).isEqualTo(4L << 20);
                    assertThat(policy.maxInputBytes()).isEqualTo(2048);
                    assertThat(policy.maxOutputBytes()).isEqualTo(3072);
                    assertThat(policy.fuel()).isEqualTo(5000);
                    assertThat(policy.instances()).isEqualTo(InstanceMode.POOLED);
                    assertThat(policy.poolSize()).isEqualTo(2);
                    assertThat(policy.mode()).isEqualTo(ExecutionMode.INTERPRETED);
                    assertThat(policy.capabilities().hostFunctions()).containsExactly("a.b", "c.d");
                    assertThat(policy.capabilities().clock()).isTrue();
                    assertThat(policy.capabilities().wasi()).isTrue();
                    assertThat(policy.capabilities().env()).isEqualTo(Map.of("REGION", "eu"));
                    assertThat(cfg.order()).isEqualTo(7);
                    assertThat(cfg.location()).endsWith("config.wasm");
                    assertThat(registry.plugin("cfg").orElseThrow().call("apply", new byte[0]).outputString())
                            .isEqualTo("hello from config");
                });
    }

    @Test
    void theApplicationMayReplaceTheEngine() {
        GraftEngine own = GraftEngine.create();
        runner().withBean(GraftEngine.class, () -> own)
                .withPropertyValues("graft.plugins.alpha.location=" + alpha)
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(GraftEngine.class);
                    assertThat(context.getBean(GraftEngine.class)).isSameAs(own);
                    assertThat(context.getBean(PluginRegistry.class).engine()).isSameAs(own);
                    assertThat(own.cachedModuleCount()).isEqualTo(1);
                });
    }

    @Test
    void theApplicationMayReplaceTheRegistryAndItsOwnViewIsKept() {
        PluginRegistry own = new PluginRegistry(GraftEngine.create());
        runner().withBean(PluginRegistry.class, () -> own)
                .withPropertyValues("graft.plugins.alpha.location=" + alpha,
                        "graft.plugins.alpha.extension-points=" + PRICING_RULE)
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(PluginRegistry.class);
                    assertThat(own.descriptor("alpha")).isPresent();
                    @SuppressWarnings("unchecked")
                    Extensions<PricingRule> rules = context.getBean(Extensions.class);
                    assertThat(rules.pluginIds()).containsExactly("alpha");
                    assertThat(rules.type()).isEqualTo(PricingRule.class);
                });
    }

    @Test
    void eachExtensionPointGetsItsOwnTypedBean() {
        runner().withPropertyValues(
                        "graft.extension-points=" + TIER_LOOKUP,
                        "graft.plugins.alpha.location=" + alpha,
                        "graft.plugins.alpha.extension-points=" + PRICING_RULE)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Extensions<?> tiers = (Extensions<?>) context.getBeanProvider(ResolvableType.forClassWithGenerics(
                            Extensions.class, TierLookup.class)).getObject();
                    Extensions<?> rules = (Extensions<?>) context.getBeanProvider(ResolvableType.forClassWithGenerics(
                            Extensions.class, PricingRule.class)).getObject();
                    assertThat(tiers.isEmpty()).isTrue();
                    assertThat(tiers.type()).isEqualTo(TierLookup.class);
                    assertThat(rules.pluginIds()).containsExactly("alpha");
                });
    }
}
