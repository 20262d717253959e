package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.graft.samples.erp.catalog.ProductRepository;
import dev.graft.samples.erp.customers.CustomerRepository;
import dev.graft.samples.erp.quotes.QuoteRepository;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * The REST API end to end: through the real plugins (the committed sample modules, pinned), on H2 in
 * memory with the seed data. Seed customers: 1 Zoë Müller (gold, DE) … 7 Łukasz Żółć (platinum, PL).
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles("test")
class ErpApiTest {

    static final String PROBLEM_JSON = "application/problem+json";
    static final Map<String, String> PINS = PluginPinsTest.lockedDigests();
    /** The admin of application-test.yml, over HTTP Basic. */
    static final RequestPostProcessor ADMIN = httpBasic("admin", "test-admin-password");

    @Autowired MockMvc mvc;
    @Autowired ProductRepository products;
    @Autowired CustomerRepository customers;
    @Autowired QuoteRepository quotes;

    ResultActions postQuote(String json) throws Exception {
        return mvc.perform(post("/api/quotes").contentType(MediaType.APPLICATION_JSON).content(json));
    }

    @Test
    void startsOnH2WithSeedDataAndADemoQuote() throws Exception {
        assertThat(products.findBySku("CAFE-1KG")).isPresent();
        assertThat(customers.count()).isGreaterThanOrEqualTo(7);
        assertThat(quotes.findById(1L)).hasValueSatisfying(q -> assertThat(q.total()).isEqualByComparingTo("648.02"));
        mvc.perform(get("/api/products")).andExpect(status().isOk()).andExpect(jsonPath("$", hasSize(greaterThanOrEqualTo(6))));
        mvc.perform(get("/api/customers/1")).andExpect(jsonPath("$.name").value("Zoë Müller"));
        mvc.perform(get("/")).andExpect(status().isOk());
    }

    @Test
    void createsAQuotePricedByEveryPluginInOrder() throws Exception {
        String body = postQuote("""
                {"customerId": 1, "promoCode": "spring10",
                 "lines": [{"sku": "CAFE-1KG", "quantity": 10}, {"sku": "DESK-OAK", "quantity": 1}]}""")
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", startsWith("/api/quotes/")))
                .andExpect(jsonPath("$.status").value("PRICED"))
                .andExpect(jsonPath("$.promoCode").value("SPRING10"))
                .andExpect(jsonPath("$.subtotal").value("688.90"))
                .andExpect(jsonPath("$.adjustmentTotal").value("-40.88"))
                .andExpect(jsonPath("$.total").value("648.02"))
                .andExpect(jsonPath("$.failures", hasSize(0)))
                // 10 × 19.99 = 199.90: volume 5 % → -10.00 (9.995 half up), gold 10 % → -19.99,
                // SPRING10 10 % → -19.99, DE reduced (food) 7 % → +13.99 (13.993)
                .andExpect(jsonPath("$.lines[0].lineTotal").value("199.90"))
                .andExpect(jsonPath("$.lines[0].adjustments[*].ruleId").value(
                        contains("volume-discount", "customer-tier", "promo-codes", "regional-tax")))
                .andExpect(jsonPath("$.lines[0].adjustments[*].amount").value(contains("-10.00", "-19.99", "-19.99", "13.99")))
                .andExpect(jsonPath("$.lines[0].adjustments[0].reason").value("Volume discount 5% for 10+ units: 10 × Café Crème 1 kg"))
                .andExpect(jsonPath("$.lines[0].adjustments[1].reason").value("Gold customer discount 10% for Zoë Müller"))
                .andExpect(jsonPath("$.lines[0].adjustments[3].reason").value("MwSt. 7 % (DE, reduced) on Café Crème 1 kg"))
                .andExpect(jsonPath("$.lines[0].netTotal").value("163.91"))
                // 489.00: no volume discount, gold -48.90, SPRING10 -48.90, DE standard 19 % +92.91
                .andExpect(jsonPath("$.lines[1].adjustments[*].amount").value(contains("-48.90", "-48.90", "92.91")))
                .andExpect(jsonPath("$.lines[1].netTotal").value("484.11"))
                // every call of every rule is recorded, with the module digest and fuel
                .andExpect(jsonPath("$.lines[0].ruleRuns", hasSize(4)))
                .andExpect(jsonPath("$.lines[1].ruleRuns", hasSize(4)))
                .andExpect(jsonPath("$.lines[0].adjustments[0].pluginSha256").value(PINS.get("volume-discount")))
                .andExpect(jsonPath("$.lines[0].adjustments[1].pluginSha256").value(PINS.get("customer-tier")))
                .andExpect(jsonPath("$.lines[0].adjustments[2].pluginSha256").value(PINS.get("promo-codes")))
                .andExpect(jsonPath("$.lines[0].adjustments[3].pluginSha256").value(PINS.get("regional-tax")))
                .andExpect(jsonPath("$.lines[0].adjustments[0].fuel").value(greaterThan(1000)))
                .andExpect(jsonPath("$.lines[0].ruleRuns[1].fuel").value(greaterThan(1000)))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);

