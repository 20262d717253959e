package dev.graft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SizesTest {

    @Test
    void sizeUnitsAreBinaryAsSpringBootsDataSize() {
        // Spring Boot's DataSize reads 16MB as 16 MiB; the CLI must mean the same by --max-memory 16MB.
        assertEquals(16L << 20, Sizes.bytes("16MB"));
        assertEquals(16L << 20, Sizes.bytes("16MiB"));
        assertEquals(512L << 10, Sizes.bytes("512KB"));
        assertEquals(512L << 10, Sizes.bytes("512kib"));
        assertEquals(1L << 30, Sizes.bytes("1GB"));
        assertEquals(1_048_576L, Sizes.bytes("1048576"));
    }

    @Test
    void aSizeThatIsNotOneIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.bytes("16 megs"));
        assertEquals("'16 megs' is not a size; use for example 16MiB, 512KiB or 1048576", e.getMessage());
    }

    @Test
    void durationsWithoutAUnitAreMilliseconds() {
        assertEquals(Duration.ofMillis(250), Sizes.duration("250"));
        assertEquals(Duration.ofSeconds(2), Sizes.duration("2s"));
    }
}
