package dev.graft.host.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.source.PluginSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Running a module as a WASI command: arguments and environment in, stdout out, exit code. */
class WasiCommandTest {

    /** Writes "argc=<n> envc=<n> stdin=<first byte>\n" (single digits) to stdout, then exits with argc. */
    static final byte[] COMMAND = Wat2Wasm.parse("""
            (module
              (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 100) "argc=? envc=? stdin=?\\n")
              (func (export "_start")
                (drop (call $args_sizes (i32.const 0) (i32.const 4)))
                (drop (call $env_sizes (i32.const 8) (i32.const 12)))
                ;; read one byte of stdin into 120 (the '?' after stdin=)
                (i32.store (i32.const 16) (i32.const 120))
                (i32.store (i32.const 20) (i32.const 1))
                (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
                (i32.store8 (i32.const 105) (i32.add (i32.const 48) (i32.load (i32.const 0))))
                (i32.store8 (i32.const 112) (i32.add (i32.const 48) (i32.load (i32.const 8))))
                (i32.store (i32.const 32) (i32.const 100))
                (i32.store (i32.const 36) (i32.const 22))
                (drop (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 40)))
                (call $proc_exit (i32.load (i32.const 0)))))
            """);

    static Plugin command(PluginPolicy.Builder policy) {
        return GraftEngine.create().load(PluginSpec.builder(PluginSource.ofBytes("cmd", COMMAND))
                .policy(policy.capabilities(Capabilities.builder().wasi(true).env("GRANTED", "1").build()).build()).build());
    }

    @Test
    void argumentsEnvironmentAndStdinGoInStdoutAndExitCodeComeOut() {
        Plugin p = command(PluginPolicy.builder());
        CommandResult r = p.runCommand(List.of("cmd", "/path", "a=b"), Map.of("REQUEST_METHOD", "GET"), "Zzz".getBytes());
        assertEquals("argc=3 envc=2 stdin=Z\n", r.stdoutString());
        assertEquals(3, r.exitCode());
        assertTrue(r.stats().fuelConsumed() > 0);
        // No state crosses runs: a second run sees only its own arguments.
        assertEquals("argc=1 envc=1 stdin=x\n", p.runCommand(List.of("cmd"), Map.of(), "x".getBytes()).stdoutString());
    }

    @Test
    void stdoutIsCapped() {
        Plugin p = command(PluginPolicy.builder().maxOutputBytes(10));
        PluginPayloadException e = assertThrows(PluginPayloadException.class,
                () -> p.runCommand(List.of("cmd"), Map.of(), new byte[] {'y'}));
        assertEquals("max-output-bytes", e.knob());
    }

    @Test
    void anExtismPluginIsNotACommand() {
        Plugin hello = GraftEngine.create().load(PluginSpec.of(PluginSource.ofFile(ExtismCompatibilityTest.HELLO)));
        assertThrows(PluginCallException.class, () -> hello.runCommand(List.of(), Map.of(), new byte[0]));
    }
}
