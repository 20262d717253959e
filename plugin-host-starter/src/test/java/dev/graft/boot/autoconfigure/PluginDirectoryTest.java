package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.answering;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graft.api.Extensions;
import dev.graft.boot.autoconfigure.StarterFixtures.PricingRule;
import dev.graft.host.registry.PluginDescriptor;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.core.ResolvableType;

/** graft.plugin-dir: plugins from a folder, loaded at startup and swapped while the application runs. */
class PluginDirectoryTest extends StarterTestSupport {

    @TempDir
    Path folder;

    static final Duration WAIT = Duration.ofSeconds(10);

    ApplicationContextRunner watching() {
        return runner().withPropertyValues("graft.plugin-dir=" + folder.toAbsolutePath(),
                "graft.plugin-dir-poll-interval=40ms", "graft.extension-points=" + PRICING_RULE);
    }

    /** Replaces a file the way a deployment should: write beside it, then move over it atomically. */
    void put(String name, byte[] content) throws IOException {
        Path staging = Files.write(folder.resolve("." + name + ".tmp"), content);
        Files.move(staging, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    void put(String name, String text) throws IOException {
        put(name, text.getBytes(StandardCharsets.UTF_8));
    }

    String sidecar(int order) {
        return "extension-points=" + PRICING_RULE + "\norder=" + order + "\n";
    }

    @SuppressWarnings("unchecked")
    static Extensions<PricingRule> rules(ApplicationContext context) {
        return (Extensions<PricingRule>) context.getBeanProvider(
                ResolvableType.forClassWithGenerics(Extensions.class, PricingRule.class)).getObject();
    }

    static List<String> answers(Extensions<PricingRule> rules) {
        return rules.stream().map(rule -> rule.apply("sku")).toList();
    }

    @Test
    void folderPluginsAndTheirSidecarsLoadAtStartup() throws IOException {
        put("alpha.wasm", answering("alpha"));
        put("alpha.properties", sidecar(2) + "policy.max-memory=2MB\nconfig.greeting=hi\n");
        put("beta.wasm", answering("beta"));
        put("beta.properties", sidecar(1));
        put("plain.wasm", answering("plain"));   // no sidecar: loaded, claims no extension point
        watching().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(rules(context).pluginIds()).containsExactly("beta", "alpha");
            assertThat(answers(rules(context))).containsExactly("beta", "alpha");
            PluginRegistry registry = context.getBean(PluginRegistry.class);
            assertThat(registry.descriptor("alpha").orElseThrow().policy().maxMemoryBytes()).isEqualTo(2L << 20);
            assertThat(registry.descriptor("plain").orElseThrow().state()).isEqualTo(PluginState.ENABLED);
        });
    }

    @Test
    void filesAddedReplacedAndDeletedWhileRunningAreLoadedSwappedAndUnloaded() throws IOException {
        put("alpha.wasm", answering("alpha-v1"));
        put("alpha.properties", sidecar(1));
        watching().run(context -> {
            Extensions<PricingRule> rules = rules(context);
            PluginRegistry registry = context.getBean(PluginRegistry.class);
            assertThat(answers(rules)).containsExactly("alpha-v1");

            put("beta.properties", sidecar(2));
            put("beta.wasm", answering("beta"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(answers(rules)).containsExactly("alpha-v1", "beta"));

            put("alpha.wasm", answering("alpha-v2"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(answers(rules)).containsExactly("alpha-v2", "beta"));

            put("alpha.wasm", "not a wasm module");
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(registry.descriptor("alpha").orElseThrow().lastError()).contains("plugin 'alpha': refused at load"));
            assertThat(answers(rules)).containsExactly("alpha-v2", "beta");
            assertThat(registry.descriptor("alpha").orElseThrow().state()).isEqualTo(PluginState.ENABLED);

            put("beta.properties", sidecar(0));   // a sidecar change reloads the plugin too
            await().atMost(WAIT).untilAsserted(() -> assertThat(rules.pluginIds()).containsExactly("beta", "alpha"));

            Files.delete(folder.resolve("beta.wasm"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(rules.pluginIds()).containsExactly("alpha"));
            assertThat(registry.descriptor("beta")).isEmpty();
        });
    }

    @Test
    void noCallFailsWhileAFolderPluginIsReplacedUnderLoad() throws IOException {
        byte[] v1 = answering("v1");
        byte[] v2 = answering("v2");
        put("alpha.wasm", v1);
        put("alpha.properties", sidecar(0));
        watching().run(context -> {
            Extensions<PricingRule> rules = rules(context);
            PluginRegistry registry = context.getBean(PluginRegistry.class);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger calls = new AtomicInteger();
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    workers.add(threads.submit(() -> {
                        while (!stop.get()) {
                            for (PricingRule rule : rules) {
                                assertThat(rule.apply("sku")).isIn("v1", "v2");
                                calls.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                for (int i = 0; i < 10; i++) {
                    String before = registry.descriptor("alpha").orElseThrow().sha256();
                    put("alpha.wasm", i % 2 == 0 ? v2 : v1);
                    await().atMost(WAIT).until(() -> !before.equals(registry.descriptor("alpha").orElseThrow().sha256()));
                }
                stop.set(true);
                for (Future<?> worker : workers) {
                    worker.get(10, TimeUnit.SECONDS);   // rethrows any failed call
                }
            } finally {
                stop.set(true);
                threads.shutdownNow();
            }
            assertThat(calls.get()).isPositive();
        });
    }

    @Test
    void anInvalidSidecarSettingFailsStartupNamingTheFileAndProperty() throws IOException {
        put("alpha.wasm", answering("alpha"));
        put("alpha.properties", "policy.mode=fast\n");
        watching().run(context -> assertThat(messages(context.getStartupFailure()))
                .contains("graft.plugin-dir[alpha.properties].policy.mode", "allowed values are compiled, interpreted"));

        put("alpha.properties", "policy.max-memroy=1MB\n");
        watching().run(context -> assertThat(messages(context.getStartupFailure()))
                .contains("unknown setting(s) policy.max-memroy", "alpha.properties"));

        put("alpha.properties", "policy.max-memory=lots\n");
        watching().run(context -> assertThat(messages(context.getStartupFailure()))
                .contains("invalid setting 'policy.max-memory'", "alpha.properties"));
    }

    @Test
    void aRefusedFolderPluginIsRecordedAsFailedAndDoesNotStopStartup() throws IOException {
        put("broken.wasm", "not a wasm module");
        watching().run(context -> {
            assertThat(context).hasNotFailed();
            PluginDescriptor broken = context.getBean(PluginRegistry.class).descriptor("broken").orElseThrow();
            assertThat(broken.state()).isEqualTo(PluginState.FAILED);
        });
    }

    @Test
    void aConfiguredPluginWinsOverAFolderFileWithTheSameId() throws IOException {
        put("alpha.wasm", answering("from-folder"));
        put("alpha.properties", sidecar(0));
        Path configured = StarterFixtures.write(Files.createTempDirectory(folder.getParent(), "configured"),
                "alpha.wasm", answering("from-config"));
        watching().withPropertyValues("graft.plugins.alpha.location=" + file(configured),
                        "graft.plugins.alpha.extension-points=" + PRICING_RULE)
                .run(context -> assertThat(answers(rules(context))).containsExactly("from-config"));
    }
}
