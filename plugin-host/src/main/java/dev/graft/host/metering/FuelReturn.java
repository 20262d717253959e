package dev.graft.host.metering;

/**
 * How a metered function hands the remaining fuel back to its caller. Fuel goes down a call as an
 * extra i64 parameter; it comes back in the result where it fits, because a global access costs far
 * more in compiled Chicory than a value on the JVM stack, and multi-value results allocate an array
 * per call.
 */
enum FuelReturn {
    /** No results: the fuel is the only result. */
    ALONE(0x40),
    /** One i32 result: returns {@code (fuel << 32) | result} as an i64. */
    WITH_I32(0x7F),
    /** One f32 result: like {@link #WITH_I32}, with the f32's bits. */
    WITH_F32(0x7D),
    /** Anything else: results unchanged, the fuel is written to the global before returning. */
    VIA_GLOBAL(-1);

    /** Block type of the original results (for the block that wraps the body), or -1. */
    final int blockType;

    FuelReturn(int blockType) {
        this.blockType = blockType;
    }

    /** The convention for a function with these result types (value type bytes). */
    static FuelReturn of(byte[] results) {
        if (results.length == 0) {
            return ALONE;
        }
        if (results.length == 1 && results[0] == 0x7F) {
            return WITH_I32;
        }
        if (results.length == 1 && results[0] == 0x7D) {
            return WITH_F32;
        }
        return VIA_GLOBAL;
    }

    boolean packed() {
        return this != VIA_GLOBAL;
    }
}
