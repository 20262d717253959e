package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.graft.host.registry.PluginDescriptor;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import dev.graft.samples.erp.quotes.Quote;
import dev.graft.samples.erp.quotes.QuoteRepository;
import dev.graft.samples.erp.replay.HostCall;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * Profile "components": the volume discount comes from the WebAssembly component pricing-rust instead of the
 * Extism plugin volume-discount, the customer-tier discount from the component tier-rust (which asks the host
 * for the tier through its typed import, the granted {@code erp.customer.tier-of}) instead of the Extism
 * plugin customer-tier, and the demo quote is priced exactly as {@link ErpApiTest} expects.
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles({"test", "components"})
class ComponentRuleTest {

    static final Map<String, String> PINS = PluginPinsTest.lockedDigests();

    @Autowired MockMvc mvc;
    @Autowired PluginRegistry registry;
    @Autowired QuoteRepository quotes;

    @BeforeEach
    void theComponentLoaded() {
        PluginDescriptor component = registry.descriptor("pricing-rust").orElseThrow();
        assertThat(component.state()).as("pricing-rust: %s", component.lastError()).isEqualTo(PluginState.ENABLED);
        assertThat(component.sha256()).isEqualTo(PINS.get("pricing-rust"));
        assertThat(registry.descriptor("volume-discount").orElseThrow().state()).isEqualTo(PluginState.DISABLED);
        PluginDescriptor tiers = registry.descriptor("tier-rust").orElseThrow();
        assertThat(tiers.state()).as("tier-rust: %s", tiers.lastError()).isEqualTo(PluginState.ENABLED);
        assertThat(tiers.sha256()).isEqualTo(PINS.get("tier-rust"));
        assertThat(registry.descriptor("customer-tier").orElseThrow().state()).isEqualTo(PluginState.DISABLED);
    }

    @Test
    void theComponentsPriceTheDemoQuoteAsTheExtismRulesDo() throws Exception {
        priceTheDemoQuoteAsTheExtismRulesDo(mvc)
                .andExpect(jsonPath("$.lines[0].adjustments[0].pluginId").value("pricing-rust"))
                .andExpect(jsonPath("$.lines[0].adjustments[0].pluginSha256").value(PINS.get("pricing-rust")))
                .andExpect(jsonPath("$.lines[0].adjustments[1].reason").value("Gold customer discount 10% for Zoë Müller"))
                .andExpect(jsonPath("$.lines[0].adjustments[1].pluginId").value("tier-rust"))
                .andExpect(jsonPath("$.lines[0].adjustments[1].pluginSha256").value(PINS.get("tier-rust")))
                .andExpect(jsonPath("$.lines[1].adjustments[*].ruleId").value(
                        contains("customer-tier", "promo-codes", "regional-tax")))
                .andExpect(jsonPath("$.lines[1].adjustments[0].pluginId").value("tier-rust"));
    }

    /**
     * Prices the demo quote (customer 1, SPRING10, 10 × CAFE-1KG and 1 × DESK-OAK) and expects exactly what the
     * Extism rules answer: 648.02, the same adjustments and reasons, no failure. Which plugin served each
     * adjustment is left to the caller.
     */
    static ResultActions priceTheDemoQuoteAsTheExtismRulesDo(MockMvc mvc) throws Exception {
        return mvc.perform(post("/api/quotes").contentType(MediaType.APPLICATION_JSON).content("""
                {"customerId": 1, "promoCode": "spring10",
                 "lines": [{"sku": "CAFE-1KG", "quantity": 10}, {"sku": "DESK-OAK", "quantity": 1}]}"""))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.total").value("648.02"))
                .andExpect(jsonPath("$.failures", hasSize(0)))
                .andExpect(jsonPath("$.lines[0].adjustments[*].ruleId").value(
                        contains("volume-discount", "customer-tier", "promo-codes", "regional-tax")))
                .andExpect(jsonPath("$.lines[0].adjustments[*].amount").value(contains("-10.00", "-19.99", "-19.99", "13.99")))
                .andExpect(jsonPath("$.lines[0].adjustments[0].reason").value("Volume discount 5% for 10+ units: 10 × Café Crème 1 kg"))
                .andExpect(jsonPath("$.lines[1].adjustments[*].amount").value(contains("-48.90", "-48.90", "92.91")));
    }

