package dev.graft.host.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginTrapException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Plugins that lean on the Extism kernel's semantics (fixture {@code kernel.wat}): the output is read
 * when the export returns, freed blocks are reused so churn runs in bounded memory, an output range
 * outside the kernel is refused, and a log flood costs the host's log at most {@code max-log-bytes}.
 */
class HostileKernelTest extends HostileTestBase {

    private static final byte[] NO_INPUT = new byte[0];

    private static Plugin load(String id, PluginPolicy policy) {
        return ENGINE.load(PluginSpec.builder(Fixtures.source(id, "kernel")).policy(policy).build());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void outputSetBeforeTheBytesAreWrittenReturnsTheBytes(ExecutionMode mode) {
        Plugin p = load("hostile-kernel", PluginPolicy.builder().mode(mode).build());
        byte[] input = "written after output_set".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(input, p.call("late_echo", input).output());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void anOutputRangeOutsideTheKernelIsRefused(ExecutionMode mode) {
        Plugin p = load("hostile-kernel", PluginPolicy.builder().mode(mode).build());
        assertRefusal(PluginTrapException.class, "hostile-kernel", () -> p.call("past_the_end", NO_INPUT),
                "'past_the_end'", "65536 bytes", "outside the kernel's blocks", "refused, not read");
        assertRefusal(PluginTrapException.class, "hostile-kernel", () -> p.call("far_away", NO_INPUT),
                "'far_away'", "offset " + (1L << 40), "refused, not read");
        assertRefusal(PluginTrapException.class, "hostile-kernel", () -> p.call("reset_after_set", NO_INPUT),
                "'reset_after_set'", "outside the kernel's blocks");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void allocFreeChurnInMixedOrderRunsInBoundedMemory(ExecutionMode mode) {
        // 5,000 rounds of 64 KiB would be 320 MiB if freed blocks were not reused.
        Plugin p = load("hostile-churn", PluginPolicy.builder().mode(mode).maxMemoryBytes(1 << 20).build());
        assertArrayEquals(NO_INPUT, p.call("churn", NO_INPUT).output());
        assertArrayEquals(NO_INPUT, p.call("churn", NO_INPUT).output(), "and again");
    }

    /** The lines the plugin's logger wrote (slf4j-simple writes to System.err in tests) during the call. */
    private static List<String> logLines(String pluginId, Runnable call) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            call.run();
        } finally {
            System.setErr(original);
        }
        return Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\n"))
                .filter(l -> l.contains("graft.plugin." + pluginId + " ")).toList();
    }

    @Test
    void aLogFloodWritesAtMostMaxLogBytesAndOneNotice() {
        Plugin p = load("hostile-log", PluginPolicy.defaults());
        List<String> lines = logLines("hostile-log", () -> p.call("log_flood", NO_INPUT));
        List<String> written = lines.stream().filter(l -> l.contains("xxxxxxxx")).toList();
        long writtenBytes = written.stream().mapToLong(l -> l.chars().filter(c -> c == 'x').count()).sum();
        // Each line is cut to its first 4 KiB, so 16 of 200 fit in the default 64 KiB.
        assertEquals(16, written.size(), "lines written");
        assertTrue(writtenBytes <= 64 * 1024, "bytes of log lines written: " + writtenBytes);
        List<String> notices = lines.stream().filter(l -> l.contains("max-log-bytes")).toList();
        assertEquals(1, notices.size(), "one notice: " + notices);
        String notice = notices.get(0);
        for (String mention : List.of("'hostile-log'", "65536 bytes per call", "'log_flood'", "184 log line(s)",
                (184L << 20) + " bytes")) {
            assertTrue(notice.contains(mention), "notice names " + mention + ": " + notice);
        }
        assertEquals(17, lines.size(), "nothing else was written: " + lines.size());
    }

    @Test
    void aStdoutFloodCountsAgainstTheSameBudget() {
        PluginPolicy policy = PluginPolicy.builder().maxLogBytes(10_000)
                .capabilities(Capabilities.builder().wasi(true).stdout(true).build()).build();
        Plugin p = ENGINE.load(PluginSpec.builder(Fixtures.source("hostile-print", "print_flood")).policy(policy).build());
        List<String> lines = logLines("hostile-print", () -> p.call("print_flood", NO_INPUT));
        assertEquals(2, lines.stream().filter(l -> l.contains("yyyyyyyy")).count(), "two 4 KiB lines fit in 10,000 bytes");
        List<String> notices = lines.stream().filter(l -> l.contains("max-log-bytes")).toList();
        assertEquals(1, notices.size(), "one notice: " + notices);
        assertTrue(notices.get(0).contains("98 log line(s)"), notices.get(0));
        assertEquals(3, lines.size());
    }
}
