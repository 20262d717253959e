package dev.graft.host.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.TrapException;
import dev.graft.api.PluginMemoryLimitException;
import dev.graft.host.policy.MemoryBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kernel allocator against the expectations of Extism's own kernel tests (the runtime's
 * {@code tests/kernel.rs} and the kernel's {@code lib.rs} tests), each test naming the one it
 * covers, plus what Graft adds: merging, a flat extent under churn, the budget, traps out of bounds.
 */
class KernelMemoryTest {

    private final MemoryBudget budget = new MemoryBudget("kernel-test", 64L << 20);
    private final KernelMemory memory = new KernelMemory(budget);

    private long alloc(long n) {
        return memory.alloc(n, " in 'test'");
    }

    // kernel.rs test_kernel_allocations, step by step.
    @Test
    void allocationsReuseSplitAndResetAsExtismDoes() {
        long p = alloc(65535);
        long firstAlloc = p;
        assertEquals(65535, memory.length(p));
        for (int k = 1; k <= 4; k++) {
            assertEquals(0, memory.length(p + k), "an offset inside a block is no block");
        }
        memory.free(p);

        long q = alloc(65535);
        assertEquals(p, q, "the freed block is reused");
        assertEquals(65535, memory.length(q));
        memory.free(q);

        long r = alloc(65535 - 24);
        assertEquals(q, r, "a block with less than 128 bytes to spare is reused whole");
        assertEquals(65535 - 24, memory.length(q));
        memory.free(r);

        long one = alloc(1);
        assertTrue(one > 0);
        assertEquals(1, memory.length(one));
        memory.free(one);

        long two = alloc(2);
        assertTrue(two > 0);
        assertNotEquals(one, two);
        assertEquals(2, memory.length(two));
        memory.free(two);

        for (int i = 0; i < 64; i++) {
            long b = alloc(64 - i);
            assertTrue(b > 0);
            assertEquals(64 - i, memory.length(b));
            memory.free(b);
        }

        long pages = alloc(6553600);
        assertEquals(6553600, memory.length(pages));
        memory.free(pages);

        long page = alloc(65536);
        assertEquals(65536, memory.length(page));

        long more = alloc(65536 + 1024);
        assertEquals(65536 + 1024, memory.length(more));
        memory.free(more);

        memory.reset();
        long again = alloc(65536 + 1024);
        assertTrue(again < more);
        assertEquals(firstAlloc, again, "after reset the first block is where it was");
        assertEquals(65536 + 1024, memory.length(again));
        assertEquals(0, memory.length(more), "an old offset is no block after reset");
        memory.free(again);
    }

    // kernel.rs test_kernel_page_allocations: the split block is carved from the end of the free one.
    @Test
    void splittingCarvesFromTheEndOfTheFreeBlock() {
        long a = alloc(65500 * 4);
        long aSize = memory.length(a);
        long b = alloc(65539);
        memory.free(a);
        long c = alloc(65500 * 2);
        long cSize = memory.length(c);
        long d = alloc(65500);
        assertEquals(a + (aSize - cSize), c);
        assertTrue(c < b);
        assertTrue(d < b);
    }

    // lib.rs test_659: Graft hands out the very offsets Extism's kernel does.
    @Test
    void offsetsAreExtismsOffsets() {
        memory.reset();
        assertEquals(77, alloc(1065));
        assertEquals(1154, alloc(288));
        assertEquals(1454, alloc(128));
        assertEquals(288, memory.length(1154));
        assertEquals(128, memory.length(1454));
        memory.free(1454);
        assertEquals(1594, alloc(213));
        assertEquals(1819, alloc(511));
        assertEquals(1454, alloc(4), "the freed 128-byte block, too small to split, is reused whole");
        assertEquals(4, memory.length(1454));
        assertEquals(511, memory.length(1819));
        assertEquals(2342, alloc(13));
        assertEquals(13, memory.length(2342));
        assertEquals(2367, alloc(336));
        assertEquals(2715, alloc(1077));
        assertEquals(336, memory.length(2367));
        assertEquals(1077, memory.length(2715));
        memory.free(2715);
        assertEquals(3804, alloc(1094));
        assertEquals(3788, alloc(4), "carved from the end of the freed 1077-byte block");
        assertEquals(3772, alloc(4));
        assertEquals(4, memory.length(3772));
        assertEquals(4, memory.length(3788), "3788 is still live");
    }

