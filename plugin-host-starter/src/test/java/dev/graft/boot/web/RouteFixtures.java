package dev.graft.boot.web;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small WAT route plugins: WAGI commands and an Extism HTTP handler. */
final class RouteFixtures {

    private RouteFixtures() {
    }

    private static final String WASI = """
              (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "path_open"
                (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (memory (export "memory") 4)
              ;; writes [ptr, ptr+len) to stdout
              (func $write (param $ptr i32) (param $len i32)
                (i32.store (i32.const 16) (local.get $ptr))
                (i32.store (i32.const 20) (local.get $len))
                (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))
              ;; turns the NULs of [ptr, ptr+len) into newlines
              (func $lines (param $ptr i32) (param $len i32)
                (local $i i32)
                (block $done
                  (loop $next
                    (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
                    (if (i32.eqz (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
                      (then (i32.store8 (i32.add (local.get $ptr) (local.get $i)) (i32.const 10))))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $next))))
              ;; copies fd to stdout until end of file
              (func $cat (param $fd i32)
                (block $done
                  (loop $next
                    (i32.store (i32.const 32) (i32.const 65536))
                    (i32.store (i32.const 36) (i32.const 65536))
                    (br_if $done (i32.ne (call $fd_read (local.get $fd) (i32.const 32) (i32.const 1) (i32.const 40))
                                         (i32.const 0)))
                    (br_if $done (i32.eqz (i32.load (i32.const 40))))
                    (call $write (i32.const 65536) (i32.load (i32.const 40)))
                    (br $next))))
            """;

    /**
     * A WAGI command writing {@code head} (CGI headers and the blank line), then its arguments one per
     * line, "--", its environment one per line, "--", and stdin.
     */
    static byte[] echo(String head) {
        int length = head.getBytes(StandardCharsets.UTF_8).length;
        return Wat2Wasm.parse("(module\n" + WASI + """
                  (data (i32.const 200) "%s")
                  (data (i32.const 192) "--\\n")
                  (func (export "_start")
                    (call $write (i32.const 200) (i32.const %d))
                    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
                    (drop (call $args_get (i32.const 1024) (i32.const 4096)))
                    (call $lines (i32.const 4096) (i32.load (i32.const 4)))
                    (call $write (i32.const 4096) (i32.load (i32.const 4)))
                    (call $write (i32.const 192) (i32.const 3))
                    (drop (call $env_sizes (i32.const 8) (i32.const 12)))
                    (drop (call $env_get (i32.const 16384) (i32.const 20480)))
                    (call $lines (i32.const 20480) (i32.load (i32.const 12)))
                    (call $write (i32.const 20480) (i32.load (i32.const 12)))
                    (call $write (i32.const 192) (i32.const 3))
                    (call $cat (i32.const 0))))
                """.formatted(escape(head), length));
    }

    /** A WAGI command answering "Content-Type: text/plain", then the content of "hello.txt" in its first preopened folder. */
    static byte[] fileReader() {
        String head = "Content-Type: text/plain\n\n";
        return Wat2Wasm.parse("(module\n" + WASI + """
                  (data (i32.const 200) "%s")
                  (data (i32.const 300) "hello.txt")
                  (data (i32.const 320) "open failed\\n")
                  (func (export "_start")
                    (call $write (i32.const 200) (i32.const %d))
                    (if (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 300) (i32.const 9)
                                   (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 48)))
                      (then (call $cat (i32.load (i32.const 48))))
                      (else (call $write (i32.const 320) (i32.const 12))))))
                """.formatted(escape(head), head.length()));
    }

    /** A WAGI command that loops forever. */
    static byte[] looping() {
        return Wat2Wasm.parse("""
                (module
                  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
                  (memory (export "memory") 1)
                  (func (export "_start")
                    (loop $forever (br $forever))))
                """);
    }

    private static final String KERNEL = """
              (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
              (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
              (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
              (import "extism:host/env" "input_length" (func $input_length (result i64)))
              (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
            """;

    /**
     * An Extism export {@code handle_http} answering
     * {@code {"status":201,"headers":{"X-Echo":"yes"},"body":<the request JSON>}}.
     */
    static byte[] extismEcho() {
        String prefix = "{\"status\":201,\"headers\":{\"X-Echo\":\"yes\"},\"body\":";
        return Wat2Wasm.parse("(module\n" + KERNEL + """
                  (memory 1)
                  (data (i32.const 0) "%s")
                  (data (i32.const 200) "}")
                  ;; stores [ptr, ptr+len) of linear memory at block offset $at
                  (func $put (param $block i64) (param $at i64) (param $ptr i32) (param $len i64)
                    (local $i i64)
                    (block $done
                      (loop $next
                        (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
                        (call $store_u8 (i64.add (local.get $block) (i64.add (local.get $at) (local.get $i)))
                                        (i32.load8_u (i32.add (local.get $ptr) (i32.wrap_i64 (local.get $i)))))
                        (local.set $i (i64.add (local.get $i) (i64.const 1)))
                        (br $next))))
                  (func (export "handle_http") (result i32)
                    (local $n i64) (local $block i64) (local $i i64)
                    (local.set $n (call $input_length))
                    (local.set $block (call $alloc (i64.add (local.get $n) (i64.const %d))))
                    (call $put (local.get $block) (i64.const 0) (i32.const 0) (i64.const %d))
                    (block $done
                      (loop $next
                        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
                        (call $store_u8 (i64.add (local.get $block) (i64.add (i64.const %d) (local.get $i)))
                                        (call $input_load_u8 (local.get $i)))
                        (local.set $i (i64.add (local.get $i) (i64.const 1)))
                        (br $next)))
                    (call $put (local.get $block) (i64.add (i64.const %d) (local.get $n)) (i32.const 200) (i64.const 1))
                    (call $output_set (local.get $block) (i64.add (local.get $n) (i64.const %d)))
                    (i32.const 0)))
                """.formatted(escape(prefix), prefix.length() + 1, prefix.length(), prefix.length(), prefix.length(),
                prefix.length() + 1));
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String write(Path dir, String name, byte[] wasm) {
        try {
            return "file:" + Files.write(dir.resolve(name), wasm).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
