package dev.graft.host.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginCallException;
import dev.graft.api.PluginException;
import dev.graft.host.source.PluginSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallListenerTest {

    record Seen(String plugin, String export, CallOutcome outcome, CallStats stats, PluginException failure) {
    }

    @Test
    void listenersSeeEveryCallWithItsOutcomeAndCost() {
        GraftEngine engine = GraftEngine.create();
        List<Seen> seen = new ArrayList<>();
        engine.addCallListener((id, export, outcome, stats, failure) -> seen.add(new Seen(id, export, outcome, stats, failure)));
        engine.addCallListener((id, export, outcome, stats, failure) -> {
            throw new IllegalStateException("a broken listener must not break the call");
        });
        Plugin hello = engine.load(PluginSpec.of(PluginSource.ofFile(ExtismCompatibilityTest.HELLO)));
        assertEquals("hi", hello.call("echo", "hi".getBytes(StandardCharsets.UTF_8)).outputString());
        assertThrows(PluginCallException.class, () -> hello.call("fail", new byte[0]));

        assertEquals(2, seen.size());
        Seen ok = seen.get(0);
        assertEquals("hello", ok.plugin());
        assertEquals("echo", ok.export());
        assertEquals(CallOutcome.OK, ok.outcome());
        assertTrue(ok.stats().fuelConsumed() > 0 && ok.stats().elapsedNanos() > 0);
        assertNull(ok.failure());
        Seen failed = seen.get(1);
        assertEquals(CallOutcome.ERROR, failed.outcome());
        assertTrue(failed.failure() instanceof PluginCallException);
    }
}
