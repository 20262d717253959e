package dev.graft.host.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.component.ComponentParser;
import dev.graft.host.component.ComponentPluginTest.Adjustment;
import dev.graft.host.component.ComponentPluginTest.Customer;
import dev.graft.host.component.ComponentPluginTest.PricingRule;
import dev.graft.host.component.ComponentPluginTest.QuoteLine;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Modules compiled at build time and found on the classpath: a hit starts compiled with no compile, and
 * gives the same outputs and fuel as a module compiled at load; a stale or damaged entry is ignored
 * with a warning naming it and why, and the module is compiled as if it were not there.
 */
class ClasspathCompileCacheTest {

    private static final Path HELLO = ExtismCompatibilityTest.HELLO;
    private static final String INPUT = "Hello, World! Zoë";
    private static final Path PRICING_RUST = Path.of("src/test/resources/components/pricing-rust.wasm");

    @TempDir
    Path root;

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    /** Background compiles the engines queued: a plugin from the classpath cache queues none. */
    private final List<Runnable> compiles = new ArrayList<>();

    private GraftEngine engine(Path classpathRoot) throws IOException {
        URLClassLoader loader = new URLClassLoader(new URL[] {classpathRoot.toUri().toURL()}, null);
        return GraftEngine.builder().compilerExecutor(compiles::add)
                .classpathCompileCache(new ClasspathCompileCache(loader, warnings::add)).build();
    }

    private static Plugin load(GraftEngine engine, Path module, PluginPolicy policy) {
        return engine.load(PluginSpec.builder(PluginSource.ofFile(module)).policy(policy).build());
    }

    private static CallResult call(Plugin plugin) {
        return plugin.call("count_vowels", INPUT.getBytes(StandardCharsets.UTF_8));
    }

    private Path writeHello() throws IOException {
        return ClasspathCompileCache.write(root, "hello", Files.readAllBytes(HELLO), CostModel.defaults());
    }

