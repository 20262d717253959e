package dev.graft.host.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginCallException;
import dev.graft.api.PluginCapabilityException;
import dev.graft.api.PluginException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.PluginMemoryLimitException;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.PluginTimeoutException;
import dev.graft.api.PluginTrapException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 28. Hostile and healthy plugins share the host at the same time: on four threads, 1,000 calls
 * alternate between them, every healthy answer is right and every hostile call ends in the expected
 * exception type.
 */
class HostileMixedRunTest extends HostileTestBase {

    static final byte[] NO_INPUT = new byte[0];

    /** One kind of hostile call and what it must end in. */
    record HostileCase(String name, Class<? extends PluginException> expected, Runnable call) {
    }

    static Plugin load(String id, String fixture, PluginPolicy policy) {
        return ENGINE.load(PluginSpec.builder(Fixtures.source(id, fixture)).policy(policy).build());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void thousandCallsAlternatingHostileAndHealthyOnFourThreads() throws Exception {
        // Only the loop case is meant to time out (after 50 ms); the cheap cases get room for a slow,
        // loaded machine, where a fresh instance with WASI once took over 100 ms.
        PluginPolicy tight = PluginPolicy.builder().timeout(Duration.ofSeconds(5)).maxMemoryBytes(2 << 20)
                .maxOutputBytes(1024).maxInputBytes(1024).build();
        PluginPolicy healthyPolicy = PluginPolicy.builder().timeout(Duration.ofSeconds(5)).build();

        Plugin traps = load("mix-traps", "traps", tight);
        Plugin trapsPooled = load("mix-traps-pooled", "traps", tight.toBuilder().instances(InstanceMode.POOLED).poolSize(4).build());
        Plugin output = load("mix-output", "big_output", tight);
        Plugin http = load("mix-http", "http", tight);
        Plugin denied = load("mix-denied", "wasi_denied", tight.toBuilder().capabilities(Capabilities.builder().wasi(true).build()).build());
        Plugin alloc = load("mix-alloc", "alloc_bomb", tight);
        Plugin grow = load("mix-grow", "grow_bomb", tight);
        Plugin vars = load("mix-vars", "var_bomb", tight.toBuilder().maxVarBytes(8192).build());
        Plugin exit = load("mix-exit", "proc_exit", tight.toBuilder().capabilities(Capabilities.builder().wasi(true).build()).build());
        Plugin throwing = ENGINE.load(PluginSpec.builder(Fixtures.source("mix-throw", "host_throw"))
                .policy(tight.toBuilder().capabilities(Capabilities.builder().hostFunction("explode").build()).build())
                .hostFunction("explode", (id, in) -> {
                    throw new IllegalStateException("boom");
                }).build());
        Plugin loop = load("mix-loop", "loop", tight.toBuilder().timeout(Duration.ofMillis(50)).fuel(0).build());
        Plugin healthyPooled = load("mix-healthy-pooled", "healthy",
                healthyPolicy.toBuilder().instances(InstanceMode.POOLED).poolSize(4).build());
        Plugin healthyFresh = load("mix-healthy-fresh", "healthy", healthyPolicy);
        byte[] garbage = new byte[512];
        new Random(28).nextBytes(garbage);

        List<HostileCase> cheap = List.of(
                new HostileCase("unreachable", PluginTrapException.class, () -> traps.call("unreachable", NO_INPUT)),
                new HostileCase("div_zero", PluginTrapException.class, () -> traps.call("div_zero", NO_INPUT)),
                new HostileCase("oob_load", PluginTrapException.class, () -> trapsPooled.call("oob_load", NO_INPUT)),
                new HostileCase("pooled bump_then_trap", PluginTrapException.class, () -> trapsPooled.call("bump_then_trap", NO_INPUT)),
                new HostileCase("output cap", PluginPayloadException.class, () -> output.call("flood", NO_INPUT)),
                new HostileCase("input cap", PluginPayloadException.class, () -> output.call("flood", new byte[1025])),
                new HostileCase("http", PluginCapabilityException.class, () -> http.call("fetch", NO_INPUT)),
                new HostileCase("clock", PluginCapabilityException.class, () -> denied.call("clock", NO_INPUT)),
                new HostileCase("random", PluginCapabilityException.class, () -> denied.call("random", NO_INPUT)),
                new HostileCase("stdout", PluginCapabilityException.class, () -> denied.call("stdout", NO_INPUT)),
                new HostileCase("alloc bomb", PluginMemoryLimitException.class, () -> alloc.call("bomb", NO_INPUT)),
                new HostileCase("grow bomb", PluginMemoryLimitException.class, () -> grow.call("grow_trap", NO_INPUT)),
                new HostileCase("var bomb", PluginMemoryLimitException.class, () -> vars.call("bomb", NO_INPUT)),
                new HostileCase("proc_exit", PluginCallException.class, () -> exit.call("exit3", NO_INPUT)),
                new HostileCase("host function throws", PluginCallException.class, () -> throwing.call("run", NO_INPUT)),
                new HostileCase("garbage module", PluginLoadException.class,
                        () -> ENGINE.load(PluginSpec.of(PluginSource.ofBytes("mix-garbage", garbage)))));
        HostileCase timeout = new HostileCase("loop", PluginTimeoutException.class, () -> loop.call("spin", NO_INPUT));

        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger healthyOk = new AtomicInteger();
        Map<String, AtomicInteger> hostileOk = new ConcurrentHashMap<>();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        long start = System.nanoTime();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                int n = i;
                futures.add(threads.submit(() -> {
                    if (n % 2 == 0) {
                        Plugin p = switch (n % 6) {
                            case 0 -> healthy();
                            case 2 -> healthyPooled;
                            default -> healthyFresh;
                        };
                        String problem = healthyCall(p, new Random(n));
                        if (problem == null) {
                            healthyOk.incrementAndGet();
                        } else {
                            failures.add("call " + n + " (healthy " + p.id() + "): " + problem);
                        }
                    } else {
                        int k = n / 2;
                        HostileCase c = k % 50 == 25 ? timeout : cheap.get(k % cheap.size());
                        String problem = hostileCall(c);
                        if (problem == null) {
                            hostileOk.computeIfAbsent(c.name(), x -> new AtomicInteger()).incrementAndGet();
                        } else {
                            failures.add("call " + n + " (" + c.name() + "): " + problem);
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(failures.isEmpty(), failures.size() + " wrong outcomes, first ones: "
                + failures.stream().limit(10).toList());
        assertEquals(500, healthyOk.get());
        assertEquals(500, hostileOk.values().stream().mapToInt(AtomicInteger::get).sum());
        assertEquals(10, hostileOk.get("loop").get(), "timeouts");
        assertEquals(cheap.size() + 1, hostileOk.size(), "every hostile case ran: " + hostileOk.keySet());
        System.out.println("mixed run: 1000 calls on 4 threads in " + elapsedMs + " ms");

        // the pooled plugins still answer, and no instance that trapped was reused (it had added 1000)
        long count = le64(trapsPooled.call("count", NO_INPUT).output());
        assertTrue(count >= 1 && count < 1000, "count " + count);
        assertEquals(null, healthyCall(healthyPooled, new Random(1)));
    }

    /** Echo and add on a healthy plugin; returns what was wrong, or null. */
    static String healthyCall(Plugin p, Random random) {
        try {
            byte[] input = new byte[random.nextInt(200)];
            random.nextBytes(input);
            byte[] echoed = p.call("echo", input).output();
            if (!Arrays.equals(input, echoed)) {
                return "echo answered " + Arrays.toString(echoed) + " for " + Arrays.toString(input);
            }
            long a = random.nextLong() >>> 2;
            long b = random.nextLong() >>> 2;
            byte[] in = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(a).putLong(b).array();
            long sum = ByteBuffer.wrap(p.call("add", in).output()).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return sum == a + b ? null : "add answered " + sum + " for " + a + " + " + b;
        } catch (Throwable t) {
            return "threw " + t;
        }
    }

    /** Runs a hostile call; returns what was wrong, or null when it failed exactly as expected. */
    static String hostileCall(HostileCase c) {
        try {
            c.call().run();
            return "succeeded";
        } catch (Throwable t) {
            if (t.getClass() != c.expected()) {
                return "expected " + c.expected().getSimpleName() + " but got " + t;
            }
            if (!(t.getMessage().contains("'mix-"))) {
                return "message does not name the plugin: " + t.getMessage();
            }
            if (Thread.currentThread().isInterrupted()) {
                return "interrupt leaked after " + t;
            }
            return null;
        }
    }
}
