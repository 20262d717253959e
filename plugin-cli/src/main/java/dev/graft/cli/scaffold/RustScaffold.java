package dev.graft.cli.scaffold;

import dev.graft.cli.scaffold.ContractModel.Export;
import dev.graft.cli.scaffold.ContractModel.Field;
import dev.graft.cli.scaffold.ContractModel.Kind;
import dev.graft.cli.scaffold.ContractModel.RecordType;
import dev.graft.cli.scaffold.ContractModel.Shape;
import java.util.Set;

/**
 * Rust without crates, for Debian's rustc 1.63 and its wasm32 std: {@code src/lib.rs} (the exports),
 * {@code src/contract.rs} (the records and their JSON), {@code src/rule.rs} (your logic) and the helpers
 * in the module folder {@code src/graft/}.
 */
final class RustScaffold extends Scaffold {

    private static final Set<String> KEYWORDS = Set.of("as", "break", "const", "continue", "crate", "else", "enum",
            "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
            "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
            "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
            "override", "priv", "typeof", "unsized", "virtual", "yield", "try");

    RustScaffold(Inputs in) {
        super(in);
    }

    @Override
    public Language language() {
        return Language.RUST;
    }

    @Override
    protected void writeSources() {
        for (String helper : new String[] {"mod.rs", "json.rs", "decimal.rs", "extism.rs"}) {
            file("src/graft/" + helper, resource("rust/graft/" + helper));
        }
        file("src/contract.rs", contract());
        file("src/lib.rs", lib());
        file("src/rule.rs", rule());
        script("build.sh", buildScript());
    }

    private String buildScript() {
        String crate = ContractModel.identifier(name.replace('-', '_'));
        return """
                #!/usr/bin/env bash
                # Builds %1$s.wasm from src/ with Debian's rustc 1.63 and its wasm32 std (no cargo, no crates):
                #   apt-get install rustc libstd-rust-dev-wasm32 lld-14
                # Reproducible: relative paths, --remap-path-prefix, no symbols or debug info, so the same sources
                # give the same bytes on any machine with the same rustc.
                set -euo pipefail
                cd "$(dirname "$0")"
                # Debian's rustc by its full path: a rustup rustc earlier on the PATH has no wasm32 std.
                RUSTC=${RUSTC:-/usr/bin/rustc}
                # wasm32-unknown-unknown: its std imports nothing, so the plugin needs no WASI grant.
                # A 64 KiB shadow stack instead of Rust's 1 MiB: every fresh instance would zero 17 pages otherwise.
                "$RUSTC" --edition 2021 --crate-type cdylib --crate-name %2$s --target wasm32-unknown-unknown \\
                  -C opt-level=s -C panic=abort -C lto -C codegen-units=1 -C debuginfo=0 -C strip=symbols \\
                  -C link-arg=-zstack-size=65536 "--remap-path-prefix=$(pwd)=." \\
                  -o %1$s.wasm src/lib.rs
                if command -v node >/dev/null 2>&1; then
                %3$sfi
                %4$s""".formatted(name, crate, importCheck("node").indent(2), buildFooter());
    }

    private String lib() {
        StringBuilder s = new StringBuilder();
        s.append("//! Extism plugin `").append(name).append("`: the exports of ").append(model.contract().type().getName())
                .append(".\n//! ").append(generatedFrom()).append(".\n")
                .append("//! Each export reads its input, calls your function in rule.rs and writes its answer as JSON.\n\n")
                .append("// The contract's types and the helpers offer more than a rule uses.\n#![allow(dead_code, unused_imports)]\n\n")
                .append("mod contract;\nmod graft;\nmod rule;\n\nuse contract::*;\nuse graft::json;\n");
        for (Export e : model.exports()) {
            s.append("\n/// `").append(signature(e)).append("`\n")
                    .append("#[export_name = \"").append(e.name()).append("\"]\n")
                    .append("pub extern \"C\" fn export_").append(ContractModel.identifier(e.name())).append("() -> i32 {\n")
                    .append("    graft::extism::run(|input| {\n");
            String call;
            if (e.argument() == null) {
                call = "rule::" + fn(e) + "()?";
            } else if (e.argument().kind() == Kind.BYTES) {
                call = "rule::" + fn(e) + "(input)?";
            } else {
                s.append("        let ").append(var(e.argumentName())).append(" = ")
                        .append(read(e.argument(), "&json::parse(input)?", e.argumentName())).append(";\n");
                call = "rule::" + fn(e) + "(" + var(e.argumentName()) + ")?";
            }
            if (e.result() == null) {
                s.append("        ").append(call).append(";\n        Ok(Vec::new())\n");
            } else if (e.result().kind() == Kind.BYTES) {
                s.append("        Ok(").append(call).append(")\n");
            } else {
                s.append("        let result = ").append(call).append(";\n")
                        .append("        let mut buf = String::new();\n        let out = &mut buf;\n")
                        .append("        ").append(write(e.result(), "&result")).append(";\n")
                        .append("        Ok(buf.into_bytes())\n");
            }
            s.append("    })\n}\n");
        }
        return s.toString();
    }

