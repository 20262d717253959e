package dev.graft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code graft call} on load bombs, in a JVM with {@code -Xmx256m} (the {@code load-bombs} execution
 * in plugin-cli/pom.xml): exit code 2, one line naming the limit, no stack trace, no OutOfMemoryError.
 */
class CliLoadBombTest {

    @TempDir
    Path dir;

    static void leb(ByteArrayOutputStream out, long value) {
        do {
            int b = (int) (value & 0x7F);
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }

    static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        leb(out, content.length);
        out.writeBytes(content);
    }

    /** One function with 50 million i32 locals in 1,000 entries: Chicory alone ran out of heap on it. */
    static byte[] localsBomb() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        leb(body, 1000);
        for (int i = 0; i < 1000; i++) {
            leb(body, 50_000);
            body.write(0x7F);
        }
        body.write(0x0B);
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        leb(code, 1);
        leb(code, body.size());
        code.writeBytes(body.toByteArray());
        ByteArrayOutputStream module = new ByteArrayOutputStream();
        module.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(module, 1, new byte[] {1, 0x60, 0, 0});
        section(module, 3, new byte[] {1, 0});
        section(module, 7, new byte[] {1, 3, 'r', 'u', 'n', 0, 0});
        section(module, 10, code.toByteArray());
        return module.toByteArray();
    }

    /** A data segment claiming 2 GiB in a 29-byte file. */
    static byte[] dataBomb() {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(new byte[] {1, 0, 0x41, 0, 0x0B});
        leb(data, 0x7FFF_FFF0L);
        data.writeBytes(new byte[] {1, 2, 3, 4});
        ByteArrayOutputStream module = new ByteArrayOutputStream();
        module.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(module, 5, new byte[] {1, 0, 1});
        section(module, 11, data.toByteArray());
        return module.toByteArray();
    }

    /** 40 functions of 60 KB of i32.load each, just over the JVM's method limit when compiled. */
    static byte[] compileBomb() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0);
        for (int i = 0; i < 10_000; i++) {
            body.writeBytes(new byte[] {0x41, 0, 0x28, 2, 0, 0x1A});
        }
        body.write(0x0B);
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        leb(code, 40);
        ByteArrayOutputStream functions = new ByteArrayOutputStream();
        leb(functions, 40);
        for (int i = 0; i < 40; i++) {
            leb(code, body.size());
            code.writeBytes(body.toByteArray());
            functions.write(0);
        }
        ByteArrayOutputStream module = new ByteArrayOutputStream();
        module.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(module, 1, new byte[] {1, 0x60, 0, 0});
        section(module, 3, functions.toByteArray());
        section(module, 5, new byte[] {1, 0, 1});
        section(module, 7, new byte[] {1, 3, 'r', 'u', 'n', 0, 0});
        section(module, 10, code.toByteArray());
        return module.toByteArray();
    }

    GraftCommandTest.Run callBomb(String name, byte[] bytes, String... more) throws Exception {
        Path file = dir.resolve(name + ".wasm");
        Files.write(file, bytes);
        String[] args = new String[3 + more.length];
        args[0] = "call";
        args[1] = file.toString();
        args[2] = "run";
        System.arraycopy(more, 0, args, 3, more.length);
        return GraftCommandTest.graft(args);
    }

    static void assertCleanRefusal(GraftCommandTest.Run run, String... mentions) {
        assertEquals(2, run.code(), run.stderr());
        assertFalse(run.stderr().contains("\tat "), "a stack trace: " + run.stderr());
        assertFalse(run.stderr().contains("OutOfMemoryError"), run.stderr());
        assertEquals(1, run.stderr().strip().lines().count(), "one line: " + run.stderr());
        for (String mention : mentions) {
            assertTrue(run.stderr().contains(mention), run.stderr());
        }
    }

    @Test
    void localsBombExitsTwoNamingTheLimit() throws Exception {
        assertCleanRefusal(callBomb("locals", localsBomb()), "plugin 'locals'",
                "load-limits.max-locals-per-function = 50,000", "50,000,000 locals");
        assertCleanRefusal(callBomb("locals-unmetered", localsBomb(), "--fuel", "0", "--interpreted"),
                "load-limits.max-locals-per-function");
    }

    @Test
    void dataBombExitsTwoAsMalformed() throws Exception {
        assertCleanRefusal(callBomb("data", dataBomb()), "not a valid Wasm module",
                "data segment 0 declares 2,147,483,632 bytes");
    }

    @Test
    void compileBombExitsTwoWithinFiveSeconds() throws Exception {
        long start = System.nanoTime();
        assertCleanRefusal(callBomb("compile", compileBomb()), "load-limits.max-huge-functions = 16",
                "40 functions of 32,768 bytes or more");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs < 5000, elapsedMs + " ms");
    }

    @Test
    void theNextCallStillWorks() {
        GraftCommandTest.Run run = GraftCommandTest.graft("call", GraftCommandTest.HELLO, "greet", "--input", "after");
        assertEquals(0, run.code(), run.stderr());
        assertTrue(run.out().contains("after"), run.out());
    }
}