    @Test
    void aHitStartsCompiledWithoutCompilingAndMatchesACompileAtLoad() throws IOException {
        Path entry = writeHello();
        assertTrue(entry.startsWith(root.resolve("META-INF/graft/compiled")), entry.toString());
        assertTrue(Files.size(entry.resolve("module.wasm")) < Files.size(HELLO) / 2,
                "the entry's module has its compiled bodies stubbed out");

        Plugin cached = load(engine(root), HELLO, PluginPolicy.defaults());
        assertTrue(cached.compiled().fromClasspathCache(), cached.compiled().toString());
        assertEquals(ExecutionMode.COMPILED, cached.executionTier(), "tiered, yet compiled from the start");
        assertTrue(compiles.isEmpty(), "no background compile was queued");

        Plugin compiledHere = load(GraftEngine.create(), HELLO,
                PluginPolicy.defaults().toBuilder().mode(ExecutionMode.COMPILED).build());
        assertFalse(compiledHere.compiled().fromClasspathCache());
        for (int i = 0; i < 3; i++) {
            CallResult a = call(cached);
            CallResult b = call(compiledHere);
            assertArrayEquals(b.output(), a.output());
            assertTrue(a.stats().fuelConsumed() > 0);
            assertEquals(b.stats().fuelConsumed(), a.stats().fuelConsumed(), "the entry was metered as at load");
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void theBuildStepWritesAnEntryForAModuleAndForEachCoreModuleOfAComponent(@TempDir Path plugins) throws IOException {
        Files.copy(HELLO, plugins.resolve("hello.wasm"));
        Files.copy(PRICING_RUST, plugins.resolve("pricing-rust.wasm"));
        ClasspathCompileCache.main(new String[] {root.toString(), plugins.toString()});
        List<byte[]> coreModules = ComponentParser.parse("pricing-rust", Files.readAllBytes(PRICING_RUST)).coreModules();
        try (Stream<Path> entries = Files.list(root.resolve("META-INF/graft/compiled"))) {
            assertEquals(1 + coreModules.size(), entries.count(), "hello.wasm's entry and one per core module");
        }

        // Tiered (the default), as the sample application loads it: compiled from the start, nothing queued.
        GraftEngine engine = engine(root);
        Plugin cached = loadPricingRust(engine, PluginPolicy.defaults());
        assertEquals(ExecutionMode.COMPILED, cached.executionTier());
        assertTrue(compiles.isEmpty(), "no background compile was queued: " + compiles.size());
        assertTrue(coreModulesFromClasspath(engine, coreModules, ExecutionMode.TIERED),
                "every core module came from the classpath cache");

        Plugin compiledHere = loadPricingRust(GraftEngine.create(),
                PluginPolicy.defaults().toBuilder().mode(ExecutionMode.COMPILED).build());
        assertSameAnswers(compiledHere, cached);
        assertEquals(List.of(), warnings);
    }

    @Test
    void aTamperedEntryOfAComponentsCoreModuleIsIgnoredAndTheModuleCompiles() throws IOException {
        byte[] component = Files.readAllBytes(PRICING_RUST);
        List<Path> entries = ClasspathCompileCache.writeAll(root, "pricing-rust", component, CostModel.defaults());
        List<byte[]> coreModules = ComponentParser.parse("pricing-rust", component).coreModules();
        assertEquals(coreModules.size(), entries.size());
        Path entry = entries.get(0);
        byte[] classes = Files.readAllBytes(entry.resolve("classes.jar"));
        classes[classes.length / 2] ^= 0x5a;
        Files.write(entry.resolve("classes.jar"), classes);

        PluginPolicy compiled = PluginPolicy.defaults().toBuilder().mode(ExecutionMode.COMPILED).build();
        GraftEngine engine = engine(root);
        Plugin plugin = loadPricingRust(engine, compiled);
        assertFalse(coreModulesFromClasspath(engine, coreModules, ExecutionMode.COMPILED));
        assertEquals(ExecutionMode.COMPILED, plugin.executionTier());
        assertSameAnswers(loadPricingRust(GraftEngine.create(), compiled), plugin);
        assertEquals(1, warnings.size(), warnings.toString());
        String warning = warnings.get(0);
        assertTrue(warning.contains(entryPath(entry)), warning);
        assertTrue(warning.contains("classes.jar does not match the sha256"), warning);
        assertTrue(warning.contains("plugin 'pricing-rust'"), warning);
    }

    @Test
    void writingAComponentAsOneModuleIsRefusedNamingWriteAll() throws IOException {
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.graft.api.PluginLoadException.class,
                () -> ClasspathCompileCache.write(root, "pricing-rust", Files.readAllBytes(PRICING_RUST), CostModel.defaults()));
        assertTrue(e.getMessage().contains("plugin 'pricing-rust'") && e.getMessage().contains("writeAll"), e.getMessage());
        assertFalse(Files.exists(root.resolve("META-INF")), "nothing was written");
    }

    @Test
    void anEntryPackagedInAJarIsFound() throws IOException {
        writeHello();
        Path jar = root.resolveSibling(root.getFileName() + "-plugins.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(root.relativize(file).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(file));
                out.closeEntry();
            }
        }
        try {
            Plugin plugin = load(engine(jar), HELLO, PluginPolicy.defaults().toBuilder().mode(ExecutionMode.COMPILED).build());
            assertTrue(plugin.compiled().fromClasspathCache());
            assertTrue(new String(call(plugin).output(), StandardCharsets.UTF_8).contains("\"count\""));
        } finally {
            Files.deleteIfExists(jar);
        }
    }

    @Test
    void aTamperedClassJarIsIgnoredWithAWarningAndTheModuleCompiles() throws IOException {
        Path entry = writeHello();
        byte[] classes = Files.readAllBytes(entry.resolve("classes.jar"));
        classes[classes.length / 2] ^= 0x5a;
        Files.write(entry.resolve("classes.jar"), classes);

        Plugin plugin = load(engine(root), HELLO, PluginPolicy.defaults().toBuilder().mode(ExecutionMode.COMPILED).build());
        assertFalse(plugin.compiled().fromClasspathCache());
        assertEquals(ExecutionMode.COMPILED, plugin.executionTier());
        assertTrue(call(plugin).output().length > 0);
        assertEquals(1, warnings.size(), warnings.toString());
        String warning = warnings.get(0);
        assertTrue(warning.contains(entryPath(entry)), warning);
        assertTrue(warning.contains("classes.jar does not match the sha256"), warning);
        assertTrue(warning.contains("plugin 'hello'"), warning);
    }

