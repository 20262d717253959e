package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.answering;
import static dev.graft.boot.autoconfigure.StarterFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.registry.PluginRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Ceilings and invalid settings: each fails startup with a message naming the property. */
class PolicySettingsTest extends StarterTestSupport {

    @TempDir
    static Path plugins;

    static String alpha;

    @BeforeAll
    static void writePlugins() {
        alpha = file(write(plugins, "alpha.wasm", answering("alpha")));
    }

    static ApplicationContextRunner withAlpha(String... properties) {
        return runner().withPropertyValues("graft.plugins.alpha.location=" + alpha,
                "graft.plugins.alpha.extension-points=" + PRICING_RULE).withPropertyValues(properties);
    }

    static void failsNaming(ApplicationContextRunner runner, String... fragments) {
        runner.run(context -> {
            assertThat(context).hasFailed();
            Throwable cause = context.getStartupFailure();
            while (cause != null && !(cause instanceof InvalidConfigurationPropertyValueException)) {
                cause = cause.getCause();
            }
            assertThat(cause).as(messages(context.getStartupFailure())).isNotNull();
            assertThat(messages(context.getStartupFailure())).contains(fragments);
        });
    }

    static PluginPolicy policyOfAlpha(ApplicationContextRunner runner) {
        PluginPolicy[] policy = new PluginPolicy[1];
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            policy[0] = context.getBean(PluginRegistry.class).descriptor("alpha").orElseThrow().policy();
        });
        return policy[0];
    }

    @Test
    void aPluginMayTightenTheDefaultsAndWidenThemUpToTheCeiling() {
        PluginPolicy policy = policyOfAlpha(withAlpha(
                "graft.limits.max-memory=32MB", "graft.limits.timeout=3s", "graft.limits.fuel=1000000",
                "graft.defaults.policy.max-memory=8MB", "graft.defaults.policy.timeout=1s",
                "graft.plugins.alpha.policy.max-memory=32MB", "graft.plugins.alpha.policy.timeout=200ms"));
        assertThat(policy.maxMemoryBytes()).isEqualTo(32L << 20);
        assertThat(policy.timeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.fuel()).isEqualTo(1_000_000L);   // the built-in 10M lowered to the ceiling
    }

    @Test
    void aBuiltInDefaultAboveACeilingIsLoweredToIt() {
        PluginPolicy policy = policyOfAlpha(withAlpha("graft.limits.timeout=250ms", "graft.limits.max-input-bytes=1KB"));
        assertThat(policy.timeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(policy.maxInputBytes()).isEqualTo(1024);
    }

    @Test
    void aPluginPolicyAboveACeilingFailsStartup() {
        failsNaming(withAlpha("graft.limits.max-memory=8MB", "graft.plugins.alpha.policy.max-memory=64MB"),
                "graft.plugins.alpha.policy.max-memory", "graft.limits.max-memory=8388608 bytes");
        failsNaming(withAlpha("graft.limits.timeout=2s", "graft.plugins.alpha.policy.timeout=5s"),
                "graft.plugins.alpha.policy.timeout", "graft.limits.timeout=PT2S");
        failsNaming(withAlpha("graft.limits.max-output-bytes=1KB", "graft.plugins.alpha.policy.max-output-bytes=2KB"),
                "graft.plugins.alpha.policy.max-output-bytes", "graft.limits.max-output-bytes");
        failsNaming(withAlpha("graft.limits.fuel=1000", "graft.plugins.alpha.policy.fuel=0"),
                "graft.plugins.alpha.policy.fuel", "graft.limits.fuel=1000");
    }

    @Test
    void maxLogBytesComesFromThePluginTheDefaultsOrTheBuiltInAndStaysUnderItsCeiling() {
        assertThat(policyOfAlpha(withAlpha()).maxLogBytes()).isEqualTo(64 * 1024);
        assertThat(policyOfAlpha(withAlpha("graft.defaults.policy.max-log-bytes=8KB")).maxLogBytes()).isEqualTo(8 * 1024);
        assertThat(policyOfAlpha(withAlpha("graft.defaults.policy.max-log-bytes=8KB",
                "graft.plugins.alpha.policy.max-log-bytes=2KB")).maxLogBytes()).isEqualTo(2 * 1024);
        assertThat(policyOfAlpha(withAlpha("graft.limits.max-log-bytes=1KB")).maxLogBytes()).isEqualTo(1024);
        failsNaming(withAlpha("graft.limits.max-log-bytes=1KB", "graft.plugins.alpha.policy.max-log-bytes=2KB"),
                "graft.plugins.alpha.policy.max-log-bytes", "graft.limits.max-log-bytes");
        failsNaming(withAlpha("graft.plugins.alpha.policy.max-log-bytes=0B"),
                "graft.plugins.alpha.policy.max-log-bytes", "must be a positive size");
    }

    @Test
    void defaultsAboveACeilingFailStartupEvenWithoutPlugins() {
        failsNaming(runner().withPropertyValues("graft.limits.timeout=2s", "graft.defaults.policy.timeout=5s"),
                "graft.defaults.policy.timeout", "graft.limits.timeout");
    }

    @Test
    void loadLimitsResolveFromThePluginTheDefaultsAndTheCeilings() {
        PluginPolicy policy = policyOfAlpha(withAlpha(
                "graft.limits.load-limits.max-functions=50000", "graft.limits.load-limits.compile-timeout=10s",
                "graft.limits.load-limits.max-locals-total=3000000",
                "graft.defaults.policy.load-limits.max-locals-per-function=20000",
                "graft.defaults.policy.load-limits.max-custom-section-bytes=1MB",
                "graft.plugins.alpha.policy.load-limits.max-locals-per-function=30000",
                "graft.plugins.alpha.policy.load-limits.max-locals-total=3000000",
                "graft.plugins.alpha.policy.load-limits.compile-timeout=5s"));
        assertThat(policy.loadLimits().maxLocalsPerFunction()).isEqualTo(30_000);  // the plugin's own
        assertThat(policy.loadLimits().maxLocalsTotal()).isEqualTo(3_000_000);     // up to the ceiling
        assertThat(policy.loadLimits().maxCustomSectionBytes()).isEqualTo(1L << 20); // the defaults'
        assertThat(policy.loadLimits().maxFunctions()).isEqualTo(50_000);          // built-in lowered to the ceiling
        assertThat(policy.loadLimits().compileTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.loadLimits().maxTypes()).isEqualTo(100_000);             // built-in
    }

    @Test
    void loadLimitsAboveTheirCeilingOrNegativeFailStartup() {
        failsNaming(withAlpha("graft.limits.load-limits.max-locals-total=1000",
                        "graft.plugins.alpha.policy.load-limits.max-locals-total=5000"),
                "graft.plugins.alpha.policy.load-limits.max-locals-total", "graft.limits.load-limits.max-locals-total=1000");
        failsNaming(withAlpha("graft.limits.load-limits.compile-timeout=2s",
                        "graft.defaults.policy.load-limits.compile-timeout=1m"),
                "graft.defaults.policy.load-limits.compile-timeout", "graft.limits.load-limits.compile-timeout=PT2S");
        failsNaming(withAlpha("graft.plugins.alpha.policy.load-limits.max-globals=-1"),
                "graft.plugins.alpha.policy.load-limits.max-globals", "must be 0 or more");
        failsNaming(runner().withPropertyValues("graft.limits.load-limits.compile-timeout=0s"),
                "graft.limits.load-limits.compile-timeout", "must be a positive duration");
    }

    @Test
    void aPluginOverItsLoadBudgetIsRefusedAtLoad() {
        // alpha declares functions; a budget of none refuses it, naming the knob.
        runner().withPropertyValues("graft.plugins.alpha.location=" + alpha, "graft.plugins.alpha.required=true",
                "graft.plugins.alpha.extension-points=" + PRICING_RULE,
                "graft.plugins.alpha.policy.load-limits.max-functions=0").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains("load-limits.max-functions = 0");
                });
    }

    @Test
    void unknownModeOrInstancesNameTheAllowedValues() {
        failsNaming(withAlpha("graft.plugins.alpha.policy.mode=fast"),
                "graft.plugins.alpha.policy.mode", "'fast'", "allowed values are compiled, interpreted");
        failsNaming(withAlpha("graft.defaults.policy.instances=shared"),
                "graft.defaults.policy.instances", "allowed values are fresh, pooled");
    }

    @Test
    void negativeOrZeroSizesAndDurationsAreRefused() {
        failsNaming(withAlpha("graft.plugins.alpha.policy.max-input-bytes=-1B"),
                "graft.plugins.alpha.policy.max-input-bytes", "must be a positive size");
        failsNaming(withAlpha("graft.plugins.alpha.policy.timeout=0s"),
                "graft.plugins.alpha.policy.timeout", "must be a positive duration");
        failsNaming(withAlpha("graft.plugins.alpha.policy.pool-size=0"),
                "graft.plugins.alpha.policy.pool-size", "must be positive");
        failsNaming(withAlpha("graft.plugins.alpha.policy.fuel=-5"),
                "graft.plugins.alpha.policy.fuel", "0 (unmetered) or positive");
        failsNaming(runner().withPropertyValues("graft.limits.max-memory=0B"), "graft.limits.max-memory");
    }

    @Test
    void extensionPointsMustBeExtensionPointInterfaces() {
        failsNaming(withAlpha("graft.plugins.alpha.extension-points=com.example.Missing"),
                "graft.plugins.alpha.extension-points[0]", "com.example.Missing", "no such class");
        failsNaming(withAlpha("graft.plugins.alpha.extension-points=" + StarterFixtures.NotAnExtensionPoint.class.getName()),
                "graft.plugins.alpha.extension-points[0]", "is not an interface annotated @dev.graft.api.ExtensionPoint");
        failsNaming(runner().withPropertyValues("graft.extension-points=java.lang.String"),
                "graft.extension-points[0]", "is not an interface annotated");
    }

    @Test
    void locationsAndPinsAreChecked() {
        failsNaming(runner().withPropertyValues("graft.plugins.alpha.order=1"),
                "graft.plugins.alpha.location", "a location is required");
        failsNaming(runner().withPropertyValues("graft.plugins.alpha.location=ftp://example.com/a.wasm"),
                "graft.plugins.alpha.location", "classpath:", "https://");
        failsNaming(withAlpha("graft.plugins.alpha.sha256=abc"), "graft.plugins.alpha.sha256", "64 hex digits");
    }

    @Test
    void aPinThatDoesNotMatchRefusesARequiredPlugin() {
        withAlpha("graft.plugins.alpha.sha256=" + "0".repeat(64), "graft.plugins.alpha.required=true").run(context ->
                assertThat(messages(context.getStartupFailure())).contains("Required plugin 'alpha'", "sha256 mismatch"));
    }

    @Test
    void aClasspathLocationLoads() {
        runner().withPropertyValues("graft.plugins.cp.location=classpath:dev/graft/boot/autoconfigure/test-plugin.wasm",
                        "graft.plugins.cp.required=true")
                .withInitializer(context -> write(Path.of(classesDir()), "test-plugin.wasm", answering("cp")))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(PluginRegistry.class).plugin("cp").orElseThrow()
                            .call("apply", new byte[0]).outputString()).isEqualTo("\"cp\"");
                });
    }

    private static String classesDir() {
        try {
            return Path.of(PolicySettingsTest.class.getResource("PolicySettingsTest.class").toURI()).getParent().toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
