package dev.graft.host.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginLoadException;
import dev.graft.api.PluginTimeoutException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Plugins refused at load: none of them ever gets an instance that could be called. */
class HostileLoadTest extends HostileTestBase {

    static Plugin load(PluginSource source, PluginPolicy policy) {
        return ENGINE.load(PluginSpec.builder(source).policy(policy).build());
    }

    // 5. Initial memory above the cap.

    @Test
    void declaredInitialMemoryAboveTheCapIsRefused() {
        assertRefusal(PluginLoadException.class, "hostile-big-memory",
                () -> load(Fixtures.source("hostile-big-memory", "big_memory"), PluginPolicy.defaults()),
                "1000 pages", "max-memory", Long.toString(PluginPolicy.DEFAULT_MAX_MEMORY));
    }

    // 13. Imports the policy does not grant.

    @Test
    void ungrantedUserHostFunctionImportIsRefused() {
        // Offered by the host, but not granted to this plugin.
        assertRefusal(PluginLoadException.class, "hostile-import",
                () -> ENGINE.load(PluginSpec.builder(Fixtures.source("hostile-import", "import_ungranted"))
                        .hostFunction("read_secrets", (id, in) -> "top secret".getBytes()).build()),
                "extism:host/user.read_secrets", "host function capability 'read_secrets'", "not grant");
    }

    @Test
    void importFromAnUnknownModuleIsRefused() {
        assertRefusal(PluginLoadException.class, "hostile-import-env",
                () -> load(Fixtures.source("hostile-import-env", "import_unknown_module"),
                        PluginPolicy.builder().capabilities(Capabilities.builder().wasi(true).build()).build()),
                "'env.abort'", "not provided");
    }

    @Test
    void wasiImportWithoutTheWasiGrantIsRefused() {
        assertRefusal(PluginLoadException.class, "hostile-wasi",
                () -> load(Fixtures.source("hostile-wasi", "wasi_files"), PluginPolicy.defaults()),
                "wasi_snapshot_preview1.path_open", "capability 'wasi'");
    }

    // 20-21. Bytes that are not a module.

    @Test
    void randomGarbageIsRefused() {
        byte[] garbage = new byte[4096];
        new Random(20240601).nextBytes(garbage);
        assertRefusal(PluginLoadException.class, "hostile-garbage",
                () -> load(PluginSource.ofBytes("hostile-garbage", garbage), PluginPolicy.defaults()),
                "not a valid Wasm module");
    }

    @Test
    void wrongMagicIsRefused() {
        byte[] bytes = Fixtures.wasm("healthy");
        bytes[1] = 'X';
        assertRefusal(PluginLoadException.class, "hostile-magic",
                () -> load(PluginSource.ofBytes("hostile-magic", bytes), PluginPolicy.defaults()),
                "not a valid Wasm module");
        byte[] empty = new byte[0];
        assertRefusal(PluginLoadException.class, "hostile-empty",
                () -> load(PluginSource.ofBytes("hostile-empty", empty), PluginPolicy.defaults()),
                "not a valid Wasm module");
    }

    @Test
    void truncatedModuleIsRefused() {
        byte[] whole = Fixtures.wasm("healthy");
        byte[] half = Arrays.copyOf(whole, whole.length / 2);
        assertRefusal(PluginLoadException.class, "hostile-truncated",
                () -> load(PluginSource.ofBytes("hostile-truncated", half), PluginPolicy.defaults()),
                "not a valid Wasm module");
        byte[] hello = Fixtures.hello();
        byte[] helloHalf = Arrays.copyOf(hello, hello.length / 2);
        assertRefusal(PluginLoadException.class, "hostile-truncated-as",
                () -> load(PluginSource.ofBytes("hostile-truncated-as", helloHalf), PluginPolicy.defaults()),
                "not a valid Wasm module");
    }

    @Test
    void exportNamingAFunctionThatDoesNotExistIsRefused() {
        // Found by the fuzz test: Chicory parses this module, and the export names function 5 of 1.
        byte[] bytes = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
            0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type section: () -> i32
            0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
            0x07, 0x07, 0x01, 0x03, 'r', 'u', 'n', 0x00, 0x05, // export section: "run" = function 5
            0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0b}; // code section: i32.const 0
        assertRefusal(PluginLoadException.class, "hostile-export-index",
                () -> load(PluginSource.ofBytes("hostile-export-index", bytes), PluginPolicy.defaults()),
                "export 'run'", "function 5");
    }

    // 22. The sha256 pin.

    @Test
    void sha256MismatchIsRefusedAndACorrectPinLoads() {
        byte[] bytes = Fixtures.wasm("healthy");
        String wrong = "0".repeat(64);
        assertRefusal(PluginLoadException.class, "hostile-pin",
                () -> load(PluginSource.ofBytes("hostile-pin", bytes).pinned(wrong), PluginPolicy.defaults()),
                "sha256 mismatch", wrong, PluginSource.sha256Hex(bytes));
        Plugin pinned = load(PluginSource.ofBytes("pinned", bytes).pinned("SHA256:" + PluginSource.sha256Hex(bytes).toUpperCase()),
                PluginPolicy.defaults());
        assertEquals("ok", pinned.call("echo", "ok".getBytes()).outputString());
    }

    // 23. A start function that never returns.

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void startFunctionThatLoopsIsRefusedByTheLoadDeadline(ExecutionMode mode) {
        long start = System.nanoTime();
        PluginLoadException e = assertRefusal(PluginLoadException.class, "hostile-start",
                () -> load(Fixtures.source("hostile-start", "start_loop"),
                        PluginPolicy.builder().mode(mode).timeout(Duration.ofMillis(200)).fuel(0).build()),
                "instantiation", "timeout", "200 ms");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(PluginTimeoutException.class, e.getCause().getClass());
        assertTrue(elapsedMs < 5000, "refused after " + elapsedMs + " ms");
        assertTrue(!Thread.currentThread().isInterrupted(), "no interrupt leaks out of a refused load");
    }

    // 26. The module size cap.

    @Test
    void moduleOverTheSizeCapIsRefused() {
        byte[] bytes = Fixtures.wasm("healthy");
        assertRefusal(PluginLoadException.class, "hostile-size",
                () -> load(PluginSource.ofBytes("hostile-size", bytes), PluginPolicy.builder().maxModuleBytes(64).build()),
                "max-module-bytes", "64");
        assertRefusal(PluginLoadException.class, "hostile-size-file",
                () -> load(PluginSource.ofFile("hostile-size-file", Fixtures.HELLO),
                        PluginPolicy.builder().maxModuleBytes(1024).build()),
                "max-module-bytes", "1024");
    }

    // 27. A claimed extension point without its export.

    @Test
    void claimedExtensionPointWithoutItsExportIsRefused() {
        assertRefusal(PluginLoadException.class, "hostile-claim",
                () -> ENGINE.load(PluginSpec.builder(Fixtures.source("hostile-claim", "healthy"))
                        .extensionPoint(HostileCallTest.Calc.class).build()),
                "extension point 'calc'", "no export 'compute'");
    }
}
