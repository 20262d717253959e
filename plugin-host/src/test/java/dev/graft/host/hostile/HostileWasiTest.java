package dev.graft.host.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginCapabilityException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WASI: files, environment, clock, random and stdout are each denied until granted, and grants do not leak. */
class HostileWasiTest extends HostileTestBase {

    static final byte[] NO_INPUT = new byte[0];

    static Plugin load(String id, String fixture, Capabilities capabilities) {
        return ENGINE.load(PluginSpec.builder(Fixtures.source(id, fixture))
                .policy(PluginPolicy.builder().capabilities(capabilities).build()).build());
    }

    /** What the "read" export of wasi_files reported: the content, or the errno of the failed step. */
    record ReadOutcome(String content, int errno) {
        static ReadOutcome of(byte[] out) {
            assertTrue(out.length >= 1, "an answer");
            if (out[0] == 0) {
                return new ReadOutcome(new String(out, 1, out.length - 1, StandardCharsets.UTF_8), 0);
            }
            assertEquals(5, out.length, "status and errno");
            int errno = ByteBuffer.wrap(out, 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            assertNotEquals(0, errno);
            return new ReadOutcome(null, errno);
        }

        boolean failed() {
            return content == null;
        }
    }

    static ReadOutcome read(Plugin p, String path) {
        return ReadOutcome.of(p.call("read", path.getBytes(StandardCharsets.UTF_8)).output());
    }

    // 15. No file grant: nothing to open.

    @Test
    void readingAFileWithoutAGrantFails() {
        Plugin p = load("hostile-files", "wasi_files", Capabilities.builder().wasi(true).build());
        for (String path : new String[] {"ok.txt", "/etc/passwd", "../../../../etc/passwd", ".", "/"}) {
            ReadOutcome outcome = read(p, path);
            assertTrue(outcome.failed(), path + " was readable: " + outcome.content());
        }
    }

    // 16. A file grant does not reach beyond its folder.

    @Test
    void pathTraversalAndSymlinksDoNotEscapeTheGrantedFolder(@TempDir Path temp) throws Exception {
        Path granted = Files.createDirectories(temp.resolve("granted"));
        Files.writeString(granted.resolve("ok.txt"), "inside the grant");
        Files.createDirectories(granted.resolve("sub"));
        Files.writeString(granted.resolve("sub/nested.txt"), "nested inside");
        Path secret = Files.writeString(temp.resolve("secret.txt"), "TOP SECRET");
        Files.createSymbolicLink(granted.resolve("secret-link.txt"), secret);
        Files.createSymbolicLink(granted.resolve("outside-dir"), temp);

        Plugin p = load("hostile-traversal", "wasi_files", Capabilities.builder().file("/data", granted).build());
        assertEquals("inside the grant", read(p, "ok.txt").content());
        assertEquals("nested inside", read(p, "sub/nested.txt").content());

        for (String path : new String[] {"../secret.txt", "/etc/passwd", "../../etc/passwd", "sub/../../secret.txt",
                "secret-link.txt", "outside-dir/secret.txt", "../granted/../secret.txt", "/data/../secret.txt",
                "./../secret.txt"}) {
            ReadOutcome outcome = read(p, path);
            assertTrue(outcome.failed(), path + " was readable: " + outcome.content());
        }
        // the host file the link points to is untouched, and a change after load is not seen
        Files.writeString(granted.resolve("ok.txt"), "changed on the host");
        assertEquals("inside the grant", read(p, "ok.txt").content(), "files are a snapshot taken at load");
    }

    // 17. Environment variables.

    @Test
    void environmentIsEmptyWithoutAGrantAndShowsOnlyGrantedVariables() {
        Plugin bare = load("hostile-env", "wasi_env", Capabilities.builder().wasi(true).build());
        ByteBuffer sizes = ByteBuffer.wrap(bare.call("sizes", NO_INPUT).output()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, sizes.getInt(0), "no variables without a grant");
        assertEquals(0, sizes.getInt(4), "an empty environment buffer");
        assertFalse(System.getenv().isEmpty(), "the host itself has variables to leak");

        Plugin granted = load("env-granted", "wasi_env", Capabilities.builder().env("GRAFT_VISIBLE", "yes").build());
        sizes = ByteBuffer.wrap(granted.call("sizes", NO_INPUT).output()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, sizes.getInt(0), "exactly the granted variable");
        String all = new String(granted.call("all", NO_INPUT).output(), StandardCharsets.UTF_8);
        assertEquals("GRAFT_VISIBLE=yes\0", all);
    }

    // 18. Clock, random and stdout need their own grants.

    @Test
    void clockWithoutAGrantIsACapabilityFailure() {
        Plugin p = load("hostile-clock", "wasi_denied", Capabilities.builder().wasi(true).random(true).stdout(true).build());
        PluginCapabilityException e = assertRefusal(PluginCapabilityException.class, "hostile-clock",
                () -> p.call("clock", NO_INPUT), "'wasi:clock'", "clock_time_get");
        assertEquals("wasi:clock", e.capability());
        p.call("random", NO_INPUT);
    }

    @Test
    void randomWithoutAGrantIsACapabilityFailure() {
        Plugin p = load("hostile-random", "wasi_denied", Capabilities.builder().wasi(true).clock(true).build());
        PluginCapabilityException e = assertRefusal(PluginCapabilityException.class, "hostile-random",
                () -> p.call("random", NO_INPUT), "'wasi:random'", "random_get");
        assertEquals("wasi:random", e.capability());
        p.call("clock", NO_INPUT);
    }

    @Test
    void stdoutWithoutAGrantIsACapabilityFailure() {
        Plugin p = load("hostile-stdout", "wasi_denied", Capabilities.builder().wasi(true).stderr(true).build());
        PluginCapabilityException e = assertRefusal(PluginCapabilityException.class, "hostile-stdout",
                () -> p.call("stdout", NO_INPUT), "'wasi:stdout'", "fd_write");
        assertEquals("wasi:stdout", e.capability());
        Plugin allowed = load("stdout-granted", "wasi_denied", Capabilities.builder().stdout(true).build());
        assertEquals(0, allowed.call("stdout", NO_INPUT).output().length);
    }
}
