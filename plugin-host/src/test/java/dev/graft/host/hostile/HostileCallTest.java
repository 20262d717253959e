package dev.graft.host.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginCapabilityException;
import dev.graft.api.PluginCodecException;
import dev.graft.api.PluginMemoryLimitException;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.PluginTimeoutException;
import dev.graft.api.PluginTrapException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Plugins that misbehave while running: each is stopped with the exact exception, and the host carries on. */
class HostileCallTest extends HostileTestBase {

    static final byte[] NO_INPUT = new byte[0];
    static final Duration SHORT = Duration.ofMillis(200);

    @ExtensionPoint(id = "calc")
    public interface Calc {
        Result compute(Request request);
    }

    public record Request(int a, int b) {
    }

    public record Result(int value) {
    }

    static Plugin load(String id, String fixture, PluginPolicy policy) {
        return ENGINE.load(PluginSpec.builder(Fixtures.source(id, fixture)).policy(policy).build());
    }

    static PluginPolicy.Builder policy(ExecutionMode mode) {
        return PluginPolicy.builder().mode(mode);
    }

    // 1. An infinite loop is stopped by the wall-clock deadline.

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void infiniteLoopIsStoppedByTheTimeout(ExecutionMode mode) {
        Plugin p = load("hostile-loop", "loop", policy(mode).timeout(SHORT).fuel(0).build());
        long start = System.nanoTime();
        PluginTimeoutException e = assertRefusal(PluginTimeoutException.class, "hostile-loop",
                () -> p.call("spin", NO_INPUT), "'spin'", "timeout", "200 ms");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(SHORT, e.limit());
        assertTrue(elapsedMs >= 190 && elapsedMs < 3000, "stopped after " + elapsedMs + " ms");
        assertFalse(Thread.currentThread().isInterrupted(), "the watchdog's interrupt is cleared after a timeout");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void infiniteBrIfLoopIsStoppedByTheTimeout(ExecutionMode mode) {
        Plugin p = load("hostile-loop", "loop", policy(mode).timeout(SHORT).fuel(0).build());
        long start = System.nanoTime();
        assertRefusal(PluginTimeoutException.class, "hostile-loop", () -> p.call("spin_br_if", NO_INPUT),
                "'spin_br_if'", "timeout", "200 ms");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs < 3000, "stopped after " + elapsedMs + " ms");
    }

