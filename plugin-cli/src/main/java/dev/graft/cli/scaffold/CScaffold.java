package dev.graft.cli.scaffold;

import dev.graft.cli.scaffold.ContractModel.Export;
import dev.graft.cli.scaffold.ContractModel.Field;
import dev.graft.cli.scaffold.ContractModel.Kind;
import dev.graft.cli.scaffold.ContractModel.RecordType;
import dev.graft.cli.scaffold.ContractModel.Shape;
import java.util.HashSet;
import java.util.Set;

/**
 * C for clang-14 and wasi-libc as a reactor: {@code graft.h} (vendored helpers), {@code contract.h} (the
 * records as structs with their JSON reading and writing), {@code plugin.c} (the exports) and {@code rule.c}
 * (your logic).
 */
final class CScaffold extends Scaffold {

    private static final Set<String> KEYWORDS = Set.of("auto", "break", "case", "char", "const", "continue", "default",
            "do", "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
            "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
            "unsigned", "void", "volatile", "while", "bool", "true", "false", "b", "a", "v", "x", "out", "first");

    private final Set<String> lists = new HashSet<>();
    private final StringBuilder types = new StringBuilder();

    CScaffold(Inputs in) {
        super(in);
    }

    @Override
    public Language language() {
        return Language.C;
    }

    @Override
    protected void writeSources() {
        file("graft.h", resource("c/graft.h"));
        file("contract.h", contract());
        file("plugin.c", plugin());
        file("rule.c", rule());
        script("build.sh", """
                #!/usr/bin/env bash
                # Builds %1$s.wasm with clang-14 and wasi-libc as a reactor (Debian 12):
                #   apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
                # Reproducible: relative paths, -ffile-prefix-map, --strip-all (no name or producers section).
                # The plugin calls no system function, so it imports no WASI: only the Extism kernel.
                set -euo pipefail
                cd "$(dirname "$0")"
                clang-14 --target=wasm32-wasi -mexec-model=reactor -Os -Wall -Wextra "-ffile-prefix-map=$(pwd)=." \\
                  -Wl,--strip-all -o %1$s.wasm plugin.c rule.c
                if command -v node >/dev/null 2>&1; then
                %2$sfi
                %3$s""".formatted(name, importCheck("node").indent(2), buildFooter()));
    }

    private String contract() {
        types.setLength(0);
        for (RecordType r : model.records()) {
            for (Field f : r.fields()) {
                ensureList(f.shape());
            }
            types.append("\n/** `").append(r.type().getName()).append("` */\ntypedef struct ").append(r.name()).append(" {\n");
            for (Field f : r.fields()) {
                if (f.optional() && !pointer(f.shape())) {
                    types.append("    bool has_").append(ContractModel.snake(f.javaName())).append(";\n");
                }
                types.append("    ").append(type(f.shape())).append(' ').append(var(f)).append(';')
                        .append(f.optional() && pointer(f.shape()) ? "  // NULL when absent" : "").append('\n');
            }
            types.append("} ").append(r.name()).append(";\n\n");
            types.append("static inline int ").append(r.name()).append("_read(const graft_json *v, ").append(r.name())
                    .append(" *out) {\n    const graft_json *x;\n    memset(out, 0, sizeof *out);\n")
                    .append("    if (graft_read_object(v, \"").append(r.name()).append("\")) return -1;\n");
            for (Field f : r.fields()) {
                String what = "\"" + f.jsonName() + "\"";
                String read = read(f.shape(), "x", "&out->" + var(f), what);
                if (f.optional()) {
                    types.append("    if ((x = graft_field(v, ").append(what).append("))) {\n");
                    if (!pointer(f.shape())) {
                        types.append("        out->has_").append(ContractModel.snake(f.javaName())).append(" = true;\n");
                    }
                    types.append("        ").append(read).append("\n    }\n");
                } else {
                    types.append("    if (!(x = graft_field(v, ").append(what).append("))) return graft_missing(").append(what)
                            .append(");\n    ").append(read).append('\n');
                }
            }
            types.append("    return 0;\n}\n\n");
            types.append("static inline void ").append(r.name()).append("_write(graft_buf *b, const ").append(r.name())
                    .append(" *a) {\n    bool first = true;\n    graft_puts(b, \"{\");\n");
            for (Field f : r.fields()) {
                String key = "graft_key(b, &first, \"" + f.jsonName() + "\");";
                String write = write(f.shape(), "a->" + var(f));
                if (f.optional()) {
                    String present = pointer(f.shape()) ? "a->" + var(f) : "a->has_" + ContractModel.snake(f.javaName());
                    types.append("    if (").append(present).append(") {\n        ").append(key).append("\n        ")
                            .append(write).append("\n    }\n");
                } else {
                    types.append("    ").append(key).append("\n    ").append(write).append('\n');
                }
            }
            types.append("    (void)first;\n    graft_puts(b, \"}\");\n}\n");
        }
        StringBuilder rules = new StringBuilder();
        for (Export e : model.exports()) {
            if (e.argument() != null) {
                ensureList(e.argument());
            }
            if (e.result() != null) {
                ensureList(e.result());
            }
            rules.append("\n/** The export `").append(e.name()).append("`: `").append(signature(e))
                    .append("`. Returns 0, or graft_fail(\"why\"). */\n").append(ruleSignature(e)).append(";\n");
        }
        return "// " + generatedFrom() + ":\n"
                + "// the contract's records as C structs, read from and written as the JSON the host sends and accepts.\n"
                + "// Strings are UTF-8 and NUL-terminated; money is graft_dec (exact). An optional string is NULL when\n"
                + "// absent; any other optional field has a has_<name> flag. Everything lives until the export returns.\n"
                + "#ifndef CONTRACT_H\n#define CONTRACT_H\n\n#include \"graft.h\"\n" + types
                + "\n// ------------------------------------------------------------------ your functions (rule.c)\n"
                + rules + "\n#endif\n";
    }

