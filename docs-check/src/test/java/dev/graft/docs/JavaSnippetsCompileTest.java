package dev.graft.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md, docs/*.md and the READMEs compiles against Graft as built (the test
 * classpath: the starter, the engine, the test kit, the sample contracts, Spring). A block is compiled as the body
 * of a method of a class that extends {@link #GIVENS}, so it may use the names a reader takes as given there
 * ({@code source}, {@code policy}, {@code line}, {@code tiers}, ...), declare types (as local types: a leading
 * {@code public} is dropped) and start with imports (moved to the top). The usual imports are added.
 *
 * <p>A block that is not code (the shape of a record, say) says so on the line before its fence:
 * {@code <!-- docs-check: not compiled, why -->}. Such blocks must really not compile, and stay few.
 */
class JavaSnippetsCompileTest {

    static final String IMPORTS = """
            import java.io.*;
            import java.math.*;
            import java.nio.file.*;
            import java.time.*;
            import java.util.*;
            import dev.graft.api.*;
            import dev.graft.api.policy.*;
            import dev.graft.host.engine.*;
            import dev.graft.host.source.*;
            import dev.graft.host.trust.*;
            import dev.graft.samples.contracts.*;
            import dev.graft.test.*;
            import org.junit.jupiter.api.Test;
            import static org.junit.jupiter.api.Assertions.*;
            import org.springframework.stereotype.*;
            import org.springframework.security.core.context.*;
            """;

    /** What the snippets take as given: a reader's application has these, the docs do not show them. */
    static final String GIVENS = """
            package snippets;

            %s
            public abstract class Givens {
                protected PluginSource source;
                protected PluginPolicy policy;
                protected Path path;
                protected Path cacheDir;
                protected GraftEngine engine;
                protected Plugin plugin;
                protected QuoteLine line;
                protected String sha256;
                protected Tiers tiers;

                /** The application's own lookup a host function answers from. */
                protected interface Tiers {
                    byte[] lookup(byte[] input);
                    Tier lookup(SecurityContext context, CustomerRef customer);
                }
                protected record CustomerRef(long id) { }
                protected enum Tier { GOLD, SILVER }

                protected byte[] lookupTier(byte[] input) { return input; }
                /** A test's quote line of a category and quantity. */
                protected QuoteLine line(String category, int quantity) { return null; }
            }
            """.formatted(IMPORTS);

    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?[\\w.]+(\\.\\*)?\\s*;\\s*$");
    private static final Pattern PUBLIC_TYPE = Pattern.compile("^public\\s+(?=(abstract\\s+|final\\s+|sealed\\s+)*(class|interface|record|enum|@interface)\\b)");

    /** Source file of one block: imports hoisted, the rest as a method body, its lines where they were in the doc. */
    static JavaFileObject unit(String className, Docs.Block block) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : block.text().split("\n", -1)) {
            if (line.startsWith("package ")) {
                body.append('\n');   // a whole class as a reader copies it: its package is the snippets'
            } else if (IMPORT.matcher(line).matches()) {
                imports.append(line);
                body.append('\n');
            } else {
                body.append(PUBLIC_TYPE.matcher(line).replaceFirst("")).append('\n');
            }
        }
        String header = "package snippets; " + IMPORTS.replace('\n', ' ') + imports + " class " + className
                + " extends Givens { void snippet() throws Exception {\n";
        return source(className, header + body + "\n}}\n");
    }

    static JavaFileObject source(String className, String code) {
        return new SimpleJavaFileObject(URI.create("string:///snippets/" + className + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
    }

    /** Compiles the units with the Givens; the errors by unit name (empty list: compiled). */
    static Map<String, List<String>> compile(Map<String, JavaFileObject> units, java.nio.file.Path out) throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<JavaFileObject> all = new ArrayList<>(units.values());
        all.add(source("Givens", GIVENS));
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            compiler.getTask(null, files, diagnostics, List.of("-classpath", classpath, "-d", out.toString(), "-proc:none",
                    "--release", "17", "-Xlint:none"), null, all).call();
        }
        Map<String, List<String>> errors = new LinkedHashMap<>();
        units.keySet().forEach(name -> errors.put(name, new ArrayList<>()));
        errors.put("Givens", new ArrayList<>());
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                String name = d.getSource() == null ? "Givens" : d.getSource().getName().replaceAll(".*/(\\w+)\\.java$", "$1");
                errors.computeIfAbsent(name, n -> new ArrayList<>()).add("line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
            }
        }
        return errors;
    }

    static List<Docs.Block> javaBlocks() {
        return Docs.blocks().stream().filter(b -> b.language().equals("java")).toList();
    }

    @Test
    void everyJavaBlockCompiles(@TempDir java.nio.file.Path out) throws Exception {
        Map<String, JavaFileObject> units = new LinkedHashMap<>();
        Map<String, Docs.Block> blocks = new LinkedHashMap<>();
        for (Docs.Block block : javaBlocks()) {
            if (block.skip() == null) {
                String name = "Snippet" + units.size();
                units.put(name, unit(name, block));
                blocks.put(name, block);
            }
        }
        assertThat(units).as("java blocks compiled").hasSizeGreaterThan(8);
        Map<String, List<String>> errors = compile(units, out);
        assertThat(errors.get("Givens")).as("the givens themselves").isEmpty();
        List<String> failures = new ArrayList<>();
        blocks.forEach((name, block) -> {
            if (!errors.get(name).isEmpty()) {
                // the unit's line 2 is the block's first line
                failures.add(block.where() + ":\n  " + String.join("\n  ", errors.get(name).stream()
                        .map(e -> docLine(block, e)).toList()) + "\n" + block.text());
            }
        });
        assertThat(failures).as("java blocks that do not compile").isEmpty();
    }

    /** "line 3: ..." of a unit as the line of the Markdown file. */
    static String docLine(Docs.Block block, String error) {
        java.util.regex.Matcher m = Pattern.compile("^line (\\d+): ").matcher(error);
        return m.find() ? "line " + (block.line() + Long.parseLong(m.group(1)) - 2) + ": " + error.substring(m.end()) : error;
    }

    @Test
    void theBlocksMarkedNotCompiledAreFewAndReallyDoNotCompile(@TempDir java.nio.file.Path out) throws Exception {
        List<Docs.Block> marked = javaBlocks().stream().filter(b -> b.skip() != null).toList();
        assertThat(marked).as("blocks marked 'docs-check: not compiled'").hasSizeLessThanOrEqualTo(3)
                .allSatisfy(b -> assertThat(b.skip()).startsWith("not compiled"));
        for (Docs.Block block : marked) {
            Map<String, List<String>> errors = compile(Map.of("Marked", unit("Marked", block)), out);
            assertThat(errors.get("Marked")).as(block.where() + " is marked not compiled but compiles; drop the mark").isNotEmpty();
        }
    }

    /** The classpath the compiler sees exists (surefire hands it over in surefire.test.class.path). */
    @Test
    void theCompilerSeesGraft() {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        assertThat(classpath.split(File.pathSeparator)).anyMatch(p -> p.contains("plugin-host"));
    }
}