    // kernel.rs test_failed_quickcheck1: every allocation reports its exact length.
    @Test
    void lengthsAreExactForARecordedSequence() {
        long[] allocs = {20622, 23162, 58594, 32421, 25928, 44611, 26318, 24455, 5798, 60202, 42126, 64928, 57832,
            50888, 63256, 37562, 46334, 47985, 60836, 28132, 65535, 37800, 33150, 48768, 38457, 57249, 5734, 58587,
            26294, 26653, 24519, 1};
        memory.reset();
        for (long a : allocs) {
            assertEquals(a, memory.length(alloc(a)));
        }
    }

    // kernel.rs test_failed_quickcheck2 and lib.rs test_oom: where Extism's alloc returns 0, Graft refuses
    // with the memory limit, and the kernel stays usable.
    @Test
    void hugeAllocationsAreRefusedByTheBudget() {
        KernelMemory small = new KernelMemory(new MemoryBudget("kernel-test", 16L << 20));
        for (long a : new long[] {352054710L, 1248853976L, 2678441931L}) {
            PluginMemoryLimitException e = assertThrows(PluginMemoryLimitException.class, () -> small.alloc(a, " in 'test'"));
            assertEquals("max-memory", e.knob());
            assertTrue(e.getMessage().contains("alloc of " + a + " bytes in 'test'"), e.getMessage());
        }
        long p = small.alloc(14567928, " in 'test'");
        assertEquals(14567928, small.length(p));
        int fiveMiB = 5 << 20;
        KernelMemory oom = new KernelMemory(new MemoryBudget("kernel-test", 16L << 20));
        int granted = 0;
        try {
            for (int i = 0; i < 1024; i++) {
                assertEquals(fiveMiB, oom.length(oom.alloc(fiveMiB, "")));
                granted++;
            }
        } catch (PluginMemoryLimitException e) {
            assertEquals(3, granted, "three 5 MiB blocks fit in 16 MiB, the fourth does not");
        }
        assertEquals(3, granted);
    }

    // kernel.rs test_load_store (out of bounds: Extism reads 0 and ignores the store; Graft traps).
    @Test
    void loadsAndStoresAreLittleEndianAndTrapOutOfBounds() {
        long p = alloc(8);
        memory.storeU64(p, 999);
        assertEquals(999, memory.loadU64(p));
        long fromBytes = 0;
        for (int i = 7; i >= 0; i--) {
            fromBytes = (fromBytes << 8) | memory.loadU8(p + i);
        }
        assertEquals(999, fromBytes);
        for (int i = 0; i < 8; i++) {
            memory.storeU8(p + i, i);
        }
        assertEquals(0x0706050403020100L, memory.loadU64(p));

        assertThrows(TrapException.class, () -> memory.loadU64(0xffffffffffffL));
        assertThrows(TrapException.class, () -> memory.storeU8(0xffffffffffffL, 0));
        assertThrows(TrapException.class, () -> memory.loadU64(p + 1), "8 bytes from p+1 end past the last block");
        assertThrows(TrapException.class, () -> memory.loadU8(0));
        assertThrows(TrapException.class, () -> memory.loadU8(-1));
        assertThrows(TrapException.class, () -> memory.loadU64(Long.MAX_VALUE - 3));
        assertThrows(TrapException.class, () -> memory.read(p, -1, "read"));
    }

    // kernel.rs quickcheck check_alloc and check_large_alloc: any sequence of sizes gets exact lengths.
    @Test
    void randomSizesGetExactLengths() {
        Random random = new Random(17);
        for (int round = 0; round < 50; round++) {
            memory.reset();
            for (int i = 0; i < 100; i++) {
                long a = round % 2 == 0 ? random.nextInt(1 << 16) : random.nextInt(1 << 18);
                if (a == 0) {
                    continue;
                }
                long p = alloc(a);
                assertEquals(a, memory.length(p));
            }
        }
    }

