package dev.graft.host.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import com.sun.net.httpserver.HttpServer;
import dev.graft.api.PluginCapabilityException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.PluginTimeoutException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.source.PluginSource;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Extism {@code http_request} against a server on loopback, under the plugin's allow-list. */
class OutboundHttpTest {

    static final byte[] FETCH = Wat2Wasm.parse("""
            (module
              (import "extism:host/env" "input_length" (func $input_length (result i64)))
              (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
              (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
              (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
              (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
              (import "extism:host/env" "length" (func $length (param i64) (result i64)))
              (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
              (import "extism:host/env" "http_request" (func $http_request (param i64 i64) (result i64)))
              (import "extism:host/env" "http_status_code" (func $http_status_code (result i32)))
              (func $input_block (result i64)
                (local $n i64) (local $i i64) (local $buf i64)
                (local.set $n (call $input_length))
                (local.set $buf (call $alloc (local.get $n)))
                (block $done
                  (loop $copy
                    (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
                    (call $store_u8 (i64.add (local.get $buf) (local.get $i)) (call $input_load_u8 (local.get $i)))
                    (local.set $i (i64.add (local.get $i) (i64.const 1)))
                    (br $copy)))
                (local.get $buf))
              (func (export "fetch") (result i32)
                (local $res i64)
                (local.set $res (call $http_request (call $input_block) (i64.const 0)))
                (call $output_set (local.get $res) (call $length (local.get $res)))
                (i32.const 0))
              (func (export "fetch_status") (result i32)
                (local $buf i64)
                (drop (call $http_request (call $input_block) (i64.const 0)))
                (local.set $buf (call $alloc (i64.const 8)))
                (call $store_u64 (local.get $buf) (i64.extend_i32_u (call $http_status_code)))
                (call $output_set (local.get $buf) (i64.const 8))
                (i32.const 0)))
            """);

    static HttpServer server;
    static String base;
    static final AtomicInteger HITS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hello", exchange -> {
            HITS.incrementAndGet();
            byte[] body = "héllo from the host".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/missing", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.createContext("/big", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(new byte[64 * 1024]);
            exchange.close();
        });
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/to-allowed", exchange -> {
            exchange.getResponseHeaders().add("Location", "/hello");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/to-denied", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort() + "/hello");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        // Handlers run on their own threads, so the slow one never holds up the others.
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    static Plugin plugin(Capabilities capabilities) {
        return GraftEngine.create().load(PluginSpec.builder(PluginSource.ofBytes("fetcher", FETCH))
                .policy(PluginPolicy.builder().capabilities(capabilities).maxHttpResponseBytes(16 * 1024)
                        .httpTimeout(Duration.ofMillis(300)).timeout(Duration.ofSeconds(5)).build())
                .build());
    }

    static Plugin allowed() {
        return plugin(Capabilities.builder().allowHost(base).build());
    }

    static byte[] request(String path) {
        return ("{\"url\":\"" + base + path + "\",\"method\":\"GET\",\"headers\":{\"X-Graft\":\"1\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void allowedHostIsReachedAndStatusIsReported() {
        Plugin p = allowed();
        assertEquals("héllo from the host", p.call("fetch", request("/hello")).outputString());
        long status = ByteBuffer.wrap(p.call("fetch_status", request("/missing")).output()).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(404, status);
        assertEquals("héllo from the host", p.call("fetch", request("/to-allowed")).outputString());
    }

    @Test
    void withoutAllowedHostsHttpIsDenied() {
        int before = HITS.get();
        PluginCapabilityException e = assertThrows(PluginCapabilityException.class,
                () -> plugin(Capabilities.none()).call("fetch", request("/hello")));
        assertEquals("http", e.capability());
        assertEquals(before, HITS.get(), "the request must not leave the host");
    }

    @Test
    void otherHostsPortsAndRedirectsAreDenied() {
        Plugin p = allowed();
        int before = HITS.get();
        String otherPort = "{\"url\":\"http://127.0.0.1:1/hello\"}";
        String byName = "{\"url\":\"http://localhost:" + server.getAddress().getPort() + "/hello\"}";
        String userInfo = "{\"url\":\"http://127.0.0.1:" + server.getAddress().getPort() + "@evil.example/hello\"}";
        for (String json : new String[] {otherPort, byName, userInfo}) {
            PluginCapabilityException e = assertThrows(PluginCapabilityException.class,
                    () -> p.call("fetch", json.getBytes(StandardCharsets.UTF_8)), json);
            assertTrue(e.getMessage().contains("'fetcher'"), e.getMessage());
        }
        PluginCapabilityException redirect = assertThrows(PluginCapabilityException.class, () -> p.call("fetch", request("/to-denied")));
        assertTrue(redirect.getMessage().contains("redirect"), redirect.getMessage());
        assertEquals(before, HITS.get(), "no denied request reached /hello");
    }

    @Test
    void responseSizeAndTimeAreCapped() {
        Plugin p = allowed();
        PluginPayloadException big = assertThrows(PluginPayloadException.class, () -> p.call("fetch", request("/big")));
        assertEquals("max-http-response-bytes", big.knob());
        PluginTimeoutException slow = assertThrows(PluginTimeoutException.class, () -> p.call("fetch", request("/slow")));
        assertTrue(slow.getMessage().contains("http_request"), slow.getMessage());
    }

    @Test
    void malformedAllowListRefusesThePlugin() {
        assertThrows(PluginLoadException.class, () -> plugin(Capabilities.builder().allowHost("ftp://x.example").build()));
    }
}
