package dev.graft.host.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Byte-level mutations of every fixture and of the AssemblyScript example plugin, each loaded and, when
 * it loads, called under tight limits. Every outcome must be a success or a {@link PluginException}
 * naming the plugin; anything else (another exception, an error, a hang) fails with the seed and the
 * case number, which reproduce it: {@code -Dgraft.fuzz.seed=S -Dgraft.fuzz.only=N}. Other knobs:
 * {@code -Dgraft.fuzz.cases=N} (default 6,000) and {@code -Dgraft.fuzz.reasons=true}, which adds a
 * histogram of load refusals to the printed summary.
 */
class HostileFuzzTest {

    static final long SEED = Long.getLong("graft.fuzz.seed", 0x6772616674L);
    static final int CASES = Integer.getInteger("graft.fuzz.cases", 6000);
    static final int ONLY = Integer.getInteger("graft.fuzz.only", -1);
    /** One case in this many runs compiled; the rest interpreted (no compile cost). */
    static final int COMPILED_EVERY = 20;
    /** A case that takes longer than this is reported as a hang. */
    static final long HANG_SECONDS = 10;
    static final byte[] PING = new byte[0];

    /** A module to mutate, weighted: fixtures that loop until stopped cost a timeout per call. */
    record Sample(String name, byte[] bytes, int weight) {
    }

    static List<Sample> corpus() {
        List<Sample> samples = new ArrayList<>();
        for (String name : Fixtures.NAMES) {
            int weight = switch (name) {
                case "loop", "host_loop", "start_loop" -> 1;
                default -> 4;
            };
            samples.add(new Sample(name, Fixtures.wasm(name), weight));
        }
        samples.add(new Sample("hello-as", Fixtures.hello(), 12));
        return samples;
    }

