package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * The bad input of issue 18, one finding at a time: each gets a 4xx problem detail that says what is wrong
 * and where, and nothing is written. Tomcat's own refusals are checked over a real socket ({@link RawHttp}).
 * {@link BadInputFuzzTest} throws many more.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureMockMvc
@ActiveProfiles("test")
class BadInputTest {

    static final String PROBLEM_JSON = "application/problem+json";

    @Autowired MockMvc mvc;
    @Autowired JdbcTemplate jdbc;
    @LocalServerPort int port;

    ResultActions postJson(String path, String json) throws Exception {
        return mvc.perform(post(path).contentType(MediaType.APPLICATION_JSON).content(json));
    }

    long rows(String table) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Long.class);
    }

    List<Long> quoteRows() {
        return List.of(rows("quotes"), rows("quote_lines"), rows("quote_adjustments"), rows("quote_rule_runs"));
    }

    @Test
    void aSkuWithASpaceIsRefusedBeforeAnythingIsSaved() throws Exception {
        long before = rows("products");
        for (String sku : List.of("HAS SPACE", "lower-case", "-LEADING", "A/B", "ÄÖ", "S".repeat(65))) {
            postJson("/api/products", "{\"sku\":\"" + sku + "\",\"name\":\"n\",\"category\":\"c\",\"listPrice\":\"1.00\"}")
                    .andExpect(status().isBadRequest())
                    .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON))
                    .andExpect(jsonPath("$.errors[0]").value(startsWith("sku: must be 1 to 64 characters A-Z, 0-9")));
        }
        assertThat(rows("products")).isEqualTo(before);
        // a SKU of the allowed form is a path segment as it is
        postJson("/api/products", "{\"sku\":\"NEW_SKU.1-A\",\"name\":\"Neu\",\"category\":\"c\",\"listPrice\":\"1.50\"}")
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/api/products/NEW_SKU.1-A"));
        mvc.perform(get("/api/products/NEW_SKU.1-A")).andExpect(jsonPath("$.listPrice").value("1.50"));
    }

    @Test
    void textThatADatabaseWouldMangleOrRefuseIsRefused() throws Exception {
        long before = rows("customers");
        for (String name : List.of("\\u0000", "a\\nb", "tab\\there", "\\ud800", "x\\udc00", "\\u001b[2J")) {
            postJson("/api/customers", "{\"name\":\"" + name + "\",\"tier\":\"gold\",\"region\":\"DE\"}")
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0]").value("name: must be one line of text without control characters"));
        }
        assertThat(rows("customers")).isEqualTo(before);
        // letters of any script and emoji are text
        postJson("/api/customers", "{\"name\":\"Zoë 漢字 😀\",\"tier\":\"gold\",\"region\":\"DE\"}").andExpect(status().isCreated());
    }

    @Test
    void listPricesMustBePositiveExactAndFitTheColumn() throws Exception {
        long before = rows("products");
        for (String price : List.of("0", "\"-0.01\"", "\"1.005\"", "1000000000000000", "1e30", "1e-400", "\"NaN\"", "true")) {
            postJson("/api/products", "{\"sku\":\"PRICE-1\",\"name\":\"n\",\"category\":\"c\",\"listPrice\":" + price + "}")
                    .andExpect(status().isBadRequest())
                    .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
        }
        assertThat(rows("products")).isEqualTo(before);
    }

    @Test
    void anAmountOverTheMoneyColumnsIsRefusedWith422AndNothingIsStored() throws Exception {
        // the largest list price a product may have, times the largest quantity: 10^20, over NUMERIC(19, 2)
        postJson("/api/products", "{\"sku\":\"BIG-1\",\"name\":\"Big\",\"category\":\"c\",\"listPrice\":\"999999999999999.99\"}")
                .andExpect(status().isCreated());
        List<Long> before = quoteRows();
        postJson("/api/quotes", "{\"customerId\":1,\"lines\":[{\"sku\":\"BIG-1\",\"quantity\":100000}]}")
                .andExpect(status().isUnprocessableContent())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Amount out of range"))
                .andExpect(jsonPath("$.field").value("lines[0].lineTotal"))
                .andExpect(jsonPath("$.value").value("99999999999999999000.00"))
                .andExpect(jsonPath("$.max").value("99999999999999999.99"));
        // fifty lines that fit one by one, but not summed
        String line = "{\"sku\":\"BIG-1\",\"quantity\":10}";
        postJson("/api/quotes", "{\"customerId\":1,\"lines\":[" + String.join(",", java.util.Collections.nCopies(50, line)) + "]}")
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.field").value("subtotal"));
        assertThat(quoteRows()).as("quotes, lines, adjustments, rule runs").isEqualTo(before);
        // one that fits is stored
        postJson("/api/quotes", "{\"customerId\":1,\"lines\":[{\"sku\":\"BIG-1\",\"quantity\":1}]}").andExpect(status().isCreated());
    }

    @Test
    void aFractionalQuantityIsRefusedNotTruncated() throws Exception {
        List<Long> before = quoteRows();
        for (String quantity : List.of("1.5", "1.0", "1e2", "\"2\"", "true")) {
            postJson("/api/quotes", "{\"customerId\":1,\"lines\":[{\"sku\":\"CAFE-1KG\",\"quantity\":" + quantity + "}]}")
                    .andExpect(status().isBadRequest())
                    .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON))
                    .andExpect(jsonPath("$.title").value("Malformed JSON"))
                    .andExpect(jsonPath("$.field").value("lines[0].quantity"))
                    .andExpect(jsonPath("$.pointer").value("/lines/0/quantity"));
        }
        postJson("/api/quotes", "{\"customerId\":\"1\",\"lines\":[{\"sku\":\"CAFE-1KG\",\"quantity\":1}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("customerId"))
                .andExpect(jsonPath("$.problem").value("Cannot coerce String value (\"1\") to `Long` value"));
        assertThat(quoteRows()).isEqualTo(before);
    }

    @Test
    void duplicateKeysUnknownPropertiesAndTrailingJunkAreRefused() throws Exception {
        List<Long> before = quoteRows();
        postJson("/api/quotes", "{\"customerId\":1,\"customerId\":2,\"lines\":[{\"sku\":\"CAFE-1KG\",\"quantity\":1}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.problem").value("Duplicate Object property \"customerId\""))
                .andExpect(jsonPath("$.field").value("customerId"));
        postJson("/api/quotes", "{\"customerId\":1,\"lines\":[{\"sku\":\"CAFE-1KG\",\"quantity\":1,\"quantity\":1}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.problem").value("Duplicate Object property \"quantity\""))
                .andExpect(jsonPath("$.field").value("lines[0].quantity"))
                .andExpect(jsonPath("$.pointer").value("/lines/0/quantity"));
        postJson("/api/quotes", "{\"customerId\":1,\"lines\":[{\"sku\":\"CAFE-1KG\",\"qty\":5,\"quantity\":1}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.problem").value("Unknown property \"qty\"; known: quantity, sku"))
                .andExpect(jsonPath("$.field").value("lines[0].qty"));
        postJson("/api/quotes", "{\"customerId\":1,\"lines\":[{\"sku\":\"CAFE-1KG\",\"quantity\":1}]} {}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Malformed JSON"));
        assertThat(quoteRows()).isEqualTo(before);
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413() throws Exception {
        List<Long> before = quoteRows();
        String padded = "{\"customerId\":1,\"lines\":[{\"sku\":\"CAFE-1KG\",\"quantity\":1}]" + " ".repeat(1024 * 1024) + "}";
        postJson("/api/quotes", padded)
                .andExpect(status().isPayloadTooLarge())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Request body too large"))
                .andExpect(jsonPath("$.limitBytes").value(1024 * 1024))
                .andExpect(jsonPath("$.actualBytes").value(padded.length()));
        // just under the limit it is read (and priced)
        String under = "{\"customerId\":1,\"lines\":[{\"sku\":\"CAFE-1KG\",\"quantity\":1}]" + " ".repeat(1024 * 1024 - 100) + "}";
        postJson("/api/quotes", under).andExpect(status().isCreated());
        assertThat(quoteRows().get(0)).isEqualTo(before.get(0) + 1);

        // streamed without a length: counted as it is read, refused at the first byte past the limit
        byte[] big = ("{\"customerId\":1,\"lines\":[{\"sku\":\"CAFE-1KG\",\"quantity\":1}]" + " ".repeat(3 * 1024 * 1024) + "}")
                .getBytes(StandardCharsets.UTF_8);
        long started = System.nanoTime();
        RawHttp.Response chunked = RawHttp.exchange(port, RawHttp.request("POST", "/api/quotes",
                Map.of("Content-Type", "application/json"), big, true));
        assertThat(chunked.status()).isEqualTo(413);
        assertThat(chunked.contentType()).startsWith(PROBLEM_JSON);
        assertThat(chunked.text()).contains("\"limitBytes\":1048576");
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms").isLessThan(5_000);
        assertThat(quoteRows().get(0)).isEqualTo(before.get(0) + 1);
        // the actuator's writes too, before authentication: whoever sends it, an oversized body is not read
        mvc.perform(post("/actuator/graft/volume-discount/disable").contentType(MediaType.APPLICATION_JSON)
                        .content(" ".repeat(1024 * 1024 + 1)))
                .andExpect(status().isPayloadTooLarge())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
    }

    @Test
    void tomcatsOwnRefusalsAreProblemDetailsNotHtml() throws IOException {
        RawHttp.Response query = RawHttp.exchange(port, RawHttp.request("GET", "/api/products?q=" + "x".repeat(1024 * 1024),
                Map.of(), null, false));
        assertThat(query.status()).isEqualTo(431);
        assertThat(query.contentType()).startsWith(PROBLEM_JSON);
        assertThat(query.text()).contains("\"title\":\"Request Header Fields Too Large\"", "\"limitBytes\":8192",
                "server.max-http-request-header-size");
        RawHttp.Response headers = RawHttp.exchange(port, RawHttp.request("GET", "/api/products",
                Map.of("X-Big", "y".repeat(64 * 1024)), null, false));
        assertThat(headers.status()).isEqualTo(431);
        assertThat(headers.contentType()).startsWith(PROBLEM_JSON);
        for (String target : List.of("/api/products/%ZZ", "/api/products/a%2Fb", "/api/products/a%00b")) {
            RawHttp.Response bad = RawHttp.exchange(port, RawHttp.request("GET", target, Map.of(), null, false));
            assertThat(bad.status()).as(target).isEqualTo(400);
            assertThat(bad.contentType()).as(target).startsWith(PROBLEM_JSON);
            assertThat(bad.text()).as(target).startsWith("{\"type\":\"https://graft.dev/problems/bad-request\"").doesNotContain("<html");
        }
        // rejected by Spring Security's firewall: through the error controller
        RawHttp.Response firewall = RawHttp.exchange(port, RawHttp.request("GET", "/api/products//x", Map.of(), null, false));
        assertThat(firewall.status()).isEqualTo(400);
        assertThat(firewall.contentType()).startsWith(PROBLEM_JSON);
        assertThat(firewall.text()).contains("\"instance\":\"/api/products//x\"");
    }

    @Test
    void theApisAndTheSecurityLayersRefusalsAreProblemDetails() throws Exception {
        mvc.perform(get("/api/nope")).andExpect(status().isNotFound()).andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
        mvc.perform(delete("/api/quotes")).andExpect(status().isMethodNotAllowed())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
        mvc.perform(post("/api/quotes").contentType(MediaType.TEXT_PLAIN).content("x"))
                .andExpect(status().isUnsupportedMediaType()).andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
        mvc.perform(get("/api/products").accept("text/csv")).andExpect(status().isNotAcceptable())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
        mvc.perform(get("/api/customers/abc")).andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
        mvc.perform(post("/api/plugins/volume-discount/disable").accept(MediaType.TEXT_HTML))
                .andExpect(status().isUnauthorized()).andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
        mvc.perform(post("/api/plugins/volume-discount/disable").with(httpBasic("admin", "wrong")))
                .andExpect(status().isUnauthorized()).andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
        mvc.perform(post("/api/plugins/volume-discount/disable").with(httpBasic("admin", "test-admin-password"))
                        .cookie(new jakarta.servlet.http.Cookie("JSESSIONID", "x")))
                .andExpect(status().isForbidden()).andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(startsWith("A state-changing request from a browser must carry the CSRF token")));
        // a request that could not take the answer is refused before it acts
        List<Long> before = quoteRows();
        mvc.perform(post("/api/quotes").contentType(MediaType.APPLICATION_JSON).accept("text/csv")
                        .content("{\"customerId\":1,\"lines\":[{\"sku\":\"CAFE-1KG\",\"quantity\":1}]}"))
                .andExpect(status().isNotAcceptable()).andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
        assertThat(quoteRows()).isEqualTo(before);
    }
}
