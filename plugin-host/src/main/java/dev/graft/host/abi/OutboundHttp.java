package dev.graft.host.abi;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginCapabilityException;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.PluginTimeoutException;
import dev.graft.host.policy.HostAllowList;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Outbound HTTP for one plugin (Extism {@code http_request}), shared by its instances: every URL,
 * including each redirect hop, is checked against the plugin's {@link HostAllowList}; requests in
 * flight are capped per plugin; each has a time limit and a response size cap.
 */
public final class OutboundHttp {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER) // each hop is checked here instead
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REDIRECTS = 5;
    private static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade");

    /** A response as the kernel hands it to the plugin. */
    public record Response(int status, byte[] body, Map<String, String> headers) {
    }

    private final String pluginId;
    private final HostAllowList allowList;
    private final Duration timeout;
    private final long maxResponseBytes;
    private final Semaphore inFlight;

    public OutboundHttp(String pluginId, HostAllowList allowList, Duration timeout, long maxResponseBytes, int maxConcurrency) {
        this.pluginId = pluginId;
        this.allowList = allowList;
        this.timeout = timeout;
        this.maxResponseBytes = maxResponseBytes;
        this.inFlight = new Semaphore(maxConcurrency, true);
    }

    /**
     * Sends the request described by Extism's request JSON ({@code {"url", "method", "headers"}}).
     *
     * @throws PluginCapabilityException when a URL or redirect is not allowed
     */
    public Response send(String requestJson, byte[] body) {
        JsonNode request;
        try {
            request = JSON.readTree(requestJson);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new PluginCallException(pluginId, "http_request", "request is not valid JSON: " + e.getOriginalMessage());
        }
        String method = request.path("method").asText("GET").toUpperCase(Locale.ROOT);
        URI url = uri(request.path("url").asText(""));
        long start = System.nanoTime();
        boolean acquired;
        try {
            acquired = inFlight.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
        if (!acquired) {
            throw new PluginTimeoutException(pluginId, "waiting for an outbound HTTP slot for " + url, timeout,
                    Duration.ofNanos(System.nanoTime() - start));
        }
        try {
            for (int hop = 0; ; hop++) {
                String denial = allowList.denial(url);
                if (denial != null) {
                    throw new PluginCapabilityException(pluginId, "http",
                            "http_request " + method + " " + url + (hop > 0 ? " (redirect " + hop + ")" : "") + ": " + denial);
                }
                HttpResponse<InputStream> response = CLIENT.send(build(url, method, request.path("headers"), body),
                        HttpResponse.BodyHandlers.ofInputStream());
                Optional<String> location = response.headers().firstValue("location");
                if (isRedirect(response.statusCode()) && location.isPresent() && hop < MAX_REDIRECTS) {
                    response.body().close();
                    url = url.resolve(location.get());
                    if (response.statusCode() == 303) {
                        method = "GET";
                        body = new byte[0];
                    }
                    continue;
                }
                return new Response(response.statusCode(), read(response.body(), url), headers(response));
            }
        } catch (HttpTimeoutException e) {
            throw new PluginTimeoutException(pluginId, "http_request to " + url, timeout,
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new PluginCallException(pluginId, "http_request", "request to " + url + " failed: " + e);
        } catch (InterruptedException e) {
            throw interrupted(e);
        } finally {
            inFlight.release();
        }
    }

    private URI uri(String text) {
        try {
            return URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new PluginCapabilityException(pluginId, "http", "http_request to a malformed URL '" + text + "'");
        }
    }

    private HttpRequest build(URI url, String method, JsonNode headers, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout)
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> h = it.next();
            if (!RESTRICTED_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                b.header(h.getKey(), h.getValue().asText());
            }
        }
        return b.build();
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private byte[] read(InputStream in, URI url) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > maxResponseBytes) {
                    throw new PluginPayloadException(pluginId, "max-http-response-bytes", maxResponseBytes, total,
                            "response of " + url);
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static Map<String, String> headers(HttpResponse<?> response) {
        Map<String, String> headers = new LinkedHashMap<>();
        response.headers().map().forEach((k, v) -> headers.put(k, String.join(", ", v)));
        return headers;
    }

    private static ChicoryInterruptedException interrupted(InterruptedException e) {
        // Keep the flag set: the plugin call is being stopped and Chicory checks it.
        Thread.currentThread().interrupt();
        return new ChicoryInterruptedException("interrupted during http_request");
    }
}