    @Test
    void aTamperedModuleIsIgnoredWithAWarning() throws IOException {
        Path entry = writeHello();
        byte[] module = Files.readAllBytes(entry.resolve("module.wasm"));
        module[module.length - 1] ^= 0x01;
        Files.write(entry.resolve("module.wasm"), module);

        Plugin plugin = load(engine(root), HELLO, PluginPolicy.defaults());
        assertFalse(plugin.compiled().fromClasspathCache());
        assertEquals(1, compiles.size(), "tiered as without the entry: compiled in the background");
        assertTrue(warnings.get(0).contains("module.wasm does not match the sha256"), warnings.toString());
    }

    @Test
    void anEntryWhoseDigestsMatchButWhoseClassesDoNotLoadIsIgnored() throws IOException {
        Path entry = writeHello();
        byte[] garbage = "not a jar".getBytes(StandardCharsets.UTF_8);
        Files.write(entry.resolve("classes.jar"), garbage);
        rewrite(entry, "classes.sha256", PluginSource.sha256Hex(garbage));

        Plugin plugin = load(engine(root), HELLO, PluginPolicy.defaults().toBuilder().mode(ExecutionMode.COMPILED).build());
        assertFalse(plugin.compiled().fromClasspathCache());
        assertTrue(call(plugin).output().length > 0);
        assertTrue(warnings.get(0).contains("it does not load"), warnings.toString());
    }

    @Test
    void anEntryOfAnotherGraftOrChicoryVersionIsIgnoredWithAWarning() throws IOException {
        Path entry = writeHello();
        rewrite(entry, "graft.version", "0.0.1");
        Plugin plugin = load(engine(root), HELLO, PluginPolicy.defaults().toBuilder().mode(ExecutionMode.COMPILED).build());
        assertFalse(plugin.compiled().fromClasspathCache());
        assertTrue(warnings.get(0).contains("written by Graft 0.0.1, this is Graft " + ClasspathCompileCache.graftVersion()),
                warnings.toString());
        assertNotEquals("unknown", ClasspathCompileCache.graftVersion(), "the build filters the version in");

        warnings.clear();
        writeHello();
        rewrite(entry, "chicory.version", "1.0.0");
        assertFalse(load(engine(root), HELLO, PluginPolicy.defaults()).compiled().fromClasspathCache());
        assertTrue(warnings.get(0).contains("compiled by Chicory 1.0.0, this is Chicory 1.7.5"), warnings.toString());
    }

    @Test
    void anotherCostModelOrInterpretedModeDoesNotUseTheEntry() throws IOException {
        writeHello();
        GraftEngine engine = engine(root);
        PluginPolicy otherCosts = PluginPolicy.defaults().toBuilder().mode(ExecutionMode.COMPILED)
                .fuelCosts(CostModel.defaults().toBuilder().instructionCost(2).build()).build();
        assertFalse(load(engine, HELLO, otherCosts).compiled().fromClasspathCache());
        PluginPolicy unmetered = PluginPolicy.defaults().toBuilder().mode(ExecutionMode.COMPILED).fuel(0).build();
        assertFalse(load(engine, HELLO, unmetered).compiled().fromClasspathCache());
        Plugin interpreted = load(engine, HELLO, PluginPolicy.defaults().toBuilder().mode(ExecutionMode.INTERPRETED).build());
        assertFalse(interpreted.compiled().fromClasspathCache(), "the interpreter needs every function body");
        assertTrue(call(interpreted).output().length > 0);
        assertEquals(List.of(), warnings, "another key is a plain miss");
    }

