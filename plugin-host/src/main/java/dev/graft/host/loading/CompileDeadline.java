package dev.graft.host.loading;

import dev.graft.api.PluginException;
import dev.graft.api.PluginLoadException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The load budget's second half: runs the metering, parsing and compiling of one module on its own
 * thread and waits at most {@code compile-timeout} for it. Chicory's compiler never checks for
 * interrupts, so on expiry the thread is interrupted and then stopped with {@link Thread#stop()},
 * which the JVM still honours up to Java 19; the compile thread only holds objects of its own (the
 * parsed module, ASM writers, a fresh class loader), so stopping it leaves nothing shared half
 * updated. On Java 20 and later {@code stop} is gone: the abandoned compile then runs to its end on
 * a daemon thread of minimum priority and its result is dropped.
 *
 * <p>A heap exhausted by the task ({@link OutOfMemoryError} on this thread) refuses the plugin
 * instead of ending the host: everything the task allocated is garbage once it has failed.
 */
public final class CompileDeadline {

    private CompileDeadline() {
    }

    /**
     * Runs {@code task} within {@code timeout}.
     *
     * @param what what the task does, for the message ("parsing and compiling")
     * @throws PluginLoadException when the time runs out (naming {@code load-limits.compile-timeout},
     *     the limit and the elapsed time), when the heap runs out, when the waiting thread is
     *     interrupted, or as thrown by the task
     */
    public static <T> T run(String pluginId, Duration timeout, String what, Supplier<T> task) {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                outcome.set(new Done(task.get()));
            } catch (OutOfMemoryError e) {
                outcome.set(new PluginLoadException(pluginId, "the heap ran out while " + what
                        + " the module; lower max-module-bytes or the load limits, or give the JVM more heap", e));
            } catch (RuntimeException | Error e) {
                outcome.set(e);
            }
        }, "graft-load-" + pluginId);
        worker.setDaemon(true);
        long timeoutMs = millis(timeout);
        long start = System.nanoTime();
        worker.start();
        try {
            worker.join(timeoutMs);
        } catch (InterruptedException e) {
            abandon(worker);
            Thread.currentThread().interrupt();
            throw new PluginLoadException(pluginId, "interrupted while " + what + " the module");
        }
        if (worker.isAlive()) {
            abandon(worker);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            throw new PluginLoadException(pluginId, String.format(Locale.ROOT,
                    "load budget exceeded: %s the module took more than %,d ms (stopped after %,d ms),"
                            + " over load-limits.compile-timeout = %s", what, timeoutMs, elapsedMs, timeout));
        }
        Object result = outcome.get();
        if (result instanceof Done done) {
            @SuppressWarnings("unchecked")
            T value = (T) done.value();
            return value;
        }
        if (result instanceof PluginException e) {
            throw e;
        }
        if (result instanceof RuntimeException e) {
            throw e;
        }
        if (result instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("the load task of plugin '" + pluginId + "' ended without an outcome");
    }

    private record Done(Object value) {
    }

    /** The timeout in milliseconds, at least 1 (0 would wait forever), saturated for huge durations. */
    private static long millis(Duration timeout) {
        try {
            return Math.max(1, timeout.toMillis());
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    @SuppressWarnings({"removal", "deprecation"})
    private static void abandon(Thread worker) {
        worker.setPriority(Thread.MIN_PRIORITY);
        worker.interrupt();
        try {
            worker.stop();
        } catch (UnsupportedOperationException | SecurityException e) {
            // Java 20+: the compile runs to its end in the background; its result is dropped.
        }
    }
}
