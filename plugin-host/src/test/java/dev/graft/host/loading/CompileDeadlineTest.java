package dev.graft.host.loading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginLoadException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CompileDeadlineTest {

    @Test
    void aTaskWithinTheTimeoutReturnsItsValue() {
        assertEquals("compiled", CompileDeadline.run("quick", Duration.ofSeconds(5), "compiling", () -> "compiled"));
    }

    @Test
    void aBusyTaskThatIgnoresInterruptsIsRefusedAndStopped() throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong spins = new AtomicLong();
        long start = System.nanoTime();
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> CompileDeadline.run("busy",
                Duration.ofMillis(200), "compiling", () -> {
                    try {
                        while (true) {
                            spins.incrementAndGet(); // like Chicory's compiler: never looks at the interrupt flag
                        }
                    } finally {
                        running.set(false);
                    }
                }));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("plugin 'busy'"), e.getMessage());
        assertTrue(e.getMessage().contains("load-limits.compile-timeout = PT0.2S"), e.getMessage());
        assertTrue(e.getMessage().contains("compiling the module took more than 200 ms"), e.getMessage());
        assertTrue(elapsedMs < 5000, elapsedMs + " ms");
        if (Runtime.version().feature() < 20) {
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (running.get() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertFalse(running.get(), "the abandoned task was stopped");
            long after = spins.get();
            Thread.sleep(50);
            assertEquals(after, spins.get(), "nothing spins any more");
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void aRefusalOrFailureOfTheTaskIsPassedOn() {
        PluginLoadException refusal = new PluginLoadException("p", "no");
        assertSame(refusal, assertThrows(PluginLoadException.class,
                () -> CompileDeadline.run("p", Duration.ofSeconds(5), "compiling", () -> {
                    throw refusal;
                })));
        IllegalStateException bug = new IllegalStateException("bug");
        assertSame(bug, assertThrows(IllegalStateException.class,
                () -> CompileDeadline.run("p", Duration.ofSeconds(5), "compiling", () -> {
                    throw bug;
                })));
    }

    @Test
    void aHeapExhaustedByTheTaskRefusesThePlugin() {
        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> CompileDeadline.run("hungry", Duration.ofSeconds(30), "parsing", () -> {
                    throw new OutOfMemoryError("Java heap space");
                }));
        assertTrue(e.getMessage().contains("plugin 'hungry'") && e.getMessage().contains("heap ran out while parsing"),
                e.getMessage());
    }

    @Test
    void anInterruptedCallerGetsARefusalAndKeepsItsInterruptStatus() {
        Thread.currentThread().interrupt();
        try {
            PluginLoadException e = assertThrows(PluginLoadException.class,
                    () -> CompileDeadline.run("interrupted", Duration.ofSeconds(30), "compiling", () -> {
                        try {
                            Thread.sleep(10_000);
                        } catch (InterruptedException stop) {
                            Thread.currentThread().interrupt();
                        }
                        return null;
                    }));
            assertTrue(e.getMessage().contains("interrupted while compiling"), e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
