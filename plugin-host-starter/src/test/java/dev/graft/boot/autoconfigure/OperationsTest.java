package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.answering;
import static dev.graft.boot.autoconfigure.StarterFixtures.trapping;
import static dev.graft.boot.autoconfigure.StarterFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.api.Extensions;
import dev.graft.boot.actuate.GraftEndpoint;
import dev.graft.boot.actuate.GraftHealthIndicator;
import dev.graft.boot.autoconfigure.StarterFixtures.PricingRule;
import dev.graft.boot.metrics.GraftMetrics;
import dev.graft.boot.metrics.ObservingCallInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ApplicationContext;

/** The actuator endpoint, the health indicator, Micrometer meters and observations. */
class OperationsTest extends StarterTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path plugins;

    static Path alphaFile;
    static String alpha;
    static String broken;

    @BeforeAll
    static void writePlugins() {
        alphaFile = write(plugins, "alpha.wasm", answering("alpha"));
        alpha = file(alphaFile);
        broken = file(write(plugins, "broken.wasm", trapping()));
    }


    static String[] plugins(String... more) {
        List<String> all = new java.util.ArrayList<>(List.of(
                "graft.plugins.alpha.location=" + alpha,
                "graft.plugins.alpha.extension-points=" + PRICING_RULE,
                "graft.plugins.alpha.required=true",
                "graft.plugins.alpha.policy.max-memory=2MB",
                "graft.plugins.alpha.policy.capabilities.host-functions=erp.customer.tier",
                "graft.plugins.broken.location=" + broken,
                "graft.plugins.broken.extension-points=" + PRICING_RULE,
                "graft.plugins.broken.order=2",
                "graft.breaker.failure-threshold=2"));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @SuppressWarnings("unchecked")
    static PricingRule rule(ApplicationContext context, String id) {
        return ((Extensions<PricingRule>) context.getBean(Extensions.class)).byId(id).orElseThrow();
    }

    @Test
    void theAppStartsWithNoPluginsAndEveryOperationsBean() {
        operationsRunner().withBean(SimpleMeterRegistry.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(GraftEndpoint.class).hasSingleBean(GraftHealthIndicator.class)
                    .hasSingleBean(GraftMetrics.class);
            assertThat(context.getBean(GraftEndpoint.class).plugins().plugins()).isEmpty();
            assertThat(context.getBean(GraftHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    void withoutExposureOrAMeterRegistryThoseBeansStayAway() {
        runner().withConfiguration(org.springframework.boot.autoconfigure.AutoConfigurations.of(
                        dev.graft.boot.actuate.GraftEndpointAutoConfiguration.class,
                        dev.graft.boot.metrics.GraftMetricsAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(GraftEndpoint.class)
                        .doesNotHaveBean(GraftMetrics.class).doesNotHaveBean(ObservingCallInterceptor.class));
    }

    @Test
    void theEndpointListsPluginsWithPolicyBreakerAndStatistics() {
        operationsRunner().withPropertyValues(plugins()).run(context -> {
            assertThat(context).hasNotFailed();
            rule(context, "alpha").apply("x");
            rule(context, "alpha").apply("y");
            assertThatThrownBy(() -> rule(context, "broken").apply("x"));

            JsonNode json = JSON.valueToTree(context.getBean(GraftEndpoint.class).plugins());
            JsonNode first = json.path("plugins").get(0);
            assertThat(first.path("id").asText()).isEqualTo("alpha");
            assertThat(first.path("state").asText()).isEqualTo("enabled");
            assertThat(first.path("serving").asBoolean()).isTrue();
            assertThat(first.path("required").asBoolean()).isTrue();
            assertThat(first.path("sha256").asText()).hasSize(64);
            assertThat(first.path("location").asText()).endsWith("alpha.wasm");
            assertThat(first.path("loadedAt").asText()).isNotEmpty();
            assertThat(first.path("extensionPoints").get(0).asText()).isEqualTo("pricing-rule");
            JsonNode policy = first.path("policy");
            assertThat(policy.path("maxMemoryBytes").asLong()).isEqualTo(2L << 20);
            assertThat(policy.path("timeoutMillis").asLong()).isEqualTo(1000);
            assertThat(policy.path("fuel").asLong()).isEqualTo(10_000_000);
            assertThat(policy.path("maxInputBytes").asLong()).isEqualTo(1L << 20);
            assertThat(policy.path("instances").asText()).isEqualTo("fresh");
            assertThat(policy.path("mode").asText()).isEqualTo("tiered");
            assertThat(policy.path("capabilities").path("hostFunctions").get(0).asText()).isEqualTo("erp.customer.tier");
            JsonNode stats = first.path("statistics");
            assertThat(stats.path("calls").asLong()).isEqualTo(2);
            assertThat(stats.path("fuelTotal").asLong()).isPositive();
            assertThat(stats.path("fuelLast").asLong()).isPositive();
            assertThat(stats.path("latencyMaxMillis").asDouble()).isPositive();
            assertThat(stats.path("memoryHighWaterBytes").asLong()).isPositive();
            assertThat(first.path("exports").path("apply").path("calls").asLong()).isEqualTo(2);
            assertThat(first.path("breaker").path("state").asText()).isEqualTo("closed");

            JsonNode second = json.path("plugins").get(1);
            assertThat(second.path("id").asText()).isEqualTo("broken");
            assertThat(second.path("statistics").path("failures").path("trap").asLong()).isEqualTo(1);
            assertThat(second.path("breaker").path("consecutiveFailures").asInt()).isEqualTo(1);
            assertThat(second.path("breaker").path("failureThreshold").asInt()).isEqualTo(2);
        });
    }

    @Test
    void writeOperationsEnableDisableReloadAndReset() throws Exception {
        Path file = Files.copy(alphaFile, plugins.resolve("reloadable.wasm"));
        operationsRunner().withPropertyValues("graft.plugins.r.location=" + file(file),
                "graft.plugins.r.extension-points=" + PRICING_RULE).run(context -> {
            GraftEndpoint endpoint = context.getBean(GraftEndpoint.class);
            assertThat(endpoint.change("r", "disable").plugin().state()).isEqualTo("disabled");
            assertThat(endpoint.change("r", "enable").plugin().state()).isEqualTo("enabled");

            Files.write(file, answering("beta"));
            GraftEndpoint.ActionReport reloaded = endpoint.change("r", "reload");
            assertThat(reloaded.done()).isTrue();
            assertThat(rule(context, "r").apply("x")).isEqualTo("beta");

            Files.write(file, new byte[] {1, 2, 3});
            GraftEndpoint.ActionReport refused = endpoint.change("r", "reload");
            assertThat(refused.done()).isFalse();
            assertThat(refused.error()).contains("plugin 'r'");
            assertThat(refused.plugin().lastError()).contains("plugin 'r'");
            assertThat(rule(context, "r").apply("x")).as("the old version keeps serving").isEqualTo("beta");

            assertThat(endpoint.change("r", "reset").done()).isTrue();
            assertThat(endpoint.change("nobody", "enable")).isNull();
            assertThat(endpoint.plugin("nobody")).isNull();
            assertThatThrownBy(() -> endpoint.change("r", "explode")).isInstanceOf(InvalidEndpointRequestException.class)
                    .hasMessageContaining("allowed: enable, disable, reload, revert, reset");
        });
    }

    @Test
    void healthIsDownWhileARequiredPluginIsNotServing() {
        operationsRunner().withPropertyValues(plugins("graft.plugins.broken.required=false")).run(context -> {
            GraftHealthIndicator health = context.getBean(GraftHealthIndicator.class);
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            context.getBean(GraftEndpoint.class).change("alpha", "disable");
            Health down = health.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat(down.getDetails().get("requiredNotServing").toString()).contains("alpha=disabled");
            context.getBean(GraftEndpoint.class).change("alpha", "enable");
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    void healthIsDownWhenARequiredPluginIsQuarantined() throws Exception {
        Path flaky = Files.copy(alphaFile, plugins.resolve("flaky.wasm"));
        operationsRunner().withPropertyValues("graft.plugins.flaky.location=" + file(flaky),
                "graft.plugins.flaky.extension-points=" + PRICING_RULE, "graft.plugins.flaky.required=true",
                "graft.breaker.failure-threshold=2").run(context -> {
            Files.write(flaky, trapping());
            context.getBean(GraftEndpoint.class).change("flaky", "reload");   // a trapping version of a required plugin
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> rule(context, "flaky").apply("x"));
            }
            Health health = context.getBean(GraftHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails().get("requiredNotServing").toString())
                    .contains("flaky=quarantined after 2 consecutive failures");
            assertThat(health.getDetails().get("plugins").toString()).contains("flaky=quarantined");
        });
    }

    @Test
    void metricsAreRecordedPerPluginExportAndOutcome() {
        operationsRunner().withBean(SimpleMeterRegistry.class).withPropertyValues(plugins()).run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            rule(context, "alpha").apply("x");
            rule(context, "alpha").apply("y");
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> rule(context, "broken").apply("x"));
            }
            assertThat(meters.get("graft.plugin.calls").tags("plugin", "alpha", "export", "apply", "outcome", "ok")
                    .timer().count()).isEqualTo(2);
            assertThat(meters.get("graft.plugin.calls").tags("plugin", "broken", "export", "apply", "outcome", "trap")
                    .timer().count()).isEqualTo(2);
            assertThat(meters.get("graft.plugin.calls").tags("plugin", "broken", "outcome", "ok").timer().count()).isZero();
            assertThat(meters.get("graft.plugin.fuel").tags("plugin", "alpha", "export", "apply").summary().count())
                    .isEqualTo(2);
            assertThat(meters.get("graft.plugin.fuel").tags("plugin", "alpha").summary().totalAmount()).isPositive();
            assertThat(meters.get("graft.plugin.memory.high-water").tags("plugin", "alpha", "export", "apply").gauge()
                    .value()).isPositive();
            assertThat(meters.get("graft.plugin.capability.denials").tags("plugin", "alpha").counter().count()).isZero();
            assertThat(meters.get("graft.plugin.quarantined").tags("plugin", "broken").gauge().value()).isEqualTo(1.0);
            assertThat(meters.get("graft.plugin.quarantined").tags("plugin", "alpha").gauge().value()).isZero();
            assertThat(meters.get("graft.plugin.quarantines").tags("plugin", "broken").functionCounter().count())
                    .isEqualTo(1);
            assertThat(meters.get("graft.plugin.rejected").tags("plugin", "broken").functionCounter().count()).isEqualTo(1);
        });
    }

    @Test
    void eachCallThroughAViewIsObserved() {
        List<Observation.Context> stopped = new CopyOnWriteArrayList<>();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(Observation.Context context) {
                stopped.add(context);
            }
        });
        operationsRunner().withBean(ObservationRegistry.class, () -> observations).withPropertyValues(plugins())
                .run(context -> {
                    assertThat(context).hasSingleBean(ObservingCallInterceptor.class);
                    rule(context, "alpha").apply("x");
                    assertThatThrownBy(() -> rule(context, "broken").apply("x"));
                    assertThat(stopped).hasSize(2);
                    Observation.Context ok = stopped.get(0);
                    assertThat(ok.getName()).isEqualTo("graft.plugin.call");
                    assertThat(ok.getLowCardinalityKeyValue("plugin").getValue()).isEqualTo("alpha");
                    assertThat(ok.getLowCardinalityKeyValue("export").getValue()).isEqualTo("apply");
                    assertThat(ok.getLowCardinalityKeyValue("extension.point").getValue()).isEqualTo("pricing-rule");
                    assertThat(ok.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("ok");
                    Observation.Context failed = stopped.get(1);
                    assertThat(failed.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("trap");
                    assertThat(failed.getError()).isNotNull();
                });
    }
}
