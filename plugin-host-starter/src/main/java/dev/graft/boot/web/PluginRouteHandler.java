package dev.graft.boot.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginCapabilityException;
import dev.graft.api.PluginCodecException;
import dev.graft.api.PluginException;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.PluginMemoryLimitException;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.PluginTimeoutException;
import dev.graft.api.PluginTrapException;
import dev.graft.api.PluginUnavailableException;
import dev.graft.host.engine.CommandResult;
import dev.graft.host.engine.Plugin;
import dev.graft.host.registry.PluginDescriptor;
import dev.graft.host.registry.PluginRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.HttpRequestHandler;

/**
 * Answers a request matched to a plugin route (see {@link PluginRouteHandlerMapping}) by running the
 * route's plugin under its policy, as a WAGI command or through an Extism export, on the request's
 * thread. The request body is capped by the plugin's {@code max-input-bytes} (413), the plugin's answer
 * by its {@code max-output-bytes}; every failure becomes an RFC 9457 problem response naming the plugin,
 * the route and the limit (see {@link #statusOf(PluginException)}).
 */
public class PluginRouteHandler implements HttpRequestHandler {

    private static final Logger log = LoggerFactory.getLogger(PluginRouteHandler.class);

    /** Request headers never passed to a plugin (RFC 3875 4.1.18: credentials; and those given otherwise). */
    static final Set<String> WITHHELD_HEADERS = Set.of("authorization", "proxy-authorization", "content-type",
            "content-length");

