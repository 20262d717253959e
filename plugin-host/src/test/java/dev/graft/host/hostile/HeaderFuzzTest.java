package dev.graft.host.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.LoadLimits;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Mutates what real modules declare (section lengths, the counts that open sections, and LEB128
 * numbers inside sections: local counts, body sizes, data lengths, element counts, limits) and
 * loads each mutant. Every load must end in a plugin or a {@link PluginException} naming the plugin;
 * any other exception, any {@link Error} (an {@code OutOfMemoryError} above all) or a load still
 * running after 10 s fails the test with the seed and case number, which reproduce it with
 * {@code -Dgraft.headerfuzz.seed=S -Dgraft.headerfuzz.only=N}. Runs in the small-heap JVM with the
 * load bombs. Cases: {@code -Dgraft.headerfuzz.cases=N} (2,000 in {@code mvn verify}; 50,000 with
 * {@code -Pfuzz}).
 */
class HeaderFuzzTest {

    static final long SEED = Long.getLong("graft.headerfuzz.seed", 0x68656164L);
    static final int CASES = Integer.getInteger("graft.headerfuzz.cases", 2000);
    static final int ONLY = Integer.getInteger("graft.headerfuzz.only", -1);
    static final long HANG_SECONDS = 10;
    /** One case in this many is compiled; the rest run interpreted (the compile cost is not the point). */
    static final int COMPILED_EVERY = 25;

    static final long[] INTERESTING = {0, 1, 2, 3, 0x3F, 0x40, 0x7F, 0x80, 0xFF, 0x100, 0x3FFF, 0x4000, 50_000, 50_001,
        65_535, 65_536, 100_001, 1 << 20, 1 << 24, 0x7FFF_FFF0L, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFF0L, 0xFFFF_FFFFL};

    record Sample(String name, byte[] bytes) {
    }

