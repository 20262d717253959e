package dev.graft.test;

import dev.graft.api.PluginException;
import dev.graft.host.engine.CallStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import org.opentest4j.AssertionFailedError;

/**
 * Assertions about a plugin call: what it cost (fuel, memory), how it was refused, and whether its
 * output matches a golden file. Costs are read from {@link CallStats#lastOnThisThread()}, which the
 * engine records for every call on the calling thread, typed or not.
 *
 * <pre>{@code
 * List<Adjustment> out = assertFuelAtMost(2_000_000, () -> rule.apply(line));
 * PluginFuelExhaustedException e = assertRefused(PluginFuelExhaustedException.class, () -> rule.apply(line), "fuel");
 * assertMatchesGolden(Path.of("src/test/resources/golden/tree.svg"), svg);
 * }</pre>
 */
public final class PluginAssertions {

    /** Set this system property to {@code true} to (re)write golden files instead of comparing. */
    public static final String UPDATE_GOLDEN = "graft.golden.update";

    private PluginAssertions() {
    }

    /** Runs the call and returns what the engine recorded about it. */
    public static CallStats statsOf(Runnable call) {
        CallStats before = CallStats.lastOnThisThread().orElse(null);
        call.run();
        CallStats after = CallStats.lastOnThisThread().orElse(null);
        if (after == null || after == before) {
            throw new AssertionFailedError("the code given made no plugin call on this thread");
        }
        return after;
    }

    /** Runs the call, asserts it consumed at most {@code maxFuel}, and returns its result. */
    public static <T> T assertFuelAtMost(long maxFuel, Supplier<T> call) {
        Object[] result = new Object[1];
        CallStats stats = statsOf(() -> result[0] = call.get());
        if (stats.fuelConsumed() > maxFuel) {
            throw new AssertionFailedError("the call consumed " + stats.fuelConsumed() + " fuel, more than " + maxFuel,
                    "<= " + maxFuel, stats.fuelConsumed());
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    /**
     * Runs the call, asserts the plugin's linear memory never grew past {@code maxBytes} during it
     * (the high-water mark, in bytes), and returns its result.
     */
    public static <T> T assertMemoryAtMost(long maxBytes, Supplier<T> call) {
        Object[] result = new Object[1];
        CallStats stats = statsOf(() -> result[0] = call.get());
        if (stats.memoryHighWaterBytes() > maxBytes) {
            throw new AssertionFailedError("the call's memory high-water mark was " + stats.memoryHighWaterBytes()
                    + " bytes, more than " + maxBytes, "<= " + maxBytes, stats.memoryHighWaterBytes());
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    /** A call to assert about; it may throw anything. */
    @FunctionalInterface
    public interface Call {
        void run() throws Throwable;
    }

    /**
     * Asserts the call is refused with exactly {@code type} (a {@link PluginException} subclass) and that
     * the message mentions each of {@code mentions} (such as the plugin id, the export, the limit).
     *
     * @return the refusal, for further checks
     */
    public static <E extends PluginException> E assertRefused(Class<E> type, Call call, String... mentions) {
        Throwable thrown;
        try {
            call.run();
            throw new AssertionFailedError("expected " + type.getSimpleName() + ", but the call returned normally");
        } catch (AssertionFailedError e) {
            throw e;
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown.getClass() != type) {
            AssertionFailedError failure = new AssertionFailedError("expected " + type.getSimpleName() + ", got "
                    + thrown.getClass().getName() + ": " + thrown.getMessage(), type.getName(), thrown.getClass().getName());
            failure.initCause(thrown);
            throw failure;
        }
        String message = String.valueOf(thrown.getMessage());
        for (String mention : mentions) {
            if (!message.contains(mention)) {
                throw new AssertionFailedError("the " + type.getSimpleName() + " does not mention '" + mention
                        + "': " + message);
            }
        }
        return type.cast(thrown);
    }

    /**
     * Asserts the output equals the golden file byte for byte. With {@code -Dgraft.golden.update=true}
     * (or when the file does not exist yet) it writes the file instead and fails, so that a new golden is
     * reviewed before it is trusted.
     */
    public static void assertMatchesGolden(Path golden, byte[] actual) {
        if (Boolean.getBoolean(UPDATE_GOLDEN) || !Files.exists(golden)) {
            try {
                Files.createDirectories(golden.toAbsolutePath().getParent());
                Files.write(golden, actual);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new AssertionFailedError("wrote golden file " + golden + " (" + actual.length
                    + " bytes); review it, commit it and run again");
        }
        byte[] expected;
        try {
            expected = Files.readAllBytes(golden);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Arrays.equals(expected, actual)) {
            int at = Arrays.mismatch(expected, actual);
            throw new AssertionFailedError("output differs from golden file " + golden + " at byte " + at
                    + " (expected " + expected.length + " bytes, got " + actual.length + "); rerun with -D"
                    + UPDATE_GOLDEN + "=true to accept the new output",
                    new String(expected, StandardCharsets.UTF_8), new String(actual, StandardCharsets.UTF_8));
        }
    }

    /** {@link #assertMatchesGolden(Path, byte[])} for text, compared as UTF-8. */
    public static void assertMatchesGolden(Path golden, String actual) {
        assertMatchesGolden(golden, actual.getBytes(StandardCharsets.UTF_8));
    }
}