    private String rule() {
        StringBuilder s = new StringBuilder();
        s.append("//! Your rule: one function per export of ").append(model.contract().type().getSimpleName())
                .append(". `graft new` wrote a working example; replace the TODOs.\n")
                .append("//! `./build.sh` builds ").append(name).append(".wasm, `(cd test && mvn -q test)` tests it.\n\n")
                .append("#[allow(unused_imports)]\nuse crate::contract::*;\n#[allow(unused_imports)]\nuse crate::graft::decimal::Dec;\n");
        for (Export e : model.exports()) {
            s.append("\n/// The export `").append(e.name()).append("`: `").append(signature(e)).append("`.\n")
                    .append("/// An `Err(message)` becomes the plugin's error (a PluginCallException on the host).\n")
                    .append("#[allow(unused_variables)]\n")
                    .append("pub fn ").append(fn(e)).append("(");
            if (e.argument() != null) {
                s.append(var(e.argumentName())).append(": ").append(e.argument().kind() == Kind.BYTES ? "&[u8]" : type(e.argument()));
            }
            s.append(") -> Result<").append(e.result() == null ? "()" : e.result().kind() == Kind.BYTES ? "Vec<u8>" : type(e.result()))
                    .append(", String> {\n");
            if (e.result() != null && e.result().kind() == Kind.LIST && e.result().element().kind() == Kind.RECORD) {
                s.append("    // TODO: your logic. This example answers with no ").append(e.result().element().record().name())
                        .append("; one would be\n    //     Ok(vec![").append(example(e.result().element())).append("])\n")
                        .append("    // (money is exact: Dec::parse(\"25.00\")?.mul(Dec::int(n)), .add(..), .neg(), .round(2)).\n");
            } else {
                s.append("    // TODO: your logic.\n");
            }
            s.append("    Ok(").append(e.result() == null ? "()" : example(e.result())).append(")\n}\n");
        }
        return s.toString();
    }

    private String contract() {
        StringBuilder s = new StringBuilder();
        s.append("//! ").append(generatedFrom()).append(":\n")
                .append("//! the contract's records as Rust types, read from and written as the JSON the host sends and\n")
                .append("//! accepts. An `Option` field may be absent; every other field is required.\n\n")
                .append("#[allow(unused_imports)]\nuse crate::graft::decimal::Dec;\n#[allow(unused_imports)]\nuse crate::graft::json::{self, Json};\n");
        for (RecordType r : model.records()) {
            s.append("\n/// `").append(r.type().getName()).append("`\npub struct ").append(r.name()).append(" {\n");
            for (Field f : r.fields()) {
                String t = type(f.shape());
                s.append("    pub ").append(var(ContractModel.snake(f.javaName()))).append(": ")
                        .append(f.optional() ? "Option<" + t + ">" : t).append(",\n");
            }
            s.append("}\n\nimpl ").append(r.name()).append(" {\n")
                    .append("    pub fn read(v: &Json) -> Result<").append(r.name()).append(", String> {\n")
                    .append("        json::object(v, \"").append(r.name()).append("\")?;\n")
                    .append("        Ok(").append(r.name()).append(" {\n");
            for (Field f : r.fields()) {
                String field = var(ContractModel.snake(f.javaName()));
                if (f.optional()) {
                    s.append("            ").append(field).append(": match json::optional(v, \"").append(f.jsonName())
                            .append("\") {\n                Some(x) => Some(").append(read(f.shape(), "x", f.jsonName()))
                            .append("),\n                None => None,\n            },\n");
                } else {
                    s.append("            ").append(field).append(": ")
                            .append(read(f.shape(), "json::field(v, \"" + f.jsonName() + "\")?", f.jsonName())).append(",\n");
                }
            }
            s.append("        })\n    }\n\n    pub fn write(&self, out: &mut String) {\n")
                    .append("        out.push('{');\n        let mut first = true;\n");
            for (Field f : r.fields()) {
                String field = var(ContractModel.snake(f.javaName()));
                String key = "json::key(out, &mut first, \"" + f.jsonName() + "\");";
                if (f.optional()) {
                    s.append("        if let Some(x) = &self.").append(field).append(" {\n            ").append(key)
                            .append("\n            ").append(write(f.shape(), "x")).append(";\n        }\n");
                } else {
                    s.append("        ").append(key).append("\n        ").append(write(f.shape(), "&self." + field)).append(";\n");
                }
            }
            s.append("        out.push('}');\n    }\n}\n");
        }
        return s.toString();
    }