    static List<Sample> corpus() {
        List<Sample> samples = new ArrayList<>();
        // The repository's own core modules (qsort-report among them): not the components, which have a parser
        // of their own, nor the toolchains' .wasm files under node_modules (SpiderMonkey builds of 12 MB that
        // need more than this suite's 256 MB heap to parse at all, mutated or not).
        try {
            for (Path p : dev.graft.host.loading.ModuleScanTest.realModules()) {
                samples.add(new Sample(p.getFileName().toString(), read(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String name : List.of("healthy", "traps", "witness", "big_output", "http")) {
            samples.add(new Sample(name, Fixtures.wasm(name)));
        }
        return samples;
    }

    @Test
    void mutatedHeadersEndInAPluginOrAPluginException() throws Exception {
        List<Sample> corpus = corpus();
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "graft-headerfuzz");
            t.setDaemon(true);
            return t;
        });
        List<String> failures = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        long start = System.nanoTime();
        int ran = 0;
        try {
            for (int c = 0; c < CASES && failures.size() < 20; c++) {
                if (ONLY >= 0 && c != ONLY) {
                    continue;
                }
                Random random = new Random(SEED * 1_000_003L + c);
                Sample sample = corpus.get(random.nextInt(corpus.size()));
                StringBuilder how = new StringBuilder(sample.name());
                byte[] mutant = sample.bytes();
                int rounds = 1 + (random.nextInt(4) == 0 ? 1 : 0);
                for (int i = 0; i < rounds; i++) {
                    mutant = mutate(mutant, random, how);
                }
                ExecutionMode mode = c % COMPILED_EVERY == 0 ? ExecutionMode.COMPILED : ExecutionMode.INTERPRETED;
                String where = "case " + c + " (seed " + SEED + ", " + mode + ", " + how + ")";
                String id = "hfuzz-" + c;
                byte[] bytes = mutant;
                Future<String> future = worker.submit(() -> load(id, bytes, mode));
                ran++;
                try {
                    outcomes.merge(future.get(HANG_SECONDS, TimeUnit.SECONDS), 1, Integer::sum);
                } catch (TimeoutException e) {
                    future.cancel(true);
                    failures.add(where + ": still loading after " + HANG_SECONDS + " s");
                    break;
                } catch (ExecutionException e) {
                    failures.add(where + ": " + HostileFuzzTest.describe(e.getCause()));
                }
            }
        } finally {
            worker.shutdownNow();
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("header fuzz: %d mutants in %,d ms (max heap %d MiB), seed %d: %s%n", ran, elapsedMs,
                Runtime.getRuntime().maxMemory() >> 20, SEED, outcomes);
        assertTrue(failures.isEmpty(), failures.size() + " mutants ended outside PluginException:\n"
                + String.join("\n", failures));
    }

    /** Loads one mutant; returns the outcome's label, or throws what escaped that is not a proper refusal. */
    static String load(String id, byte[] bytes, ExecutionMode mode) {
        PluginPolicy policy = PluginPolicy.builder().mode(mode).timeout(Duration.ofMillis(200))
                .maxMemoryBytes(4 << 20)
                .loadLimits(LoadLimits.builder().compileTimeout(Duration.ofSeconds(5)).build())
                .capabilities(Capabilities.builder().wasi(true).build())
                .build();
        try (Plugin plugin = GraftEngine.create().load(PluginSpec.builder(PluginSource.ofBytes(id, bytes))
                .policy(policy).build())) {
            return "loaded";
        } catch (PluginException e) {
            if (!id.equals(e.pluginId()) || !String.valueOf(e.getMessage()).contains("'" + id + "'")) {
                throw new IllegalStateException("exception does not name plugin " + id + ": " + e, e);
            }
            String m = String.valueOf(e.getMessage());
            return e.getClass().getSimpleName() + (m.contains("load budget exceeded") ? " (budget)"
                    : m.contains("not a valid Wasm module") ? " (malformed)" : "");
        } finally {
            if (Thread.interrupted()) {
                throw new IllegalStateException("the interrupt status leaked out of " + id);
            }
        }
    }

    // ---- mutations of declared numbers --------------------------------------------------------

    /** {start of the id byte, start of the size LEB, size LEB length, content start, content end}. */
    static List<int[]> sections(byte[] bytes) {
        List<int[]> sections = new ArrayList<>();
        int pos = 8;
        while (pos < bytes.length) {
            int idAt = pos++;
            int sizeAt = pos;
            long size = 0;
            int shift = 0;
            while (pos < bytes.length && shift < 35) {
                int b = bytes[pos++] & 0xFF;
                size |= (long) (b & 0x7F) << shift;
                shift += 7;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            long end = pos + size;
            if (end > bytes.length) {
                break;
            }
            sections.add(new int[] {idAt, sizeAt, pos - sizeAt, pos, (int) end});
            pos = (int) end;
        }
        return sections;
    }

    static byte[] mutate(byte[] bytes, Random random, StringBuilder how) {
        List<int[]> sections = sections(bytes);
        if (sections.isEmpty()) {
            how.append(" +flip");
            byte[] copy = bytes.clone();
            copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
            return copy;
        }
        int[] s = sections.get(random.nextInt(sections.size()));
        long value = random.nextInt(3) == 0 ? near(s, random) : INTERESTING[random.nextInt(INTERESTING.length)];
        how.append(" section ").append(bytes[s[0]]);
        int kind = random.nextInt(8);
        switch (kind) {
            case 6, 7 -> { // a local count in a function body, with the body's and the section's sizes made to fit
                int[] code = sections.stream().filter(c -> bytes[c[0]] == 10).findFirst().orElse(null);
                byte[] mutated = code == null ? null : mutateLocals(bytes, code, value, random);
                if (mutated != null) {
                    how.append(" local count=").append(value);
                    return mutated;
                }
                how.append(" size=").append(value);
                return replaceLeb(bytes, s[1], s[2], value, false);
            }
            case 0, 1 -> { // the section's size
                how.append(" size=").append(value).append(kind == 0 ? "" : " (padded)");
                return replaceLeb(bytes, s[1], s[2], value, kind == 1);
            }
            case 2 -> { // the count that opens the section
                if (s[4] <= s[3]) {
                    return replaceLeb(bytes, s[1], s[2], value, true);
                }
                how.append(" count=").append(value);
                return replaceLeb(bytes, s[3], lebLength(bytes, s[3], s[4]), value, true);
            }
            default -> { // some LEB128 inside: a local count, a body size, a data length, a limit, an index
                if (s[4] <= s[3]) {
                    return replaceLeb(bytes, s[1], s[2], value, false);
                }
                int at = s[3] + random.nextInt(s[4] - s[3]);
                // start at a LEB boundary: after a byte without the continuation bit
                while (at > s[3] && (bytes[at - 1] & 0x80) != 0) {
                    at--;
                }
                boolean padded = kind != 5;
                how.append(" leb@").append(at).append('=').append(value).append(padded ? " (padded)" : "");
                return replaceLeb(bytes, at, lebLength(bytes, at, s[4]), value, padded);
            }
        }
    }

    /**
     * Replaces the count of one local entry of one function body with {@code value}, and rewrites the
     * body's size and the code section's size so that the module stays well-formed around it. Null
     * when the code section cannot be walked.
     */
    static byte[] mutateLocals(byte[] bytes, int[] code, long value, Random random) {
        int[] pos = {code[3]};
        long bodies = readLeb(bytes, pos);
        if (bodies <= 0 || bodies > 100_000 || pos[0] >= code[4]) {
            return null;
        }
        int target = random.nextInt((int) bodies);
        for (int f = 0; f <= target; f++) {
            int sizeAt = pos[0];
            long size = readLeb(bytes, pos);
            int bodyStart = pos[0];
            if (size < 0 || bodyStart >= code[4] || bodyStart + size > code[4]) {
                return null;
            }
            if (f == target) {
                long entries = readLeb(bytes, pos);
                if (entries <= 0) {
                    return null;
                }
                int entry = random.nextInt((int) Math.min(entries, 1000));
                long bodyEnd = bodyStart + size;
                for (int e = 0; e < entry && pos[0] < bodyEnd; e++) {
                    readLeb(bytes, pos);
                    pos[0]++; // value type (single byte for numeric types)
                }
                int countAt = pos[0];
                if (countAt >= bodyEnd || readLeb(bytes, pos) < 0 || pos[0] > bodyEnd) {
                    return null; // an earlier mutation left this body unwalkable
                }
                byte[] mutated = replaceLeb(bytes, countAt, pos[0] - countAt, value, false);
                int delta = mutated.length - bytes.length;
                byte[] resized = replaceLeb(mutated, sizeAt, bodyStart - sizeAt, size + delta, false);
                delta += resized.length - mutated.length;
                return replaceLeb(resized, code[1], code[2], code[4] - code[3] + delta, false);
            }
            pos[0] = (int) (bodyStart + size);
        }
        return null;
    }

    static long readLeb(byte[] bytes, int[] pos) {
        long result = 0;
        for (int shift = 0; shift < 35 && pos[0] < bytes.length; shift += 7) {
            int b = bytes[pos[0]++] & 0xFF;
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        return -1;
    }

    /** A value near the section's own size, where off-by-one claims live. */
    static long near(int[] section, Random random) {
        return Math.max(0, section[4] - section[3] + random.nextInt(9) - 4);
    }

    static int lebLength(byte[] bytes, int at, int end) {
        int n = 1;
        while (at + n - 1 < end - 1 && (bytes[at + n - 1] & 0x80) != 0 && n < 5) {
            n++;
        }
        return n;
    }

    /**
     * Replaces the LEB128 of {@code length} bytes at {@code at} with {@code value}; padded keeps the
     * old length where the value fits it (so the bytes after stay aligned), else the natural encoding.
     */
    static byte[] replaceLeb(byte[] bytes, int at, int length, long value, boolean padded) {
        ByteArrayOutputStream leb = new ByteArrayOutputStream();
        long v = value & 0xFFFF_FFFFL;
        int minimal = 1;
        for (long t = v >>> 7; t != 0; t >>>= 7) {
            minimal++;
        }
        int n = padded ? Math.max(minimal, length) : minimal;
        for (int i = 0; i < n; i++) {
            int b = (int) (v & 0x7F);
            v >>>= 7;
            leb.write(i < n - 1 ? b | 0x80 : b);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 8);
        out.write(bytes, 0, at);
        out.writeBytes(leb.toByteArray());
        int after = Math.min(bytes.length, at + length);
        out.write(bytes, after, bytes.length - after);
        return out.toByteArray();
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
