package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Throws a few hundred malformed requests at each endpoint of the API, over a real socket to the app on a
 * random loopback port (some must reach Tomcat as they are: a malformed target, an oversized header, a
 * chunked body): truncated JSON, values of the wrong type, huge numbers, deep nesting, duplicate keys,
 * unknown properties, bad content types and Accept headers, unicode junk and invalid UTF-8, oversized bodies,
 * bad paths, ids and methods, missing or wrong credentials; recompute and replay with bad ids.
 *
 * <p>Every case is built to be refused, and the test asserts that each one is: a 4xx (never a 5xx, never a
 * success), as {@code application/problem+json} whose {@code status} is the response's; and that nothing
 * changed: the row counts of every table and the contents of the customers and products tables, and the
 * plugins' states, are as before. The corpus is generated from a fixed seed (reproducible) and bounded in
 * count; the test in time.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureMockMvc   // the same context as BadInputTest's
@ActiveProfiles("test")
class BadInputFuzzTest {

    /** Cases per JSON-body endpoint; other endpoints get {@link #CASES_PER_OTHER_ENDPOINT}. */
    static final int CASES_PER_BODY_ENDPOINT = 250;
    static final int CASES_PER_OTHER_ENDPOINT = 120;
    static final long SEED = 18;
    static final int LIMIT = 1024 * 1024;   // erp.api.max-body-size's default
    static final String ADMIN = "Basic " + Base64.getEncoder().encodeToString("admin:test-admin-password".getBytes(StandardCharsets.UTF_8));
    static final List<String> TABLES = List.of("products", "customers", "quotes", "quote_lines", "quote_adjustments",
            "quote_rule_runs", "plugin_events");

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;

    final JsonMapper json = JsonMapper.builder().build();

