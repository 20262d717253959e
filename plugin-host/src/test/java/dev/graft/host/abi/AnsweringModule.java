package dev.graft.host.abi;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.nio.charset.StandardCharsets;

/**
 * An Extism-ABI module whose one export answers the same output to every input: the smallest plugin
 * that gives a host a chosen answer (a contract violation, a wrong field). Shared with the CLI's and
 * the sample app's tests through plugin-host's test jar.
 */
public final class AnsweringModule {

    private AnsweringModule() {
    }

    /** The module bytes: {@code export} copies {@code output} (UTF-8, no backslashes) into a kernel block and sets it as the output. */
    public static byte[] wasm(String export, String output) {
        if (output.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("the output is embedded as a WAT string; backslashes are not escaped");
        }
        int n = output.getBytes(StandardCharsets.UTF_8).length;
        return Wat2Wasm.parse("""
                (module
                  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
                  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
                  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
                  (memory 1)
                  (data (i32.const 0) "%s")
                  (func (export "%s") (result i32)
                    (local $buf i64) (local $i i32)
                    (local.set $buf (call $alloc (i64.const %d)))
                    (block $done (loop $copy
                      (br_if $done (i32.ge_u (local.get $i) (i32.const %d)))
                      (call $store_u8 (i64.add (local.get $buf) (i64.extend_i32_u (local.get $i))) (i32.load8_u (local.get $i)))
                      (local.set $i (i32.add (local.get $i) (i32.const 1)))
                      (br $copy)))
                    (call $output_set (local.get $buf) (i64.const %d))
                    (i32.const 0)))
                """.formatted(output.replace("\"", "\\\""), export, n, n, n));
    }
}