    // 2. A loop that lives in host calls is stopped too.

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void loopCallingAKernelFunctionIsStoppedByTheTimeout(ExecutionMode mode) {
        // Each ping's (empty) result is a kernel block with a 12-byte header that the loop never frees: a
        // large max-memory keeps the timeout, not the memory account, the limit this test meets.
        Plugin p = ENGINE.load(PluginSpec.builder(Fixtures.source("hostile-host-loop", "host_loop"))
                .policy(policy(mode).timeout(SHORT).fuel(0).maxMemoryBytes(1L << 30)
                        .capabilities(Capabilities.builder().hostFunction("ping").build()).build())
                .hostFunction("ping", (id, in) -> new byte[0]).build());
        assertRefusal(PluginTimeoutException.class, "hostile-host-loop", () -> p.call("spin_kernel", NO_INPUT),
                "'spin_kernel'", "timeout", "200 ms");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void loopCallingAGrantedHostFunctionIsStoppedByTheTimeout(ExecutionMode mode) {
        AtomicInteger pings = new AtomicInteger();
        // Each ping's (empty) result is a kernel block with a 12-byte header that the loop never frees: a
        // large max-memory keeps the timeout, not the memory account, the limit this test meets.
        Plugin p = ENGINE.load(PluginSpec.builder(Fixtures.source("hostile-host-loop", "host_loop"))
                .policy(policy(mode).timeout(SHORT).fuel(0).maxMemoryBytes(1L << 30)
                        .capabilities(Capabilities.builder().hostFunction("ping").build()).build())
                .hostFunction("ping", (id, in) -> {
                    pings.incrementAndGet();
                    return new byte[0];
                }).build());
        assertRefusal(PluginTimeoutException.class, "hostile-host-loop", () -> p.call("spin_host", NO_INPUT),
                "'spin_host'", "timeout", "200 ms");
        assertTrue(pings.get() > 0, "the host function ran");
    }

    // 3. memory.grow until refused.

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void memoryGrowBombThatTrapsIsReportedAsTheMemoryLimit(ExecutionMode mode) {
        Plugin p = load("hostile-grow", "grow_bomb", policy(mode).maxMemoryBytes(2 << 20).build());
        PluginMemoryLimitException e = assertRefusal(PluginMemoryLimitException.class, "hostile-grow",
                () -> p.call("grow_trap", NO_INPUT), "max-memory", "'grow_trap'", Long.toString(2 << 20));
        assertEquals("max-memory", e.knob());
        assertEquals(2 << 20, e.limitBytes());
        assertTrue(e.requestedBytes() > e.limitBytes(), "requested " + e.requestedBytes());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void memoryGrowBombThatHandlesRefusalSucceeds(ExecutionMode mode) {
        Plugin p = load("hostile-grow", "grow_bomb", policy(mode).maxMemoryBytes(2 << 20).build());
        // 32 pages are 2 MiB, but the 8-byte output block already holds part of the budget.
        assertEquals(31, le64(p.call("grow_graceful", NO_INPUT).output()));
        assertEquals(31, le64(p.call("grow_graceful", NO_INPUT).output()), "a second call starts over");
    }

    // 4. Kernel allocations count against the same budget.

    @Test
    void allocBombHitsTheMemoryLimit() {
        Plugin p = load("hostile-alloc", "alloc_bomb", policy(ExecutionMode.COMPILED).maxMemoryBytes(4 << 20).build());
        PluginMemoryLimitException e = assertRefusal(PluginMemoryLimitException.class, "hostile-alloc",
                () -> p.call("bomb", NO_INPUT), "max-memory", "alloc", Long.toString(4 << 20));
        assertEquals("max-memory", e.knob());
        // Each block also holds the 12-byte header of Extism's layout, so the fourth MiB no longer fits.
        assertEquals(4 * ((1 << 20) + 12), e.requestedBytes(), "refused at the fourth MiB and its headers");
    }

    // 6-9. Faults of the Wasm code.

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void unboundedRecursionTraps(ExecutionMode mode) {
        Plugin p = load("hostile-traps", "traps", policy(mode).timeout(Duration.ofSeconds(10)).build());
        assertRefusal(PluginTrapException.class, "hostile-traps", () -> p.call("recurse", NO_INPUT),
                "'recurse'", "call stack exhausted");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void unreachableTraps(ExecutionMode mode) {
        Plugin p = load("hostile-traps", "traps", policy(mode).build());
        assertRefusal(PluginTrapException.class, "hostile-traps", () -> p.call("unreachable", NO_INPUT),
                "call to 'unreachable' trapped", "unreachable instruction");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void integerDivisionByZeroTraps(ExecutionMode mode) {
        Plugin p = load("hostile-traps", "traps", policy(mode).build());
        assertRefusal(PluginTrapException.class, "hostile-traps", () -> p.call("div_zero", NO_INPUT),
                "'div_zero' trapped", "divide by zero");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void outOfBoundsLoadTraps(ExecutionMode mode) {
        Plugin p = load("hostile-traps", "traps", policy(mode).build());
        assertRefusal(PluginTrapException.class, "hostile-traps", () -> p.call("oob_load", NO_INPUT),
                "'oob_load' trapped", "out of bounds");
    }

    // 10. Payload caps.

    @Test
    void outputOverTheCapIsRefused() {
        Plugin p = load("hostile-output", "big_output", policy(ExecutionMode.COMPILED).maxOutputBytes(1024).build());
        PluginPayloadException e = assertRefusal(PluginPayloadException.class, "hostile-output",
                () -> p.call("flood", NO_INPUT), "max-output-bytes", "1024", "4096");
        assertEquals("max-output-bytes", e.knob());
        assertEquals(1024, e.limitBytes());
        assertEquals(4096, e.actualBytes());
    }

    @Test
    void inputOverTheCapIsRefusedBeforeThePluginRuns() {
        AtomicInteger runs = new AtomicInteger();
        Plugin p = ENGINE.load(PluginSpec.builder(Fixtures.source("hostile-input", "witness"))
                .policy(policy(ExecutionMode.COMPILED).maxInputBytes(1024)
                        .capabilities(Capabilities.builder().hostFunction("witness").build()).build())
                .hostFunction("witness", (id, in) -> {
                    runs.incrementAndGet();
                    return new byte[0];
                }).build());
        p.call("run", new byte[1024]);
        assertEquals(1, runs.get(), "an input at the cap runs");
        PluginPayloadException e = assertRefusal(PluginPayloadException.class, "hostile-input",
                () -> p.call("run", new byte[1025]), "max-input-bytes", "1024", "1025");
        assertEquals("max-input-bytes", e.knob());
        assertEquals(1, runs.get(), "the plugin did not run for the oversized input");
    }

    // 11-12. Typed calls: the plugin's answer must decode.

    @Test
    void invalidJsonThroughATypedExtensionPointIsACodecFailure() {
        Calc calc = load("hostile-calc", "codec_bad_json", policy(ExecutionMode.COMPILED).build()).extension(Calc.class);
        assertRefusal(PluginCodecException.class, "hostile-calc", () -> calc.compute(new Request(1, 2)),
                "'compute'", Result.class.getTypeName());
    }

    @Test
    void jsonOfTheWrongShapeIsACodecFailure() {
        Calc calc = load("hostile-calc", "codec_wrong_shape", policy(ExecutionMode.COMPILED).build()).extension(Calc.class);
        assertRefusal(PluginCodecException.class, "hostile-calc", () -> calc.compute(new Request(1, 2)),
                "'compute'", Result.class.getTypeName());
        Calc good = load("calc-good", "codec_good", policy(ExecutionMode.COMPILED).build()).extension(Calc.class);
        assertEquals(new Result(42), good.compute(new Request(1, 2)), "a well-formed answer decodes");
    }

    // 14. proc_exit ends the call, never the JVM.

    @Test
    void nonZeroProcExitIsACallFailureAndTheHostKeepsRunning() {
        Plugin p = load("hostile-exit", "proc_exit",
                policy(ExecutionMode.COMPILED).capabilities(Capabilities.builder().wasi(true).build()).build());
        PluginCallException e = assertRefusal(PluginCallException.class, "hostile-exit",
                () -> p.call("exit3", NO_INPUT), "'exit3'", "exited with code 3");
        assertEquals("exited with code 3", e.pluginMessage());
        assertEquals("bye", p.call("exit0", NO_INPUT).outputString(), "proc_exit(0) is a normal end");
    }

    // 19. A host function that throws.

    @Test
    void throwingHostFunctionIsACallFailureNamingTheFunction() {
        Plugin p = ENGINE.load(PluginSpec.builder(Fixtures.source("hostile-throw", "host_throw"))
                .policy(policy(ExecutionMode.COMPILED).capabilities(Capabilities.builder().hostFunction("explode").build()).build())
                .hostFunction("explode", (id, in) -> {
                    throw new IllegalStateException("boom from the host");
                }).build());
        PluginCallException e = assertRefusal(PluginCallException.class, "hostile-throw", () -> p.call("run", NO_INPUT),
                "host function 'explode'", "boom from the host");
        assertEquals(IllegalStateException.class, e.getCause().getClass());
    }

    // 24. Vars have their own cap.

    @ParameterizedTest
    @EnumSource(InstanceMode.class)
    void varBombHitsTheVarCap(InstanceMode instances) {
        Plugin p = load("hostile-vars", "var_bomb", policy(ExecutionMode.COMPILED).instances(instances).build());
        PluginMemoryLimitException e = assertRefusal(PluginMemoryLimitException.class, "hostile-vars",
                () -> p.call("bomb", NO_INPUT), "max-var-bytes", "var_set", "65536");
        assertEquals("max-var-bytes", e.knob());
        assertEquals(64 * 1024, e.limitBytes());
        // the refused var set is not kept: the next call is refused the same way, not earlier or later
        PluginMemoryLimitException again = assertRefusal(PluginMemoryLimitException.class, "hostile-vars",
                () -> p.call("bomb", NO_INPUT), "max-var-bytes");
        assertEquals(e.requestedBytes(), again.requestedBytes());
    }

    // 25. Outbound HTTP.

    @Test
    void httpRequestIsACapabilityFailure() {
        Plugin p = load("hostile-http", "http", policy(ExecutionMode.COMPILED).build());
        PluginCapabilityException e = assertRefusal(PluginCapabilityException.class, "hostile-http",
                () -> p.call("fetch", NO_INPUT), "'http'", "evil.example.com");
        assertEquals("http", e.capability());
    }

    // 28 (part). A pooled instance that trapped is replaced, not reused.

    @Test
    void pooledInstanceThatTrappedIsReplaced() {
        Plugin p = load("hostile-pooled", "traps",
                policy(ExecutionMode.COMPILED).instances(InstanceMode.POOLED).poolSize(1).build());
        assertEquals(1, le64(p.call("count", NO_INPUT).output()));
        assertEquals(2, le64(p.call("count", NO_INPUT).output()), "pooled: state persists");
        assertRefusal(PluginTrapException.class, "hostile-pooled", () -> p.call("bump_then_trap", NO_INPUT),
                "'bump_then_trap'");
        assertEquals(1, le64(p.call("count", NO_INPUT).output()), "a fresh instance replaced the broken one");
        assertRefusal(PluginTrapException.class, "hostile-pooled", () -> p.call("div_zero", NO_INPUT), "'div_zero'");
        assertEquals(1, le64(p.call("count", NO_INPUT).output()));
        assertEquals(2, le64(p.call("count", NO_INPUT).output()));
    }

    @Test
    void pooledInstanceThatTimedOutIsReplaced() {
        Plugin p = load("hostile-pooled-loop", "loop",
                policy(ExecutionMode.COMPILED).timeout(SHORT).fuel(0).instances(InstanceMode.POOLED).poolSize(1).build());
        for (int i = 0; i < 2; i++) {
            assertRefusal(PluginTimeoutException.class, "hostile-pooled-loop", () -> p.call("spin", NO_INPUT), "timeout");
        }
    }

    // The caller's interrupt status.

    @Test
    void callerInterruptStatusIsPreservedAcrossANormalCall() {
        byte[] input = "still here".getBytes(StandardCharsets.UTF_8);
        Thread.currentThread().interrupt();
        try {
            assertEquals("still here", healthy().call("echo", input).outputString());
            assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt survives the call");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void interruptStatusIsClearAfterATimeout() {
        Plugin p = load("hostile-loop", "loop", policy(ExecutionMode.COMPILED).timeout(SHORT).fuel(0).build());
        assertRefusal(PluginTimeoutException.class, "hostile-loop", () -> p.call("spin", NO_INPUT), "timeout");
        assertFalse(Thread.interrupted(), "no interrupt leaks out of a timed-out call");
    }
}
