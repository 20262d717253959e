package dev.graft.host.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Typed extension points over a plugin that echoes its JSON input. */
class TypedBindingTest {

    static final byte[] ECHO = Wat2Wasm.parse("""
            (module
              (import "extism:host/env" "input_length" (func $input_length (result i64)))
              (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
              (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
              (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
              (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
              (func $echo (export "round_trip") (result i32)
                (local $n i64) (local $i i64) (local $buf i64)
                (local.set $n (call $input_length))
                (local.set $buf (call $alloc (local.get $n)))
                (block $done
                  (loop $copy
                    (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
                    (call $store_u8 (i64.add (local.get $buf) (local.get $i)) (call $input_load_u8 (local.get $i)))
                    (local.set $i (i64.add (local.get $i) (i64.const 1)))
                    (br $copy)))
                (call $output_set (local.get $buf) (local.get $n))
                (i32.const 0))
              (export "same" (func $echo)))
            """);

    record Money(String currency, BigDecimal amount) {
    }

    record Line(String sku, int quantity, List<Money> prices) {
    }

    @ExtensionPoint(id = "echo", version = "2")
    interface Echo {
        @Export("round_trip")
        Line roundTrip(Line line);

        List<Money> same(List<Money> prices);

        default String describe() {
            return "echo";
        }
    }

    @ExtensionPoint(id = "needs-more")
    interface NeedsMore {
        void missing();
    }

    static final GraftEngine ENGINE = GraftEngine.create();

    static Plugin load(PluginPolicy policy) {
        return ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("echo", ECHO)).policy(policy)
                .extensionPoint(Echo.class).build());
    }

    @Test
    void bigDecimalMoneySurvivesExactly() {
        Echo echo = load(PluginPolicy.defaults()).extension(Echo.class);
        List<Money> prices = List.of(new Money("EUR", new BigDecimal("0.10")),
                new Money("EUR", new BigDecimal("12345678901234567890.123456789")),
                new Money("JPY", new BigDecimal("1E+3")));
        Line back = echo.roundTrip(new Line("SKU-1", 3, prices));
        assertEquals(new BigDecimal("0.10"), back.prices().get(0).amount());
        assertEquals("0.10", back.prices().get(0).amount().toPlainString());
        assertEquals(new BigDecimal("12345678901234567890.123456789"), back.prices().get(1).amount());
        assertEquals(0, new BigDecimal("1000").compareTo(back.prices().get(2).amount()));
        assertEquals(prices.subList(0, 2), echo.same(prices).subList(0, 2));
        assertEquals("echo", echo.describe());
    }

    @Test
    void missingExportIsRefusedAtLoadAndAtBind() {
        PluginLoadException atLoad = assertThrows(PluginLoadException.class, () -> ENGINE.load(
                PluginSpec.builder(PluginSource.ofBytes("echo", ECHO)).extensionPoint(NeedsMore.class).build()));
        assertTrue(atLoad.getMessage().contains("'needs-more'") && atLoad.getMessage().contains("'missing'"),
                atLoad.getMessage());
        assertTrue(atLoad.getMessage().endsWith("the module exports [round_trip, same]"), atLoad.getMessage());
        Plugin plugin = load(PluginPolicy.defaults());
        assertThrows(PluginLoadException.class, () -> plugin.extension(NeedsMore.class));
        dev.graft.api.PluginCallException atCall = assertThrows(dev.graft.api.PluginCallException.class,
                () -> plugin.call("missing", new byte[0]));
        assertTrue(atCall.getMessage().contains("no export named 'missing'; it exports [round_trip, same]"),
                atCall.getMessage());
    }

    @Test
    void interfaceWithoutAnnotationIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> load(PluginPolicy.defaults()).extension(Runnable.class));
    }

    @Test
    void proxyIsSafeFromManyThreadsWithAPoolSmallerThanTheThreads() throws Exception {
        Plugin plugin = load(PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2).build());
        Echo echo = plugin.extension(Echo.class);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                results.add(threads.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        Line line = new Line("T" + thread + "-" + i, i,
                                List.of(new Money("EUR", new BigDecimal(i + ".0" + thread))));
                        if (!echo.roundTrip(line).equals(line)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get());
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void instancesNeverRecompile() {
        GraftEngine engine = GraftEngine.create();
        Plugin a = engine.load(PluginSpec.of(PluginSource.ofBytes("a", ECHO)));
        Plugin b = engine.load(PluginSpec.of(PluginSource.ofBytes("b", ECHO)));
        for (int i = 0; i < 50; i++) {
            a.call("round_trip", new byte[] {'1'});
            b.call("round_trip", new byte[] {'2'});
        }
        assertEquals(1, engine.cachedModuleCount());
        assertEquals(a.sha256(), b.sha256());
    }
}
