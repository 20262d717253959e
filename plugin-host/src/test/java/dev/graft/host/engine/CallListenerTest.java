package dev.graft.host.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
        assertEquals(hello.sha256(), ok.stats().sha256(), "the stats name the module that ran the call");
        assertNull(ok.failure());
        Seen failed = seen.get(1);
        assertEquals(CallOutcome.ERROR, failed.outcome());
        assertTrue(failed.failure() instanceof PluginCallException);
        assertEquals(hello.sha256(), failed.stats().sha256());
    }

    @Test
    void callsRefusedBeforeTheyStartAreReportedToo() {
        GraftEngine engine = GraftEngine.create();
        List<Seen> seen = new ArrayList<>();
        engine.addCallListener((id, export, outcome, stats, failure) -> seen.add(new Seen(id, export, outcome, stats, failure)));
        Plugin hello = engine.load(PluginSpec.builder(PluginSource.ofFile(ExtismCompatibilityTest.HELLO))
                .policy(dev.graft.api.policy.PluginPolicy.builder().maxInputBytes(4).build()).build());

        PluginException tooLarge = assertThrows(dev.graft.api.PluginPayloadException.class,
                () -> hello.call("echo", "12345".getBytes(StandardCharsets.UTF_8)));
        PluginException missing = assertThrows(PluginCallException.class, () -> hello.call("no_such_export", new byte[0]));
        assertThrows(PluginCallException.class, () -> hello.runCommand(List.of("hello"), java.util.Map.of(), new byte[0]));

        assertEquals(3, seen.size(), seen.toString());
        assertEquals(CallOutcome.PAYLOAD, seen.get(0).outcome());
        assertSame(tooLarge, seen.get(0).failure());
        assertEquals("echo", seen.get(0).export());
        assertEquals(new CallStats(0, -1, -1, hello.sha256()), seen.get(0).stats(), "nothing was spent");
        assertEquals(CallOutcome.ERROR, seen.get(1).outcome());
        assertSame(missing, seen.get(1).failure());
        assertEquals("no_such_export", seen.get(1).export());
        assertEquals("_start", seen.get(2).export());
    }
}
