package dev.graft.cli;

import dev.graft.host.binding.ExtensionContract;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A componentize-js project for an extension point: the WIT world ({@link WitWorld}), a JavaScript module
 * exporting one function per export, a build script and a package.json pinning the toolchain that
 * sample-plugins/component-tools uses. {@code npm install && npm run build} gives {@code <id>.wasm}, a
 * component without imports. Meant to be called by {@code graft new DIR --lang javascript --contract CLASS};
 * self-contained so that the command can hook it in.
 */
public final class JavaScriptComponentScaffold {

    /** The toolchain, as pinned in sample-plugins/component-tools/package-lock.json. */
    static final String COMPONENTIZE_JS = "0.23.0";
    static final String JCO = "1.35.0";
    /** componentize-js imports preview2-shim without declaring it; 0.26.x cannot read the WIT file. */
    static final String PREVIEW2_SHIM = "0.25.0";

    private JavaScriptComponentScaffold() {
    }

    /**
     * Writes the project into {@code dir} (created if missing) and returns the files written, relative to it.
     *
     * @throws IllegalArgumentException when {@code dir} exists and is not an empty folder, or the contract has
     *     no WIT ({@link WitWorld.UnsupportedTypeException} names the type and the method)
     */
    public static List<Path> write(Path dir, ExtensionContract contract) throws IOException {
        String wit = WitWorld.of(contract);
        if (Files.exists(dir) && !isEmptyFolder(dir)) {
            throw new IllegalArgumentException(dir + " exists and is not an empty folder; choose a new one");
        }
        String id = WitWorld.kebab(contract.id(), "extension point id");
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(Path.of("wit", id + ".wit"), wit);
        files.put(Path.of(id + ".js"), module(contract, id));
        files.put(Path.of("componentize.mjs"), buildScript(id));
        files.put(Path.of("package.json"), packageJson(id));
        files.put(Path.of(".gitignore"), "node_modules/\n" + id + ".wasm\n");
        files.put(Path.of("README.md"), readme(contract, id));
        Files.createDirectories(dir.resolve("wit"));
        for (Map.Entry<Path, String> f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
        }
        return List.copyOf(files.keySet());
    }

    /** {@code apply-rule} → {@code applyRule}: how jco and componentize-js name a WIT function in JavaScript. */
    static String lowerCamel(String kebab) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private static String module(ExtensionContract contract, String id) {
        StringBuilder js = new StringBuilder();
        js.append("// A WebAssembly component implementing the extension point ").append(contract.type().getName())
                .append(" (\"").append(contract.id()).append("\"),\n")
                .append("// WIT world in wit/").append(id).append(".wit (written by `graft wit`). componentize-js turns this\n")
                .append("// module into ").append(id).append(".wasm: `npm install && npm run build`.\n")
                .append("//\n")
                .append("// Each WIT function is an exported JavaScript function named in lowerCamelCase; records arrive as\n")
                .append("// objects with lowerCamelCase fields, option<T> as the value or undefined, s64 as BigInt, BigDecimal\n")
                .append("// as its exact decimal string. Returning a value answers the `ok` of result<T, string>; throwing a\n")
                .append("// string answers its `err`, which Graft reports as the plugin's error.\n");
        List<Method> methods = Arrays.stream(contract.type().getMethods()).filter(m -> contract.exportOf(m) != null)
                .sorted(Comparator.comparing(contract::exportOf)).toList();
        Set<String> done = new LinkedHashSet<>();
        for (Method m : methods) {
            String export = WitWorld.kebab(contract.exportOf(m), "export name");
            if (!done.add(export)) {
                continue;
            }
            String param = m.getParameterCount() == 0 ? ""
                    : lowerCamel(WitWorld.kebab(m.getParameters()[0].isNamePresent() ? m.getParameters()[0].getName()
                            : m.getParameters()[0].getType().getSimpleName(), "parameter"));
            boolean list = List.class.isAssignableFrom(m.getReturnType()) || m.getReturnType().isArray();
            boolean none = m.getReturnType() == void.class;
            js.append("\n/** WIT `").append(export).append("`, Java `").append(m.getReturnType().getSimpleName())
                    .append(' ').append(contract.type().getSimpleName()).append('.').append(m.getName()).append("`. */\n")
                    .append("export function ").append(lowerCamel(export)).append('(').append(param).append(") {\n");
            if (list) {
                js.append("  return []; // TODO: the answer for ").append(param.isEmpty() ? "this call" : param).append('\n');
            } else if (none) {
                js.append("  // TODO: what the call does\n");
            } else {
                js.append("  throw 'not implemented yet: ").append(export).append("';\n");
            }
            js.append("}\n");
        }
        return js.toString();
    }

    private static String buildScript(String id) {
        return """
                // Builds %1$s.wasm from %1$s.js with componentize-js: a component without imports (console,
                // clocks, randomness and HTTP disabled), so Graft grants it nothing.
                import { componentize } from '@bytecodealliance/componentize-js';
                import { writeFile } from 'node:fs/promises';
                import { resolve } from 'node:path';

                const { component } = await componentize({
                  sourcePath: resolve('%1$s.js'),
                  witPath: resolve('wit/%1$s.wit'),
                  worldName: '%1$s',
                  disableFeatures: ['stdio', 'random', 'clocks', 'http', 'fetch-event'],
                });
                await writeFile('%1$s.wasm', component);
                console.log('wrote %1$s.wasm (' + component.length + ' bytes)');
                """.formatted(id);
    }

    private static String packageJson(String id) {
        return """
                {
                  "name": "%1$s-component",
                  "version": "0.1.0",
                  "private": true,
                  "type": "module",
                  "scripts": {
                    "build": "node componentize.mjs",
                    "wit": "jco wit %1$s.wasm"
                  },
                  "devDependencies": {
                    "@bytecodealliance/componentize-js": "%2$s",
                    "@bytecodealliance/jco": "%3$s",
                    "@bytecodealliance/preview2-shim": "%4$s"
                  }
                }
                """.formatted(id, COMPONENTIZE_JS, JCO, PREVIEW2_SHIM);
    }

    private static String readme(ExtensionContract contract, String id) {
        return """
                # %1$s component (JavaScript)

                Implements the Graft extension point `%2$s` (id `%3$s`, version %4$s) as a WebAssembly component.

                ```sh
                npm install          # componentize-js %5$s, jco %6$s (Node >= 20)
                npm run build        # %1$s.wasm, about 12 MB: SpiderMonkey is inside
                ```

                `wit/%1$s.wit` is what `graft wit %2$s` prints; regenerate it when the Java contract changes.
                Commit `package-lock.json` after the first `npm install` so that builds use the same tools.
                The component needs about 10 MB of memory (`max-memory: 16MB` or more in its policy).

                Check it against the contract with Graft, calling it once with a JSON input of the argument type
                (`--classpath` names the contract's jar or classes). Its 12 MB core module takes over a minute to
                compile, longer than the default compile timeout, so check it interpreted (about 30 s):

                ```sh
                graft check %1$s.wasm --contract %2$s --classpath CONTRACT.jar \\
                    --interpreted --max-memory 32MB --timeout 60s --input-file input.json
                ```
                """.formatted(id, contract.type().getName(), contract.id(), contract.version(), COMPONENTIZE_JS, JCO);
    }

    private static boolean isEmptyFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
