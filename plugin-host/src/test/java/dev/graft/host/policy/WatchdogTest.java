package dev.graft.host.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The watchdog interrupts a call past its deadline, whether it runs on the thread's own timer or on
 * a nested call's, and never a call that finished in time; an interrupt it delivered is cleared.
 */
class WatchdogTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Sleeps until interrupted or 5 s pass; true when interrupted. */
    private static boolean sleepUntilInterrupted() {
        try {
            Thread.sleep(5_000);
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    @Test
    void aCallPastItsDeadlineIsInterruptedAndTheInterruptCleared() {
        Watchdog.CallTimer timer = Watchdog.shared().start(20 * MS);
        long start = System.nanoTime();
        assertTrue(sleepUntilInterrupted(), "interrupted");
        assertTrue(System.nanoTime() - start < 4_000 * MS, "within the deadline's order of magnitude");
        assertTrue(timer.finish(), "finish reports that the watchdog fired");
        assertFalse(Thread.currentThread().isInterrupted(), "the watchdog's interrupt is cleared");
    }

    @Test
    void aScanThatReadAnEndedCallNeverFiresTheNextCallOnTheSameTimer() {
        // The race a scan can lose: it reads call N running and past its deadline, N ends, N+1 begins on the
        // same thread's timer, then the scan fires. The generation in the stamp makes that fire miss.
        Watchdog.CallTimer timer = new Watchdog.CallTimer(Watchdog.shared(), Thread.currentThread(), false);
        timer.begin(0);
        long seenByScan = timer.stamp();
        assertFalse(timer.finish());
        timer.begin(TimeUnit.HOURS.toNanos(1));
        timer.fire(seenByScan);
        assertFalse(Thread.currentThread().isInterrupted(), "the next call was interrupted by the stale scan");
        assertFalse(timer.finish(), "the next call was marked as fired");
        // The same scan on the call it read does fire it.
        timer.begin(0);
        timer.fire(timer.stamp());
        assertTrue(Thread.currentThread().isInterrupted());
        assertTrue(timer.finish());
        assertFalse(Thread.currentThread().isInterrupted(), "finish clears the watchdog's interrupt");
    }

    @Test
    void manyShortCallsOnOneThreadAreNeverInterrupted() throws InterruptedException {
        for (int i = 0; i < 2_000; i++) {
            Watchdog.CallTimer timer = Watchdog.shared().start(1_000 * MS);
            assertFalse(timer.finish());
        }
        Thread.sleep(20); // a scan runs with no call in flight
        Watchdog.CallTimer timer = Watchdog.shared().start(1_000 * MS);
        assertFalse(Thread.currentThread().isInterrupted());
        assertFalse(timer.finish());
    }

    @Test
    void aNestedCallHasItsOwnDeadline() {
        Watchdog.CallTimer outer = Watchdog.shared().start(10_000 * MS);
        Watchdog.CallTimer inner = Watchdog.shared().start(20 * MS);
        assertTrue(sleepUntilInterrupted(), "the nested call is interrupted at its own deadline");
        assertTrue(inner.finish());
        assertFalse(Thread.currentThread().isInterrupted());
        assertFalse(outer.expired(), "the outer call's deadline is still ahead");
        assertFalse(outer.finish(), "the outer call was not interrupted");
    }

    @Test
    void callsOnThreadsThatHaveEndedLeaveNothingRunning() throws InterruptedException {
        Thread[] threads = new Thread[20];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> Watchdog.shared().start(1_000 * MS).finish());
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        // The next call on this thread still times out normally.
        Watchdog.CallTimer timer = Watchdog.shared().start(20 * MS);
        assertTrue(sleepUntilInterrupted());
        assertTrue(timer.finish());
    }
}