    @Test
    void mutatedModulesEndInSuccessOrAPluginException() throws Exception {
        List<Sample> corpus = corpus();
        int totalWeight = corpus.stream().mapToInt(Sample::weight).sum();
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "graft-fuzz");
            t.setDaemon(true);
            return t;
        });
        List<String> failures = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        int compiled = 0;
        long start = System.nanoTime();
        try {
            for (int c = 0; c < CASES; c++) {
                if (ONLY >= 0 && c != ONLY) {
                    continue;
                }
                Random random = new Random(SEED * 1_000_003L + c);
                Sample sample = pick(corpus, totalWeight, random);
                StringBuilder how = new StringBuilder(sample.name());
                byte[] mutant = mutate(sample.bytes(), random, how);
                ExecutionMode mode = c % COMPILED_EVERY == 0 ? ExecutionMode.COMPILED : ExecutionMode.INTERPRETED;
                compiled += mode == ExecutionMode.COMPILED ? 1 : 0;
                String where = "case " + c + " (seed " + SEED + ", " + mode + ", " + how + ")";
                long inputSeed = random.nextLong();
                String id = "fuzz-" + c;
                Future<List<String>> future = worker.submit(() -> runCase(id, mutant, mode, new Random(inputSeed)));
                try {
                    for (String outcome : future.get(HANG_SECONDS, TimeUnit.SECONDS)) {
                        outcomes.merge(outcome, 1, Integer::sum);
                    }
                } catch (TimeoutException e) {
                    future.cancel(true);
                    failures.add(where + ": still running after " + HANG_SECONDS + " s");
                    break; // the worker is stuck; later cases cannot run on it
                } catch (ExecutionException e) {
                    failures.add(where + ": " + describe(e.getCause()));
                }
                if (failures.size() >= 20) {
                    break;
                }
            }
        } finally {
            worker.shutdownNow();
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        System.out.println("fuzz: " + CASES + " cases (" + compiled + " compiled) in " + elapsedMs + " ms, seed " + SEED
                + ": " + outcomes);
        assertTrue(failures.isEmpty(), failures.size() + " cases ended outside PluginException (seed " + SEED + "):\n"
                + String.join("\n", failures));
    }

    static String describe(Throwable t) {
        java.io.StringWriter out = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(out));
        String trace = out.toString();
        return trace.length() > 3000 ? trace.substring(0, 3000) + "…" : trace;
    }

    /**
     * Loads the mutant and calls up to two of its exports. Returns the outcomes as labels; throws
     * whatever escaped that is not a PluginException naming the plugin (the harness reports it).
     */
    static List<String> runCase(String id, byte[] wasm, ExecutionMode mode, Random random) {
        List<String> outcomes = new ArrayList<>();
        PluginPolicy policy = PluginPolicy.builder()
                .mode(mode)
                .timeout(Duration.ofMillis(50))
                .maxMemoryBytes((1 + random.nextInt(2)) << 20)
                .maxInputBytes(4096)
                .maxOutputBytes(4096)
                .maxVarBytes(4096)
                .capabilities(Capabilities.builder().wasi(true).hostFunction("ping").hostFunction("explode")
                        .hostFunction("tier_of").hostFunction("witness").build())
                .build();
        PluginSpec spec = PluginSpec.builder(PluginSource.ofBytes(id, wasm)).policy(policy)
                .config("greeting", "fuzz")
                .hostFunction("ping", (p, in) -> PING)
                .hostFunction("witness", (p, in) -> in)
                .hostFunction("tier_of", (p, in) -> "gold".getBytes())
                .hostFunction("explode", (p, in) -> {
                    throw new IllegalStateException("boom");
                })
                .build();
        // A new engine per case, so that thousands of mutants are not all kept in its module cache.
        GraftEngine engine = GraftEngine.create();
        Plugin plugin;
        try {
            plugin = engine.load(spec);
        } catch (PluginException e) {
            check(id, e);
            outcomes.add("load:" + e.getClass().getSimpleName());
            if (Boolean.getBoolean("graft.fuzz.reasons")) {
                String m = String.valueOf(e.getMessage()).replaceAll("[0-9]+", "N");
                outcomes.add("why:" + m.substring(Math.min(m.length(), m.indexOf("load:") + 6), Math.min(m.length(), m.indexOf("load:") + 60)));
            }
            return outcomes;
        }
        try {
            List<String> exports = new ArrayList<>(plugin.exports());
            for (int i = 0; i < 2 && !exports.isEmpty(); i++) {
                String export = exports.remove(random.nextInt(exports.size()));
                byte[] input = new byte[random.nextInt(64)];
                random.nextBytes(input);
                try {
                    plugin.call(export, input);
                    outcomes.add("call:ok");
                } catch (PluginException e) {
                    check(id, e);
                    outcomes.add("call:" + e.getClass().getSimpleName());
                }
            }
        } finally {
            plugin.close();
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException("the interrupt status leaked out of " + id);
        }
        return outcomes;
    }

    /** A PluginException must name the plugin it came from. */
    static void check(String id, PluginException e) {
        if (!id.equals(e.pluginId()) || !String.valueOf(e.getMessage()).contains("'" + id + "'")) {
            throw new IllegalStateException("exception does not name plugin " + id + ": " + e, e);
        }
    }

    static Sample pick(List<Sample> corpus, int totalWeight, Random random) {
        int n = random.nextInt(totalWeight);
        for (Sample s : corpus) {
            n -= s.weight();
            if (n < 0) {
                return s;
            }
        }
        throw new IllegalStateException();
    }

    // Mutations.

    static byte[] mutate(byte[] original, Random random, StringBuilder how) {
        byte[] bytes = original.clone();
        int rounds = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
        for (int i = 0; i < rounds; i++) {
            bytes = mutateOnce(bytes, random, how);
        }
        return bytes;
    }

    static byte[] mutateOnce(byte[] bytes, Random random, StringBuilder how) {
        if (bytes.length < 9) {
            how.append(" +insert");
            return insert(bytes, random);
        }
        switch (random.nextInt(12)) {
            case 9, 10 -> {
                // mostly keeps the module valid, so that the calls run with odd sizes and offsets
                return withConstant(bytes, random, how);
            }
            case 11 -> {
                return inData(bytes, random, how);
            }
            case 0, 1 -> {
                int flips = 1 + random.nextInt(4);
                how.append(" +flip").append(flips);
                for (int i = 0; i < flips; i++) {
                    int at = position(bytes, random);
                    bytes[at] ^= (byte) (1 << random.nextInt(8));
                }
                return bytes;
            }
            case 2 -> {
                int at = position(bytes, random);
                byte[] interesting = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 1, 0x40, 0x0B, 0x0C, 0x0D, 0x10};
                byte value = random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : (byte) random.nextInt(256);
                how.append(" +set@").append(at);
                bytes[at] = value;
                return bytes;
            }
            case 3 -> {
                int length = random.nextInt(bytes.length);
                how.append(" +truncate@").append(length);
                return Arrays.copyOf(bytes, length);
            }
            case 4 -> {
                how.append(" +insert");
                return insert(bytes, random);
            }
            case 5, 6 -> {
                how.append(" +dupsection");
                return withSections(bytes, random, how, true);
            }
            case 7 -> {
                how.append(" +dropsection");
                return withSections(bytes, random, how, false);
            }
            default -> {
                // a LEB128 length or index made huge
                int at = position(bytes, random);
                how.append(" +leb@").append(at);
                byte[] huge = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(bytes, 0, at);
                out.write(huge, 0, huge.length);
                int skip = Math.min(bytes.length, at + 1);
                out.write(bytes, skip, bytes.length - skip);
                return out.toByteArray();
            }
        }
    }

    static final long[] INTERESTING = {0, 1, -1, 2, 7, 8, 16, 255, 256, 1024, 4095, 4096, 4097, 65535, 65536, 65537,
        1 << 20, (1 << 20) + 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xFFFFFFFFL, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE};

    /** Replaces the immediate of an {@code i32.const} or {@code i64.const} in the code section. */
    static byte[] withConstant(byte[] bytes, Random random, StringBuilder how) {
        List<int[]> sections = sections(bytes);
        int[] code = sections == null ? null
                : sections.stream().filter(sec -> bytes[sec[0]] == 10).findFirst().orElse(null);
        List<Integer> candidates = new ArrayList<>();
        if (code != null) {
            for (int i = code[0] + 2; i < code[1] - 1; i++) {
                if (bytes[i] == 0x41 || bytes[i] == 0x42) {
                    candidates.add(i);
                }
            }
        }
        if (candidates.isEmpty()) {
            how.append(" +insert");
            return insert(bytes, random);
        }
        int at = candidates.get(random.nextInt(candidates.size()));
        int end = at + 1;
        while (end < code[1] && (bytes[end] & 0x80) != 0) {
            end++;
        }
        end = Math.min(end + 1, code[1]);
        long value = INTERESTING[random.nextInt(INTERESTING.length)];
        if (bytes[at] == 0x41) {
            value = (int) value;
        }
        how.append(" +const@").append(at).append('=').append(value);
        ByteArrayOutputStream leb = new ByteArrayOutputStream();
        boolean more = true;
        while (more) {
            int b = (int) (value & 0x7F);
            value >>= 7;
            more = !((value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0));
            leb.write(more ? b | 0x80 : b);
        }
        byte[] immediate = leb.toByteArray();
        // The code section's and the function body's sizes are not adjusted when the length changes:
        // that stays valid only when the new immediate has the old length, which is part of the fun.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, at + 1);
        out.write(immediate, 0, immediate.length);
        if (end - at - 1 != immediate.length) {
            // keep the lengths right by padding or cutting the immediate instead
            out.reset();
            out.write(bytes, 0, at + 1);
            int oldLength = end - at - 1;
            byte[] fitted = fit(immediate, oldLength, bytes[at] == 0x41);
            out.write(fitted, 0, fitted.length);
        }
        out.write(bytes, end, bytes.length - end);
        return out.toByteArray();
    }

    /** A signed LEB128 of exactly {@code length} bytes for the value (or its truncation). */
    static byte[] fit(byte[] leb, int length, boolean i32) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            int b = i < leb.length ? leb[i] & 0x7F : ((leb[leb.length - 1] & 0x40) != 0 ? 0x7F : 0);
            out[i] = (byte) (i < length - 1 ? b | 0x80 : b);
        }
        return out;
    }

    /** Changes bytes inside the data section, which keeps the module valid. */
    static byte[] inData(byte[] bytes, Random random, StringBuilder how) {
        List<int[]> sections = sections(bytes);
        int[] data = sections == null ? null
                : sections.stream().filter(sec -> bytes[sec[0]] == 11).findFirst().orElse(null);
        if (data == null || data[1] - data[0] < 8) {
            int at = position(bytes, random);
            bytes[at] ^= (byte) (1 << random.nextInt(8));
            how.append(" +flip@").append(at);
            return bytes;
        }
        int count = 1 + random.nextInt(4);
        how.append(" +data").append(count);
        for (int i = 0; i < count; i++) {
            int at = data[0] + 6 + random.nextInt(data[1] - data[0] - 6);
            bytes[at] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    /** A position past the 8-byte header most of the time. */
    static int position(byte[] bytes, Random random) {
        return random.nextInt(10) == 0 || bytes.length <= 8 ? random.nextInt(bytes.length) : 8 + random.nextInt(bytes.length - 8);
    }

    static byte[] insert(byte[] bytes, Random random) {
        int at = random.nextInt(bytes.length + 1);
        byte[] extra = new byte[1 + random.nextInt(16)];
        random.nextBytes(extra);
        byte[] out = new byte[bytes.length + extra.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(bytes, at, out, at + extra.length, bytes.length - at);
        return out;
    }

    /** Duplicates a section (at a random section boundary) or drops one; falls back to a bit flip. */
    static byte[] withSections(byte[] bytes, Random random, StringBuilder how, boolean duplicate) {
        List<int[]> sections = sections(bytes);
        if (sections == null || sections.isEmpty()) {
            int at = position(bytes, random);
            bytes[at] ^= (byte) (1 << random.nextInt(8));
            how.append("(unparsed: flip@").append(at).append(')');
            return bytes;
        }
        int[] chosen = sections.get(random.nextInt(sections.size()));
        how.append("(id ").append(bytes[chosen[0]]).append(')');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!duplicate) {
            out.write(bytes, 0, chosen[0]);
            out.write(bytes, chosen[1], bytes.length - chosen[1]);
            return out.toByteArray();
        }
        int[] before = sections.get(random.nextInt(sections.size()));
        int at = random.nextBoolean() ? chosen[1] : before[0];
        out.write(bytes, 0, at);
        out.write(bytes, chosen[0], chosen[1] - chosen[0]);
        out.write(bytes, at, bytes.length - at);
        return out.toByteArray();
    }

    /** Start and end offsets of each top-level section, or null when the bytes do not parse that far. */
    static List<int[]> sections(byte[] bytes) {
        List<int[]> result = new ArrayList<>();
        int at = 8;
        while (at < bytes.length) {
            int start = at;
            at++;
            long size = 0;
            int shift = 0;
            while (true) {
                if (at >= bytes.length || shift > 28) {
                    return null;
                }
                int b = bytes[at++] & 0xFF;
                size |= (long) (b & 0x7F) << shift;
                shift += 7;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            long end = at + size;
            if (end > bytes.length) {
                return null;
            }
            at = (int) end;
            result.add(new int[] {start, at});
        }
        return result;
    }
}
