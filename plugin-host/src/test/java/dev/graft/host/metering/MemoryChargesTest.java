package dev.graft.host.metering;

import dev.graft.api.policy.CostModel;
import static dev.graft.host.metering.Metered.call;
import static dev.graft.host.metering.Metered.instantiate;
import static dev.graft.host.metering.Metered.meter;
import static dev.graft.host.metering.Metered.referenceCount;
import static dev.graft.host.metering.Metered.wat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import dev.graft.host.metering.Metered.Mode;
import dev.graft.host.metering.Metered.Outcome;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** memory.grow is charged per requested page, bulk memory per byte, before the operation runs. */
class MemoryChargesTest {

    static final long AMPLE = 1_000_000_000L;

    static final String MEMORY = """
            (module
              (memory (export "memory") 1 4)
              (data (i32.const 16) "hello, fuel")
              (data $passive "passive!")
              (func (export "fillcopy") (param $n i32) (result i32)
                (memory.fill (i32.const 100) (i32.const 0x41) (local.get $n))
                (memory.copy (i32.const 200) (i32.const 16) (i32.const 11))
                (i32.load8_u (i32.const 204)))
              (func (export "grow") (param $pages i32) (result i32)
                (memory.grow (local.get $pages)))
              (func (export "init") (param $n i32)
                (memory.init $passive (i32.const 300) (i32.const 0) (local.get $n))
                (data.drop $passive))
              (func (export "checksum") (param $from i32) (param $len i32) (result i32) (local $h i32)
                (block $done
                  (loop $byte
                    (br_if $done (i32.eqz (local.get $len)))
                    (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31))
                                           (i32.load8_u offset=0 (local.get $from))))
                    (local.set $from (i32.add (local.get $from) (i32.const 1)))
                    (local.set $len (i32.sub (local.get $len) (i32.const 1)))
                    (br $byte)))
                (local.get $h))
              (func (export "store") (param $at i32) (param $v i64)
                (i64.store offset=8 (local.get $at) (local.get $v))
                (i32.store16 (local.get $at) (i32.const 0xBEEF))))
            """;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void bulkMemoryIsChargedPerByte(Mode mode) {
        byte[] original = wat(MEMORY);
        Instance metered = instantiate(meter(original), mode);
        Instance plain = instantiate(original, mode);

        Outcome fillcopy = call(metered, "fillcopy", AMPLE, 50);
        assertEquals(plain.export("fillcopy").apply(50)[0], fillcopy.result());
        assertEquals('o', fillcopy.result());
        // 10 instructions + 50 filled bytes + 11 copied bytes
        assertEquals(10 + 50 + 11, fillcopy.consumed);
        assertEquals(10, referenceCount(original, "fillcopy", 50));
        assertArrayEquals(plain.memory().readBytes(0, 400), metered.memory().readBytes(0, 400));

        Outcome init = call(metered, "init", AMPLE, 8);
        plain.export("init").apply(8);
        // 5 instructions + 8 bytes
        assertEquals(5 + 8, init.consumed);
        assertEquals("passive!", metered.memory().readString(300, 8));
        assertArrayEquals(plain.memory().readBytes(0, 400), metered.memory().readBytes(0, 400));

        Outcome checksum = call(metered, "checksum", AMPLE, 0, 400);
        assertEquals(plain.export("checksum").apply(0, 400)[0], checksum.result());
        assertEquals(referenceCount(original, "checksum", 0, 400), checksum.consumed);

        call(metered, "store", AMPLE, 1000, 0x0123456789ABCDEFL);
        plain.export("store").apply(1000, 0x0123456789ABCDEFL);
        assertArrayEquals(plain.memory().readBytes(990, 30), metered.memory().readBytes(990, 30));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void memoryGrowIsChargedPerRequestedPage(Mode mode) {
        Instance metered = instantiate(meter(wat(MEMORY)), mode);
        Outcome grow = call(metered, "grow", AMPLE, 2);
        assertEquals(1, grow.result());
        assertEquals(2 + 2 * 1000, grow.consumed);
        assertEquals(3, metered.memory().pages());

        // A grow past the maximum fails (-1) but the request is still charged.
        Outcome refused = call(metered, "grow", AMPLE, 10);
        assertEquals(-1, (int) refused.result());
        assertEquals(2 + 10 * 1000, refused.consumed);
        assertEquals(3, metered.memory().pages());

        assertEquals(2, call(metered, "grow", AMPLE, 0).consumed);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void anUnpaidOperationNeverRuns(Mode mode) {
        Instance metered = instantiate(meter(wat(MEMORY)), mode);
        Memory memory = metered.memory();

        Outcome grow = call(metered, "grow", 1500, 2);
        assertTrue(grow.exhausted());
        assertEquals(1500 - 2 - 2000, grow.remaining);
        assertEquals(1, memory.pages());

        Outcome fill = call(metered, "fillcopy", 1000, 5000);
        assertTrue(fill.exhausted());
        assertEquals(1000 - 10 - 5000, fill.remaining);
        assertEquals(0, memory.read(100)); // memory.fill did not happen
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void dynamicCostsFollowTheModel(Mode mode) {
        CostModel model = CostModel.builder().bulkMemoryPerByte(3).memoryGrowPerPage(7).build();
        Instance metered = instantiate(FuelMetering.instrument(wat(MEMORY), model), mode);
        assertEquals(10 + 3 * (50 + 11), call(metered, "fillcopy", AMPLE, 50).consumed);
        assertEquals(2 + 7 * 2, call(metered, "grow", AMPLE, 2).consumed);

        CostModel free = CostModel.builder().bulkMemoryPerByte(0).memoryGrowPerPage(0).build();
        Instance unmetered = instantiate(FuelMetering.instrument(wat(MEMORY), free), mode);
        assertEquals(10, call(unmetered, "fillcopy", AMPLE, 50).consumed);
        assertEquals(2, call(unmetered, "grow", AMPLE, 2).consumed);
    }
}
