package dev.graft.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The component probes compare like with like: the component and the Extism plugin answer the same
 * adjustments for every line tier, and the canonical ABI and the JSON codec carry the same values (the probes
 * refuse to time anything otherwise). One short round each; speed is not judged here.
 */
class ComponentProbeTest {

    @Test
    void theComponentAndTheExtismRuleAnswerAlikeAndThePairedCallRuns() {
        List<String> lines = ComponentProbe.call(1, 1, 0);
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).startsWith("component-call extismUs="), lines.get(0));
        assertTrue(lines.get(0).contains("component/extism="), lines.get(0));
    }

    @Test
    void theCanonicalAbiAndTheCodecCarryTheSameValues() throws Exception {
        List<String> lines = ComponentProbe.abi(1, 1, 0);
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("component-abi jsonNs="), lines.get(0));
        assertTrue(lines.get(1).startsWith("component-abi-in "), lines.get(1));
        assertTrue(lines.get(2).startsWith("component-abi-out "), lines.get(2));
    }
}
