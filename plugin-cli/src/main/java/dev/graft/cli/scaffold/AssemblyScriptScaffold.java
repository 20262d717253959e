package dev.graft.cli.scaffold;

import dev.graft.cli.scaffold.ContractModel.Export;
import dev.graft.cli.scaffold.ContractModel.Field;
import dev.graft.cli.scaffold.ContractModel.Kind;
import dev.graft.cli.scaffold.ContractModel.RecordType;
import dev.graft.cli.scaffold.ContractModel.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * AssemblyScript with the official Extism PDK ({@code @extism/as-pdk} and {@code assemblyscript} pinned in
 * package.json and package-lock.json): {@code assembly/index.ts} (the exports), {@code assembly/contract.ts}
 * (the records as classes with their JSON), {@code assembly/rule.ts} (your logic) and the helpers in
 * {@code assembly/graft/}.
 */
final class AssemblyScriptScaffold extends Scaffold {

    /** List read/write functions by list type name, emitted once each. */
    private final Map<String, String> lists = new LinkedHashMap<>();

    AssemblyScriptScaffold(Inputs in) {
        super(in);
    }

    @Override
    public Language language() {
        return Language.ASSEMBLYSCRIPT;
    }

    @Override
    protected void writeSources() {
        for (String helper : new String[] {"json.ts", "decimal.ts", "errors.ts"}) {
            file("assembly/graft/" + helper, resource("assemblyscript/graft/" + helper));
        }
        for (String f : new String[] {"package.json", "package-lock.json", "asconfig.json"}) {
            file(f, resource("assemblyscript/" + f).replace("@NAME@", name));
        }
        file("assembly/contract.ts", contract());
        file("assembly/index.ts", index());
        file("assembly/rule.ts", rule());
        script("build.sh", """
                #!/usr/bin/env bash
                # Builds %1$s.wasm with AssemblyScript and the official Extism PDK, at the exact versions of
                # package-lock.json (npm ci), on Node >= 20. Reproducible: same sources and lock file, same bytes.
                # env.abort is replaced (asconfig.json), so the module imports only the Extism kernel.
                set -euo pipefail
                cd "$(dirname "$0")"
                [ -d node_modules/assemblyscript ] || npm ci --no-audit --no-fund --loglevel=error
                node node_modules/assemblyscript/bin/asc.js assembly/index.ts --config asconfig.json --target release \\
                  --outFile %1$s.wasm
                %2$s
                %3$s""".formatted(name, importCheck("node"), buildFooter()));
    }

    private String contract() {
        StringBuilder classes = new StringBuilder();
        for (RecordType r : model.records()) {
            for (Field f : r.fields()) {
                ensureList(f.shape());
            }
            classes.append("\n/** `").append(r.type().getName()).append("` */\nexport class ").append(r.name()).append(" {\n");
            for (Field f : r.fields()) {
                String t = type(f.shape());
                if (f.optional() && primitive(f.shape())) {
                    classes.append("  has").append(capitalize(f.javaName())).append(": bool = false;\n");
                    classes.append("  ").append(f.javaName()).append(": ").append(t).append(" = ").append(initial(f.shape())).append(";\n");
                } else if (f.optional()) {
                    classes.append("  ").append(f.javaName()).append(": ").append(t).append(" | null = null;\n");
                } else {
                    classes.append("  ").append(f.javaName()).append(": ").append(t).append(" = ").append(initial(f.shape())).append(";\n");
                }
            }
            classes.append("\n  static read(v: Json): ").append(r.name()).append(" {\n    const r = new ").append(r.name())
                    .append("();\n    readObject(v, \"").append(r.name()).append("\");\n");
            for (Field f : r.fields()) {
                String what = "\"" + f.jsonName() + "\"";
                if (f.optional()) {
                    String local = "x_" + f.javaName();
                    classes.append("    const ").append(local).append(" = v.get(").append(what).append(");\n")
                            .append("    if (").append(local).append(" !== null) {\n");
                    if (primitive(f.shape())) {
                        classes.append("      r.has").append(capitalize(f.javaName())).append(" = true;\n");
                    }
                    classes.append("      r.").append(f.javaName()).append(" = ").append(read(f.shape(), local, what)).append(";\n    }\n");
                } else {
                    classes.append("    r.").append(f.javaName()).append(" = ")
                            .append(read(f.shape(), "need(v, " + what + ")", what)).append(";\n");
                }
            }
            classes.append("    return r;\n  }\n\n  write(): string {\n    const f = new Array<string>();\n");
            for (Field f : r.fields()) {
                String key = "\"\\\"" + f.jsonName() + "\\\":\" + ";
                if (f.optional() && primitive(f.shape())) {
                    classes.append("    if (this.has").append(capitalize(f.javaName())).append(") f.push(").append(key)
                            .append(write(f.shape(), "this." + f.javaName())).append(");\n");
                } else if (f.optional()) {
                    classes.append("    if (this.").append(f.javaName()).append(" !== null) f.push(").append(key)
                            .append(write(f.shape(), "this." + f.javaName() + "!")).append(");\n");
                } else {
                    classes.append("    f.push(").append(key).append(write(f.shape(), "this." + f.javaName())).append(");\n");
                }
            }
            classes.append("    return \"{\" + f.join(\",\") + \"}\";\n  }\n}\n");
        }
        for (Export e : model.exports()) {
            if (e.argument() != null) {
                ensureList(e.argument());
            }
            if (e.result() != null) {
                ensureList(e.result());
            }
        }
        StringBuilder s = new StringBuilder("// ").append(generatedFrom()).append(":\n")
                .append("// the contract's records as classes, read from and written as the JSON the host sends and accepts.\n")
                .append("// An optional field is null when absent (a number or bool has a has<Name> flag instead); every\n")
                .append("// other field is required. Money is Dec (exact).\n\n")
                .append("import { Dec } from \"./graft/decimal\";\n")
                .append("import { Json, need, readArray, readBool, readDec, readFloat, readInt, readObject, readRaw, readString,\n")
                .append("  writeBool, writeDecNumber, writeDecString, writeFloat, writeInt, writeRaw, writeString } from \"./graft/json\";\n")
                .append(classes);
        lists.values().forEach(s::append);
        return s.toString();
    }