    private String plugin() {
        StringBuilder s = new StringBuilder();
        s.append("// Extism plugin `").append(name).append("`: the exports of ").append(model.contract().type().getName())
                .append(".\n// ").append(generatedFrom()).append(".\n")
                .append("// Each export reads its input, calls your function in rule.c and writes its answer as JSON.\n\n")
                .append("#define GRAFT_IMPLEMENTATION\n#include \"contract.h\"\n");
        for (Export e : model.exports()) {
            // Locals are g_-prefixed so that no contract name can clash with them.
            s.append("\n__attribute__((export_name(\"").append(e.name()).append("\"))) int export_")
                    .append(ContractModel.identifier(e.name())).append("(void) {\n")
                    .append("    size_t g_len;\n    const char *g_input = graft_input(&g_len);\n    graft_buf g_out = {0};\n    int g_rc = 0;\n");
            StringBuilder args = new StringBuilder();
            if (e.argument() != null) {
                if (e.argument().kind() == Kind.BYTES) {
                    args.append("g_input, g_len");
                } else {
                    s.append("    ").append(type(e.argument())).append(" g_arg;\n")
                            .append("    memset(&g_arg, 0, sizeof g_arg);\n")
                            .append("    graft_json *g_json = graft_parse(g_input, g_len);\n")
                            .append("    if (!g_json) g_rc = -1;\n")
                            .append("    else g_rc = ").append(readCall(e.argument(), "g_json", "&g_arg", "\"" + e.argumentName() + "\""))
                            .append(";\n");
                    args.append(e.argument().kind() == Kind.RECORD || e.argument().kind() == Kind.LIST ? "&g_arg" : "g_arg");
                }
            } else {
                s.append("    (void)g_input;\n");
            }
            if (e.result() != null) {
                if (e.result().kind() == Kind.BYTES) {
                    args.append(args.length() > 0 ? ", " : "").append("&g_out");
                } else {
                    s.append("    ").append(type(e.result())).append(" g_result;\n    memset(&g_result, 0, sizeof g_result);\n");
                    args.append(args.length() > 0 ? ", " : "").append("&g_result");
                }
            }
            s.append("    if (!g_rc) g_rc = rule_").append(fn(e)).append("(").append(args).append(");\n")
                    .append("    if (g_rc && !graft_error) graft_fail(\"rule_").append(fn(e)).append(" failed\");\n");
            if (e.result() != null && e.result().kind() != Kind.BYTES) {
                s.append("    if (!graft_error) ").append(write(e.result(), "g_result").replace("(b, ", "(&g_out, ")).append('\n');
            }
            s.append("    return graft_finish(g_out.p ? g_out.p : \"\", g_out.n);\n}\n");
        }
        return s.toString();
    }