    /** Response headers a plugin may not set: the container frames the response. */
    private static final Set<String> FRAMING_HEADERS = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "upgrade", "trailer");

    private static final String PROBLEM_TYPE = "urn:graft:problem:";

    private final PluginRegistry registry;
    private final ObjectMapper json = new ObjectMapper();

    public PluginRouteHandler(PluginRegistry registry) {
        this.registry = registry;
    }

    /** A reply to write: status, headers in order, body. */
    record Reply(int status, List<Map.Entry<String, String>> headers, byte[] body) {
    }

    /** A failure answered with a problem response. */
    static final class RouteProblem extends RuntimeException {
        final int status;
        final String kind;
        final String title;
        final String limit;

        RouteProblem(int status, String kind, String title, String limit, String detail) {
            super(detail);
            this.status = status;
            this.kind = kind;
            this.title = title;
            this.limit = limit;
        }
    }

    @Override
    public void handleRequest(HttpServletRequest request, HttpServletResponse response) throws IOException {
        RouteTable.Match match = (RouteTable.Match) request.getAttribute(PluginRouteHandlerMapping.MATCH_ATTRIBUTE);
        if (match == null) {
            match = new RouteTable.Match(null, "");
        }
        RouteTable.Route route = match.route();
        try {
            if (route == null) {
                throw new RouteProblem(500, "route", "No plugin route", null, "the request was not matched to a plugin route");
            }
            Plugin plugin = serving(route);
            byte[] body = readBody(request, route, plugin.policy().maxInputBytes());
            Reply reply = null;
            for (int attempt = 0; reply == null; attempt++) {
                try {
                    reply = route.kind() == RouteTable.Kind.WAGI ? wagi(request, match, plugin, body)
                            : extism(request, match, plugin, body);
                } catch (IllegalStateException closed) {
                    // A reload or unload closed this version between lookup and call: use the new one once.
                    if (attempt > 0) {
                        throw new RouteProblem(503, "unavailable", "Plugin unavailable", null,
                                "plugin '" + route.plugin() + "': " + closed.getMessage());
                    }
                    plugin = serving(route);
                }
            }
            write(response, reply);
        } catch (RouteProblem p) {
            problem(request, response, route, p);
        } catch (PluginException e) {
            problem(request, response, route, translate(e));
        }
    }

    private Plugin serving(RouteTable.Route route) {
        if (registry.breaker(route.plugin()).map(b -> b.quarantined()).orElse(false)) {
            throw new RouteProblem(503, "unavailable", "Plugin unavailable", null, "plugin '" + route.plugin()
                    + "' is quarantined by its circuit breaker; route " + route.path() + " cannot be served");
        }
        return registry.plugin(route.plugin()).orElseThrow(() -> {
            String why = registry.descriptor(route.plugin())
                    .map(d -> "is " + d.state().name().toLowerCase(Locale.ROOT)
                            + (d.lastError() != null ? " (" + d.lastError() + ")" : ""))
                    .orElse("is not loaded");
            return new RouteProblem(503, "unavailable", "Plugin unavailable", null,
                    "plugin '" + route.plugin() + "' " + why + "; route " + route.path() + " cannot be served");
        });
    }

    private static byte[] readBody(HttpServletRequest request, RouteTable.Route route, long cap) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > cap) {
            throw tooLarge(route, cap, declared + " bytes");
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = request.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (body.size() + (long) n > cap) {
                    throw tooLarge(route, cap, "more than " + cap + " bytes");
                }
                body.write(buffer, 0, n);
            }
        }
        return body.toByteArray();
    }

    private static RouteProblem tooLarge(RouteTable.Route route, long cap, String size) {
        return new RouteProblem(413, "payload", "Request body too large", "max-input-bytes",
                "plugin '" + route.plugin() + "': the request body of " + size + " is over the max-input-bytes limit of "
                        + cap + " bytes");
    }

    // ---- WAGI ---------------------------------------------------------------------------------------------

    private Reply wagi(HttpServletRequest request, RouteTable.Match match, Plugin plugin, byte[] body) {
        RouteTable.Route route = match.route();
        if (!plugin.policy().capabilities().wasi()) {
            throw new RouteProblem(500, "capability", "Plugin capability missing", "wasi",
                    "plugin '" + route.plugin() + "' serves the WAGI route " + route.path()
                            + " but is not granted wasi (policy.capabilities.wasi=true)");
        }
        String path = decode(PluginRouteHandlerMapping.rawPath(request), false);
        List<String> arguments = new ArrayList<>();
        arguments.add(path);
        for (String[] pair : queryPairs(request.getQueryString())) {
            arguments.add(pair[1] == null ? pair[0] : pair[0] + "=" + pair[1]);
        }
        CommandResult result = plugin.runCommand(arguments, cgiEnvironment(request, match, body.length), body);
        return parseCgi(route, result);
    }

    static Map<String, String> cgiEnvironment(HttpServletRequest request, RouteTable.Match match, int bodyLength) {
        RouteTable.Route route = match.route();
        Map<String, String> env = new LinkedHashMap<>();
        String query = request.getQueryString() == null ? "" : request.getQueryString();
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("SERVER_SOFTWARE", "Graft");
        env.put("SERVER_PROTOCOL", String.valueOf(request.getProtocol()));
        env.put("SERVER_NAME", String.valueOf(request.getServerName()));
        env.put("SERVER_PORT", Integer.toString(request.getServerPort()));
        env.put("REQUEST_METHOD", request.getMethod());
        env.put("QUERY_STRING", query);
        env.put("SCRIPT_NAME", request.getContextPath() + route.base());
        env.put("PATH_INFO", decode(match.pathInfo(), false));
        env.put("PATH_TRANSLATED", decode(match.pathInfo(), false));
        env.put("X_RAW_PATH_INFO", match.pathInfo());
        env.put("X_MATCHED_ROUTE", route.path());
        env.put("X_FULL_URL", request.getRequestURL() + (query.isEmpty() ? "" : "?" + query));
        env.put("CONTENT_TYPE", request.getContentType() == null ? "" : request.getContentType());
        env.put("CONTENT_LENGTH", Integer.toString(bodyLength));
        env.put("REMOTE_ADDR", String.valueOf(request.getRemoteAddr()));
        env.put("REMOTE_HOST", String.valueOf(request.getRemoteAddr()));
        env.put("REMOTE_USER", request.getRemoteUser() == null ? "" : request.getRemoteUser());
        env.put("AUTH_TYPE", request.getAuthType() == null ? "" : request.getAuthType());
        headers(request).forEach((name, value) -> env.put("HTTP_" + name.toUpperCase(Locale.ROOT)
                .replaceAll("[^A-Z0-9]", "_"), value));
        return env;
    }

    private static Reply parseCgi(RouteTable.Route route, CommandResult result) {
        byte[] out = result.stdout();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        int pos = 0;
        int bodyStart = -1;
        while (pos < out.length) {
            int end = pos;
            while (end < out.length && out[end] != '\n') {
                end++;
            }
            if (end == out.length) {
                break;   // a last line without a newline: the header block never ended
            }
            int lineEnd = end > pos && out[end - 1] == '\r' ? end - 1 : end;
            String line = new String(out, pos, lineEnd - pos, StandardCharsets.UTF_8);
            pos = end + 1;
            if (line.isEmpty()) {
                bodyStart = pos;
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw badResponse(route, result, "header line '" + abbreviate(line) + "' is not 'Name: value'");
            }
            headers.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        if (bodyStart < 0) {
            throw badResponse(route, result, out.length == 0 ? "it wrote nothing to stdout"
                    : "its output has no blank line ending the headers (CGI: headers, a blank line, then the body)");
        }
        int status = 200;
        boolean statusSet = false;
        boolean contentType = false;
        boolean location = false;
        List<Map.Entry<String, String>> forwarded = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("status")) {
                String code = h.getValue().split("\\s+", 2)[0];
                try {
                    status = Integer.parseInt(code);
                } catch (NumberFormatException e) {
                    status = -1;
                }
                if (status < 100 || status > 599) {
                    throw badResponse(route, result, "Status header '" + abbreviate(h.getValue())
                            + "' does not start with a status code 100-599");
                }
                statusSet = true;
                continue;
            }
            contentType |= name.equals("content-type");
            location |= name.equals("location");
            if (!FRAMING_HEADERS.contains(name)) {
                forwarded.add(h);
            }
        }
        if (!contentType && !location) {
            throw badResponse(route, result, "the response has no Content-Type header (a WAGI response starts with "
                    + "headers such as 'Content-Type: text/plain', then a blank line, then the body)");
        }
        if (location && !statusSet) {
            status = 302;
        }
        byte[] body = java.util.Arrays.copyOfRange(out, bodyStart, out.length);
        return new Reply(status, forwarded, body);
    }

    private static RouteProblem badResponse(RouteTable.Route route, CommandResult result, String what) {
        return new RouteProblem(500, "invalid-response", "Invalid plugin response", null,
                "plugin '" + route.plugin() + "' (WAGI route " + route.path() + ", exit code " + result.exitCode()
                        + ") gave an invalid response: " + what);
    }

    // ---- Extism -------------------------------------------------------------------------------------------

    private Reply extism(HttpServletRequest request, RouteTable.Match match, Plugin plugin, byte[] body) {
        RouteTable.Route route = match.route();
        ObjectNode r = json.createObjectNode();
        r.put("method", request.getMethod());
        r.put("path", decode(PluginRouteHandlerMapping.rawPath(request), false));
        r.put("route", route.path());
        r.put("pathInfo", decode(match.pathInfo(), false));
        ObjectNode query = r.putObject("query");
        for (String[] pair : queryPairs(request.getQueryString())) {
            if (!query.has(pair[0])) {
                query.put(pair[0], pair[1] == null ? "" : pair[1]);
            }
        }
        r.put("queryString", request.getQueryString() == null ? "" : request.getQueryString());
        ObjectNode headers = r.putObject("headers");
        if (request.getContentType() != null) {
            headers.put("content-type", request.getContentType());
        }
        headers(request).forEach(headers::put);
        String text = utf8(body);
        if (text != null) {
            r.put("body", text);
        } else {
            r.put("bodyBase64", Base64.getEncoder().encodeToString(body));
        }
        byte[] input;
        try {
            input = json.writeValueAsBytes(r);
        } catch (IOException e) {
            throw new IllegalStateException("encoding a request as JSON failed", e);
        }
        byte[] output = plugin.call(route.export(), input).output();
        return parseExtism(route, output);
    }

    private Reply parseExtism(RouteTable.Route route, byte[] output) {
        JsonNode reply;
        try {
            reply = json.readTree(output);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw badExtism(route, "it is not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw badExtism(route, "it is not JSON (" + e.getMessage() + ")");
        }
        if (reply == null || !reply.isObject()) {
            throw badExtism(route, "it is not a JSON object {status, headers, body}");
        }
        int status = 200;
        JsonNode s = reply.get("status");
        if (s != null && !s.isNull()) {
            if (!s.canConvertToInt() || s.asInt() < 100 || s.asInt() > 599 || !(s.isIntegralNumber() || s.isTextual())) {
                throw badExtism(route, "status " + abbreviate(s.toString()) + " is not a status code 100-599");
            }
            status = s.asInt();
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        boolean contentType = false;
        JsonNode h = reply.get("headers");
        if (h != null && !h.isNull()) {
            if (!h.isObject()) {
                throw badExtism(route, "headers is not an object of name to value (or list of values)");
            }
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) h::fields) {
                String name = e.getKey();
                List<JsonNode> values = e.getValue().isArray() ? list(e.getValue()) : List.of(e.getValue());
                for (JsonNode v : values) {
                    if (!v.isValueNode() || v.isNull()) {
                        throw badExtism(route, "header " + name + " has a value that is not a string");
                    }
                    if (!FRAMING_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                        headers.add(Map.entry(name, v.asText()));
                    }
                }
                contentType |= name.equalsIgnoreCase("content-type");
            }
        }
        byte[] body;
        JsonNode text = reply.get("body");
        JsonNode base64 = reply.get("bodyBase64");
        if (base64 != null && !base64.isNull()) {
            try {
                body = Base64.getDecoder().decode(base64.asText());
            } catch (IllegalArgumentException e) {
                throw badExtism(route, "bodyBase64 is not base64");
            }
            if (!contentType) {
                headers.add(Map.entry("Content-Type", "application/octet-stream"));
            }
        } else if (text != null && !text.isNull()) {
            body = (text.isTextual() ? text.asText() : text.toString()).getBytes(StandardCharsets.UTF_8);
            if (!contentType) {
                headers.add(Map.entry("Content-Type", text.isTextual() ? "text/plain;charset=UTF-8" : "application/json"));
            }
        } else {
            body = new byte[0];
        }
        return new Reply(status, headers, body);
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> values = new ArrayList<>();
        array.forEach(values::add);
        return values;
    }

    private static RouteProblem badExtism(RouteTable.Route route, String what) {
        return new RouteProblem(500, "invalid-response", "Invalid plugin response", null,
                "plugin '" + route.plugin() + "' (export '" + route.export() + "', route " + route.path()
                        + ") gave an invalid response: " + what);
    }

    // ---- shared -------------------------------------------------------------------------------------------

    /** Request headers by lower-case name (repeated headers joined with ", "), minus {@link #WITHHELD_HEADERS}. */
    static Map<String, String> headers(HttpServletRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (WITHHELD_HEADERS.contains(lower)) {
                continue;
            }
            headers.put(lower, String.join(", ", Collections.list(request.getHeaders(name))));
        }
        return headers;
    }

    /** Query pairs, decoded ({@code +} is a space); a pair without {@code =} has a {@code null} value. */
    static List<String[]> queryPairs(String query) {
        List<String[]> pairs = new ArrayList<>();
        if (query == null || query.isEmpty()) {
            return pairs;
        }
        for (String part : query.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            pairs.add(eq < 0 ? new String[] {decode(part, true), null}
                    : new String[] {decode(part.substring(0, eq), true), decode(part.substring(eq + 1), true)});
        }
        return pairs;
    }

    /** Percent-decodes as UTF-8; malformed escapes are kept as written. */
    static String decode(String text, boolean plusIsSpace) {
        if (text.indexOf('%') < 0 && (!plusIsSpace || text.indexOf('+') < 0)) {
            return text;
        }
        try {
            return URLDecoder.decode(plusIsSpace ? text : text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static void write(HttpServletResponse response, Reply reply) throws IOException {
        response.setStatus(reply.status());
        for (Map.Entry<String, String> h : reply.headers()) {
            if (h.getKey().equalsIgnoreCase("content-type")) {
                response.setContentType(h.getValue());
            } else {
                response.addHeader(h.getKey(), h.getValue());
            }
        }
        response.setContentLength(reply.body().length);
        response.getOutputStream().write(reply.body());
        response.flushBuffer();
    }

    /**
     * The status a plugin failure answers: 413 for a request over {@code max-input-bytes}, 503 for a
     * timeout and an unavailable (disabled, quarantined, unloaded) plugin, 500 for everything else (fuel,
     * memory, trap, denied capability, output over {@code max-output-bytes}, plugin error).
     */
    static RouteProblem translate(PluginException e) {
        String detail = e.getMessage();
        if (e instanceof PluginFuelExhaustedException) {
            return new RouteProblem(500, "fuel", "Plugin ran out of fuel", "fuel", detail);
        }
        if (e instanceof PluginTimeoutException) {
            return new RouteProblem(503, "timeout", "Plugin timed out", "timeout", detail);
        }
        if (e instanceof PluginMemoryLimitException m) {
            return new RouteProblem(500, "memory", "Plugin over its memory limit", m.knob(), detail);
        }
        if (e instanceof PluginPayloadException p) {
            boolean input = p.knob().contains("input");
            return new RouteProblem(input ? 413 : 500, "payload", input ? "Request too large" : "Plugin response too large",
                    p.knob(), detail);
        }
        if (e instanceof PluginCapabilityException c) {
            return new RouteProblem(500, "capability", "Plugin capability denied", c.capability(), detail);
        }
        if (e instanceof PluginTrapException) {
            return new RouteProblem(500, "trap", "Plugin trapped", null, detail);
        }
        if (e instanceof PluginUnavailableException) {
            return new RouteProblem(503, "unavailable", "Plugin unavailable", null, detail);
        }
        if (e instanceof PluginCodecException) {
            return new RouteProblem(500, "invalid-response", "Invalid plugin response", null, detail);
        }
        if (e instanceof PluginCallException) {
            return new RouteProblem(500, "error", "Plugin failed", null, detail);
        }
        return new RouteProblem(500, "error", "Plugin failed", null, detail);
    }

    static int statusOf(PluginException e) {
        return translate(e).status;
    }

    private void problem(HttpServletRequest request, HttpServletResponse response, RouteTable.Route route,
            RouteProblem p) throws IOException {
        if (p.status >= 500) {
            log.warn("Route {} ({}): {} {}", route == null ? "?" : route.path(), p.kind, p.status, p.getMessage());
        } else {
            log.debug("Route {} ({}): {} {}", route == null ? "?" : route.path(), p.kind, p.status, p.getMessage());
        }
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        ObjectNode body = json.createObjectNode();
        body.put("type", PROBLEM_TYPE + p.kind);
        body.put("title", p.title);
        body.put("status", p.status);
        body.put("detail", p.getMessage());
        body.put("instance", request.getRequestURI());
        if (route != null) {
            body.put("plugin", route.plugin());
            body.put("route", route.path());
        }
        if (p.limit != null) {
            body.put("limit", p.limit);
        }
        byte[] bytes = json.writeValueAsBytes(body);
        response.setStatus(p.status);
        response.setContentType("application/problem+json");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
        response.flushBuffer();
    }

    /** Checks, once plugins are loaded, that each route's plugin can serve its contract. */
    static String unfit(RouteTable.Route route, PluginDescriptor descriptor, Plugin plugin) {
        if (route.kind() == RouteTable.Kind.WAGI) {
            if (descriptor.policy() != null && !descriptor.policy().capabilities().wasi()) {
                return "a wagi route needs a WASI command: grant graft.plugins." + route.plugin()
                        + ".policy.capabilities.wasi=true";
            }
            if (plugin != null && !plugin.exports().contains("_start")) {
                return "a wagi route needs a WASI command, but plugin '" + route.plugin() + "' has no _start export";
            }
        } else if (plugin != null && !plugin.exports().contains(route.export())) {
            return "plugin '" + route.plugin() + "' has no export '" + route.export() + "'; its exports: "
                    + plugin.exports();
        }
        return null;
    }
}