    /**
     * Replay answers the component's typed host call from the recording (the argument and the result kept as
     * JSON): a quote replays identically, also after the customer's tier changed, which recompute, asking the
     * host again, shows.
     */
    @Test
    void aComponentsTypedHostCallsAreRecordedAndReplayedFromTheRecording() throws Exception {
        String customer = mvc.perform(post("/api/customers").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"Replay Komponenten AG\", \"tier\": \"silver\", \"region\": \"AT\"}"))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        int customerId = JsonPath.read(customer, "$.id");
        // 2 × 54.90 = 109.80: silver 5 % → -5.49; AT reduced (books) 10 % → +10.98
        String body = mvc.perform(post("/api/quotes").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"customerId\": " + customerId + ", \"lines\": [{\"sku\": \"BOOK-DDD\", \"quantity\": 2}]}"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.lines[0].adjustments[*].amount").value(contains("-5.49", "10.98")))
                .andExpect(jsonPath("$.lines[0].adjustments[0].pluginId").value("tier-rust"))
                .andExpect(jsonPath("$.total").value("115.29"))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        long id = ((Number) JsonPath.read(body, "$.id")).longValue();

        Quote quote = quotes.findById(id).orElseThrow();
        Quote.RuleRun tierRun = quote.ruleRuns().stream().filter(r -> r.pluginId().equals("tier-rust")).findFirst()
                .orElseThrow();
        List<HostCall> hostCalls = HostCall.fromJson(tierRun.hostCalls());
        assertThat(hostCalls).singleElement().satisfies(call -> {
            assertThat(call.function()).isEqualTo("erp.customer.tier-of");
            assertThat(call.typed()).isTrue();
            assertThat(new String(call.input(), StandardCharsets.UTF_8)).isEqualTo("\"" + customerId + "\"");
            assertThat(new String(call.output(), StandardCharsets.UTF_8)).isEqualTo("\"silver\"");
            assertThat(call.error()).isNull();
        });

        mvc.perform(post("/api/quotes/" + id + "/replay"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.identical").value(true))
                .andExpect(jsonPath("$.lines[0].rules[*].pluginId").value(
                        contains("pricing-rust", "tier-rust", "promo-codes", "regional-tax")))
                .andExpect(jsonPath("$.lines[0].rules[*].status").value(everyItem(is("identical"))))
                .andExpect(jsonPath("$.lines[0].rules[1].hostCalls").value(1));

        mvc.perform(put("/api/customers/" + customerId).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"Replay Komponenten AG\", \"tier\": \"platinum\", \"region\": \"AT\"}"))
                .andExpect(status().isOk());
        // The host would answer platinum now; replay answers what it answered then.
        mvc.perform(post("/api/quotes/" + id + "/replay"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.identical").value(true))
                .andExpect(jsonPath("$.lines[0].rules[1].status").value("identical"));
        mvc.perform(post("/api/quotes/" + id + "/recompute"))
                .andExpect(jsonPath("$.same").value(false))
                .andExpect(jsonPath("$.recomputedTotal").value("104.31")); // platinum 15 % → -16.47

        // The recorded answer is what the component gets: a recording that says gold gives gold's discount ...
        HostCall recorded = hostCalls.get(0);
        withTierRunHostCalls(id, new HostCall(recorded.function(), recorded.input(),
                "\"gold\"".getBytes(StandardCharsets.UTF_8), null, true, null));
        mvc.perform(post("/api/quotes/" + id + "/replay"))
                .andExpect(jsonPath("$.lines[0].rules[1].status").value("different"))
                .andExpect(jsonPath("$.lines[0].rules[1].outputIdentical").value(false))
                .andExpect(jsonPath("$.lines[0].rules[1].replayedOutput").value(
                        org.hamcrest.Matchers.containsString("Gold customer discount 10%")));
        // ... and a recording of another customer's call is a divergence, which ends the call.
        withTierRunHostCalls(id, new HostCall(recorded.function(), "\"424242\"".getBytes(StandardCharsets.UTF_8),
                recorded.output(), null, true, null));
        mvc.perform(post("/api/quotes/" + id + "/replay"))
                .andExpect(jsonPath("$.lines[0].rules[1].status").value("different"))
                .andExpect(jsonPath("$.lines[0].rules[1].detail").value(org.hamcrest.Matchers.containsString(
                        "host call 0 diverged: the plugin called erp.customer.tier-of (typed)(\"" + customerId
                                + "\"), the recording has erp.customer.tier-of (typed)(\"424242\")")));
    }

    /** Stores the quote again with the tier-rust run's host calls replaced. */
    void withTierRunHostCalls(long id, HostCall... calls) {
        Quote quote = quotes.findById(id).orElseThrow();
        List<Quote.RuleRun> runs = quote.ruleRuns().stream().map(r -> !r.pluginId().equals("tier-rust") ? r
                : new Quote.RuleRun(r.lineNo(), r.pluginId(), r.pluginSha256(), r.outcome(), r.adjustments(), r.fuel(),
                        r.elapsedMicros(), r.errorType(), r.error(), r.input(), r.output(), HostCall.toJson(List.of(calls))))
                .toList();
        quotes.save(new Quote(quote.id(), quote.customerId(), quote.customerName(), quote.customerTier(),
                quote.customerRegion(), quote.currency(), quote.promoCode(), quote.createdAt(), quote.subtotal(),
                quote.adjustmentTotal(), quote.total(), quote.status(), quote.lines(), quote.adjustments(), runs));
    }
}
