package dev.graft.host.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Metering a module compiled from ordinary C (qsort through a function-pointer table, printf with
 * doubles, an f32 function, i64 recursion, a switch): the same output as unmetered, and the same fuel
 * in both execution modes.
 */
class MeteredRealWorldModuleTest {

    private static byte[] module() throws IOException {
        try (InputStream in = MeteredRealWorldModuleTest.class.getResourceAsStream("/realworld/qsort-report.wasm")) {
            return in.readAllBytes();
        }
    }

    private static CommandResult run(byte[] wasm, ExecutionMode mode, long fuel) {
        PluginPolicy policy = PluginPolicy.builder().mode(mode).fuel(fuel).timeout(Duration.ofSeconds(60))
                .capabilities(Capabilities.builder().wasi(true).build()).build();
        Plugin plugin = GraftEngine.create().load(PluginSpec.builder(PluginSource.ofBytes("qsort-report", wasm))
                .policy(policy).build());
        return plugin.runCommand(List.of("qsort-report", "60"), Map.of(), new byte[0]);
    }

    @Test
    void meteredRunsPrintWhatUnmeteredRunsPrintAndBothModesAgreeOnFuel() throws IOException {
        byte[] wasm = module();
        CommandResult plain = run(wasm, ExecutionMode.COMPILED, 0);
        assertEquals(0, plain.exitCode());
        assertTrue(plain.stdoutString().contains("fact(20) 2432902008176640000 halve 3.500"), plain.stdoutString());
        CommandResult compiled = run(wasm, ExecutionMode.COMPILED, PluginPolicy.DEFAULT_FUEL);
        CommandResult interpreted = run(wasm, ExecutionMode.INTERPRETED, PluginPolicy.DEFAULT_FUEL);
        assertEquals(plain.stdoutString(), compiled.stdoutString());
        assertEquals(plain.stdoutString(), interpreted.stdoutString());
        assertTrue(compiled.stats().fuelConsumed() > 100_000, "fuel " + compiled.stats().fuelConsumed());
        assertEquals(compiled.stats().fuelConsumed(), interpreted.stats().fuelConsumed());
    }
}
