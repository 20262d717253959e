package dev.graft.host.policy;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
        } else if (timer.state() != CallTimer.IDLE) {
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
                if (timer.state() == CallTimer.RUNNING) {
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
        /**
         * The call's generation (upper bits) and state (lowest two bits), in one word, so that the scan can
         * fire only the call whose deadline it read: a call that ended and a next one that began on the same
         * timer meanwhile have another generation, and the scan's compare-and-set fails.
         */
        private final AtomicLong stamp = new AtomicLong(IDLE);
        private volatile long deadline;
        private long startNanos;
        private boolean callerWasInterrupted;

        CallTimer(Watchdog owner, Thread target, boolean isNested) {
            this.owner = owner;
            this.target = target;
            this.isNested = isNested;
        }

        int state() {
            return (int) (stamp.get() & 3);
        }

        void begin(long timeoutNanos) {
            callerWasInterrupted = Thread.interrupted();
            startNanos = System.nanoTime();
            deadline = startNanos + timeoutNanos;
            long generation = (stamp.get() >>> 2) + 1;
            stamp.set(generation << 2 | RUNNING);   // written last: a scan that sees it sees the deadline
        }

        /**
         * Fires when a running call's deadline has passed. The deadline is read between two reads of the
         * stamp: when both are the same, it is this call's deadline (a next call writes its own deadline
         * before its stamp), and the fire only succeeds if the stamp has still not changed.
         */
        void check(long now) {
            long running = stamp.get();
            if ((running & 3) != RUNNING) {
                return;
            }
            long due = deadline;
            if (stamp.get() == running && now - due > 0) {
                fire(running);
            }
        }

        /** The generation and state, as {@link #check} reads them. */
        long stamp() {
            return stamp.get();
        }

        /** Interrupts the call {@code running} names, if it is still that call and still running. */
        void fire(long running) {
            long generation = running & ~3L;
            if (stamp.compareAndSet(running, generation | FIRING)) {
                target.interrupt();
                stamp.set(generation | FIRED);
            }
        }

        /** Nanoseconds since the call started. */
        public long elapsedNanos() {
            return System.nanoTime() - startNanos;
        }

        /** Whether the deadline has passed, whether or not the interrupt was delivered yet. */
        public boolean expired() {
            return state() >= FIRING || System.nanoTime() - deadline > 0;
        }

        /**
         * Ends timing. Returns whether the watchdog fired; clears its interrupt and restores the
         * caller's own interrupt status either way.
         */
        public boolean finish() {
            if (isNested) {
                owner.nested.remove(this);
            }
            long running = stamp.get();
            long generation = running & ~3L;
            boolean fired = !stamp.compareAndSet(generation | RUNNING, generation | IDLE);
            if (fired) {
                while (state() == FIRING) {
                    Thread.onSpinWait();
                }
                Thread.interrupted();
                stamp.set(generation | IDLE);
            }
            if (callerWasInterrupted) {
                Thread.currentThread().interrupt();
            }
            return fired;
        }
    }
}
