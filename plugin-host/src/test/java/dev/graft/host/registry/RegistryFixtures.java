package dev.graft.host.registry;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import java.nio.charset.StandardCharsets;

/** Small WAT plugins whose answer tells which plugin (and which version) served a call. */
final class RegistryFixtures {

    private RegistryFixtures() {
    }

    @ExtensionPoint(id = "greeter")
    interface Greeter {
        @Export("greet")
        String greet(String name);
    }

    @ExtensionPoint(id = "other")
    interface Other {
        @Export("greet")
        String greet(String name);
    }

    /** A plugin whose export {@code greet} answers the JSON string {@code answer}. */
    static byte[] answering(String answer) {
        return module(answer, false);
    }

    /**
     * Like {@link #answering}, but first calls host function {@code pause} ({@code extism:host/user}), so a
     * test can hold a call in flight.
     */
    static byte[] pausingThenAnswering(String answer) {
        return module(answer, true);
    }

    /** A module the default policy refuses at load: it imports a host function nobody granted. */
    static byte[] refusedAtLoad() {
        return Wat2Wasm.parse("""
                (module
                  (import "extism:host/user" "not_granted" (func $f (param i64) (result i64)))
                  (func (export "greet") (result i32) (i32.const 0)))
                """);
    }

    private static byte[] module(String answer, boolean pause) {
        String json = "\"" + answer + "\"";
        int length = json.getBytes(StandardCharsets.UTF_8).length;
        String data = json.replace("\"", "\\\"");
        return Wat2Wasm.parse("""
                (module
                  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
                  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
                  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
                  %s
                  (memory 1)
                  (data (i32.const 0) "%s")
                  (func (export "greet") (result i32)
                    (local $buf i64) (local $i i64)
                    %s
                    (local.set $buf (call $alloc (i64.const %d)))
                    (block $done
                      (loop $copy
                        (br_if $done (i64.ge_u (local.get $i) (i64.const %d)))
                        (call $store_u8 (i64.add (local.get $buf) (local.get $i))
                                        (i32.load8_u (i32.wrap_i64 (local.get $i))))
                        (local.set $i (i64.add (local.get $i) (i64.const 1)))
                        (br $copy)))
                    (call $output_set (local.get $buf) (i64.const %d))
                    (i32.const 0)))
                """.formatted(
                pause ? "(import \"extism:host/user\" \"pause\" (func $pause (param i64) (result i64)))" : "",
                data,
                pause ? "(drop (call $pause (i64.const 0)))" : "",
                length, length, length));
    }
}
