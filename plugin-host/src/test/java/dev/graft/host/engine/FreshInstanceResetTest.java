package dev.graft.host.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.graft.api.PluginException;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code instances: fresh} reuses an instance by resetting it to its state right after instantiation.
 * The tracer module tries to leave traces in every kind of instance state; a reset instance must
 * show none of them to the next call, and an instance whose call failed is discarded, never reset.
 */
class FreshInstanceResetTest {

    static final byte[] TRACER = Wat2Wasm.parse(wat("/engine/tracer.wat"));
    static final GraftEngine ENGINE = GraftEngine.create();
    static final byte[] NONE = new byte[0];

    static String wat(String resource) {
        try (InputStream in = FreshInstanceResetTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Plugin tracer(ExecutionMode mode, InstanceMode instances) {
        return ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("tracer", TRACER))
                .policy(PluginPolicy.builder().mode(mode).instances(instances).poolSize(1).build()).build());
    }

    static long[] probe(Plugin plugin) {
        byte[] out = plugin.call("probe", NONE).output();
        long[] values = new long[out.length / 8];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(values);
        return values;
    }

    @ParameterizedTest
    @CsvSource({
            "COMPILED, scribble, true", "INTERPRETED, scribble, true",
            "COMPILED, scribble_and_grow, true", "INTERPRETED, scribble_and_grow, true",
            "COMPILED, scribble_and_grow_table, false", "INTERPRETED, scribble_and_grow_table, false",
            "COMPILED, scribble_and_drop_data, true", "INTERPRETED, scribble_and_drop_data, true"})
    void nothingACallWritesIsVisibleToTheNextCall(ExecutionMode mode, String scribbler, boolean reused) {
        Plugin fresh = tracer(mode, InstanceMode.FRESH);
        long[] clean = probe(fresh);
        assertEquals(1, clean[3], "one page");
        assertEquals(7, clean[4], "the global's initial value");
        assertEquals(2, clean[5], "table entry 1 calls $two");
        assertEquals(0, clean[7], "no var");
        long fuel = fresh.call("probe", NONE).stats().fuelConsumed();
        for (int round = 0; round < 3; round++) {
            fresh.call(scribbler, NONE);
            assertArrayEquals(clean, probe(fresh), scribbler + " left a trace (round " + round + ")");
        }
        assertEquals(fuel, fresh.call("probe", NONE).stats().fuelConsumed(), "a reset instance costs the same fuel");
        if (reused) {
            assertEquals(1, fresh.instantiations(), "one instance served every call, reset in between");
        } else {
            assertTrue(fresh.instantiations() > 1, "a change a reset cannot undo discards the instance");
        }

        // The same calls on a pooled instance do leave traces: the test can see them.
        Plugin pooled = tracer(mode, InstanceMode.POOLED);
        long[] before = probe(pooled);
        pooled.call(scribbler, NONE);
        if (scribbler.endsWith("drop_data")) {
            assertThrows(PluginException.class, () -> probe(pooled), "pooled: memory.init of the dropped segment traps");
            return;
        }
        long[] after = probe(pooled);
        assertFalse(Arrays.equals(before, after), "pooled: the traces are visible");
        assertEquals(-1, after[0]);
        assertEquals(99, after[4]);
        assertEquals(1, after[5]);
        assertTrue(after[7] != 0, "the var persists");
        assertEquals(0, after[8], "kernel blocks are zeroed between calls in every mode");
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"COMPILED", "INTERPRETED"})
    void anInstanceWhoseCallTrappedIsDiscardedNotReset(ExecutionMode mode) {
        Plugin fresh = tracer(mode, InstanceMode.FRESH);
        long[] clean = probe(fresh);
        long before = fresh.instantiations();
        assertThrows(PluginException.class, () -> fresh.call("scribble_and_trap", NONE));
        assertArrayEquals(clean, probe(fresh));
        assertEquals(before + 1, fresh.instantiations(), "the trapped instance was replaced by a new one");
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"COMPILED", "INTERPRETED"})
    void theMemoryAccountIsRestoredWithTheMemory(ExecutionMode mode) {
        Plugin fresh = tracer(mode, InstanceMode.FRESH);
        long first = fresh.call("probe", NONE).stats().memoryHighWaterBytes();
        fresh.call("scribble_and_grow", NONE);
        assertEquals(first, fresh.call("probe", NONE).stats().memoryHighWaterBytes(),
                "the grown pages and the var are no longer counted");
        assertEquals(1, fresh.instantiations());
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"COMPILED", "INTERPRETED"})
    void pagesGrownAgainAfterAResetAreZero(ExecutionMode mode) {
        Plugin fresh = tracer(mode, InstanceMode.FRESH);
        fresh.call("scribble_and_grow", NONE); // wrote 0x96 at 140000, in a grown page
        assertEquals(0, ByteBuffer.wrap(fresh.call("regrow", NONE).output()).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals(1, fresh.instantiations());
        Plugin pooled = tracer(mode, InstanceMode.POOLED);
        pooled.call("scribble_and_grow", NONE);
        assertEquals(0x96, ByteBuffer.wrap(pooled.call("regrow", NONE).output()).order(ByteOrder.LITTLE_ENDIAN).getLong(),
                "pooled: the grown page keeps what the call wrote");
    }

    @org.junit.jupiter.api.Test
    void concurrentCallsNeverSeeEachOthersTraces() throws Exception {
        Plugin fresh = ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("tracer", TRACER))
                .policy(PluginPolicy.builder().mode(ExecutionMode.COMPILED).poolSize(4).build()).build());
        long[] clean = probe(fresh);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        fresh.call(i % 2 == 0 ? "scribble" : "scribble_and_grow", NONE);
                        assertArrayEquals(clean, probe(fresh));
                    }
                    return null;
                }));
            }
            for (var f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        // Four threads never hold more than four instances, and pool-size 4 keeps them all.
        assertTrue(fresh.instantiations() <= 4, "1,600 calls on at most 4 reset instances: " + fresh.instantiations());
    }
}