    private static String fn(Export e) {
        return var(ContractModel.snake(e.method().getName()));
    }

    private static String var(String name) {
        String id = ContractModel.identifier(name);
        return KEYWORDS.contains(id) ? "r#" + id : id;
    }

    static String type(Shape shape) {
        return switch (shape.kind()) {
            case STRING -> "String";
            case DECIMAL_STRING, DECIMAL_NUMBER -> "Dec";
            case INT -> "i64";
            case FLOAT -> "f64";
            case BOOL -> "bool";
            case RAW -> "Json";
            case BYTES -> "Vec<u8>";
            case LIST -> "Vec<" + type(shape.element()) + ">";
            case RECORD -> shape.record().name();
        };
    }

    /** An expression reading the shape from the {@code &Json} expression {@code json}. */
    private static String read(Shape shape, String json, String what) {
        String w = "\"" + what.replace("\"", "") + "\"";
        return switch (shape.kind()) {
            case STRING -> "json::string(" + json + ", " + w + ")?";
            case DECIMAL_STRING, DECIMAL_NUMBER -> "json::decimal(" + json + ", " + w + ")?";
            case INT -> "json::int(" + json + ", " + w + ")?";
            case FLOAT -> "json::float(" + json + ", " + w + ")?";
            case BOOL -> "json::boolean(" + json + ", " + w + ")?";
            case RAW, BYTES -> "json::raw(" + json + ", " + w + ")?";
            case LIST -> "json::list(" + json + ", " + w + ", |x| Ok(" + read(shape.element(), "x", what) + "))?";
            case RECORD -> shape.record().name() + "::read(" + json + ")?";
        };
    }

    /** A statement writing the value behind the reference expression {@code ref} to {@code out}. */
    private static String write(Shape shape, String ref) {
        return switch (shape.kind()) {
            case STRING -> "json::write_string(out, " + ref + ")";
            case DECIMAL_STRING -> "json::write_decimal_string(out, " + ref + ")";
            case DECIMAL_NUMBER -> "json::write_decimal_number(out, " + ref + ")";
            case INT -> "json::write_int(out, " + ref + ")";
            case FLOAT -> "json::write_float(out, " + ref + ")";
            case BOOL -> "json::write_boolean(out, " + ref + ")";
            case RAW, BYTES -> "json::write_raw(out, " + ref + ")";
            case LIST -> "json::write_list(out, " + ref + ", |out, x| " + write(shape.element(), "x") + ")";
            case RECORD -> "(" + ref + ").write(out)";
        };
    }

    /** An example value of the shape. */
    private static String example(Shape shape) {
        return switch (shape.kind()) {
            case STRING -> "String::from(\"" + exampleText(shape) + "\")";
            case DECIMAL_STRING, DECIMAL_NUMBER -> "Dec::int(0)";
            case INT -> "0";
            case FLOAT -> "0.0";
            case BOOL -> "false";
            case RAW -> "Json::Null";
            case BYTES, LIST -> "Vec::new()";
            case RECORD -> {
                StringBuilder s = new StringBuilder(shape.record().name()).append(" { ");
                boolean first = true;
                for (Field f : shape.record().fields()) {
                    s.append(first ? "" : ", ").append(var(ContractModel.snake(f.javaName()))).append(": ")
                            .append(f.optional() ? "None" : example(f.shape()));
                    first = false;
                }
                yield s.append(" }").toString();
            }
        };
    }
}
