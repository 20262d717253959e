package dev.graft.host.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.host.registry.CircuitBreaker.State;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    final MutableClock clock = new MutableClock();
    final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(30), clock);

    void fail(int times) {
        for (int i = 0; i < times; i++) {
            assertTrue(breaker.tryAcquire());
            breaker.onFailure();
        }
    }

    @Test
    void opensAfterTheThresholdOfConsecutiveFailures() {
        fail(2);
        assertTrue(breaker.tryAcquire());
        breaker.onSuccess();                                   // a success in between starts the count again
        fail(2);
        assertEquals(State.CLOSED, breaker.status().state());
        assertEquals(2, breaker.status().consecutiveFailures());
        fail(1);
        assertEquals(State.OPEN, breaker.status().state());
        assertTrue(breaker.status().quarantined());
        assertEquals(1, breaker.status().timesOpened());
        assertEquals(clock.instant(), breaker.status().openedAt());
    }

    @Test
    void refusesWhileOpenAndAdmitsOneTrialAfterTheCoolDown() {
        fail(3);
        assertFalse(breaker.tryAcquire());
        clock.advance(Duration.ofSeconds(29));
        assertFalse(breaker.tryAcquire());
        assertEquals(Duration.ofSeconds(1), breaker.remainingCoolDown());
        assertEquals(2, breaker.status().rejectedCalls());

        clock.advance(Duration.ofSeconds(1));
        assertEquals(State.HALF_OPEN, breaker.status().state(), "shown half-open once the cool-down has passed");
        assertTrue(breaker.tryAcquire(), "the trial call");
        assertFalse(breaker.tryAcquire(), "only one trial at a time");
        breaker.onSuccess();
        assertEquals(State.CLOSED, breaker.status().state());
        assertEquals(0, breaker.status().consecutiveFailures());
        assertTrue(breaker.tryAcquire());
    }

    @Test
    void aFailedTrialStartsANewCoolDown() {
        fail(3);
        clock.advance(Duration.ofSeconds(30));
        assertTrue(breaker.tryAcquire());
        assertTrue(breaker.onFailure(), "the failed trial opens it again");
        assertEquals(State.OPEN, breaker.status().state());
        assertEquals(2, breaker.status().timesOpened());
        assertFalse(breaker.tryAcquire());
        clock.advance(Duration.ofSeconds(30));
        assertTrue(breaker.tryAcquire());
    }

    @Test
    void aTrialThatNeverReachedThePluginLetsTheNextCallTry() {
        fail(3);
        clock.advance(Duration.ofSeconds(30));
        assertTrue(breaker.tryAcquire());
        breaker.onIgnored();
        assertTrue(breaker.tryAcquire(), "no new cool-down: the trial did not decide");
        breaker.onSuccess();
        assertEquals(State.CLOSED, breaker.status().state());
    }

    @Test
    void resetClosesAtOnce() {
        fail(3);
        breaker.reset();
        assertTrue(breaker.tryAcquire());
        assertEquals(State.CLOSED, breaker.status().state());
    }

    @Test
    void thresholdZeroNeverOpens() {
        CircuitBreaker off = new CircuitBreaker(0, Duration.ofSeconds(30), clock);
        for (int i = 0; i < 100; i++) {
            assertTrue(off.tryAcquire());
            assertFalse(off.onFailure());
        }
        assertEquals(State.CLOSED, off.status().state());
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker(-1, Duration.ZERO, clock));
        assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker(1, Duration.ofSeconds(-1), clock));
    }
}
