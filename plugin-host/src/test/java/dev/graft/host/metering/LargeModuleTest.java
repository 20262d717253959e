package dev.graft.host.metering;

import dev.graft.api.policy.CostModel;
import static dev.graft.host.metering.Metered.call;
import static dev.graft.host.metering.Metered.instantiate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Instance;
import dev.graft.host.metering.Metered.Mode;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** A generated ~1 MB module is metered well within a second and still runs. */
class LargeModuleTest {

    @Test
    void meteringAMegabyteModuleIsFast() {
        byte[] module = generate(1000, 30);
        assertTrue(module.length > 1_000_000, "generated " + module.length + " bytes");

        // The rewrite alone: FuelMetering.instrument first validates the original with Chicory's parser,
        // which takes seconds for this module (see docs/fuel.md), as parsing the metered module does.
        long start = System.nanoTime();
        byte[] metered = rewrite(module);
        long first = System.nanoTime() - start;
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            start = System.nanoTime();
            rewrite(module);
            best = Math.min(best, System.nanoTime() - start);
        }
        System.out.printf("[metering] %d-byte module -> %d bytes: first run %.1f ms, best of 3 later runs %.1f ms%n",
                module.length, metered.length, first / 1e6, best / 1e6);
        assertTrue(first < 3_000_000_000L, "metering took " + first / 1_000_000 + " ms");
    }

    private static byte[] rewrite(byte[] module) {
        return new ModuleRewriter(module, CostModel.defaults(), ModuleRewriter.COUNTER_LIMIT, java.util.Set.of()).run();
    }

    @Test
    void generatedModuleRunsWithExactFuel() {
        // Same shape, smaller: Chicory's own parser needs seconds for the megabyte version.
        Instance instance = instantiate(FuelMetering.instrument(generate(20, 30), CostModel.defaults()), Mode.INTERPRETED);
        // f5 runs its 30 loops of 3 iterations (2 + 3 × 18 + 3 = 59 each), then calls f4 (3) and
        // returns acc (1): 1774 per function, f0 without the call 1771.
        Metered.Outcome outcome = call(instance, "f5", 1_000_000_000L, 3);
        assertEquals(5 * 1774 + 1771, outcome.consumed);
    }

    /**
     * {@code functions} functions {@code f<i>(n: i32) -> i32}, each with {@code loops} copies of a
     * counting loop touching memory, then (except f0) a call to the previous function.
     */
    static byte[] generate(int functions, int loops) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(out, 1, new byte[] {1, 0x60, 1, 0x7F, 1, 0x7F}); // type 0: (i32) -> i32
        ByteArrayOutputStream funcs = new ByteArrayOutputStream();
        leb(funcs, functions);
        for (int i = 0; i < functions; i++) {
            funcs.write(0);
        }
        section(out, 3, funcs.toByteArray());
        section(out, 5, new byte[] {1, 0, 1}); // memory 1
        ByteArrayOutputStream exports = new ByteArrayOutputStream();
        leb(exports, functions);
        for (int i = 0; i < functions; i++) {
            byte[] name = ("f" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            leb(exports, name.length);
            exports.writeBytes(name);
            exports.write(0);
            leb(exports, i);
        }
        section(out, 7, exports.toByteArray());
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        leb(code, functions);
        for (int i = 0; i < functions; i++) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(new byte[] {1, 2, 0x7F}); // locals: 2 × i32 (1 = counter, 2 = acc)
            for (int l = 0; l < loops; l++) {
                body.writeBytes(new byte[] {
                    0x20, 0, 0x21, 1, // counter = n                                   (2)
                    0x02, 0x40, 0x03, 0x40, // block loop
                    0x20, 1, 0x45, 0x0D, 1, // br_if 1 (counter == 0)                       (3 each test)
                    0x20, 2, 0x20, 1, 0x6A, 0x21, 2, // acc += counter                    (4)
                    0x41, 0, 0x20, 2, 0x36, 2, 0, // i32.store [0] = acc                 (3)
                    0x41, 0, 0x28, 2, 0, 0x21, 2, // acc = i32.load [0]                  (3)
                    0x20, 1, 0x41, 1, 0x6B, 0x21, 1, // counter -= 1                      (4)
                    0x0C, 0, // br 0                                                     (1)
                    0x0B, 0x0B,
                });
            }
            if (i > 0) {
                body.writeBytes(new byte[] {0x20, 0, 0x10});
                leb(body, i - 1);
                body.writeBytes(new byte[] {0x1A}); // local.get 0; call f(i-1); drop
            }
            body.writeBytes(new byte[] {0x20, 2, 0x0B}); // acc
            leb(code, body.size());
            code.writeBytes(body.toByteArray());
        }
        section(out, 10, code.toByteArray());
        return out.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        leb(out, content.length);
        out.writeBytes(content);
    }

    private static void leb(ByteArrayOutputStream out, long value) {
        do {
            int b = (int) (value & 0x7F);
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }
}