    /** One malformed request, and what it is. */
    record Case(String endpoint, String what, byte[] request) {
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyMalformedRequestGetsA4xxProblemDetailAndChangesNothing() throws IOException {
        Map<String, Object> before = snapshot();
        List<Case> cases = corpus(new Random(SEED));
        Map<String, Integer> perEndpoint = new TreeMap<>();
        Map<Integer, Integer> perStatus = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        for (Case c : cases) {
            perEndpoint.merge(c.endpoint(), 1, Integer::sum);
            RawHttp.Response response;
            try {
                response = RawHttp.exchange(port, c.request());
            } catch (IOException | RuntimeException e) {
                failures.add(c.endpoint() + " | " + c.what() + ": no response: " + e);
                continue;
            }
            perStatus.merge(response.status(), 1, Integer::sum);
            String problem = problemOf(response);
            if (problem != null) {
                failures.add(c.endpoint() + " | " + c.what() + ": " + problem + " — " + response.summary());
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("BadInputFuzzTest: %d requests in %d ms (%s); statuses %s%n", cases.size(), took.toMillis(),
                perEndpoint, perStatus);
        assertThat(failures).as("requests not refused with a 4xx problem detail").isEmpty();
        assertThat(snapshot()).as("nothing written").isEqualTo(before);
        assertThat(perEndpoint.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(CASES_PER_OTHER_ENDPOINT));
    }

    /** Why a response is not a 4xx problem detail, or null when it is one. */
    String problemOf(RawHttp.Response response) {
        if (response.status() < 400 || response.status() >= 500) {
            return "status " + response.status();
        }
        if (!response.contentType().startsWith("application/problem+json")) {
            return "content type '" + response.contentType() + "'";
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (RuntimeException e) {
            return "body is not JSON";
        }
        if (!body.isObject() || body.path("status").asInt() != response.status() || body.path("title").asString("").isBlank()) {
            return "not a problem detail with status " + response.status();
        }
        return null;
    }

    /** Row counts of every table, the customers and products as stored, and each plugin's state and version. */
    Map<String, Object> snapshot() {
        Map<String, Object> state = new LinkedHashMap<>();
        for (String table : TABLES) {
            state.put(table, jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Long.class));
        }
        state.put("customers.rows", jdbc.queryForList("SELECT id, name, tier, region FROM customers ORDER BY id").toString());
        state.put("products.rows", jdbc.queryForList("SELECT id, sku, name, category, list_price FROM products ORDER BY id").toString());
        try {
            RawHttp.Response plugins = RawHttp.exchange(port, RawHttp.request("GET", "/api/plugins", Map.of(), null, false));
            state.put("plugins", json.readTree(plugins.body()).valueStream()
                    .map(p -> p.path("id").asString() + "=" + p.path("state").asString() + "@" + p.path("sha256").asString())
                    .collect(Collectors.joining(",")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return state;
    }

    // ---- the corpus ----------------------------------------------------------------------------------

    /** A JSON-body endpoint: a template with %field% placeholders, valid values, and values each of which is refused. */
    record BodyEndpoint(String method, String path, String template, Map<String, String> valid,
            Map<String, List<String>> bad, List<String> textFields) {

        String name() {
            return method + " " + path;
        }

        String render(Map<String, String> values) {
            String out = template;
            for (int round = 0; round < 3 && out.contains("%"); round++) {
                for (Map.Entry<String, String> e : values.entrySet()) {
                    out = out.replace("%" + e.getKey() + "%", e.getValue());
                }
            }
            return out;
        }

        String validBody() {
            return render(valid);
        }
    }

    static final List<String> BAD_NAMES = List.of("null", "\"\"", "\" \"", "1", "true", "[]", "{}", "\"" + "n".repeat(201) + "\"",
            "\"\\u0000\"", "\"a\\tb\"", "\"line\\nbreak\"", "\"\\ud800\"", "\"x\\udc00y\"", "\"\\u001b[2J\"");

    static List<BodyEndpoint> bodyEndpoints() {
        Map<String, List<String>> quoteBad = new LinkedHashMap<>();
        quoteBad.put("customerId", List.of("1.5", "1.0", "true", "\"1\"", "[]", "{}", "null", "0", "-1", "1e400",
                "99999999999999999999999", "\"\"", "-9223372036854775809"));
        quoteBad.put("promoCode", List.of("1", "1.5", "true", "[]", "{}", "\"" + "P".repeat(65) + "\"", "\"\\u0000\"",
                "\"\\ud800\"", "\"a\\nb\"", "\"\\u001b[31m\""));
        quoteBad.put("lines", List.of("null", "[]", "{}", "\"x\"", "1", "[null]", "[1]", "[[]]", "[\"CAFE-1KG\"]", "[{}]",
                "[{\"sku\":\"CAFE-1KG\"}]", "[{\"quantity\":1}]", "[" + "{\"sku\":\"CAFE-1KG\",\"quantity\":1},".repeat(50)
                        + "{\"sku\":\"CAFE-1KG\",\"quantity\":1}]"));
        quoteBad.put("sku", List.of("null", "\"\"", "1", "true", "[]", "{}", "\"" + "X".repeat(65) + "\"", "\"NOPE-404\"",
                "\"\\u0000\"", "\"\\udc00\"", "\" \"", "\"CAFE-1KG\\u0000\"", "\"cafe-1kg\""));
        quoteBad.put("quantity", List.of("1.5", "1.0", "\"2\"", "true", "null", "0", "-1", "100001", "1e400", "2147483648",
                "[]", "{}", "1e2", "\"\"", "-0.0", "99999999999999999999999999999999"));
        BodyEndpoint quotes = new BodyEndpoint("POST", "/api/quotes",
                "{\"customerId\":%customerId%,\"promoCode\":%promoCode%,\"lines\":%lines%}",
                map("customerId", "1", "promoCode", "\"SPRING10\"", "lines", "[{\"sku\":%sku%,\"quantity\":%quantity%}]",
                        "sku", "\"CAFE-1KG\"", "quantity", "2"),
                quoteBad, List.of("promoCode", "sku"));

        Map<String, List<String>> productBad = new LinkedHashMap<>();
        productBad.put("sku", List.of("\"HAS SPACE\"", "\"\"", "\"lower\"", "\"-X\"", "\"" + "S".repeat(65) + "\"", "1", "null",
                "\"A/B\"", "\"A?B\"", "\"ÄÖ\"", "\"..\"", "\"A%2FB\"", "\"\\u0000\"", "\"CAFE-1KG\"", "\"A#B\"", "\"A\\\\B\""));
        productBad.put("name", BAD_NAMES);
        productBad.put("category", List.of("null", "\"\"", "1", "\"" + "c".repeat(65) + "\"", "\"\\u0007\"", "\"\\udbff\""));
        productBad.put("listPrice", List.of("\"-1\"", "-1", "0", "\"0.00\"", "\"1.005\"", "1e30", "\"1e30\"", "\"abc\"", "true",
                "null", "\"\"", "1e-400", "1e400", "\"NaN\"", "\"Infinity\"", "[]", "{}", "1000000000000000.00", "0.001"));
        BodyEndpoint products = new BodyEndpoint("POST", "/api/products",
                "{\"sku\":%sku%,\"name\":%name%,\"category\":%category%,\"listPrice\":%listPrice%}",
                map("sku", "\"FUZZ-1\"", "name", "\"Fuzz\"", "category", "\"test\"", "listPrice", "\"9.99\""),
                productBad, List.of("sku", "name", "category"));

        Map<String, List<String>> customerBad = new LinkedHashMap<>();
        customerBad.put("name", BAD_NAMES);
        customerBad.put("tier", List.of("\"diamond\"", "1", "null", "\"\"", "\"gold \"", "\"GOLD\\u0000\"", "true", "[]"));
        customerBad.put("region", List.of("\"D\"", "\"DEU-12345\"", "1", "null", "\"\"", "\"D E\"", "\"\\u0000\\u0000\"", "\"ÄÖ\""));
        String customerTemplate = "{\"name\":%name%,\"tier\":%tier%,\"region\":%region%}";
        Map<String, String> customerValid = map("name", "\"Fuzz GmbH\"", "tier", "\"gold\"", "region", "\"DE\"");
        BodyEndpoint newCustomer = new BodyEndpoint("POST", "/api/customers", customerTemplate, customerValid, customerBad,
                List.of("name", "tier", "region"));
        BodyEndpoint changeCustomer = new BodyEndpoint("PUT", "/api/customers/3", customerTemplate, customerValid, customerBad,
                List.of("name", "tier", "region"));
        return List.of(quotes, products, newCustomer, changeCustomer);
    }

    List<Case> corpus(Random random) {
        List<Case> cases = new ArrayList<>();
        for (BodyEndpoint endpoint : bodyEndpoints()) {
            int oversized = 0;
            for (int i = 0; i < CASES_PER_BODY_ENDPOINT; i++) {
                cases.add(bodyCase(endpoint, i % 10, random, oversized++ < 6));
            }
        }
        for (int i = 0; i < CASES_PER_OTHER_ENDPOINT; i++) {
            cases.add(idCase("GET /api/{quotes,customers,products}/{id}", random, i));
            cases.add(recomputeCase(random, i));
            cases.add(pluginActionCase(random, i));
            cases.add(queryCase(random, i));
            cases.add(tomcatCase(random, i));
        }
        return cases;
    }

    Case bodyCase(BodyEndpoint endpoint, int kind, Random random, boolean oversizedAllowed) {
        String valid = endpoint.validBody();
        List<String> fields = new ArrayList<>(endpoint.valid().keySet());
        String field = fields.get(random.nextInt(fields.size()));
        Map<String, String> json = Map.of("Content-Type", "application/json");
        switch (kind) {
            case 0 -> {
                int at = random.nextInt(valid.length());
                return body(endpoint, "truncated at " + at, json, valid.substring(0, at));
            }
            case 1 -> {
                List<String> fieldsWithBad = new ArrayList<>(endpoint.bad().keySet());
                String f = fieldsWithBad.get(random.nextInt(fieldsWithBad.size()));
                List<String> values = endpoint.bad().get(f);
                String value = values.get(random.nextInt(values.size()));
                return body(endpoint, f + " = " + abbreviate(value), json, with(endpoint, f, value));
            }
            case 2 -> {
                String key = field.equals("lines") ? "customerId" : field;
                String insert = "\"" + key + "\":" + endpoint.render(Map.of(key, endpoint.valid().get(key))) + ",";
                String dup = endpoint.render(endpoint.valid()).replaceFirst("\"" + key + "\":", java.util.regex.Matcher.quoteReplacement(insert + "\"" + key + "\":"));
                return body(endpoint, "duplicate key " + key, json, endpoint.render(Map.of()).isEmpty() ? dup : dup);
            }
            case 3 -> {
                String[] names = {"extra", "customerID", "Sku", "__proto__", "", "lines ", "id", "total", "\\u0000"};
                String name = names[random.nextInt(names.length)];
                String[] values = {"1", "null", "\"x\"", "[]", "{\"a\":1}", "true"};
                String insert = "\"" + name + "\":" + values[random.nextInt(values.length)] + ",";
                String at = "\"" + field + "\":";
                String text = valid.replaceFirst(java.util.regex.Pattern.quote(at), java.util.regex.Matcher.quoteReplacement(insert + at));
                if (name.equals("id") && endpoint.path().startsWith("/api/customers")) {
                    // "id" is not a property of the input either
                }
                return body(endpoint, "unknown property '" + name + "'", json, text);
            }
            case 4 -> {
                int[] depths = {3, 100, 1000, 3000};
                int depth = depths[random.nextInt(depths.length)];
                String nested = random.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth)
                        : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
                return body(endpoint, field + " nested " + depth + " deep", json, with(endpoint, field, nested));
            }
            case 5 -> {
                if (random.nextInt(4) == 0) {
                    // invalid UTF-8 in a string
                    byte[] prefix = valid.substring(0, valid.indexOf('"', valid.indexOf(':') + 1) + 1).getBytes(StandardCharsets.UTF_8);
                    byte[] junk = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, (byte) 0xED, (byte) 0xA0, (byte) 0x80};
                    byte[] rest = valid.substring(valid.indexOf('"', valid.indexOf(':') + 1) + 1).getBytes(StandardCharsets.UTF_8);
                    byte[] all = new byte[prefix.length + junk.length + rest.length];
                    System.arraycopy(prefix, 0, all, 0, prefix.length);
                    System.arraycopy(junk, 0, all, prefix.length, junk.length);
                    System.arraycopy(rest, 0, all, prefix.length + junk.length, rest.length);
                    return new Case(endpoint.name(), "invalid UTF-8", RawHttp.request(endpoint.method(), endpoint.path(), json, all, false));
                }
                String textField = endpoint.textFields().get(random.nextInt(endpoint.textFields().size()));
                String junk = junk(random);
                return body(endpoint, textField + " = unicode junk " + abbreviate(junk), json, with(endpoint, textField, junk));
            }
            case 6 -> {
                String[] types = {null, "text/plain", "application/xml", "application/x-www-form-urlencoded",
                        "multipart/form-data; boundary=x", "application/json;charset=klingon", "application/octet-stream", "text/json", "application/jsonx",
                        "json", "application/", ";;;", "application/json, text/plain"};
                String type = types[random.nextInt(types.length)];
                Map<String, String> headers = type == null ? Map.of() : Map.of("Content-Type", type);
                return body(endpoint, "valid body as " + type, headers, valid);
            }
            case 7 -> {
                String[] accepts = {"text/csv", "application/xml", "image/png", "text/html;q=1, image/*", "application/problem+json"};
                String accept = accepts[random.nextInt(accepts.length)];
                return body(endpoint, "valid body, Accept: " + accept, Map.of("Content-Type", "application/json", "Accept", accept), valid);
            }
            case 8 -> {
                String[] methods = {"DELETE", "PATCH", endpoint.method().equals("PUT") ? "POST" : "PUT"};
                String method = methods[random.nextInt(methods.length)];
                String path = endpoint.path().equals("/api/customers/3") && method.equals("POST") ? "/api/customers/3" : endpoint.path();
                return new Case(endpoint.name(), method + " with a valid body",
                        RawHttp.request(method, path, json, valid.getBytes(StandardCharsets.UTF_8), false));
            }
            default -> {
                if (!oversizedAllowed) {
                    return bodyCase(endpoint, random.nextInt(6), random, false);
                }
                boolean chunked = random.nextBoolean();
                // valid JSON, padded with spaces past the limit: only its size is wrong
                String padded = valid.substring(0, valid.length() - 1) + " ".repeat(chunked ? LIMIT / 2 * 3 : LIMIT) + "}";
                return new Case(endpoint.name(), (chunked ? "chunked " : "") + "body of " + padded.length() + " bytes",
                        RawHttp.request(endpoint.method(), endpoint.path(), json, padded.getBytes(StandardCharsets.UTF_8), chunked));
            }
        }
    }

    /** A JSON string of junk that no text field accepts: it always holds a control character. */
    static String junk(Random random) {
        String[] pieces = {"\\u0000", "\\u0001", "\\u001f", "\\u007f", "\\u0085", "\\ud800", "\\udfff", "\\ud83d", "😀", "\\u202e",
                "\\ufeff", "\\uffff", "é", "\\u0301", "漢字", "\\\\", "\\\"", "\\/", " ", "%00", "<script>", "' OR 1=1 --"};
        List<String> parts = new ArrayList<>();
        int n = 1 + random.nextInt(12);
        for (int i = 0; i < n; i++) {
            parts.add(pieces[random.nextInt(pieces.length)]);
        }
        // control characters only: a lone surrogate could pair with a neighbouring piece
        String[] poison = {"\\u0000", "\\u0007", "\\u001f", "\\u009b", "\\n", "\\u007f"};
        // between two pieces, never inside an escape
        parts.add(random.nextInt(parts.size() + 1), poison[random.nextInt(poison.length)]);
        StringBuilder out = new StringBuilder("\"").append(String.join("", parts));
        return out.append('"').toString();
    }

    Case body(BodyEndpoint endpoint, String what, Map<String, String> headers, String text) {
        return new Case(endpoint.name(), what,
                RawHttp.request(endpoint.method(), endpoint.path(), headers, text.getBytes(StandardCharsets.UTF_8), false));
    }

    static String with(BodyEndpoint endpoint, String field, String value) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(field, value);   // first, so that a replaced 'lines' is not filled in from the valid line
        endpoint.valid().forEach(values::putIfAbsent);
        return endpoint.render(values);
    }

    static final String[] BAD_IDS = {"abc", "-1", "0", "99999999999999999999", "1.5", "%20", "%00", "%2F", "..%2F..%2Fetc%2Fpasswd",
            "1;jsessionid=x", "1%3B", "%C3%A4", "%FF", "1e3", "0x10", "%ZZ", "x".repeat(5000), "1/", "1//2", "%2e%2e", ".", "~1",
            "NaN", "++1", "1%0d%0aX-Injected:%20yes", "424242"};

    Case idCase(String endpoint, Random random, int i) {
        String[] collections = {"quotes", "customers", "products"};
        String collection = collections[i % 3];
        String id = BAD_IDS[random.nextInt(BAD_IDS.length)];
        if (collection.equals("products") && id.matches("[A-Z0-9][A-Z0-9._-]*") && !id.equals("424242")) {
            id = "NOPE-" + id;
        }
        String[] methods = {"GET", "GET", "GET", "DELETE", "PATCH"};
        String method = methods[random.nextInt(methods.length)];
        return new Case(endpoint, method + " /api/" + collection + "/" + abbreviate(id),
                RawHttp.request(method, "/api/" + collection + "/" + id, Map.of(), null, false));
    }

    Case recomputeCase(Random random, int i) {
        String id = BAD_IDS[random.nextInt(BAD_IDS.length)];
        Map<String, String> headers = i % 4 == 0 ? Map.of("Content-Type", "application/json") : Map.of();
        byte[] body = i % 4 == 0 ? "{\"x\":".getBytes(StandardCharsets.UTF_8) : null;
        String method = i % 7 == 0 ? "GET" : "POST";
        String action = i % 2 == 0 ? "recompute" : "replay";
        return new Case("POST /api/quotes/{id}/recompute, /replay", method + " " + abbreviate(id) + "/" + action,
                RawHttp.request(method, "/api/quotes/" + id + "/" + action, headers, body, false));
    }

    Case pluginActionCase(Random random, int i) {
        String[] ids = {"nope", "volume-discount", "%00", "..%2Fx", "x".repeat(300), "regional-tax", "%C3%A4"};
        String[] actions = {"explode", "", "reset;", "%2e%2e", "disable%00", "UNKNOWN", "enable.json", "enable%20"};
        String id = ids[random.nextInt(ids.length)];
        String action = actions[random.nextInt(actions.length)];
        return switch (i % 6) {
            case 0 -> new Case("POST /api/plugins/{id}/{action}", "anonymous " + abbreviate(id) + "/disable",
                    RawHttp.request("POST", "/api/plugins/" + id + "/disable", Map.of(), null, false));
            case 1 -> new Case("POST /api/plugins/{id}/{action}", "admin, unknown plugin " + abbreviate(id),
                    RawHttp.request("POST", "/api/plugins/nope-" + id + "/disable", Map.of("Authorization", ADMIN), null, false));
            case 2 -> new Case("POST /api/plugins/{id}/{action}", "admin, bad action " + action,
                    RawHttp.request("POST", "/api/plugins/volume-discount/" + action + (action.isEmpty() ? "x" : ""),
                            Map.of("Authorization", ADMIN), null, false));
            case 3 -> new Case("POST /api/plugins/{id}/{action}", "a session cookie without the CSRF token",
                    RawHttp.request("POST", "/api/plugins/volume-discount/disable",
                            Map.of("Authorization", ADMIN, "Cookie", "JSESSIONID=0123456789ABCDEF"), null, false));
            case 4 -> new Case("POST /api/plugins/{id}/{action}", "admin, a valid action with Accept: text/csv",
                    RawHttp.request("POST", "/api/plugins/volume-discount/disable",
                            Map.of("Authorization", ADMIN, "Accept", "text/csv"), null, false));
            default -> i % 12 == 5
                    ? new Case("POST /api/plugins/{id}/{action}", "anonymous upload",
                            RawHttp.request("POST", "/api/plugins/volume-discount/versions", Map.of("Content-Type", "application/wasm"),
                                    new byte[] {0, 'a', 's', 'm'}, false))
                    : new Case("POST /api/plugins/{id}/{action}", "admin upload as JSON",
                            RawHttp.request("POST", "/api/plugins/volume-discount/versions",
                                    Map.of("Authorization", ADMIN, "Content-Type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8), false));
        };
    }

    Case queryCase(Random random, int i) {
        String[] trees = {"depth=0", "depth=19", "depth=-1", "depth=ten", "depth=1.5", "depth=99999999999", "depth=-",
                "depth=5&trunk=0", "depth=5&trunk=-1", "depth=5&trunk=NaN", "depth=5&trunk=Infinity", "depth=5&trunk=1e9",
                "depth=5&trunk=abc", "depth=5&seed=" + "s".repeat(201), "depth=%ZZ", "depth=%00", "depth=5&trunk=%FF",
                "depth=" + "9".repeat(4000)};
        String[] events = {"limit=abc", "limit=1.5", "limit=99999999999", "limit=%00", "limit=1e3", "limit=one", "limit=%FF"};
        if (i % 3 == 0) {
            String q = events[random.nextInt(events.length)];
            return new Case("GET /api/trees, /api/plugins/events", "events?" + abbreviate(q),
                    RawHttp.request("GET", "/api/plugins/events?" + q, Map.of(), null, false));
        }
        String q = trees[random.nextInt(trees.length)];
        return new Case("GET /api/trees, /api/plugins/events", "trees?" + abbreviate(q),
                RawHttp.request("GET", "/api/trees?" + q, Map.of(), null, false));
    }

    /** Requests Tomcat refuses itself, before the application sees them. */
    Case tomcatCase(Random random, int i) {
        String[] paths = {"/api/quotes", "/api/products", "/api/customers", "/api/trees", "/api/plugins", "/api/session"};
        String path = paths[random.nextInt(paths.length)];
        String endpoint = "Tomcat: malformed requests";
        return switch (i % 8) {
            case 0 -> new Case(endpoint, "1 MB query string", RawHttp.request("GET", path + "?q=" + "x".repeat(LIMIT), Map.of(), null, false));
            case 1 -> new Case(endpoint, "a 20 KB header", RawHttp.request("GET", path, Map.of("X-Big", "y".repeat(20_000)), null, false));
            case 2 -> {
                Map<String, String> many = new LinkedHashMap<>();
                for (int h = 0; h < 200; h++) {
                    many.put("X-H" + h, "v".repeat(60));
                }
                yield new Case(endpoint, "200 headers", RawHttp.request("GET", path, many, null, false));
            }
            case 3 -> new Case(endpoint, "Content-Length: abc", RawHttp.request("POST", path,
                    Map.of("Content-Type", "application/json", "Content-Length", "abc"), "{}".getBytes(StandardCharsets.UTF_8), false));
            case 4 -> new Case(endpoint, "control character in the target",
                    (("GET " + path + "/a\u0001b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).getBytes(StandardCharsets.ISO_8859_1));
            case 5 -> new Case(endpoint, "no Host header",
                    ("GET " + path + " HTTP/1.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            case 6 -> new Case(endpoint, "invalid method token",
                    ("G(T " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            default -> new Case(endpoint, "bad percent-encoding in the path",
                    RawHttp.request("GET", path + "/%" + "GZ".charAt(random.nextInt(2)) + "Z", Map.of(), null, false));
        };
    }

    static Map<String, String> map(String... keysAndValues) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…(" + s.length() + ")" : s;
    }
}
