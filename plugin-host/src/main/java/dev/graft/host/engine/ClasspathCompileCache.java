package dev.graft.host.engine;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.compiler.internal.ClassLoadingCollector;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.compiler.internal.CompilerResult;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Encoding;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.Version;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.WasmWriter;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.RawSection;
import com.dylibso.chicory.wasm.types.SectionId;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.LoadLimits;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.abi.ExtismKernel;
import dev.graft.host.component.ComponentParser;
import dev.graft.host.loading.LoadBudget;
import dev.graft.host.metering.FuelMetering;
import dev.graft.host.source.PluginSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * Modules compiled at build time ({@code graft compile --classpath-output}) and found on the
 * classpath, so that a bundled plugin starts with no metering, no full parse and no compile. A
 * WebAssembly component has one entry per core module ({@link #writeAll}), each found by the core
 * module's own sha256 when the engine compiles the component's modules. Composes
 * with the {@linkplain GraftEngine.Builder#compileCache directory cache}: the engine asks this one
 * first.
 *
 * <p>An entry is the folder {@code META-INF/graft/compiled/<sha256>-<metering>/} ({@code <sha256>}
 * of the module bytes as loaded, {@code <metering>} 16 hex digits of the cost model's key, or
 * {@code unmetered}) holding:
 * <ul>
 *   <li>{@code entry.properties}: the Graft and Chicory versions that wrote it, the module's sha256,
 *       the full metering key, and the sha256 of the two other files;</li>
 *   <li>{@code module.wasm}: the module as the engine runs it (custom sections stripped, metered),
 *       with every compiled function's body replaced by {@code unreachable}, as Chicory's own
 *       build-time compiler does, so that parsing it costs next to nothing; bodies the compiler left
 *       to the interpreter (too large for a JVM method) stay whole;</li>
 *   <li>{@code classes.jar}: Chicory's compiled classes, in the form its {@link Cache} holds them.</li>
 * </ul>
 *
 * <p>An entry written by another Graft or Chicory version, for other bytes or another metering, or
 * whose files are missing, do not match their recorded digests or do not load, is ignored with a
 * warning naming the entry and why, and the module is compiled as if the entry were not there. The
 * entry's classes run as JVM code, so it is as trusted as the rest of the classpath; the digests
 * catch a stale or damaged build, not an attacker who can already change the application's jar.
 */
public final class ClasspathCompileCache {

    /** The resource folder that holds the entries. */
    public static final String ROOT = "META-INF/graft/compiled/";

    static final String FORMAT = "1";
    private static final String PROPERTIES = "entry.properties";
    private static final String MODULE = "module.wasm";
    private static final String CLASSES = "classes.jar";
    /** A fixed time for the jar's entries, so that the same module and versions give the same bytes. */
    private static final long ENTRY_TIME = 315_532_800_000L + 86_400_000L; // 1980-01-02, within the zip format's range

    private final ClassLoader loader;
    private final Consumer<String> warnings;

    ClasspathCompileCache(ClassLoader loader, Consumer<String> warnings) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.warnings = warnings;
    }

    /** A cache that reads the entries {@code loader} finds; ignored entries are logged as warnings. */
    public static ClasspathCompileCache on(ClassLoader loader) {
        return new ClasspathCompileCache(loader,
                message -> LoggerFactory.getLogger(ClasspathCompileCache.class).warn(message));
    }

    /** The version of Graft this code belongs to, as the build recorded it ({@code unknown} when it did not). */
    public static String graftVersion() {
        return GraftVersion.VALUE;
    }

    /** The folder (resource path, ending in '/') of a module's entry. */
    static String entryPath(String moduleSha256, String meteringKey) {
        String metering = meteringKey == null ? "unmetered"
                : PluginSource.sha256Hex(meteringKey.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        return ROOT + moduleSha256 + "-" + metering + "/";
    }

    /** What a matching entry holds: the stubbed module's bytes and Chicory's class jar, both checked. */
    record Entry(String path, byte[] module, byte[] classes) {

        /**
         * A machine factory over the entry's classes, each defined only when the JVM first needs it:
         * the main class when the first instance is built, the function classes at the first call that
         * reaches them. Chicory's own cache loader defines and verifies every class at once, which is
         * most of the cost of a hit; these classes were verified when the entry was written.
         *
         * @throws IOException when the jar cannot be read
         * @throws IllegalArgumentException when it names no main class or lacks it
         */
        Function<Instance, Machine> machineFactory() throws IOException, ReflectiveOperationException {
            Map<String, byte[]> classBytes = new HashMap<>();
            String mainClass = null;
            try (JarInputStream jar = new JarInputStream(new ByteArrayInputStream(classes))) {
                for (JarEntry e = jar.getNextJarEntry(); e != null; e = jar.getNextJarEntry()) {
                    if (e.getName().equals("wasm-module.properties")) {
                        Properties properties = new Properties();
                        properties.load(new ByteArrayInputStream(jar.readAllBytes()));
                        mainClass = properties.getProperty("mainClass");
                    } else if (e.getName().endsWith(".class")) {
                        String name = e.getName().substring(0, e.getName().length() - ".class".length()).replace('/', '.');
                        classBytes.put(name, jar.readAllBytes());
                    }
                }
            }
            if (mainClass == null || !classBytes.containsKey(mainClass)) {
                throw new IllegalArgumentException("the class jar names no main class or lacks it (" + mainClass + ")");
            }
            Class<? extends Machine> machine = new CompiledClasses(classBytes).loadClass(mainClass).asSubclass(Machine.class);
            MethodHandle constructor = MethodHandles.publicLookup()
                    .findConstructor(machine, MethodType.methodType(void.class, Instance.class))
                    .asType(MethodType.methodType(Machine.class, Instance.class));
            return instance -> {
                try {
                    return (Machine) constructor.invokeExact(instance);
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            };
        }

        /**
         * The entry's class jar as a Chicory {@link Cache} (for whatever key), the form the JIT-size check
         * reads method sizes from.
         */
        Cache asChicoryCache() {
            return new Cache() {
                @Override
                public byte[] get(String key) {
                    return classes;
                }

                @Override
                public void putIfAbsent(String key, byte[] data) {
                    // Only a compile stores, and compiling the stubbed module would give code that traps
                    // everywhere: refuse, so that the engine compiles the real module instead.
                    throw new IllegalStateException("Chicory compiled the stubbed module of " + path);
                }
            };
        }
    }

    /**
     * The entry for a module's bytes and metering, or {@code null} when there is none or it cannot be
     * trusted (the warning names the entry and why).
     *
     * @param meteringKey the cost model's key ({@code FuelMetering.cacheKey}), or {@code null} when unmetered
     */
    Entry find(String pluginId, String moduleSha256, String meteringKey) {
        String path = entryPath(moduleSha256, meteringKey);
        URL descriptor = loader.getResource(path + PROPERTIES);
        if (descriptor == null) {
            return null;
        }
        try {
            Properties properties = new Properties();
            try (InputStream in = descriptor.openStream()) {
                properties.load(in);
            }
            String stale = staleness(properties, moduleSha256, meteringKey);
            if (stale != null) {
                ignore(pluginId, path, stale);
                return null;
            }
            byte[] module = read(path + MODULE);
            byte[] classes = read(path + CLASSES);
            String damage = module == null ? MODULE + " is missing"
                    : classes == null ? CLASSES + " is missing"
                    : !PluginSource.sha256Hex(module).equals(properties.getProperty("module.sha256.stubbed"))
                            ? MODULE + " does not match the sha256 recorded in " + PROPERTIES
                    : !PluginSource.sha256Hex(classes).equals(properties.getProperty("classes.sha256"))
                            ? CLASSES + " does not match the sha256 recorded in " + PROPERTIES
                    : null;
            if (damage != null) {
                ignore(pluginId, path, damage);
                return null;
            }
            return new Entry(path, module, classes);
        } catch (IOException | IllegalArgumentException e) {
            ignore(pluginId, path, "it cannot be read: " + GraftEngine.describe(e));
            return null;
        }
    }

    /** Why an entry's descriptor does not describe this module under this Graft and Chicory, or null. */
    private static String staleness(Properties properties, String moduleSha256, String meteringKey) {
        String format = properties.getProperty("format");
        if (!FORMAT.equals(format)) {
            return "its format is " + format + ", this Graft reads format " + FORMAT;
        }
        String graft = properties.getProperty("graft.version");
        if (!graftVersion().equals(graft)) {
            return "it was written by Graft " + graft + ", this is Graft " + graftVersion();
        }
        String chicory = properties.getProperty("chicory.version");
        if (!Version.version().equals(chicory)) {
            return "it was compiled by Chicory " + chicory + ", this is Chicory " + Version.version();
        }
        if (!moduleSha256.equals(properties.getProperty("module.sha256"))) {
            return "it describes the module with sha256 " + properties.getProperty("module.sha256");
        }
        String metering = meteringKey == null ? "unmetered" : meteringKey;
        if (!metering.equals(properties.getProperty("metering"))) {
            return "it was metered as '" + properties.getProperty("metering") + "', the policy asks for '" + metering
                    + "'";
        }
        return null;
    }

    /** Tells that an entry is not used: from the engine, when its classes do not load. */
    void ignore(String pluginId, String path, String why) {
        warnings.accept("classpath compile cache: entry " + path + " ignored for plugin '" + pluginId + "' because "
                + why + "; the module is compiled at load instead");
    }

    private byte[] read(String resource) throws IOException {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /**
     * Writes the entry for a module under {@code classesRoot} (a classpath root such as
     * {@code target/classes}) as the engine would load it in compiled or tiered mode: the default load
     * limits (custom sections stripped), metered with {@code fuelCosts} ({@code null}: unmetered), then
     * compiled. Replaces an existing entry for the same bytes and metering.
     *
     * @return the entry's folder
     * @throws PluginLoadException when the module is refused, does not meter or does not compile, or is a
     *     WebAssembly component ({@link #writeAll} writes those)
     * @throws UncheckedIOException when the entry cannot be written
     */
    public static Path write(Path classesRoot, String pluginId, byte[] bytes, CostModel fuelCosts) {
        if (ComponentParser.isComponent(bytes)) {
            throw new PluginLoadException(pluginId, "a WebAssembly component has no entry of its own, one per core"
                    + " module: write it with ClasspathCompileCache.writeAll");
        }
        byte[] checked = LoadBudget.check(pluginId, bytes, LoadLimits.defaults(), true);
        String sha256 = PluginSource.sha256Hex(bytes);
        String meteringKey = fuelCosts == null ? null
                : FuelMetering.cacheKey(fuelCosts, ExtismKernel.FIXED_COST_FUNCTIONS);
        byte[] runnable;
        WasmModule module;
        CompilerResult compiled;
        try {
            runnable = fuelCosts == null ? checked
                    : FuelMetering.instrument(checked, fuelCosts, ExtismKernel.FIXED_COST_FUNCTIONS);
            module = Parser.parse(runnable);
            // The same compiler settings as GraftEngine's; ClassLoadingCollector verifies every class
            // here, so a class the JVM would refuse fails the build rather than a start.
            compiled = Compiler.builder(module).withInterpreterFallback(InterpreterFallback.SILENT)
                    .withClassCollectorFactory(ClassLoadingCollector::new).build().compile();
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            throw new PluginLoadException(pluginId, "module does not meter, parse or compile: "
                    + GraftEngine.describe(e), e);
        }
        int importedFunctions = module.importSection().count(ExternalType.FUNCTION);
        byte[] stubbed = stubCompiledBodies(runnable, importedFunctions, compiled.interpretedFunctions());
        byte[] classes = classJar(compiled.collector().mainClassName(), compiled.classBytes());

        Map<String, String> properties = new TreeMap<>();
        properties.put("format", FORMAT);
        properties.put("graft.version", graftVersion());
        properties.put("chicory.version", Version.version());
        properties.put("module.sha256", sha256);
        properties.put("metering", meteringKey == null ? "unmetered" : meteringKey);
        properties.put("module.sha256.stubbed", PluginSource.sha256Hex(stubbed));
        properties.put("classes.sha256", PluginSource.sha256Hex(classes));
        properties.put("interpreted.functions", new TreeSet<>(compiled.interpretedFunctions()).stream()
                .map(String::valueOf).collect(Collectors.joining(",")));
        // Written by hand rather than Properties.store, which adds the date: same input, same bytes.
        String text = "# Graft classpath compile cache entry for plugin " + pluginId.replaceAll("[\\r\\n]", " ")
                + " (graft compile --classpath-output)\n" + properties.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue() + "\n").collect(Collectors.joining());
        Path dir = classesRoot.resolve(entryPath(sha256, meteringKey));
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(MODULE), stubbed);
            Files.write(dir.resolve(CLASSES), classes);
            // The descriptor last: an interrupted write leaves an entry without one, which is a miss.
            Files.writeString(dir.resolve(PROPERTIES), text, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the classpath compile cache entry " + dir, e);
        }
        return dir;
    }

    /**
     * The build step behind a Maven {@code exec:java} execution (see the sample application's pom): the
     * first argument is the classpath root to write into (such as {@code target/classes}), the others
     * are {@code .wasm} files or folders, searched for {@code *.wasm} files; each module, and each core
     * module of a component, is metered with the default cost model and compiled, as
     * {@code graft compile --classpath-output} does ({@link #writeAll}). Fails (with an exception, so that
     * the build fails) on the first module that does not compile.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: ClasspathCompileCache CLASSPATH_ROOT (MODULE.wasm | FOLDER)...");
        }
        Path root = Path.of(args[0]);
        List<Path> modules = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            Path path = Path.of(args[i]);
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.walk(path)) {
                    files.filter(f -> f.getFileName().toString().endsWith(".wasm") && Files.isRegularFile(f))
                            .sorted().forEach(modules::add);
                }
            } else {
                modules.add(path);
            }
        }
        for (Path module : modules) {
            long start = System.nanoTime();
            String id = module.getFileName().toString().replaceFirst("\\.wasm$", "");
            List<Path> entries = writeAll(root, id, Files.readAllBytes(module), PluginPolicy.defaults().fuelCosts());
            System.out.printf(Locale.ROOT, "graft: compiled %s in %d ms into %s%n", module,
                    (System.nanoTime() - start) / 1_000_000,
                    entries.size() == 1 ? entries.get(0) : entries.size() + " entries " + entries);
        }
    }

    /**
     * Writes the entries a plugin's bytes need to load from the classpath: for a module, its entry
     * ({@link #write}); for a WebAssembly component, one entry per core module, since the engine
     * compiles a component core module by core module and looks each one up by its own sha256.
     *
     * @return the entries' folders, in the order of the component's core modules
     * @throws PluginLoadException when the component is refused or a module does not meter or compile;
     *     for a component's core module the message names it ({@code core module N of the component})
     * @throws UncheckedIOException when an entry cannot be written
     */
    public static List<Path> writeAll(Path classesRoot, String pluginId, byte[] bytes, CostModel fuelCosts) {
        if (!ComponentParser.isComponent(bytes)) {
            return List.of(write(classesRoot, pluginId, bytes, fuelCosts));
        }
        List<byte[]> coreModules = ComponentParser.parse(pluginId, bytes).coreModules();
        List<Path> entries = new ArrayList<>();
        for (int i = 0; i < coreModules.size(); i++) {
            try {
                entries.add(write(classesRoot, pluginId, coreModules.get(i), fuelCosts));
            } catch (PluginLoadException e) {
                // As GraftEngine words it at load: the reason without the repeated "plugin '...': refused at load".
                String reason = e.getMessage();
                int at = reason.indexOf("refused at load: ");
                throw new PluginLoadException(pluginId, "core module " + i + " of the component: "
                        + (at < 0 ? reason : reason.substring(at + "refused at load: ".length())), e);
            }
        }
        return entries;
    }

    /**
     * The module with the body of every function the compiler compiled replaced by
     * {@code unreachable} (and no custom sections): the runtime needs the other sections and the
     * interpreted bodies, the compiled classes need nothing else.
     */
    static byte[] stubCompiledBodies(byte[] module, int importedFunctions, Set<Integer> interpreted) {
        WasmWriter writer = new WasmWriter();
        Parser.parseWithoutDecoding(module, section -> {
            if (section.sectionId() == SectionId.CODE) {
                ByteBuffer in = ByteBuffer.wrap(((RawSection) section).contents());
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int count = (int) Encoding.readVarUInt32(in);
                WasmWriter.writeVarUInt32(out, count);
                for (int i = 0; i < count; i++) {
                    int size = (int) Encoding.readVarUInt32(in);
                    if (interpreted.contains(importedFunctions + i)) {
                        WasmWriter.writeVarUInt32(out, size);
                        out.write(in.array(), in.position(), size);
                    } else {
                        out.write(3); // body size
                        out.write(0); // no locals
                        out.write(OpCode.UNREACHABLE.opcode());
                        out.write(OpCode.END.opcode());
                    }
                    in.position(in.position() + size);
                }
                writer.writeSection(SectionId.CODE, out.toByteArray());
            } else if (section.sectionId() != SectionId.CUSTOM) {
                writer.writeSection((RawSection) section);
            }
        });
        return writer.bytes();
    }

    /** Chicory's {@link Cache} form of compiled classes: a jar naming the main class in wasm-module.properties. */
    private static byte[] classJar(String mainClass, Map<String, byte[]> classes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            put(jar, "wasm-module.properties", ("mainClass=" + mainClass + "\n").getBytes(StandardCharsets.ISO_8859_1));
            for (var c : new TreeMap<>(classes).entrySet()) {
                put(jar, c.getKey().replace('.', '/') + ".class", c.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void put(JarOutputStream jar, String name, byte[] data) throws IOException {
        JarEntry entry = new JarEntry(name);
        entry.setTime(ENTRY_TIME);
        jar.putNextEntry(entry);
        jar.write(data);
        jar.closeEntry();
    }

    /** The classes of one compiled module, defined on first use; their bytes are dropped once defined. */
    private static final class CompiledClasses extends ClassLoader {

        static {
            registerAsParallelCapable();
        }

        private final Map<String, byte[]> classes;

        CompiledClasses(Map<String, byte[]> classes) {
            // Where the generated code's references (Chicory's runtime) resolve, as for Chicory's own loader.
            super(MachineFactoryCompiler.class.getClassLoader());
            this.classes = new ConcurrentHashMap<>(classes);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = classes.remove(name);
            if (bytes == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, bytes, 0, bytes.length);
        }
    }

    /** Read once from the resource the build filters ({@code graft-version.properties}). */
    private static final class GraftVersion {
        static final String VALUE = load();

        private static String load() {
            try (InputStream in = ClasspathCompileCache.class.getResourceAsStream("graft-version.properties")) {
                if (in == null) {
                    return "unknown";
                }
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "unknown");
                return version.startsWith("${") ? "unknown" : version;
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
