package dev.graft.host.pool;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A bounded pool of run-time objects (plugin instances), each handed to one thread at a time. A
 * released object that is no longer healthy (trapped, interrupted, over a limit) is discarded and a
 * fresh one is created on the next demand, so a broken instance never serves another call.
 *
 * @param <T> the pooled object
 */
public final class InstancePool<T> {

    private final Supplier<T> factory;
    private final Consumer<T> destroyer;
    private final ArrayBlockingQueue<T> idle;
    private final Semaphore permits;
    private volatile boolean closed;

    public InstancePool(int size, Supplier<T> factory, Consumer<T> destroyer) {
        if (size < 1) {
            throw new IllegalArgumentException("pool size must be at least 1, was " + size);
        }
        this.factory = factory;
        this.destroyer = destroyer;
        this.idle = new ArrayBlockingQueue<>(size);
        this.permits = new Semaphore(size, true);
    }

    /** Offers an object created elsewhere (the load-time trial instance) for reuse. */
    public void seed(T object) {
        if (!idle.offer(object)) {
            destroyer.accept(object);
        }
    }

    /**
     * Takes an idle object or creates one, waiting up to {@code timeoutNanos} for a free slot.
     *
     * @return the object, or {@code null} when no slot became free in time
     */
    public T acquire(long timeoutNanos) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("pool is closed");
        }
        return permits.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS) ? takeWithPermit() : null;
    }

    /**
     * An idle or new object if a permit is free right now, else {@code null} without waiting: lets a
     * caller skip computing a wait timeout (a clock read) on the common, uncontended path.
     */
    public T tryAcquire() {
        if (closed) {
            throw new IllegalStateException("pool is closed");
        }
        return permits.tryAcquire() ? takeWithPermit() : null;
    }

    /** An idle object or a new one, for a caller holding a permit (given back if creating fails). */
    private T takeWithPermit() {
        try {
            T object = idle.poll();
            return object != null ? object : factory.get();
        } catch (RuntimeException | Error e) {
            permits.release();
            throw e;
        }
    }

    /** Returns an object; an unhealthy one is destroyed instead of reused. */
    public void release(T object, boolean healthy) {
        try {
            if (healthy && !closed && idle.offer(object)) {
                return;
            }
            destroyer.accept(object);
        } finally {
            permits.release();
        }
    }

    /** Objects waiting to be reused. */
    public int idleCount() {
        return idle.size();
    }

    /** Destroys idle objects; objects in use are destroyed when released. */
    public void close() {
        closed = true;
        T object;
        while ((object = idle.poll()) != null) {
            destroyer.accept(object);
        }
    }
}