    private String index() {
        StringBuilder s = new StringBuilder();
        TreeSet<String> contractImports = new TreeSet<>();
        StringBuilder exports = new StringBuilder();
        StringBuilder ruleImports = new StringBuilder();
        for (Export e : model.exports()) {
            String fn = e.method().getName();
            ruleImports.append(ruleImports.length() > 0 ? ", " : "").append(fn).append(" as rule_").append(fn);
            exports.append("\n/** `").append(signature(e)).append("` */\nexport function ").append(e.name()).append("(): i32 {\n");
            String arg = "";
            if (e.argument() != null) {
                if (e.argument().kind() == Kind.BYTES) {
                    exports.append("  const input = Host.input();\n");
                    arg = "input";
                } else {
                    exports.append("  const input = ").append(read(e.argument(), "parse(Host.inputString())", "\"" + e.argumentName() + "\""))
                            .append(";\n");
                    arg = "input";
                    collect(e.argument(), contractImports);
                }
            }
            exports.append("  let out: Uint8Array = new Uint8Array(0);\n  if (!failed()) {\n");
            if (e.result() == null) {
                exports.append("    rule_").append(fn).append("(").append(arg).append(");\n");
            } else if (e.result().kind() == Kind.BYTES) {
                exports.append("    const result = rule_").append(fn).append("(").append(arg).append(");\n")
                        .append("    if (!failed()) out = result;\n");
            } else {
                collect(e.result(), contractImports);
                exports.append("    const result = rule_").append(fn).append("(").append(arg).append(");\n")
                        .append("    // Host.outputString truncates non-ASCII in as-pdk 1.0.0: encode UTF-8 ourselves.\n")
                        .append("    if (!failed()) out = utf8(").append(write(e.result(), "result")).append(");\n");
            }
            exports.append("  }\n  const failure = takeFailure();\n  if (failure !== null) {\n    setError(failure);\n    return 1;\n  }\n")
                    .append("  Host.output(out);\n  return 0;\n}\n");
        }
        s.append("// Extism plugin `").append(name).append("`: the exports of ").append(model.contract().type().getName())
                .append(".\n// ").append(generatedFrom()).append(".\n")
                .append("// Each export reads its input, calls your function in rule.ts and writes its answer as JSON.\n\n")
                .append("import { Host } from \"@extism/as-pdk\";\n")
                .append("import { failed, setError, takeFailure, utf8 } from \"./graft/errors\";\n")
                .append("import { parse, writeBool, writeDecNumber, writeDecString, writeFloat, writeInt, writeRaw, writeString }")
                .append(" from \"./graft/json\";\n");
        if (!contractImports.isEmpty()) {
            s.append("import { ").append(String.join(", ", contractImports)).append(" } from \"./contract\";\n");
        }
        s.append("import { ").append(ruleImports).append(" } from \"./rule\";\n").append(exports);
        return s.toString();
    }