    @Test
    void theDirectoryCacheServesWhatTheClasspathDoesNotHold(@TempDir Path dir) throws IOException {
        byte[] other = Wat2Wasm.parse("(module (func (export \"a\") (result i32) i32.const 1))");
        writeHello();
        URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
        GraftEngine engine = GraftEngine.builder().compileCache(dir)
                .classpathCompileCache(new ClasspathCompileCache(loader, warnings::add)).build();
        CompiledModule hello = engine.compile("hello", Files.readAllBytes(HELLO), ExecutionMode.COMPILED, CostModel.defaults());
        assertTrue(hello.fromClasspathCache());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "a classpath hit writes nothing to the directory cache");
        }
        CompiledModule a = engine.compile("a", other, ExecutionMode.COMPILED, CostModel.defaults());
        assertFalse(a.fromClasspathCache());
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.count() >= 2, "a classpath miss fills the directory cache (metered bytes, classes)");
        }
    }

    @Test
    void functionsTooLargeForAJvmMethodKeepTheirBodiesAndRunInTheInterpreter() throws IOException {
        // One function of ~25,000 additions: its JVM method would pass 64 KiB, so Chicory interprets it.
        StringBuilder wat = new StringBuilder("(module (func $huge (param i32) (result i32)");
        for (int i = 0; i < 25_000; i++) {
            wat.append(" local.get 0 i32.const 1 i32.add local.set 0");
        }
        wat.append(" local.get 0)");
        // The Extism shape Plugin.call expects: () -> i32, 0 when the huge function added right.
        wat.append(" (func (export \"run\") (result i32) i32.const 7 call $huge i32.const 25007 i32.ne))");
        Path module = root.resolveSibling(root.getFileName() + "-huge.wasm");
        Files.write(module, Wat2Wasm.parse(wat.toString()));
        try {
            Path entry = ClasspathCompileCache.write(root, "huge", Files.readAllBytes(module), CostModel.defaults());
            String properties = Files.readString(entry.resolve("entry.properties"));
            assertTrue(properties.contains("interpreted.functions=0\n"), properties);

            Plugin plugin = load(engine(root), module, PluginPolicy.defaults().toBuilder().mode(ExecutionMode.COMPILED).build());
            assertTrue(plugin.compiled().fromClasspathCache());
            CallResult result = plugin.call("run", new byte[0]);
            assertTrue(result.stats().fuelConsumed() > 100_000, "the huge body ran: " + result.stats().fuelConsumed());
            assertEquals(List.of(), warnings);
        } finally {
            Files.deleteIfExists(module);
        }
    }

    @Test
    void theSameModuleWritesTheSameBytes(@TempDir Path other) throws IOException {
        Path first = writeHello();
        Path second = ClasspathCompileCache.write(other, "hello", Files.readAllBytes(HELLO), CostModel.defaults());
        for (String file : List.of("entry.properties", "module.wasm", "classes.jar")) {
            assertArrayEquals(Files.readAllBytes(first.resolve(file)), Files.readAllBytes(second.resolve(file)), file);
        }
    }


    private static Plugin loadPricingRust(GraftEngine engine, PluginPolicy policy) {
        return engine.load(PluginSpec.builder(PluginSource.ofFile(PRICING_RUST)).policy(policy)
                .extensionPoint(PricingRule.class).build());
    }

    /**
     * Whether every core module of the loaded component came from the classpath cache: the engine hands
     * back the module it holds for the same bytes, mode and metering, the one the component runs.
     */
    private static boolean coreModulesFromClasspath(GraftEngine engine, List<byte[]> coreModules, ExecutionMode mode) {
        return coreModules.stream().allMatch(core -> engine.compile("pricing-rust", core, mode, CostModel.defaults())
                .fromClasspathCache());
    }

    /** Below, at and far above the rule's quantity threshold, with non-ASCII names. */
    private static void assertSameAnswers(Plugin expected, Plugin actual) {
        PricingRule want = expected.extension(PricingRule.class);
        PricingRule got = actual.extension(PricingRule.class);
        int discounted = 0;
        for (int quantity : new int[] {1, 9, 10, 11, 50, 100, 1000}) {
            QuoteLine line = new QuoteLine("SKU-" + quantity, "Bleistift ✏ " + quantity, "office", quantity,
                    new BigDecimal("1.99"), new Customer("c-1", "Zoë", null, "DE"), "EUR", null);
            List<Adjustment> adjustments = got.apply(line);
            assertEquals(want.apply(line), adjustments, "quantity " + quantity);
            discounted += adjustments.isEmpty() ? 0 : 1;
        }
        assertTrue(discounted >= 3, "the rule gave discounts, so the comparison compared something: " + discounted);
    }


    private String entryPath(Path entry) {
        return root.relativize(entry).toString().replace('\\', '/') + "/";
    }

    private static void rewrite(Path entry, String key, String value) throws IOException {
        Path file = entry.resolve("entry.properties");
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            lines.add(line.startsWith(key + "=") ? key + "=" + value : line);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.ISO_8859_1));
        }
    }
}
