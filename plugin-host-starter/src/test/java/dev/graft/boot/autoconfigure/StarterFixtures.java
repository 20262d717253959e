package dev.graft.boot.autoconfigure;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Extension points and small WAT plugins for the starter tests, written as .wasm files. */
final class StarterFixtures {

    private StarterFixtures() {
    }

    @ExtensionPoint(id = "pricing-rule")
    public interface PricingRule {
        @Export("apply")
        String apply(String sku);
    }

    public record Customer(String id) {
    }

    public record Tier(String customer, @dev.graft.api.OptionalField String tenant) {
    }

    @ExtensionPoint(id = "tier-lookup")
    public interface TierLookup {
        @Export("lookup")
        Tier lookup(Customer customer);
    }

    /** Not an extension point: no annotation. */
    public interface NotAnExtensionPoint {
        String apply(String sku);
    }

    private static final String KERNEL = """
              (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
              (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
              (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
              (import "extism:host/env" "length" (func $length (param i64) (result i64)))
              (import "extism:host/env" "input_length" (func $input_length (result i64)))
              (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
              (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
            """;

    private static final String HELPERS = """
              (memory 1)
              ;; copies linear memory [ptr, ptr+len) into a new kernel block
              (func $to_kernel (param $ptr i32) (param $len i64) (result i64)
                (local $buf i64) (local $i i64)
                (local.set $buf (call $alloc (local.get $len)))
                (block $done
                  (loop $copy
                    (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
                    (call $store_u8 (i64.add (local.get $buf) (local.get $i))
                                    (i32.load8_u (i32.add (local.get $ptr) (i32.wrap_i64 (local.get $i)))))
                    (local.set $i (i64.add (local.get $i) (i64.const 1)))
                    (br $copy)))
                (local.get $buf))
              ;; copies the call's input into a new kernel block
              (func $input_block (result i64)
                (local $n i64) (local $i i64) (local $buf i64)
                (local.set $n (call $input_length))
                (local.set $buf (call $alloc (local.get $n)))
                (block $done
                  (loop $copy
                    (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
                    (call $store_u8 (i64.add (local.get $buf) (local.get $i)) (call $input_load_u8 (local.get $i)))
                    (local.set $i (i64.add (local.get $i) (i64.const 1)))
                    (br $copy)))
                (local.get $buf))
            """;

    /** Export {@code apply} answers the JSON string {@code answer}. */
    static byte[] answering(String answer) {
        String json = "\"" + answer + "\"";
        int length = json.getBytes(StandardCharsets.UTF_8).length;
        return Wat2Wasm.parse("(module\n" + KERNEL + HELPERS + """
                  (data (i32.const 0) "%s")
                  (func (export "apply") (result i32)
                    (call $output_set (call $to_kernel (i32.const 0) (i64.const %d)) (i64.const %d))
                    (i32.const 0)))
                """.formatted(json.replace("\"", "\\\""), length, length));
    }

    /** Export {@code apply} logs {@code message} at warn level (Extism {@code log_warn}) and answers "logged". */
    static byte[] logging(String message) {
        int length = message.getBytes(StandardCharsets.UTF_8).length;
        return Wat2Wasm.parse("(module\n" + KERNEL
                + "  (import \"extism:host/env\" \"log_warn\" (func $log_warn (param i64)))\n" + HELPERS + """
                  (data (i32.const 0) "%s")
                  (data (i32.const 512) "\\"logged\\"")
                  (func (export "apply") (result i32)
                    (call $log_warn (call $to_kernel (i32.const 0) (i64.const %d)))
                    (call $output_set (call $to_kernel (i32.const 512) (i64.const 8)) (i64.const 8))
                    (i32.const 0)))
                """.formatted(message, length));
    }

    /** Export {@code apply} traps ({@code unreachable}). */
    static byte[] trapping() {
        return Wat2Wasm.parse("""
                (module
                  (func (export "apply") (result i32)
                    unreachable))
                """);
    }

    /** Export {@code apply} answers the raw value of config key {@code greeting}. */
    static byte[] answeringConfig() {
        return Wat2Wasm.parse("(module\n" + KERNEL + HELPERS + """
                  (data (i32.const 0) "greeting")
                  (func (export "apply") (result i32)
                    (local $value i64)
                    (local.set $value (call $config_get (call $to_kernel (i32.const 0) (i64.const 8))))
                    (call $output_set (local.get $value) (call $length (local.get $value)))
                    (i32.const 0)))
                """);
    }

    /** Export {@code lookup} passes its input to host function {@code erp.customer.tier} and answers its result. */
    static byte[] askingTheHost() {
        return Wat2Wasm.parse("(module\n" + KERNEL
                + "  (import \"extism:host/user\" \"erp.customer.tier\" (func $tier (param i64) (result i64)))\n"
                + HELPERS + """
                  (func (export "lookup") (result i32)
                    (local $answer i64)
                    (local.set $answer (call $tier (call $input_block)))
                    (call $output_set (local.get $answer) (call $length (local.get $answer)))
                    (i32.const 0)))
                """);
    }

    static Path write(Path dir, String name, byte[] wasm) {
        try {
            return Files.write(dir.resolve(name), wasm);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