    private String rule() {
        StringBuilder s = new StringBuilder("// Your rule: one function per export of ").append(model.contract().type().getSimpleName())
                .append(". `graft new` wrote a working example; replace the TODOs.\n")
                .append("// ./build.sh builds ").append(name).append(".wasm, (cd test && mvn -q test) tests it. Money is exact:\n")
                .append("// Dec.of(\"25.00\"), .mul(Dec.int(n)), .add(..), .neg(), .round(2). Avoid Math.random and Date (they\n")
                .append("// import from the host); fail(\"why\") makes the call's error (a PluginCallException on the host).\n\n")
                .append("import { Dec } from \"./graft/decimal\";\nimport { fail } from \"./graft/errors\";\n");
        TreeSet<String> imports = new TreeSet<>();
        model.records().forEach(r -> imports.add(r.name()));
        if (!imports.isEmpty()) {
            s.append("import { ").append(String.join(", ", imports)).append(" } from \"./contract\";\n");
        }
        for (Export e : model.exports()) {
            s.append("\n/** The export `").append(e.name()).append("`: `").append(signature(e)).append("`. */\nexport function ")
                    .append(e.method().getName()).append("(");
            if (e.argument() != null) {
                s.append(e.argumentName()).append(": ").append(e.argument().kind() == Kind.BYTES ? "Uint8Array" : type(e.argument()));
            }
            String result = e.result() == null ? "void" : e.result().kind() == Kind.BYTES ? "Uint8Array" : type(e.result());
            s.append("): ").append(result).append(" {\n");
            if (e.result() != null && e.result().kind() == Kind.LIST && e.result().element().kind() == Kind.RECORD) {
                RecordType r = e.result().element().record();
                s.append("  // TODO: your logic. This example answers with no ").append(r.name()).append("; one would be\n")
                        .append("  //     const a = new ").append(r.name()).append("();\n")
                        .append("  //     a.").append(r.fields().get(0).javaName()).append(" = ...;\n")
                        .append("  //     return [a];\n");
            } else {
                s.append("  // TODO: your logic.\n");
            }
            if (e.result() != null) {
                s.append("  return ").append(e.result().kind() == Kind.BYTES ? "new Uint8Array(0)" : initial(e.result())).append(";\n");
            }
            s.append("}\n");
        }
        return s.toString();
    }

    private static void collect(Shape shape, TreeSet<String> imports) {
        if (shape.kind() == Kind.RECORD) {
            imports.add(shape.record().name());
        } else if (shape.kind() == Kind.LIST) {
            imports.add(listName(shape) + "Write");
            imports.add(listName(shape) + "Read");
        }
    }

    private void ensureList(Shape shape) {
        if (shape.kind() != Kind.LIST) {
            return;
        }
        ensureList(shape.element());
        String list = listName(shape);
        if (lists.containsKey(list)) {
            return;
        }
        String element = type(shape.element());
        lists.put(list, """

                export function %1$sRead(v: Json, what: string): Array<%2$s> {
                  const items = readArray(v, what);
                  const out = new Array<%2$s>();
                  for (let i = 0; i < items.length; i++) out.push(%3$s);
                  return out;
                }

                export function %1$sWrite(a: Array<%2$s>): string {
                  const f = new Array<string>();
                  for (let i = 0; i < a.length; i++) f.push(%4$s);
                  return "[" + f.join(",") + "]";
                }
                """.formatted(list, element, read(shape.element(), "items[i]", "what"), write(shape.element(), "a[i]")));
    }

    private static String listName(Shape list) {
        return "list" + type(list.element()).replaceAll("[^A-Za-z0-9]", "");
    }

    private static boolean primitive(Shape shape) {
        return shape.kind() == Kind.INT || shape.kind() == Kind.FLOAT || shape.kind() == Kind.BOOL;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static String type(Shape shape) {
        return switch (shape.kind()) {
            case STRING, RAW -> "string";
            case DECIMAL_STRING, DECIMAL_NUMBER -> "Dec";
            case INT -> "i64";
            case FLOAT -> "f64";
            case BOOL -> "bool";
            case BYTES -> "Uint8Array";
            case LIST -> "Array<" + type(shape.element()) + ">";
            case RECORD -> shape.record().name();
        };
    }

    private static String initial(Shape shape) {
        return switch (shape.kind()) {
            case STRING -> shape.values() != null ? "\"" + exampleText(shape) + "\"" : "\"\"";
            case RAW -> "\"null\"";
            case DECIMAL_STRING, DECIMAL_NUMBER -> "new Dec(0, 0)";
            case INT, FLOAT -> "0";
            case BOOL -> "false";
            case BYTES -> "new Uint8Array(0)";
            case LIST -> "new " + type(shape) + "()";
            case RECORD -> "new " + shape.record().name() + "()";
        };
    }

    private static String read(Shape shape, String json, String what) {
        return switch (shape.kind()) {
            case STRING -> "readString(" + json + ", " + what + ")";
            case DECIMAL_STRING, DECIMAL_NUMBER -> "readDec(" + json + ", " + what + ")";
            case INT -> "readInt(" + json + ", " + what + ")";
            case FLOAT -> "readFloat(" + json + ", " + what + ")";
            case BOOL -> "readBool(" + json + ", " + what + ")";
            case RAW, BYTES -> "readRaw(" + json + ", " + what + ")";
            case LIST -> listName(shape) + "Read(" + json + ", " + what + ")";
            case RECORD -> shape.record().name() + ".read(" + json + ")";
        };
    }

    private static String write(Shape shape, String value) {
        return switch (shape.kind()) {
            case STRING -> "writeString(" + value + ")";
            case DECIMAL_STRING -> "writeDecString(" + value + ")";
            case DECIMAL_NUMBER -> "writeDecNumber(" + value + ")";
            case INT -> "writeInt(" + value + ")";
            case FLOAT -> "writeFloat(" + value + ")";
            case BOOL -> "writeBool(" + value + ")";
            case RAW, BYTES -> "writeRaw(" + value + ")";
            case LIST -> listName(shape) + "Write(" + value + ")";
            case RECORD -> value + ".write()";
        };
    }
}
