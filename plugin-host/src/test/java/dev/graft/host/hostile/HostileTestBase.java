package dev.graft.host.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.graft.api.PluginException;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.function.Executable;

/**
 * What every hostile test shares: one engine, one healthy plugin loaded once, a check after every test
 * that the healthy plugin still answers correctly, and an assertion for refusals that pins the exact
 * exception type, the plugin id and what the message must name.
 */
abstract class HostileTestBase {

    static final GraftEngine ENGINE = GraftEngine.create();
    private static volatile Plugin healthy;

    /** The healthy plugin (echo and add), loaded once per JVM with the default policy. */
    static Plugin healthy() {
        Plugin p = healthy;
        if (p == null) {
            synchronized (HostileTestBase.class) {
                if (healthy == null) {
                    healthy = ENGINE.load(PluginSpec.builder(Fixtures.source("healthy", "healthy"))
                            .policy(PluginPolicy.defaults()).build());
                }
                p = healthy;
            }
        }
        return p;
    }

    @AfterEach
    void healthyPluginStillAnswers() {
        assertHealthy();
    }

    /** Calls both exports of the healthy plugin with random input and checks the answers. */
    static void assertHealthy() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] input = new byte[1 + random.nextInt(64)];
        random.nextBytes(input);
        assertArrayEquals(input, healthy().call("echo", input).output(), "healthy echo");
        long a = random.nextLong(1L << 40);
        long b = random.nextLong(1L << 40);
        assertEquals(a + b, add(a, b), "healthy add");
    }

    static long add(long a, long b) {
        byte[] in = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(a).putLong(b).array();
        return le64(healthy().call("add", in).output());
    }

    static long le64(byte[] bytes) {
        assertEquals(8, bytes.length, "an 8-byte answer");
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /**
     * Runs {@code call}, which must fail with exactly {@code type} (not a subclass or superclass) whose
     * {@code pluginId()} is the plugin's and whose message names the plugin and every {@code mention}.
     */
    static <T extends PluginException> T assertRefusal(Class<T> type, String pluginId, Executable call,
            String... mentions) {
        Throwable thrown = null;
        try {
            call.execute();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) {
            fail("expected " + type.getSimpleName() + " from plugin '" + pluginId + "' but the call succeeded");
        }
        if (thrown.getClass() != type) {
            throw new AssertionError("expected exactly " + type.getName() + " but got " + thrown, thrown);
        }
        T e = type.cast(thrown);
        String message = String.valueOf(e.getMessage());
        assertEquals(pluginId, e.pluginId(), "pluginId() of " + message);
        assertTrue(message.contains("'" + pluginId + "'"), "message names the plugin: " + message);
        for (String mention : mentions) {
            assertTrue(message.contains(mention), "message names '" + mention + "': " + message);
        }
        return e;
    }

    static void assertSameType(Class<?> expected, Throwable actual) {
        assertSame(expected, actual.getClass(), String.valueOf(actual));
    }
}