    // kernel.rs quickcheck check_alloc_with_frees and check_large_alloc_with_frees, with the data kept
    // intact checked too (check_alloc_with_load_and_store): live blocks never overlap.
    @Test
    void randomAllocsAndFreesKeepEveryLiveBlockIntact() {
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            memory.reset();
            List<long[]> live = new ArrayList<>();
            long prev = 0;
            for (int i = 0; i < 400; i++) {
                int a = random.nextInt(round % 2 == 0 ? 2000 : 70000);
                long p = alloc(a);
                assertEquals(a, memory.length(p));
                byte tag = (byte) random.nextInt();
                for (int k = 0; k < a; k += Math.max(1, a / 16)) {
                    memory.storeU8(p + k, tag);
                }
                live.add(new long[] {p, a, tag});
                if (a % 2 == 0) {
                    assertTrue(memory.free(p));
                    live.removeIf(b -> b[0] == p);
                } else if (a % 3 == 0 && prev != 0) {
                    long freed = prev;
                    memory.free(freed);
                    live.removeIf(b -> b[0] == freed);
                }
                prev = p;
            }
            for (long[] b : live) {
                assertEquals(b[1], memory.length(b[0]));
                for (int k = 0; k < b[1]; k += Math.max(1, (int) b[1] / 16)) {
                    assertEquals((byte) b[2], (byte) memory.loadU8(b[0] + k), "block at " + b[0] + " intact");
                }
            }
            live.sort((x, y) -> Long.compare(x[0], y[0]));
            for (int k = 1; k < live.size(); k++) {
                long[] before = live.get(k - 1);
                assertTrue(before[0] + before[1] + KernelMemory.HEADER <= live.get(k)[0], "blocks do not overlap");
            }
        }
    }

    // lib.rs free: freeing 0, an offset inside a block, or a freed block does nothing.
    @Test
    void freeOfANonBlockIsIgnored() {
        long p = alloc(300);
        long q = alloc(10);
        assertFalse(memory.free(0));
        assertFalse(memory.free(p + 1));
        assertFalse(memory.free(123456789));
        assertEquals(300, memory.length(p));
        assertTrue(memory.free(p));
        assertFalse(memory.free(p), "a second free is ignored");
        assertEquals(0, memory.length(p), "a freed block has no length");
        assertEquals(10, memory.length(q));
    }

    // Graft's addition: a freed block merges with free neighbours, so the space is one block again.
    @Test
    void freedNeighboursMerge() {
        long a = alloc(100);
        long b = alloc(100);
        long c = alloc(100);
        alloc(1);
        long top = memory.top();
        memory.free(a);
        memory.free(c);
        memory.free(b);
        long whole = alloc(300 + 2 * KernelMemory.HEADER);
        assertEquals(a, whole, "a, b and c merged into one block that fits exactly");
        assertEquals(top, memory.top(), "without growing the kernel");
    }

    // Graft's addition: alloc/free churn in mixed order keeps the charged extent flat.
    @Test
    void churnInMixedOrderStaysFlat() {
        long flat = -1;
        for (int i = 0; i < 20_000; i++) {
            long big = alloc(1000 + (i % 7) * 100);
            long small = alloc(16 + (i % 5));
            if (i % 2 == 0) {
                memory.free(big);
                memory.free(small);
            } else {
                memory.free(small);
                memory.free(big);
            }
            if (i == 100) {
                flat = memory.usedBytes();
            }
        }
        assertTrue(flat > 0);
        assertEquals(flat, memory.usedBytes(), "the extent stopped growing");
        assertEquals(memory.usedBytes(), budget.usedBytes(), "and that extent is what the budget holds");
        assertTrue(memory.usedBytes() < 4 * 1024, "extent " + memory.usedBytes());
    }

    // Graft's addition: the budget is charged the extent, headers included, and cleared by reset.
    @Test
    void theBudgetHoldsTheExtent() {
        long p = alloc(1000);
        assertEquals(KernelMemory.HEADER + 1000, budget.usedBytes());
        memory.free(p);
        assertEquals(KernelMemory.HEADER + 1000, budget.usedBytes(), "a freed block stays held for reuse");
        alloc(500);
        assertEquals(KernelMemory.HEADER + 1000, budget.usedBytes(), "reuse costs nothing more");
        memory.reset();
        assertEquals(0, budget.usedBytes());
    }

    @Test
    void zeroLengthBlocksOfTheHostHaveOffsetsOfTheirOwn() {
        long a = memory.allocBytes(new byte[0], "");
        long b = memory.allocBytes(new byte[0], "");
        assertNotEquals(a, b);
        assertTrue(memory.isBlock(a));
        assertEquals(0, memory.length(a));
        assertArrayEquals(new byte[0], memory.readBlock(a, "read"));
    }

    @Test
    void aLongBlockIsReadOnlyAsFarAsAsked() {
        long p = memory.allocBytes(new byte[] {1, 2, 3, 4, 5}, "");
        assertArrayEquals(new byte[] {1, 2, 3}, memory.readBlockPrefix(p, 3, "log"));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, memory.readBlockPrefix(p, 100, "log"));
        assertThrows(TrapException.class, () -> memory.readBlockPrefix(p + 1, 3, "log"));
    }

    // The O(log n) bookkeeping against the plain algorithm (Extism's linear walk over blocks in address
    // order, plus merging): the same offsets, lengths and extent for a long random run.
    @Test
    void theTreapAgreesWithAPlainWalkOverTheBlocks() {
        Random random = new Random(7);
        for (int round = 0; round < 5; round++) {
            memory.reset();
            PlainAllocator plain = new PlainAllocator();
            List<Long> live = new ArrayList<>();
            for (int op = 0; op < 20_000; op++) {
                int kind = random.nextInt(10);
                if (kind < 5 || live.isEmpty()) {
                    long n = random.nextInt(4) == 0 ? random.nextInt(5000) : random.nextInt(200);
                    long p = alloc(n);
                    assertEquals(plain.alloc(n), p, "alloc of " + n + " at op " + op);
                    live.add(p);
                } else if (kind < 9) {
                    long p = live.remove(random.nextInt(live.size()));
                    assertEquals(plain.free(p), memory.free(p), "free at op " + op);
                } else {
                    long any = KernelMemory.HEAP_START + (long) (random.nextDouble() * (memory.top() - KernelMemory.HEAP_START));
                    assertEquals(plain.length(any), memory.length(any));
                    assertEquals(plain.free(any), memory.free(any), "free of an arbitrary offset at op " + op);
                    live.remove(any);
                }
                assertEquals(plain.top, memory.top(), "extent at op " + op);
            }
            for (long p : live) {
                assertEquals(plain.length(p), memory.length(p));
            }
        }
    }

    /** The allocator written the obvious way: a list of blocks in address order, walked on every call. */
    private static final class PlainAllocator {
        private final List<long[]> blocks = new ArrayList<>();   // {offset, capacity, used, free (0/1)}
        private long top = KernelMemory.HEAP_START;

        long alloc(long n) {
            for (int i = 0; i < blocks.size(); i++) {
                long[] b = blocks.get(i);
                if (b[3] == 1 && b[1] >= n) {
                    if (b[1] - n >= KernelMemory.SPLIT_THRESHOLD) {
                        b[1] = b[1] - n - KernelMemory.HEADER;
                        long offset = b[0] + b[1] + KernelMemory.HEADER;
                        blocks.add(i + 1, new long[] {offset, n, n, 0});
                        return offset;
                    }
                    b[2] = n;
                    b[3] = 0;
                    return b[0];
                }
            }
            long offset = top + KernelMemory.HEADER;
            top = offset + n;
            blocks.add(new long[] {offset, n, n, 0});
            return offset;
        }

        boolean free(long offset) {
            for (int i = 0; i < blocks.size(); i++) {
                long[] b = blocks.get(i);
                if (b[0] == offset && b[3] == 0) {
                    b[3] = 1;
                    b[2] = 0;
                    if (i + 1 < blocks.size() && blocks.get(i + 1)[3] == 1) {
                        b[1] += KernelMemory.HEADER + blocks.remove(i + 1)[1];
                    }
                    if (i > 0 && blocks.get(i - 1)[3] == 1) {
                        blocks.get(i - 1)[1] += KernelMemory.HEADER + b[1];
                        blocks.remove(i);
                    }
                    return true;
                }
            }
            return false;
        }

        long length(long offset) {
            for (long[] b : blocks) {
                if (b[0] == offset && b[3] == 0) {
                    return b[2];
                }
            }
            return 0;
        }
    }
}
