package dev.graft.host.policy;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Enforces wall-clock limits by interrupting the calling thread, which Chicory's compiled code checks
 * at calls and loop back-edges. One daemon thread scans the running timers every millisecond, so
 * starting and finishing a timed call costs two volatile writes, not a scheduled task.
 *
 * <p>The caller's own interrupt status is saved before a call and restored after it, and an
 * interrupt the watchdog delivered is always cleared, even when it races with the call's end.
 */
public final class Watchdog {

    private static final Watchdog SHARED = new Watchdog();
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long IDLE_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /**
     * Every thread's own timer, registered once when the thread first calls a plugin and scanned by
     * the watchdog: a call only writes its timer's deadline and state, it never adds to or removes
     * from a shared collection (that was about a tenth of a microsecond per call). Timers of threads
     * that have ended are dropped by the scan.
     */
    private final Set<CallTimer> threadTimers = ConcurrentHashMap.newKeySet();
    /** Timers of nested calls (a host function calling another plugin), added and removed per call. */
    private final Set<CallTimer> nested = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<CallTimer> idleTimer = new ThreadLocal<>();
    private volatile Thread thread;

    private Watchdog() {
    }

    /** The process-wide watchdog. */
    public static Watchdog shared() {
        return SHARED;
    }

    /**
     * Starts timing the current thread's call. The caller's interrupt status is cleared (so compiled
     * code does not stop at once) and restored by {@link CallTimer#finish()}.
     */
    public CallTimer start(long timeoutNanos) {
        ensureThread();
        CallTimer timer = idleTimer.get();
        if (timer == null) {
            timer = new CallTimer(this, Thread.currentThread(), false);
            idleTimer.set(timer);
            threadTimers.add(timer);
        } else if (timer.state.get() != CallTimer.IDLE) {
            // A nested call (a host function calling another plugin) needs its own timer.
            timer = new CallTimer(this, Thread.currentThread(), true);
            timer.begin(timeoutNanos);
            nested.add(timer);
            return timer;
        }
        timer.begin(timeoutNanos);
        return timer;
    }

    private void ensureThread() {
        if (thread == null) {
            synchronized (this) {
                if (thread == null) {
                    Thread t = new Thread(this::run, "graft-watchdog");
                    t.setDaemon(true);
                    t.start();
                    thread = t;
                }
            }
        }
    }

    private void run() {
        while (true) {
            long now = System.nanoTime();
            boolean busy = !nested.isEmpty();
            for (CallTimer timer : nested) {
                timer.check(now);
            }
            for (Iterator<CallTimer> it = threadTimers.iterator(); it.hasNext(); ) {
                CallTimer timer = it.next();
                if (timer.state.get() == CallTimer.RUNNING) {
                    busy = true;
                    timer.check(now);
                } else if (!timer.target.isAlive()) {
                    it.remove();
                }
            }
            // Idle, the watchdog wakes less often; a call starting meanwhile is checked within 5 ms.
            LockSupport.parkNanos(busy ? TICK_NANOS : IDLE_TICK_NANOS);
        }
    }

    /** A running call's deadline. Finish it in a {@code finally} block. */
    public static final class CallTimer {
        static final int IDLE = 0;
        static final int RUNNING = 1;
        static final int FIRING = 2;
        static final int FIRED = 3;

        private final Watchdog owner;
        private final Thread target;
        private final boolean isNested;
        private final AtomicInteger state = new AtomicInteger(IDLE);
        private volatile long deadline;
        private long startNanos;
        private boolean callerWasInterrupted;

        CallTimer(Watchdog owner, Thread target, boolean isNested) {
            this.owner = owner;
            this.target = target;
            this.isNested = isNested;
        }

        void begin(long timeoutNanos) {
            callerWasInterrupted = Thread.interrupted();
            startNanos = System.nanoTime();
            deadline = startNanos + timeoutNanos;
            state.set(RUNNING);
        }

        /** Fires when a running call's deadline has passed (read after the state, which begin writes last). */
        void check(long now) {
            if (state.get() == RUNNING && now - deadline > 0) {
                fire();
            }
        }

        void fire() {
            if (state.compareAndSet(RUNNING, FIRING)) {
                target.interrupt();
                state.set(FIRED);
            }
        }

        /** Nanoseconds since the call started. */
        public long elapsedNanos() {
            return System.nanoTime() - startNanos;
        }

        /** Whether the deadline has passed, whether or not the interrupt was delivered yet. */
        public boolean expired() {
            return state.get() >= FIRING || System.nanoTime() - deadline > 0;
        }

        /**
         * Ends timing. Returns whether the watchdog fired; clears its interrupt and restores the
         * caller's own interrupt status either way.
         */
        public boolean finish() {
            if (isNested) {
                owner.nested.remove(this);
            }
            boolean fired = !state.compareAndSet(RUNNING, IDLE);
            if (fired) {
                while (state.get() == FIRING) {
                    Thread.onSpinWait();
                }
                Thread.interrupted();
                state.set(IDLE);
            }
            if (callerWasInterrupted) {
                Thread.currentThread().interrupt();
            }
            return fired;
        }
    }
}
