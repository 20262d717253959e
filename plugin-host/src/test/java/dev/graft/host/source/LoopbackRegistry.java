package dev.graft.host.source;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's docker-registry (distribution 2.8) on a loopback port, with raw HTTP helpers for writing
 * what Graft itself would not (a cosign-made signature, a swapped signature tag). Skips the test when
 * the registry is not installed. Shared with the starter's and the CLI's tests through plugin-host's
 * test jar.
 */
public final class LoopbackRegistry implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private final String host;
    private final Process process;
    private final HttpClient client = HttpClient.newHttpClient();

    private LoopbackRegistry(String host, Process process) {
        this.host = host;
        this.process = process;
    }

    /** Starts a registry storing under {@code dir}; skips the calling test when the binary is absent. */
    public static LoopbackRegistry start(Path dir) throws Exception {
        assumeTrue(Files.isExecutable(BINARY), "Debian's docker-registry is not installed (.ci/run installs it)");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String host = "127.0.0.1:" + port;
        Path config = dir.resolve("registry.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: error
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: %s
                """.formatted(dir.resolve("storage"), host));
        Process process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LoopbackRegistry registry = new LoopbackRegistry(host, process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                if (registry.client.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return registry;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                registry.close();
                throw new IllegalStateException("registry did not start: " + Files.readString(dir.resolve("registry.log")));
            }
            Thread.sleep(50);
        }
    }

    /** {@code 127.0.0.1:PORT}, for {@code oci://HOST/repository:tag} references. */
    public String host() {
        return host;
    }

    String api(String repository) {
        return "http://" + host + "/v2/" + repository;
    }

    void uploadBlob(String repository, byte[] data) throws Exception {
        HttpResponse<String> start = client.send(HttpRequest.newBuilder(URI.create(api(repository) + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        URI location = URI.create(api(repository) + "/").resolve(start.headers().firstValue("Location").orElseThrow());
        String sep = location.getRawQuery() == null ? "?" : "&";
        HttpResponse<String> done = client.send(HttpRequest.newBuilder(URI.create(location + sep + "digest=sha256:"
                + PluginSource.sha256Hex(data))).PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (done.statusCode() != 201) {
            throw new IOException("blob upload: HTTP " + done.statusCode() + " " + done.body());
        }
    }

    byte[] getManifest(String repository, String reference) throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(api(repository) + "/manifests/" + reference))
                .header("Accept", OciRegistry.MANIFEST).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET manifest " + reference + ": HTTP " + response.statusCode());
        }
        return response.body();
    }

    void putManifest(String repository, String reference, byte[] manifest) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(api(repository) + "/manifests/" + reference))
                .header("Content-Type", OciRegistry.MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("PUT manifest " + reference + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }

    /** Stops the registry (its storage stays in the folder it was given). */
    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
