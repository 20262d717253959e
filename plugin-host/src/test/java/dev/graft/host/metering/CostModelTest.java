package dev.graft.host.metering;

import dev.graft.api.policy.CostModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CostModelTest {

    @Test
    void defaults() {
        CostModel model = CostModel.defaults();
        assertEquals(1, model.instructionCost());
        assertEquals(1, model.bulkMemoryPerByte());
        assertEquals(1000, model.memoryGrowPerPage());
        assertEquals(10_000_000, model.startFuel());
        assertEquals(100, model.hostCallFixed());
        assertEquals(1, model.hostCallPerByte());
        assertEquals("fuel-4;insn=1;bulkByte=1;growPage=1000;start=10000000;hostFixed=100", FuelMetering.cacheKey(model));
    }

    @Test
    void withersBuildersAndEquality() {
        CostModel a = CostModel.defaults().withMemoryGrowPerPage(5).withHostCallFixed(7);
        CostModel b = CostModel.builder().memoryGrowPerPage(5).hostCallFixed(7).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a.cacheKey(), b.cacheKey());
        assertEquals(a, a.toBuilder().build());
        assertNotEquals(a, CostModel.defaults());
        assertNotEquals(a.cacheKey(), CostModel.defaults().cacheKey());
        // host-call costs do not change the rewritten bytes, so not the cache key either
        assertEquals(CostModel.defaults().cacheKey(), CostModel.defaults().withHostCallPerByte(9).cacheKey());
        assertNotEquals(CostModel.defaults(), CostModel.defaults().withHostCallPerByte(9));
    }

    @Test
    void hostCallCost() {
        assertEquals(100, CostModel.defaults().hostCallCost(0));
        assertEquals(1124, CostModel.defaults().hostCallCost(1024));
        assertEquals(Long.MAX_VALUE, CostModel.defaults().withHostCallPerByte(Long.MAX_VALUE).hostCallCost(2));
    }

    @Test
    void rejectsOutOfRangeValues() {
        assertThrows(IllegalArgumentException.class, () -> CostModel.defaults().withInstructionCost(0));
        assertThrows(IllegalArgumentException.class, () -> CostModel.defaults().withInstructionCost((1L << 20) + 1));
        assertThrows(IllegalArgumentException.class, () -> CostModel.defaults().withBulkMemoryPerByte(-1));
        assertThrows(IllegalArgumentException.class, () -> CostModel.defaults().withMemoryGrowPerPage(1L << 31));
        assertThrows(IllegalArgumentException.class, () -> CostModel.defaults().withStartFuel(-1));
        assertThrows(IllegalArgumentException.class, () -> CostModel.defaults().withHostCallFixed(-5));
    }
}