    private String rule() {
        StringBuilder s = new StringBuilder();
        s.append("// Your rule: one function per export of ").append(model.contract().type().getSimpleName())
                .append(". `graft new` wrote a working example; replace the TODOs.\n")
                .append("// ./build.sh builds ").append(name).append(".wasm, (cd test && mvn -q test) tests it. Allocate with\n")
                .append("// graft_alloc (freed when the export returns); money is exact: graft_dec_of(\"25.00\"), graft_dec_mul,\n")
                .append("// graft_dec_add, graft_dec_neg, graft_dec_round(d, 2); text: graft_concat(\"a\", b, NULL), graft_int_text(n), graft_dec_text(d).\n\n")
                .append("#include \"contract.h\"\n");
        for (Export e : model.exports()) {
            s.append("\n/** The export `").append(e.name()).append("`: `").append(signature(e))
                    .append("`. Returns 0, or graft_fail(\"why\") for the plugin's error (a PluginCallException on the host). */\n")
                    .append(ruleSignature(e)).append(" {\n");
            if (e.argument() != null) {
                s.append("    (void)").append(ContractModel.identifier(ContractModel.snake(e.argumentName()))).append(";\n");
                if (e.argument().kind() == Kind.BYTES) {
                    s.append("    (void)input_len;\n");
                }
            }
            if (e.result() != null && e.result().kind() == Kind.LIST && e.result().element().kind() == Kind.RECORD) {
                RecordType r = e.result().element().record();
                s.append("    // TODO: your logic. This example answers with no ").append(r.name()).append("; one would be\n")
                        .append("    //     result->len = 1;\n    //     result->items = graft_alloc(sizeof *result->items);\n")
                        .append("    //     result->items[0] = (").append(r.name()).append("){").append(example(r)).append("};\n")
                        .append("    result->len = 0;\n");
            } else {
                s.append("    // TODO: your logic (the result starts zeroed; a required string must not stay NULL).\n");
                if (e.result() != null) {
                    s.append("    (void)result;\n");
                }
                if (e.result() != null && e.result().kind() == Kind.RECORD) {
                    fill(s, e.result().record(), "result->");
                }
            }
            s.append("    return 0;\n}\n");
        }
        return s.toString();
    }

    /** Assignments giving every required string of the record (and of its required records) an example value. */
    private static void fill(StringBuilder s, RecordType r, String prefix) {
        for (Field f : r.fields()) {
            if (f.optional()) {
                continue;
            }
            if (f.shape().kind() == Kind.STRING) {
                s.append("    ").append(prefix).append(var(f)).append(" = \"").append(exampleText(f.shape())).append("\";\n");
            } else if (f.shape().kind() == Kind.RAW) {
                s.append("    ").append(prefix).append(var(f)).append(" = \"{}\";\n");
            } else if (f.shape().kind() == Kind.RECORD) {
                fill(s, f.shape().record(), prefix + var(f) + ".");
            }
        }
    }

    private static String example(RecordType r) {
        StringBuilder s = new StringBuilder();
        for (Field f : r.fields()) {
            if (f.optional()) {
                continue;
            }
            String v = switch (f.shape().kind()) {
                case STRING -> "\"" + exampleText(f.shape()) + "\"";
                case DECIMAL_STRING, DECIMAL_NUMBER -> "graft_dec_of(\"0.00\")";
                case INT, FLOAT -> "0";
                case BOOL -> "false";
                case RAW -> "\"null\"";
                default -> null;
            };
            if (v != null) {
                s.append(s.length() > 0 ? ", " : "").append('.').append(var(f)).append(" = ").append(v);
            }
        }
        return s.toString();
    }

    private String ruleSignature(Export e) {
        StringBuilder s = new StringBuilder("int rule_").append(fn(e)).append('(');
        if (e.argument() != null) {
            String arg = ContractModel.identifier(ContractModel.snake(e.argumentName()));
            if (e.argument().kind() == Kind.BYTES) {
                s.append("const char *").append(arg).append(", size_t input_len");
            } else if (e.argument().kind() == Kind.RECORD || e.argument().kind() == Kind.LIST) {
                s.append("const ").append(type(e.argument())).append(" *").append(arg);
            } else {
                s.append(type(e.argument())).append(' ').append(arg);
            }
        }
        if (e.result() != null) {
            s.append(e.argument() != null ? ", " : "").append(e.result().kind() == Kind.BYTES ? "graft_buf" : type(e.result()))
                    .append(" *result");
        }
        if (e.argument() == null && e.result() == null) {
            s.append("void");
        }
        return s.append(')').toString();
    }

    private static String fn(Export e) {
        return ContractModel.identifier(ContractModel.snake(e.method().getName()));
    }

    private static String var(Field f) {
        String id = ContractModel.identifier(ContractModel.snake(f.javaName()));
        return KEYWORDS.contains(id) ? id + "_" : id;
    }

