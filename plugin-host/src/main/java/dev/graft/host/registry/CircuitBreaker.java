package dev.graft.host.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The circuit breaker of one plugin: after {@code failureThreshold} failed calls in a row it opens
 * (the plugin is quarantined, calls are refused without running); once {@code coolDown} has passed it
 * lets one trial call through (half-open), which closes it on success and opens it again on failure.
 * A threshold of 0 switches the breaker off. Thread-safe; the closed path takes no lock.
 *
 * <p>Every {@link #tryAcquire()} that returns true must be followed by exactly one of
 * {@link #onSuccess()}, {@link #onFailure()} or {@link #onIgnored()}.
 */
public final class CircuitBreaker {

    /** Where a breaker stands. */
    public enum State {
        /** Calls run; failures are counted. */
        CLOSED,
        /** Quarantined: calls are refused until the cool-down has passed. */
        OPEN,
        /** The cool-down has passed: one trial call runs, the others are still refused. */
        HALF_OPEN
    }

    /**
     * What a breaker knows at one moment.
     *
     * @param state where it stands ({@code OPEN} turns into {@code HALF_OPEN} once the cool-down has passed)
     * @param consecutiveFailures failed calls since the last success
     * @param failureThreshold consecutive failures that open it (0: never)
     * @param coolDown how long it stays open
     * @param openedAt when it last opened, or {@code null} while closed
     * @param timesOpened how often it opened
     * @param rejectedCalls calls refused while open
     * @param fallbacks calls answered by the extension point's Java default instead of the plugin
     */
    public record Status(State state, int consecutiveFailures, int failureThreshold, Duration coolDown,
            Instant openedAt, long timesOpened, long rejectedCalls, long fallbacks) {

        /** Whether the plugin is quarantined (open or half-open). */
        public boolean quarantined() {
            return state != State.CLOSED;
        }
    }

    private final int failureThreshold;
    private final Duration coolDown;
    private final Clock clock;
    private final LongAdder rejected = new LongAdder();
    private final LongAdder fallbacks = new LongAdder();

    private volatile State state = State.CLOSED;
    private volatile int consecutiveFailures;
    private Instant openedAt;
    private boolean trialRunning;
    private long timesOpened;

    /**
     * @param failureThreshold consecutive failures that open the breaker; 0 never opens it
     * @param coolDown how long it stays open before a trial call
     * @param clock the time source (a fixed or offset clock in tests)
     */
    public CircuitBreaker(int failureThreshold, Duration coolDown, Clock clock) {
        if (failureThreshold < 0) {
            throw new IllegalArgumentException("failure threshold must be 0 (off) or positive, was " + failureThreshold);
        }
        if (coolDown == null || coolDown.isNegative()) {
            throw new IllegalArgumentException("cool-down must not be negative, was " + coolDown);
        }
        this.failureThreshold = failureThreshold;
        this.coolDown = coolDown;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public int failureThreshold() {
        return failureThreshold;
    }

    public Duration coolDown() {
        return coolDown;
    }

    /**
     * Whether a call may run now. While open, counts the refusal; once the cool-down has passed, admits
     * one trial call.
     */
    public boolean tryAcquire() {
        if (state == State.CLOSED) {
            return true;
        }
        synchronized (this) {
            if (state == State.CLOSED) {
                return true;
            }
            if (!trialRunning && !clock.instant().isBefore(openedAt.plus(coolDown))) {
                state = State.HALF_OPEN;
                trialRunning = true;
                return true;
            }
            rejected.increment();
            return false;
        }
    }

    /**
     * The call admitted by {@link #tryAcquire()} succeeded: the breaker closes.
     *
     * @return whether this ended a quarantine (the breaker was open or half-open)
     */
    public boolean onSuccess() {
        if (state == State.CLOSED && consecutiveFailures == 0) {
            return false;
        }
        synchronized (this) {
            boolean wasQuarantined = state != State.CLOSED;
            consecutiveFailures = 0;
            state = State.CLOSED;
            openedAt = null;
            trialRunning = false;
            return wasQuarantined;
        }
    }

    /**
     * The call admitted by {@link #tryAcquire()} failed because of the plugin.
     *
     * @return whether this failure opened the breaker
     */
    public synchronized boolean onFailure() {
        if (failureThreshold == 0) {
            return false;
        }
        consecutiveFailures++;
        boolean trial = trialRunning;
        trialRunning = false;
        if (state == State.CLOSED && consecutiveFailures < failureThreshold) {
            return false;
        }
        if (trial || state == State.CLOSED) {
            state = State.OPEN;
            openedAt = clock.instant();
            timesOpened++;
            return true;
        }
        return false;   // a call admitted before the breaker opened, failing late
    }

    /** The admitted call ended for a reason that says nothing about the plugin (it was never reached). */
    public synchronized void onIgnored() {
        if (trialRunning) {
            trialRunning = false;
            state = State.OPEN;   // the trial did not decide; the next call after the cool-down tries again
        }
    }

    /** A call was answered by the extension point's Java default. */
    public void onFallback() {
        fallbacks.increment();
    }

    /** Closes the breaker and forgets the failures (an operator re-enabled or reloaded the plugin). */
    public synchronized void reset() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        openedAt = null;
        trialRunning = false;
    }

    /** How long until a trial call is let through; zero when one may run now or the breaker is closed. */
    public synchronized Duration remainingCoolDown() {
        if (state == State.CLOSED || openedAt == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), openedAt.plus(coolDown));
        return left.isNegative() ? Duration.ZERO : left;
    }

    public synchronized Status status() {
        State shown = state == State.OPEN && !clock.instant().isBefore(openedAt.plus(coolDown)) ? State.HALF_OPEN : state;
        return new Status(shown, consecutiveFailures, failureThreshold, coolDown, openedAt, timesOpened, rejected.sum(),
                fallbacks.sum());
    }

    @Override
    public String toString() {
        return "CircuitBreaker{" + status() + "}";
    }
}
