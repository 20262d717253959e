package dev.graft.cli.scaffold;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.graft.cli.scaffold.ContractModel.Export;
import dev.graft.cli.scaffold.ContractModel.Field;
import dev.graft.cli.scaffold.ContractModel.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A standalone plugin project for one language, as {@code graft new} writes it: sources with one export per
 * {@code @Export} method and the contract's records as the language's types, vendored helpers, a
 * reproducible {@code build.sh}, sample inputs and a Maven test project using {@code dev.graft:plugin-test}.
 */
public abstract class Scaffold {

    /** The languages {@code graft new} writes. */
    public enum Language {
        RUST("rust"), ASSEMBLYSCRIPT("assemblyscript"), C("c");

        private final String id;

        Language(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** Coordinates of a Maven artifact. */
    public record Coordinates(String groupId, String artifactId, String version) {
        @Override
        public String toString() {
            return groupId + ":" + artifactId + ":" + version;
        }
    }

    /** What every scaffold needs: the contract's shapes, the plugin's name, and the Maven coordinates for its test. */
    public record Inputs(ContractModel model, String name, Coordinates contractArtifact, String graftVersion,
            Map<String, String> versions) {
    }

    protected final Inputs in;
    protected final ContractModel model;
    protected final String name;
    private final Map<String, String> files = new LinkedHashMap<>();
    private final Set<String> executables = new TreeSet<>();

    protected Scaffold(Inputs in) {
        this.in = in;
        this.model = in.model();
        this.name = in.name();
    }

    /** The scaffold for {@code language}. */
    public static Scaffold of(Language language, Inputs in) {
        return switch (language) {
            case RUST -> new RustScaffold(in);
            case ASSEMBLYSCRIPT -> new AssemblyScriptScaffold(in);
            case C -> new CScaffold(in);
        };
    }

    /** The files to write, by path relative to the project folder. */
    public final Map<String, String> files() {
        if (files.isEmpty()) {
            writeSources();
            writeSampleInputs();
            new JavaTestScaffold(in, this).write();
            file(".gitignore", (language() == Language.ASSEMBLYSCRIPT ? "node_modules/\n" : "") + "test/target/\n");
            file("README.md", readme());
        }
        return files;
    }

    /** Paths among {@link #files()} that are scripts. */
    public final Set<String> executables() {
        files();
        return executables;
    }

    /** The command that builds the module, as the project's README and the tutorial show it. */
    public abstract Language language();

    /** Writes the language's sources, helpers and build.sh through {@link #file}. */
    protected abstract void writeSources();

    protected final void file(String path, String content) {
        files.put(path, content);
    }

    protected final void script(String path, String content) {
        files.put(path, content);
        executables.add(path);
    }

    /** The helper file shipped in plugin-cli's resources under {@code scaffold/<lang>/<path>}. */
    protected static String resource(String path) {
        try (InputStream s = Scaffold.class.getResourceAsStream("/dev/graft/cli/scaffold/" + path)) {
            if (s == null) {
                throw new IllegalStateException("missing scaffold resource " + path);
            }
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The source file with the author's logic. */
    public final String ruleFile() {
        return switch (language()) {
            case RUST -> "src/rule.rs";
            case C -> "rule.c";
            case ASSEMBLYSCRIPT -> "assembly/rule.ts";
        };
    }

    private String readme() {
        StringBuilder s = new StringBuilder("# ").append(name).append("\n\n")
                .append("A Graft plugin (").append(language()).append(") for the extension point `").append(model.contract().id())
                .append("` (`").append(model.contract().type().getName()).append("`), made by `graft new`.\n\n")
                .append("```sh\n")
                .append("./build.sh                      # writes ").append(name).append(".wasm (reproducibly) and ").append(name)
                .append(".wasm.sha256, the pin\n")
                .append("(cd test && mvn -q test)        # loads the pinned module with dev.graft:plugin-test, calls each export\n");
        for (Export e : model.exports()) {
            String input = sampleInputFile(e);
            s.append("graft check ").append(name).append(".wasm --contract ").append(model.contract().type().getName())
                    .append(" --classpath CONTRACT.jar").append(model.exports().size() > 1 ? " --export " + e.name() : "")
                    .append(input == null ? "" : " --input-file " + input).append('\n');
        }
        s.append("```\n\nYour logic goes in `").append(ruleFile()).append("` (the TODOs); the contract's types are generated, ")
                .append("the helpers are yours to change. Exports:\n\n");
        for (Export e : model.exports()) {
            s.append("- `").append(e.name()).append("`: `").append(signature(e)).append("`\n");
        }
        return s.append("\nThe tutorial: docs/writing-plugins.md in Graft.\n").toString();
    }

    /** The sample input file of an export (none for an export without argument). */
    public String sampleInputFile(Export e) {
        if (e.argument() == null) {
            return null;
        }
        String base = model.exports().size() == 1 ? "sample-input" : "sample-input-" + e.name();
        return base + (e.argument().kind() == ContractModel.Kind.BYTES ? ".txt" : ".json");
    }

    private void writeSampleInputs() {
        ObjectMapper mapper = new ObjectMapper();
        for (Export e : model.exports()) {
            String file = sampleInputFile(e);
            if (file == null) {
                continue;
            }
            if (e.argument().kind() == ContractModel.Kind.BYTES) {
                file(file, "example input\n");
                continue;
            }
            try {
                file(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(example(e.argument(), e.argumentName())) + "\n");
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        }
    }

    /** An example value of the shape, for the sample input. */
    private static JsonNode example(Shape shape, String name) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (shape.kind()) {
            case STRING -> f.textNode(shape.values() != null && !shape.values().isEmpty() ? shape.values().get(0) : "example " + name);
            case DECIMAL_STRING -> f.textNode("12.50");
            case DECIMAL_NUMBER -> f.numberNode(new BigDecimal("12.50"));
            case INT -> f.numberNode(2);
            case FLOAT -> f.numberNode(1.5);
            case BOOL -> f.booleanNode(true);
            case RAW, BYTES -> f.objectNode();
            case LIST -> {
                ArrayNode a = f.arrayNode();
                a.add(example(shape.element(), name));
                yield a;
            }
            case RECORD -> {
                ObjectNode o = f.objectNode();
                for (Field field : shape.record().fields()) {
                    o.set(field.jsonName(), example(field.shape(), field.jsonName()));
                }
                yield o;
            }
        };
    }

    /** An example string of the shape: an enum's first constant, else "TODO". */
    protected static String exampleText(Shape shape) {
        return shape.values() != null && !shape.values().isEmpty() ? shape.values().get(0) : "TODO";
    }

    /** The header comment's first line: what the file was generated from. */
    protected final String generatedFrom() {
        return "Generated by `graft new` from " + model.contract().type().getName() + " (extension point '"
                + model.contract().id() + "', version " + model.contract().version() + ")";
    }

    protected static String signature(Export e) {
        StringBuilder s = new StringBuilder(e.method().getGenericReturnType().getTypeName()).append(' ')
                .append(e.method().getDeclaringClass().getSimpleName()).append('.').append(e.method().getName()).append('(');
        if (e.method().getParameterCount() == 1) {
            s.append(e.method().getGenericParameterTypes()[0].getTypeName());
        }
        return s.append(')').toString().replaceAll("\\b[a-z][a-z0-9_]*\\.", "").replace('$', '.');
    }

    /** The lines of build.sh that record the module's sha256 and say what was built. */
    protected final String buildFooter() {
        return """
                # The sha256 to pin: the test project reads it from this file (plugin-test's lockFile), the host
                # takes it as sha256 (graft.plugins.<id>.sha256, or sha256= in the plugin folder's <id>.properties).
                sha256sum %1$s.wasm > %1$s.wasm.sha256
                echo "built %1$s.wasm ($(wc -c < %1$s.wasm) bytes, sha256 $(cut -d' ' -f1 %1$s.wasm.sha256))"
                """.formatted(name);
    }

    /** A check that the module imports only the Extism host modules and has every export (Node is a build tool anyway). */
    protected final String importCheck(String nodeCommand) {
        StringBuilder exports = new StringBuilder("\"memory\"");
        for (Export e : model.exports()) {
            exports.append(", \"").append(e.name()).append('"');
        }
        return """
                # The module may import only the Extism host modules (no WASI, no env) and must have every export.
                %s -e '
                const fs = require("fs");
                const m = new WebAssembly.Module(fs.readFileSync("%s.wasm"));
                const bad = WebAssembly.Module.imports(m).filter(i => !i.module.startsWith("extism:host/"));
                if (bad.length) { console.error("unexpected imports:", bad); process.exit(1); }
                const have = WebAssembly.Module.exports(m).map(e => e.name);
                const missing = [%s].filter(n => !have.includes(n));
                if (missing.length) { console.error("missing exports:", missing); process.exit(1); }'
                """.formatted(nodeCommand, name, exports);
    }
}