    private static boolean pointer(Shape shape) {
        return shape.kind() == Kind.STRING || shape.kind() == Kind.RAW;
    }

    /** Emits the typedef and the read and write functions of a list type (and of its element lists) once. */
    private void ensureList(Shape shape) {
        if (shape.kind() != Kind.LIST) {
            return;
        }
        ensureList(shape.element());
        String list = type(shape);
        if (!lists.add(list)) {
            return;
        }
        String element = type(shape.element());
        types.append("\ntypedef struct { ").append(element).append(" *items; size_t len; } ").append(list).append(";\n\n")
                .append("static inline int ").append(list).append("_read(const graft_json *v, const char *what, ").append(list)
                .append(" *out) {\n    if (graft_read_array(v, what)) return -1;\n    out->len = v->len;\n")
                .append("    out->items = graft_alloc(v->len * sizeof *out->items + 1);\n")
                .append("    for (size_t i = 0; i < v->len; i++) {\n        ")
                .append(read(shape.element(), "v->items[i]", "&out->items[i]", "what")).append("\n    }\n    return 0;\n}\n\n")
                .append("static inline void ").append(list).append("_write(graft_buf *b, const ").append(list).append(" *a) {\n")
                .append("    graft_puts(b, \"[\");\n    for (size_t i = 0; i < a->len; i++) {\n")
                .append("        if (i) graft_puts(b, \",\");\n        ").append(write(shape.element(), "a->items[i]"))
                .append("\n    }\n    graft_puts(b, \"]\");\n}\n");
    }

    static String type(Shape shape) {
        return switch (shape.kind()) {
            case STRING, RAW -> "const char *";
            case DECIMAL_STRING, DECIMAL_NUMBER -> "graft_dec";
            case INT -> "int64_t";
            case FLOAT -> "double";
            case BOOL -> "bool";
            case BYTES -> "graft_buf";
            case LIST -> listName(shape.element()) + "_list";
            case RECORD -> shape.record().name();
        };
    }

    private static String listName(Shape element) {
        return switch (element.kind()) {
            case STRING -> "graft_string";
            case RAW, BYTES -> "graft_raw";
            case DECIMAL_STRING, DECIMAL_NUMBER -> "graft_dec";
            case INT -> "graft_int";
            case FLOAT -> "graft_float";
            case BOOL -> "graft_bool";
            case LIST -> listName(element.element()) + "_list";
            case RECORD -> element.record().name();
        };
    }

    /** A call returning 0 or -1 that reads the shape from {@code json} into {@code target} (a pointer). */
    private static String readCall(Shape shape, String json, String target, String what) {
        return switch (shape.kind()) {
            case STRING -> "graft_read_string(" + json + ", " + what + ", " + target + ")";
            case DECIMAL_STRING, DECIMAL_NUMBER -> "graft_read_dec(" + json + ", " + what + ", " + target + ")";
            case INT -> "graft_read_int(" + json + ", " + what + ", " + target + ")";
            case FLOAT -> "graft_read_float(" + json + ", " + what + ", " + target + ")";
            case BOOL -> "graft_read_bool(" + json + ", " + what + ", " + target + ")";
            case RAW, BYTES -> "graft_read_raw(" + json + ", " + what + ", " + target + ")";
            case LIST -> type(shape) + "_read(" + json + ", " + what + ", " + target + ")";
            case RECORD -> shape.record().name() + "_read(" + json + ", " + target + ")";
        };
    }

    private static String read(Shape shape, String json, String target, String what) {
        return "if (" + readCall(shape, json, target, what) + ") return -1;";
    }

    /** A statement writing the value {@code value} (an lvalue of the shape's type) to {@code b}. */
    private static String write(Shape shape, String value) {
        return switch (shape.kind()) {
            case STRING -> "graft_write_string(b, " + value + ");";
            case DECIMAL_STRING -> "graft_write_dec_string(b, " + value + ");";
            case DECIMAL_NUMBER -> "graft_write_dec_number(b, " + value + ");";
            case INT -> "graft_write_int(b, " + value + ");";
            case FLOAT -> "graft_write_float(b, " + value + ");";
            case BOOL -> "graft_write_bool(b, " + value + ");";
            case RAW, BYTES -> "graft_write_raw(b, " + value + ");";
            case LIST -> type(shape) + "_write(b, &" + value + ");";
            case RECORD -> shape.record().name() + "_write(b, &" + value + ");";
        };
    }
}
