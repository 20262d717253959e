package dev.graft.host.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wabt.Wat2Wasm;
import com.dylibso.chicory.wasm.Parser;
import dev.graft.api.policy.CostModel;
import dev.graft.host.metering.FuelMetering;
import dev.graft.host.source.PluginSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A function whose JVM bytecode is under HotSpot's 8,000-byte JIT limit unmetered and over it
 * metered: the check finds it in the metered module only, on a fresh compile and on a cache hit.
 */
class JitSizeCheckTest {

    /** One loop with 200 multiply-adds and 200 ifs: about 5,300 bytes of bytecode plain, 8,000+ metered. */
    static final byte[] BIG_LOOP = Wat2Wasm.parse(bigLoop(200));

    static String bigLoop(int steps) {
        StringBuilder body = new StringBuilder();
        for (int k = 0; k < steps; k++) {
            body.append("(local.set $a (i32.add (i32.mul (local.get $a) (i32.const ").append(31 + k)
                    .append(")) (local.get $i)))\n")
                    .append("(if (i32.lt_u (local.get $a) (i32.const ").append(1000 + k)
                    .append(")) (then (local.set $b (i32.add (local.get $b) (i32.const 1)))))\n");
        }
        return "(module (func (export \"big\") (param $n i32) (result i32) (local $i i32) (local $a i32) (local $b i32)\n"
                + "(block $done (loop $next (br_if $done (i32.ge_u (local.get $i) (local.get $n)))\n" + body
                + "(local.set $i (i32.add (local.get $i) (i32.const 1))) (br $next)))\n"
                + "(i32.add (local.get $a) (local.get $b))))";
    }

    private static List<JitSizeCheck.Oversized> compile(byte[] wasm, Cache delegate) {
        JitSizeCheck check = JitSizeCheck.always(delegate);
        MachineFactoryCompiler.builder(Parser.parse(wasm)).withCache(check).compile();
        return check.found();
    }

    @Test
    void findsTheFunctionThatMeteringPushesOverTheLimit() {
        assertEquals(List.of(), compile(BIG_LOOP, null), "unmetered, the function fits the JIT's limit");

        List<JitSizeCheck.Oversized> found = compile(FuelMetering.instrument(BIG_LOOP, CostModel.defaults()), null);
        assertEquals(1, found.size(), found.toString());
        assertEquals(0, found.get(0).function(), "the only defined function, index 0");
        assertTrue(found.get(0).bytecodeBytes() > JitSizeCheck.HUGE_METHOD_LIMIT, found.toString());
        assertTrue(found.get(0).bytecodeBytes() < 2 * JitSizeCheck.HUGE_METHOD_LIMIT, found.toString());
    }

    @Test
    void checksACacheHitAndPassesEntriesThrough() {
        Map<String, byte[]> entries = new HashMap<>();
        Cache memory = new Cache() {
            @Override
            public byte[] get(String key) {
                return entries.get(key);
            }

            @Override
            public void putIfAbsent(String key, byte[] data) {
                entries.putIfAbsent(key, data);
            }
        };
        byte[] metered = FuelMetering.instrument(BIG_LOOP, CostModel.defaults());
        List<JitSizeCheck.Oversized> compiled = compile(metered, memory);
        assertEquals(1, entries.size(), "the compiled classes reached the real cache");
        List<JitSizeCheck.Oversized> fromCache = compile(metered, memory);
        assertEquals(compiled, fromCache);
        assertEquals(1, fromCache.size());
    }

    @Test
    void anUnreadableJarIsNoFinding() {
        assertEquals(List.of(), JitSizeCheck.oversized(new byte[] {'P', 'K', 3, 4, 0, 0}));
        assertEquals(List.of(), JitSizeCheck.oversized("not a jar".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    @Test
    void aPluginWithAnOversizedFunctionStillLoads() {
        // Under the default -XX:+DontCompileHugeMethods this load logs the warning; either way it succeeds.
        Plugin plugin = GraftEngine.create().load(PluginSpec.builder(PluginSource.ofBytes("big-loop", BIG_LOOP)).build());
        assertTrue(plugin.policy().fuel() > 0);
        assertTrue(plugin.exports().contains("big"), plugin.exports().toString());
    }
}
