package dev.graft.host.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.graft.api.PluginLoadException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginSourceTest {

    static final byte[] BYTES = "\0asm some bytes".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    @TempDir
    Path dir;

    @Test
    void fileSourceTakesItsIdFromTheFileName() throws Exception {
        Path file = dir.resolve("volume-discount.wasm");
        Files.write(file, BYTES);
        PluginSource source = PluginSource.ofFile(file);
        assertEquals("volume-discount", source.pluginId());
        assertArrayEquals(BYTES, source.read(1024));
    }

    @Test
    void classpathSourceReadsAResource() {
        PluginSource source = PluginSource.ofClasspath("self", "dev/graft/host/source/PluginSourceTest.class",
                getClass().getClassLoader());
        assertTrue(source.read(1 << 20).length > 100);
        PluginLoadException missing = assertThrows(PluginLoadException.class,
                () -> PluginSource.ofClasspath("gone", "no/such.wasm", getClass().getClassLoader()).read(1024));
        assertTrue(missing.getMessage().contains("'gone'") && missing.getMessage().contains("no/such.wasm"));
    }

    @Test
    void urlSourceFetchesOverHttpOnLoopback() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/p.wasm", exchange -> {
            exchange.sendResponseHeaders(200, BYTES.length);
            exchange.getResponseBody().write(BYTES);
            exchange.close();
        });
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            PluginSource source = PluginSource.ofUrl("remote", base.resolve("/p.wasm")).pinned(PluginSource.sha256Hex(BYTES));
            assertArrayEquals(BYTES, source.read(1024));
            PluginLoadException notFound = assertThrows(PluginLoadException.class,
                    () -> PluginSource.ofUrl("remote", base.resolve("/missing.wasm")).read(1024));
            assertTrue(notFound.getMessage().contains("HTTP 404"), notFound.getMessage());
        } finally {
            server.stop(0);
        }
        assertThrows(IllegalArgumentException.class, () -> PluginSource.ofUrl("x", URI.create("ftp://example.com/p.wasm")));
    }

    @Test
    void pinMismatchAndSizeCapAreRefused() {
        String right = PluginSource.sha256Hex(BYTES);
        assertArrayEquals(BYTES, PluginSource.ofBytes("p", BYTES).pinned("SHA256:" + right.toUpperCase()).read(1024));
        char[] wrong = right.toCharArray();
        wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
        PluginLoadException mismatch = assertThrows(PluginLoadException.class,
                () -> PluginSource.ofBytes("p", BYTES).pinned(new String(wrong)).read(1024));
        assertTrue(mismatch.getMessage().contains("sha256 mismatch") && mismatch.getMessage().contains(right));
        PluginLoadException tooBig = assertThrows(PluginLoadException.class,
                () -> PluginSource.ofBytes("p", BYTES).read(BYTES.length - 1));
        assertTrue(tooBig.getMessage().contains("max-module-bytes"), tooBig.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PluginSource.ofBytes("p", BYTES).pinned("abc"));
    }

    @Test
    void bytesAreCopiedSoTheCallerCannotSwapThemAfterPinning() {
        byte[] mine = Arrays.copyOf(BYTES, BYTES.length);
        PluginSource source = PluginSource.ofBytes("p", mine).pinned(PluginSource.sha256Hex(BYTES));
        mine[0] = 42;
        assertArrayEquals(BYTES, source.read(1024));
    }
}
