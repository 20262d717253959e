package dev.graft.host.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.source.PluginSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiered execution: a plugin serves calls in the interpreter while it compiles in the background, and
 * the compiled code takes over between calls without changing outputs or fuel. The compile runs on an
 * executor the test controls, so "a call never waits for the compile" is shown by order, not timing.
 */
class TieredExecutionTest {

    static final Path HELLO = ExtismCompatibilityTest.HELLO;

    static Plugin load(GraftEngine engine, PluginPolicy policy) {
        return engine.load(PluginSpec.builder(PluginSource.ofFile(HELLO)).policy(policy).build());
    }

    static CallResult call(Plugin plugin, String input) {
        return plugin.call("count_vowels", input.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tieredIsTheDefaultMode() {
        assertEquals(ExecutionMode.TIERED, PluginPolicy.defaults().mode());
        assertEquals(1, GraftEngine.create().compilerThreads(), "one background compiler thread by default");
    }

    @Test
    void servesCallsBeforeTheCompileRunsAndSwitchesWithSameOutputAndFuel() {
        List<Runnable> compiles = new ArrayList<>();
        GraftEngine engine = GraftEngine.builder().compilerExecutor(compiles::add).build();
        Plugin plugin = load(engine, PluginPolicy.defaults());

        assertEquals(ExecutionMode.INTERPRETED, plugin.executionTier());
        assertEquals(1, compiles.size(), "the compile is queued, not run by the load");
        CallResult interpreted = call(plugin, "Hello, World! Zoë");
        CallResult interpretedAgain = call(plugin, "aeiou and more");
        assertEquals(1, compiles.size());
        assertEquals(ExecutionMode.INTERPRETED, plugin.executionTier(), "the calls did not wait for (or run) the compile");

        compiles.forEach(Runnable::run);

        assertEquals(ExecutionMode.COMPILED, plugin.executionTier());
        CallResult compiled = call(plugin, "Hello, World! Zoë");
        CallResult compiledAgain = call(plugin, "aeiou and more");
        assertArrayEquals(interpreted.output(), compiled.output());
        assertArrayEquals(interpretedAgain.output(), compiledAgain.output());
        assertTrue(interpreted.stats().fuelConsumed() > 0);
        assertEquals(interpreted.stats().fuelConsumed(), compiled.stats().fuelConsumed(), "fuel is the same in both tiers");
        assertEquals(interpretedAgain.stats().fuelConsumed(), compiledAgain.stats().fuelConsumed());
        assertEquals(1, engine.cachedModuleCount(), "the tiered module is promoted in place, not duplicated");
    }

    @Test
    void aSecondPluginWithTheSameBytesSharesTheBackgroundCompile() {
        List<Runnable> compiles = new ArrayList<>();
        GraftEngine engine = GraftEngine.builder().compilerExecutor(compiles::add).build();
        Plugin first = load(engine, PluginPolicy.defaults());
        Plugin second = load(engine, PluginPolicy.defaults());
        assertEquals(1, compiles.size(), "one compile per module, not per plugin");
        compiles.forEach(Runnable::run);
        assertEquals(ExecutionMode.COMPILED, first.executionTier());
        assertEquals(ExecutionMode.COMPILED, second.executionTier());
    }

    @Test
    void pooledInterpretedInstancesAreReplacedWhenTheyComeBack() {
        List<Runnable> compiles = new ArrayList<>();
        GraftEngine engine = GraftEngine.builder().compilerExecutor(compiles::add).build();
        Plugin plugin = load(engine, PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(1).build());
        // count_vowels keeps a running total in a var, which shows which instance served a call.
        assertTrue(call(plugin, "aaa").outputString().contains("\"total\":3"));
        compiles.forEach(Runnable::run);
        assertTrue(call(plugin, "ee").outputString().contains("\"total\":5"),
                "the idle interpreted instance still serves the call it is handed for");
        assertTrue(call(plugin, "i").outputString().contains("\"total\":1"),
                "then it is dropped on release and a compiled instance replaces it");
        assertTrue(call(plugin, "o").outputString().contains("\"total\":2"), "and the compiled one stays pooled");
    }

    @Test
    void aCallRunsWhileTheCompileIsHeldBackOnARealThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch compiled = new CountDownLatch(1);
        GraftEngine engine = GraftEngine.builder().compilerExecutor(task -> {
            Thread thread = new Thread(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    return;
                }
                task.run();
                compiled.countDown();
            });
            thread.setDaemon(true);
            thread.start();
        }).build();
        Plugin plugin = load(engine, PluginPolicy.defaults());
        String expected = "{\"count\":4,\"total\":4,\"vowels\":\"aeiouAEIOU\"}";
        assertEquals(expected, call(plugin, "Hello, World! Zoë").outputString());
        assertEquals(ExecutionMode.INTERPRETED, plugin.executionTier());
        release.countDown();
        assertTrue(compiled.await(60, TimeUnit.SECONDS));
        assertEquals(ExecutionMode.COMPILED, plugin.executionTier());
        assertEquals(expected, call(plugin, "Hello, World! Zoë").outputString());
    }

    @Test
    void theEnginesOwnCompilerThreadCompilesInTheBackground() throws Exception {
        Plugin plugin = load(GraftEngine.create(), PluginPolicy.defaults());
        assertEquals("{\"count\":1,\"total\":1,\"vowels\":\"aeiouAEIOU\"}", call(plugin, "a").outputString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (plugin.executionTier() != ExecutionMode.COMPILED && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(ExecutionMode.COMPILED, plugin.executionTier());
        assertEquals("{\"count\":1,\"total\":1,\"vowels\":\"aeiouAEIOU\"}", call(plugin, "a").outputString());
    }

    @Test
    void aFailedBackgroundCompileLeavesThePluginInterpreted() {
        // The compile's waiting thread is interrupted, so CompileDeadline gives up: a compile failure.
        GraftEngine engine = GraftEngine.builder().compilerExecutor(task -> {
            Thread.currentThread().interrupt();
            try {
                task.run();
            } finally {
                Thread.interrupted();
            }
        }).build();
        Plugin plugin = load(engine, PluginPolicy.defaults());
        assertEquals(ExecutionMode.INTERPRETED, plugin.executionTier());
        assertEquals("{\"count\":2,\"total\":2,\"vowels\":\"aeiouAEIOU\"}", call(plugin, "ae").outputString());
    }

    @Test
    void aPersistedCompileStartsCompiledAtOnce(@TempDir Path dir) {
        load(GraftEngine.withCompileCache(dir), PluginPolicy.builder().mode(ExecutionMode.COMPILED).build());
        List<Runnable> compiles = new ArrayList<>();
        GraftEngine restarted = GraftEngine.builder().compileCache(dir).compilerExecutor(compiles::add).build();
        Plugin plugin = load(restarted, PluginPolicy.defaults());
        assertEquals(ExecutionMode.COMPILED, plugin.executionTier());
        assertTrue(compiles.isEmpty(), "nothing left to compile");
    }

    @Test
    void compiledAndInterpretedStaySelectable() {
        List<Runnable> compiles = new ArrayList<>();
        GraftEngine engine = GraftEngine.builder().compilerExecutor(compiles::add).build();
        assertEquals(ExecutionMode.COMPILED,
                load(engine, PluginPolicy.builder().mode(ExecutionMode.COMPILED).build()).executionTier());
        assertEquals(ExecutionMode.INTERPRETED,
                load(engine, PluginPolicy.builder().mode(ExecutionMode.INTERPRETED).build()).executionTier());
        assertTrue(compiles.isEmpty());
    }

    @Test
    void aFreshModeInstanceKeptFromTheInterpreterIsDroppedAfterTheSwitch() {
        List<Runnable> compiles = new ArrayList<>();
        GraftEngine engine = GraftEngine.builder().compilerExecutor(compiles::add).build();
        Plugin plugin = load(engine, PluginPolicy.builder().instances(InstanceMode.FRESH).poolSize(1).build());
        call(plugin, "a");
        assertEquals(1, plugin.instantiations(), "the trial instance, reset, served the call");
        compiles.forEach(Runnable::run);
        call(plugin, "e"); // still the interpreted instance, dropped when it comes back
        assertEquals(1, plugin.instantiations());
        call(plugin, "i");
        assertEquals(2, plugin.instantiations(), "a compiled instance replaced it");
        assertEquals("{\"count\":1,\"total\":1,\"vowels\":\"aeiouAEIOU\"}", call(plugin, "o").outputString());
        assertEquals(2, plugin.instantiations(), "and is reset and kept from then on");
    }
}
