package dev.graft.host.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.CallResult;
import dev.graft.host.engine.CallStats;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fuel through the engine: every infinite loop of the hostile suite stops by fuel with no useful
 * timeout, fuel figures are exact and equal in both modes, host calls are charged, budgets scale.
 */
class FuelLimitTest extends HostileTestBase {

    /** A timeout far beyond the test's patience: only fuel can stop these calls. */
    static final Duration NO_TIMEOUT = Duration.ofMinutes(10);
    static final byte[] NO_INPUT = new byte[0];

    static PluginPolicy.Builder fuel(ExecutionMode mode, long fuel) {
        return PluginPolicy.builder().mode(mode).timeout(NO_TIMEOUT).fuel(fuel);
    }

    static Plugin load(String id, String fixture, PluginPolicy policy) {
        return ENGINE.load(PluginSpec.builder(Fixtures.source(id, fixture)).policy(policy)
                .hostFunction("ping", (p, in) -> new byte[0]).build());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void infiniteLoopsStopByFuel(ExecutionMode mode) {
        Plugin loop = load("hostile-loop", "loop", fuel(mode, 1_000_000).build());
        for (String export : List.of("spin", "spin_br_if")) {
            PluginFuelExhaustedException e = assertRefusal(PluginFuelExhaustedException.class, "hostile-loop",
                    () -> loop.call(export, NO_INPUT), "'" + export + "'", "fuel budget of 1000000");
            assertEquals(1_000_000, e.budget());
            assertTrue(e.consumed() > 1_000_000, "consumed " + e.consumed());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void loopsOfHostCallsStopByFuelAndPayForEveryCall(ExecutionMode mode) {
        Plugin p = load("hostile-host-loop", "host_loop", fuel(mode, 100_000)
                .capabilities(Capabilities.builder().hostFunction("ping").build()).build());
        for (String export : List.of("spin_kernel", "spin_host")) {
            assertRefusal(PluginFuelExhaustedException.class, "hostile-host-loop", () -> p.call(export, NO_INPUT),
                    "fuel budget of 100000");
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void startFunctionThatLoopsIsRefusedByFuelAtLoad(ExecutionMode mode) {
        PluginLoadException e = assertRefusal(PluginLoadException.class, "hostile-start",
                () -> load("hostile-start", "start_loop", fuel(mode, 50_000).build()), "instantiation", "fuel");
        assertEquals(PluginFuelExhaustedException.class, e.getCause().getClass());
    }

    @Test
    void fuelFiguresAreExactAndEqualInBothModes() {
        byte[] hello = Fixtures.hello();
        byte[] input = "Hello, World".getBytes(StandardCharsets.UTF_8);
        long[] consumed = new long[ExecutionMode.values().length];
        for (ExecutionMode mode : ExecutionMode.values()) {
            Plugin p = ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("hello", hello))
                    .policy(PluginPolicy.builder().mode(mode).build()).build());
            CallResult r = p.call("count_vowels", input);
            assertEquals("{\"count\":3,\"total\":3,\"vowels\":\"aeiouAEIOU\"}", r.outputString());
            consumed[mode.ordinal()] = r.stats().fuelConsumed();
            // The same call again on a fresh instance consumes exactly the same.
            assertEquals(consumed[mode.ordinal()], p.call("count_vowels", input).stats().fuelConsumed());
        }
        assertEquals(31_009, consumed[0]);
        for (long each : consumed) {
            assertEquals(consumed[0], each);
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void hostCallsAreChargedByTheCostModel(ExecutionMode mode) {
        byte[] input = "0123456789".getBytes(StandardCharsets.UTF_8);
        CostModel free = CostModel.defaults().withHostCallFixed(0).withHostCallPerByte(0);
        long instructions = echoFuel(mode, free, input);
        long normal = echoFuel(mode, CostModel.defaults(), input);
        long tenfold = echoFuel(mode, CostModel.defaults().withHostCallFixed(1_000).withHostCallPerByte(10), input);
        assertTrue(normal > instructions, "host calls must cost fuel: " + instructions + " vs " + normal);
        // Host-call charges are fixed × calls + per-byte × bytes: ten times the weights, ten times the charge.
        assertEquals(10 * (normal - instructions), tenfold - instructions);
    }

    private static long echoFuel(ExecutionMode mode, CostModel costs, byte[] input) {
        Plugin p = load("host-cost", "healthy", fuel(mode, 1_000_000).fuelCosts(costs).build());
        CallResult r = p.call("echo", input);
        assertEquals(new String(input, StandardCharsets.UTF_8), r.outputString());
        return r.stats().fuelConsumed();
    }

    @Test
    void pooledInstancesGetAFullBudgetEveryCall() {
        Plugin p = load("pooled-fuel", "healthy", fuel(ExecutionMode.COMPILED, 1_000_000)
                .instances(InstanceMode.POOLED).poolSize(1).build());
        long first = p.call("echo", "abc".getBytes()).stats().fuelConsumed();
        for (int i = 0; i < 5; i++) {
            assertEquals(first, p.call("echo", "abc".getBytes()).stats().fuelConsumed());
        }
        assertEquals(first, CallStats.lastOnThisThread().orElseThrow().fuelConsumed());
    }

    record Calc(int a, int b) {
    }

    @ExtensionPoint(id = "echo-calc")
    interface EchoCalc {
        @Export("echo")
        Calc echo(Calc c);
    }

    @Test
    void fuelBudgetHookScalesTheBudgetWithTheArgument() {
        PluginSpec.Builder spec = PluginSpec.builder(Fixtures.source("scaled", "healthy"))
                .policy(fuel(ExecutionMode.COMPILED, 50).build()).extensionPoint(EchoCalc.class);
        EchoCalc tight = ENGINE.load(spec.build()).extension(EchoCalc.class);
        assertRefusal(PluginFuelExhaustedException.class, "scaled", () -> tight.echo(new Calc(1, 2)), "fuel budget of 50");

        EchoCalc scaled = ENGINE.load(spec.fuelBudget(EchoCalc.class, (Calc c, long base) -> base + 100_000L * (c.a() + 1))
                .build()).extension(EchoCalc.class);
        assertEquals(new Calc(1, 2), scaled.echo(new Calc(1, 2)));
        assertTrue(CallStats.lastOnThisThread().orElseThrow().fuelConsumed() > 50);
    }

    @Test
    void aFuelBudgetForAnotherArgumentTypeIsRefusedNamingTheTypesNotARawClassCastException() {
        PluginSpec.Builder spec = PluginSpec.builder(Fixtures.source("mistyped", "healthy"))
                .policy(fuel(ExecutionMode.COMPILED, 1_000_000).build()).extensionPoint(EchoCalc.class)
                .fuelBudget(EchoCalc.class, (String text, long base) -> base + text.length());   // EchoCalc takes a Calc
        EchoCalc mistyped = ENGINE.load(spec.build()).extension(EchoCalc.class);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> mistyped.echo(new Calc(1, 2)));
        assertTrue(e.getMessage().contains("FuelBudget registered for extension point 'echo-calc'"), e.getMessage());
        assertTrue(e.getMessage().contains("plugin 'mistyped'"), e.getMessage());
        assertTrue(e.getMessage().contains("argument of echo, a " + Calc.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("FuelBudget<Calc>"), e.getMessage());
        assertTrue(e.getCause() instanceof ClassCastException);

        EchoCalc nonPositive = ENGINE.load(PluginSpec.builder(Fixtures.source("zero-budget", "healthy"))
                .policy(fuel(ExecutionMode.COMPILED, 1_000_000).build()).extensionPoint(EchoCalc.class)
                .fuelBudget(EchoCalc.class, (Calc c, long base) -> 0L).build()).extension(EchoCalc.class);
        IllegalArgumentException zero = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> nonPositive.echo(new Calc(1, 2)));
        assertTrue(zero.getMessage().contains("gave 0 fuel for echo; a budget must be positive"), zero.getMessage());
    }

    @Test
    void unmeteredPluginsReportNoFuel() {
        Plugin p = load("unmetered", "healthy", fuel(ExecutionMode.COMPILED, 0).build());
        assertEquals(-1, p.call("echo", "x".getBytes()).stats().fuelConsumed());
    }
}