        int id = JsonPath.read(body, "$.id");
        // stored: the same explanation comes back from the database
        mvc.perform(get("/api/quotes/" + id))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.total").value("648.02"))
                .andExpect(jsonPath("$.lines[0].adjustments[*].amount").value(contains("-10.00", "-19.99", "-19.99", "13.99")))
                .andExpect(jsonPath("$.lines[0].adjustments[1].pluginId").value("customer-tier"));
        mvc.perform(get("/api/quotes")).andExpect(jsonPath("$[0].id").value(id));
    }

    @Test
    void recomputeComparesWithTodaysPluginsAndData() throws Exception {
        String customer = mvc.perform(post("/api/customers").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"Recompute GmbH\", \"tier\": \"silver\", \"region\": \"AT\"}"))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        int customerId = JsonPath.read(customer, "$.id");
        // 2 × 54.90 = 109.80: silver 5 % → -5.49; AT reduced (books) 10 % → +10.98
        String quote = postQuote("{\"customerId\": " + customerId + ", \"lines\": [{\"sku\": \"BOOK-DDD\", \"quantity\": 2}]}")
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.lines[0].adjustments[*].amount").value(contains("-5.49", "10.98")))
                .andExpect(jsonPath("$.total").value("115.29"))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        int id = JsonPath.read(quote, "$.id");

        mvc.perform(post("/api/quotes/" + id + "/recompute"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.same").value(true))
                .andExpect(jsonPath("$.differences", hasSize(0)))
                .andExpect(jsonPath("$.recomputedTotal").value("115.29"));

        // the customer-tier plugin asks the host (the database) for the tier: a new tier changes the price
        mvc.perform(put("/api/customers/" + customerId).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"Recompute GmbH\", \"tier\": \"platinum\", \"region\": \"AT\"}"))
                .andExpect(status().isOk());
        mvc.perform(post("/api/quotes/" + id + "/recompute"))
                .andExpect(jsonPath("$.same").value(false))
                .andExpect(jsonPath("$.storedTotal").value("115.29"))
                .andExpect(jsonPath("$.recomputedTotal").value("104.31"))   // platinum 15 % → -16.47
                .andExpect(jsonPath("$.differences[0]").value("no longer: line 0 customer-tier -5.49 (Silver customer discount 5% for Recompute GmbH)"))
                .andExpect(jsonPath("$.differences[1]").value("new: line 0 customer-tier -16.47 (Platinum customer discount 15% for Recompute GmbH)"))
                .andExpect(jsonPath("$.pluginVersions", hasSize(0)));
        // the stored quote is unchanged
        mvc.perform(get("/api/quotes/" + id)).andExpect(jsonPath("$.total").value("115.29"));
    }

    @Test
    void aRequiredRuleThatRejectsTheInputRefusesTheQuote() throws Exception {
        // customer 7 is in PL, for which regional-tax has no rate: the plugin reports an error. The rule is
        // required, so the quote is not priced without it (no fallback), and nothing is stored.
        long before = quotes.count();
        postQuote("{\"customerId\": 7, \"lines\": [{\"sku\": \"CAFE-1KG\", \"quantity\": 2}]}")
                .andExpect(status().isUnprocessableContent())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON))
                .andExpect(jsonPath("$.plugin").value("regional-tax"))
                .andExpect(jsonPath("$.pluginErrorType").value("PluginCallException"))
                .andExpect(jsonPath("$.pluginMessage").value("no tax rate for region \"PL\""))
                .andExpect(jsonPath("$.detail").value("plugin 'regional-tax': call to 'apply_rule' failed: no tax rate for region \"PL\""));
        assertThat(quotes.count()).isEqualTo(before);
    }

    @Test
    void aDisabledPluginNoLongerPricesAndRecomputeShowsIt() throws Exception {
        String quote = postQuote("{\"customerId\": 2, \"lines\": [{\"sku\": \"SCREW-M4\", \"quantity\": 250}]}")
                .andExpect(status().isCreated())
                // 250 × 0.35 = 87.50: volume 15 % → -13.13, silver 5 % → -4.38, AT 20 % → +17.50
                .andExpect(jsonPath("$.lines[0].adjustments[*].amount").value(contains("-13.13", "-4.38", "17.50")))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        int id = JsonPath.read(quote, "$.id");
        mvc.perform(post("/api/plugins/volume-discount/disable").with(ADMIN))
                .andExpect(status().isOk()).andExpect(jsonPath("$.state").value("disabled"));
        try {
            postQuote("{\"customerId\": 2, \"lines\": [{\"sku\": \"SCREW-M4\", \"quantity\": 250}]}")
                    .andExpect(status().isCreated())
                    .andExpect(jsonPath("$.lines[0].adjustments[*].ruleId").value(contains("customer-tier", "regional-tax")))
                    .andExpect(jsonPath("$.lines[0].ruleRuns", hasSize(3)))
                    .andExpect(jsonPath("$.total").value("100.62"));
            mvc.perform(post("/api/quotes/" + id + "/recompute"))
                    .andExpect(jsonPath("$.same").value(false))
                    .andExpect(jsonPath("$.recomputedTotal").value("100.62"))
                    .andExpect(jsonPath("$.pluginVersions[0].pluginId").value("volume-discount"))
                    .andExpect(jsonPath("$.pluginVersions[0].currentSha256").doesNotExist());
        } finally {
            mvc.perform(post("/api/plugins/volume-discount/enable").with(ADMIN)).andExpect(jsonPath("$.state").value("enabled"));
        }
    }

    @Test
    void quoteInputErrorsAreProblemDetails() throws Exception {
        postQuote("{\"customerId\": 1, \"lines\": [{\"sku\": \"NOPE-1\", \"quantity\": 1}]}")
                .andExpect(status().isUnprocessableContent())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Unknown SKU"))
                .andExpect(jsonPath("$.sku").value("NOPE-1"))
                .andExpect(jsonPath("$.detail").value("Line 0: no product has the SKU 'NOPE-1'."));
        postQuote("{\"customerId\": 999, \"lines\": [{\"sku\": \"CAFE-1KG\", \"quantity\": 1}]}")
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.title").value("Unknown customer"));
        postQuote("{\"customerId\": 1, \"lines\": [{\"sku\": \"CAFE-1KG\", \"quantity\": -3}]}")
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON))
                .andExpect(jsonPath("$.errors[0]").value("lines[0].quantity: must be greater than or equal to 1"));
        postQuote("{\"customerId\": 1, \"lines\": [{\"sku\": \"CAFE-1KG\", \"quantity\": 1000000}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0]").value("lines[0].quantity: must be less than or equal to 100000"));
        postQuote("{\"customerId\": 1, \"lines\": [{\"sku\": \"CAFE-1KG\", \"quantity\": 100000000000}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Malformed JSON"))
                .andExpect(jsonPath("$.detail").value(startsWith("The request body is not valid JSON for this resource: Numeric value (100000000000) out of range")));
        postQuote("{\"customerId\": 1, \"lines\": [{\"sku\": ")
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Malformed JSON"));
        postQuote("{\"customerId\": 1, \"lines\": []}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0]").value("lines: must not be empty"));
        mvc.perform(get("/api/quotes/424242")).andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
    }

    @Test
    void treeRendersAsSvgWithItsCost() throws Exception {
        mvc.perform(get("/api/trees").param("seed", "Hello WASM").param("depth", "5").param("trunk", "100"))
                .andExpect(status().isOk())
                .andExpect(content().contentType("image/svg+xml"))
                .andExpect(content().string(startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")))
                .andExpect(header().string("X-Graft-Fuel", "148086"))   // sample-plugins/README.md, fuel per depth
                .andExpect(header().string("X-Graft-Fuel-Budget", "40000000"))
                .andExpect(header().string("X-Graft-Plugin-Sha256", PINS.get("fractal-tree")))
                .andExpect(header().string("X-Tree-Lines", "31"));
        mvc.perform(get("/api/trees").param("seed", "Hello WASM").param("depth", "12"))
                .andExpect(status().isOk())
                .andExpect(header().string("X-Graft-Fuel", "15417612"));
    }

    @Test
    void treeDepthIsValidatedAndDeepTreesAreRefusedByFuel() throws Exception {
        for (String depth : List.of("0", "19")) {
            mvc.perform(get("/api/trees").param("depth", depth))
                    .andExpect(status().isBadRequest())
                    .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON))
                    .andExpect(jsonPath("$.detail").value("depth must be between 1 and 18, was " + depth));
        }
        mvc.perform(get("/api/trees").param("depth", "ten")).andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
        mvc.perform(get("/api/trees").param("depth", "5").param("trunk", "0")).andExpect(status().isBadRequest());
        for (int attempt = 0; attempt < 6; attempt++) {   // more than the breaker's threshold: fuel refusals do not quarantine the tree
            mvc.perform(get("/api/trees").param("seed", "Hello WASM").param("depth", "16").accept("image/svg+xml", "*/*"))
                    .andExpect(status().isUnprocessableContent())
                    .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON))
                    .andExpect(jsonPath("$.plugin").value("fractal-tree"))
                    .andExpect(jsonPath("$.pluginErrorType").value("PluginFuelExhaustedException"))
                    .andExpect(jsonPath("$.budget").value(40_000_000))
                    .andExpect(jsonPath("$.consumed").value(greaterThanOrEqualTo(40_000_000)))
                    .andExpect(jsonPath("$.detail").value(startsWith("plugin 'fractal-tree': call to 'render_tree' exhausted the fuel budget of 40000000 (consumed ")));
        }
        mvc.perform(get("/api/trees").param("depth", "3")).andExpect(status().isOk());
    }

    @Test
    void pluginsPageDataAndActions() throws Exception {
        mvc.perform(get("/api/trees").param("depth", "2")).andExpect(status().isOk());
        mvc.perform(get("/api/plugins"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[*].id").value(contains("fractal-tree", "tree-wagi", "wagi-echo", "volume-discount", "customer-tier", "promo-codes", "regional-tax")))
                .andExpect(jsonPath("$[3].sha256").value(PINS.get("volume-discount")))
                .andExpect(jsonPath("$[0].policy.fuel").value(40_000_000))
                .andExpect(jsonPath("$[4].policy.capabilities.hostFunctions[0]").value("erp_customer_tier"))
                .andExpect(jsonPath("$[0].statistics.calls").value(greaterThan(0)))
                .andExpect(jsonPath("$[6].required").value(true));
        mvc.perform(post("/api/plugins/promo-codes/reload").with(ADMIN)).andExpect(status().isOk())
                .andExpect(jsonPath("$.state").value("enabled"))
                .andExpect(jsonPath("$.sha256").value(PINS.get("promo-codes")));
        mvc.perform(post("/api/plugins/promo-codes/explode").with(ADMIN)).andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON));
        mvc.perform(post("/api/plugins/nope/disable").with(ADMIN)).andExpect(status().isNotFound());
        mvc.perform(get("/actuator/graft")).andExpect(status().isOk()).andExpect(jsonPath("$.plugins", hasSize(7)));
    }

    @Test
    void uploadsASignedNewVersionOnlyWhenItVerifiesAndLoads() throws Exception {
        byte[] volume = java.nio.file.Files.readAllBytes(PluginPinsTest.SAMPLE_PLUGINS.resolve("volume-discount/volume-discount.wasm"));
        byte[] promo = java.nio.file.Files.readAllBytes(PluginPinsTest.SAMPLE_PLUGINS.resolve("promo-codes/promo-codes.wasm"));
        // a signature over other bytes: refused, the old version keeps serving
        mvc.perform(post("/api/plugins/volume-discount/versions").with(ADMIN).contentType("application/wasm").content(promo)
                        .header("X-Graft-Signature", DemoSigning.sign(volume)))
                .andExpect(status().isUnprocessableContent())
                .andExpect(content().contentTypeCompatibleWith(PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Upload refused: not signed by a trusted key"))
                .andExpect(jsonPath("$.sha256").value(PINS.get("promo-codes")));
        // a sha256 given with the upload that the bytes do not match
        mvc.perform(post("/api/plugins/volume-discount/versions").with(ADMIN).param("sha256", "ab".repeat(32))
                        .header("X-Graft-Signature", DemoSigning.sign(volume)).contentType("application/wasm").content(volume))
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.detail").value(startsWith("The uploaded module has sha256 " + PINS.get("volume-discount"))));
        // signed bytes that are not a module
        byte[] junk = "not wasm".getBytes(StandardCharsets.UTF_8);
        mvc.perform(post("/api/plugins/volume-discount/versions").with(ADMIN).header("X-Graft-Signature", DemoSigning.sign(junk))
                        .contentType("application/wasm").content(junk))
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.title").value("Upload refused: the module does not load"))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.matchesPattern(
                        "plugin 'volume-discount': refused at load: .*[^.]\\. Nothing was stored; the current version keeps serving\\.")))
                .andExpect(jsonPath("$.pluginErrorType").value("PluginLoadException"));
        mvc.perform(get("/api/plugins/volume-discount")).andExpect(jsonPath("$.sha256").value(PINS.get("volume-discount")))
                .andExpect(jsonPath("$.state").value("enabled"));
        // signed by the trusted key: accepted, served from the upload folder with its signature beside it
        mvc.perform(post("/api/plugins/volume-discount/versions").with(ADMIN).contentType("application/wasm").content(volume)
                        .header("X-Graft-Signature", DemoSigning.sign(volume)))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.sha256").value(PINS.get("volume-discount")))
                .andExpect(jsonPath("$.signedBy").value("erp-demo"))
                .andExpect(jsonPath("$.plugin.uploaded").value(true))
                .andExpect(jsonPath("$.plugin.location").value(org.hamcrest.Matchers.containsString("uploads/volume-discount-")));
        postQuote("{\"customerId\": 3, \"lines\": [{\"sku\": \"LAMP-LED\", \"quantity\": 10}]}")
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.lines[0].adjustments[0].ruleId").value("volume-discount"));
        mvc.perform(post("/api/plugins/volume-discount/revert").with(ADMIN)).andExpect(status().isOk())
                .andExpect(jsonPath("$.uploaded").value(false));
    }

    @Test
    void treeAndEchoAreServedAsWagiRoutePlugins() throws Exception {
        // The query string itself reaches a WAGI plugin, so it is written into the URL here.
        mvc.perform(get(java.net.URI.create("/tree?seed=Hello%20WASM&depth=5&trunk=100")))
                .andExpect(status().isOk())
                .andExpect(header().string("Content-Type", startsWith("image/svg+xml")))
                .andExpect(content().string(startsWith("<svg")));
        mvc.perform(get("/tree?seed=x&depth=99"))
                .andExpect(status().isBadRequest());

        String echo = mvc.perform(post(java.net.URI.create("/echo/hello?who=Zo%C3%AB")).content("the body"))
                .andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(echo).contains("0: /echo/hello", "who=Zoë", "REQUEST_METHOD=POST",
                "ERP_GREETING=served by a Wasm plugin", "# body (8 bytes)", "the body");
    }
}
