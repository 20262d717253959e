package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.askingTheHost;
import static dev.graft.boot.autoconfigure.StarterFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.api.Extensions;
import dev.graft.api.HostFunction;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginPayloadException;
import dev.graft.boot.autoconfigure.StarterFixtures.Customer;
import dev.graft.boot.autoconfigure.StarterFixtures.Tier;
import dev.graft.boot.autoconfigure.StarterFixtures.TierLookup;
import dev.graft.boot.hostfunction.HostFunctionBeans;
import dev.graft.host.component.ImportingComponents;
import dev.graft.host.registry.PluginDescriptor;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;

class HostFunctionBeansTest extends StarterTestSupport {

    @TempDir
    static Path plugins;

    static String asking;

    @BeforeAll
    static void writePlugins() {
        asking = file(write(plugins, "asking.wasm", askingTheHost()));
    }

    /** Stands in for a thread-bound request context such as Spring Security's SecurityContextHolder. */
    static final ThreadLocal<String> TENANT = new ThreadLocal<>();

    /** An application bean offering a host function. */
    static class CustomerTiers {
        @HostFunction("erp.customer.tier")
        Tier tierOf(Customer customer) {
            if (customer.id().equals("boom")) {
                throw new IllegalStateException("no such customer");
            }
            return new Tier(customer.id(), TENANT.get());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TiersConfiguration {
        @Bean
        CustomerTiers customerTiers() {
            return new CustomerTiers();
        }
    }

    static class TwoParameters {
        @HostFunction("erp.two")
        String two(String a, String b) {
            return a + b;
        }
    }

    static ApplicationContextRunner granted() {
        return runner().withUserConfiguration(TiersConfiguration.class).withPropertyValues(
                "graft.plugins.tiers.location=" + asking,
                "graft.plugins.tiers.extension-points=" + TIER_LOOKUP,
                "graft.plugins.tiers.required=true",
                "graft.plugins.tiers.policy.capabilities.host-functions=erp.customer.tier");
    }

    @SuppressWarnings("unchecked")
    static TierLookup tierLookup(org.springframework.context.ApplicationContext context) {
        Extensions<TierLookup> view = (Extensions<TierLookup>) context.getBeanProvider(
                ResolvableType.forClassWithGenerics(Extensions.class, TierLookup.class)).getObject();
        return view.byId("tiers").orElseThrow();
    }

    @Test
    void aHostFunctionBeanSeesTheCallersThreadBoundContext() {
        granted().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(HostFunctionBeans.class).names()).containsExactly("erp.customer.tier");
            TierLookup lookup = tierLookup(context);

            TENANT.set("acme");
            try {
                assertThat(lookup.lookup(new Customer("c-1"))).isEqualTo(new Tier("c-1", "acme"));
            } finally {
                TENANT.remove();
            }
            Tier onAnotherThread = CompletableFuture.supplyAsync(() -> {
                TENANT.set("globex");
                try {
                    return lookup.lookup(new Customer("c-2"));
                } finally {
                    TENANT.remove();
                }
            }).join();
            assertThat(onAnotherThread).isEqualTo(new Tier("c-2", "globex"));
            assertThat(lookup.lookup(new Customer("c-3"))).isEqualTo(new Tier("c-3", null));
        });
    }

    @Test
    void oneBeanMethodServesAnExtismModuleWithJsonAndAComponentThroughTheCanonicalAbi() {
        String component = file(write(plugins, "tier-lookup-component.wasm",
                ImportingComponents.tierLookup()));
        granted().withPropertyValues(
                        "graft.plugins.tiers-component.location=" + component,
                        "graft.plugins.tiers-component.extension-points=" + TIER_LOOKUP,
                        "graft.plugins.tiers-component.required=true",
                        "graft.plugins.tiers-component.policy.capabilities.host-functions=erp.customer.tier")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    @SuppressWarnings("unchecked")
                    Extensions<TierLookup> view = (Extensions<TierLookup>) context.getBeanProvider(
                            ResolvableType.forClassWithGenerics(Extensions.class, TierLookup.class)).getObject();
                    TierLookup extism = view.byId("tiers").orElseThrow();
                    TierLookup viaComponent = view.byId("tiers-component").orElseThrow();
                    assertThat(context.getBean(PluginRegistry.class).plugin("tiers-component").orElseThrow()
                            .isComponent()).isTrue();
                    TENANT.set("acme");
                    try {
                        assertThat(viaComponent.lookup(new Customer("c-1"))).isEqualTo(new Tier("c-1", "acme"))
                                .isEqualTo(extism.lookup(new Customer("c-1")));
                    } finally {
                        TENANT.remove();
                    }
                    assertThat(viaComponent.lookup(new Customer("c-2"))).isEqualTo(new Tier("c-2", null));
                    assertThatThrownBy(() -> viaComponent.lookup(new Customer("boom")))
                            .isInstanceOf(PluginCallException.class)
                            .hasMessageContaining("host function 'erp.customer.tier' failed")
                            .hasMessageContaining("no such customer");
                });
    }

    @Test
    void aFailingHostFunctionEndsTheCallNamingTheFunction() {
        granted().run(context -> assertThatThrownBy(() -> tierLookup(context).lookup(new Customer("boom")))
                .isInstanceOf(PluginCallException.class)
                .hasMessageContaining("erp.customer.tier")
                .hasMessageContaining("no such customer"));
    }

    @Test
    void aPayloadOverTheHostFunctionCapIsRefused() {
        granted().withPropertyValues("graft.host-functions.max-bytes=48B").run(context -> {
            assertThat(tierLookup(context).lookup(new Customer("short")).customer()).isEqualTo("short");
            assertThatThrownBy(() -> tierLookup(context).lookup(new Customer("x".repeat(100))))
                    .isInstanceOfSatisfying(PluginPayloadException.class, e -> {
                        assertThat(e.knob()).isEqualTo("graft.host-functions.max-bytes");
                        assertThat(e.limitBytes()).isEqualTo(48);
                        assertThat(e.pluginId()).isEqualTo("tiers");
                    })
                    .hasMessageContaining("host function 'erp.customer.tier'");
        });
    }

    @Test
    void aRequiredPluginImportingAnUngrantedHostFunctionFailsStartupNamingThePlugin() {
        runner().withUserConfiguration(TiersConfiguration.class).withPropertyValues(
                        "graft.plugins.tiers.location=" + asking,
                        "graft.plugins.tiers.required=true")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure()))
                            .contains("Required plugin 'tiers' (graft.plugins.tiers)")
                            .contains("needs host function capability 'erp.customer.tier'");
                });
    }

    @Test
    void anOptionalPluginImportingAnUngrantedHostFunctionIsRecordedAsFailed() {
        runner().withUserConfiguration(TiersConfiguration.class).withPropertyValues(
                        "graft.plugins.tiers.location=" + asking,
                        "graft.plugins.tiers.extension-points=" + TIER_LOOKUP)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PluginDescriptor tiers = context.getBean(PluginRegistry.class).descriptor("tiers").orElseThrow();
                    assertThat(tiers.state()).isEqualTo(PluginState.FAILED);
                    assertThat(tiers.lastError()).contains("'erp.customer.tier'", "does not grant");
                    assertThat(((Extensions<?>) context.getBeanProvider(ResolvableType.forClassWithGenerics(
                            Extensions.class, TierLookup.class)).getObject()).isEmpty()).isTrue();
                });
    }

    @Test
    void aGrantedHostFunctionThatNoBeanOffersIsRefused() {
        runner().withPropertyValues(
                        "graft.plugins.tiers.location=" + asking,
                        "graft.plugins.tiers.required=true",
                        "graft.plugins.tiers.policy.capabilities.host-functions=erp.customer.tier")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("plugin 'tiers'").contains("offers no implementation"));
    }

    @Test
    void aHostFunctionMethodWithTwoParametersFailsStartup() {
        runner().withBean(TwoParameters.class)
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("@HostFunction(\"erp.two\")").contains("at most one"));
    }
}
