package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.graft.host.abi.AnsweringModule;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.binding.JacksonPayloadCodec;
import dev.graft.host.engine.CallResult;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import dev.graft.samples.contracts.Customer;
import dev.graft.samples.contracts.QuoteLine;
import dev.graft.samples.erp.modules.ModuleStore;
import dev.graft.samples.erp.quotes.Quote;
import dev.graft.samples.erp.quotes.QuoteRepository;
import dev.graft.samples.erp.replay.HostCall;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * Replayable decisions: every rule run is stored with the exact input bytes the host encoded, the exact
 * output and the host calls; every served module is kept by digest; {@code POST /api/quotes/{id}/replay}
 * runs the recorded calls again on the recorded digests and compares output and fuel. (Same configuration as
 * {@link ErpApiTest}, so the two share one application context; {@link PostgresReplayTest} runs it on PostgreSQL.)
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles("test")
class ReplayTest {

    static final List<String> RULES = List.of("volume-discount", "customer-tier", "promo-codes", "regional-tax");

    @Autowired MockMvc mvc;
    @Autowired QuoteRepository quotes;
    @Autowired ModuleStore store;
    @Autowired dev.graft.boot.autoconfigure.GraftProperties properties;

    ResultActions postQuote(String json) throws Exception {
        return mvc.perform(post("/api/quotes").contentType(MediaType.APPLICATION_JSON).content(json));
    }

    long createQuote(String json) throws Exception {
        String body = postQuote(json).andExpect(status().isCreated()).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        return ((Number) JsonPath.read(body, "$.id")).longValue();
    }

    ResultActions replay(long id) throws Exception {
        return mvc.perform(post("/api/quotes/" + id + "/replay"));
    }

    @Test
    void eachRuleRunStoresTheExactInputTheHostEncodedItsOutputAndItsHostCalls() throws Exception {
        long id = createQuote("""
                {"customerId": 1, "promoCode": "SPRING10", "lines": [{"sku": "CAFE-1KG", "quantity": 10}]}""");
        Quote quote = quotes.findById(id).orElseThrow();
        assertThat(quote.ruleRuns()).extracting(Quote.RuleRun::pluginId).containsExactlyElementsOf(RULES);
        // the bytes the codec of typed calls makes of this line: exactly what was stored for every rule
        byte[] encoded = new JacksonPayloadCodec().encode(new QuoteLine("CAFE-1KG", "Café Crème 1 kg", "food", 10,
                new BigDecimal("19.99"), new Customer("1", "Zoë Müller", "gold", "DE"), "EUR", "SPRING10"));
        assertThat(quote.ruleRuns()).allSatisfy(run -> {
            assertThat(run.input()).as(run.pluginId()).isEqualTo(encoded);
            assertThat(new String(run.output(), StandardCharsets.UTF_8)).as(run.pluginId()).startsWith("[{\"ruleId\":");
            assertThat(store.contains(run.pluginSha256())).as(run.pluginId() + " kept").isTrue();
        });
        assertThat(new String(quote.ruleRuns().get(0).output(), StandardCharsets.UTF_8)).contains("-10.00");
        // customer-tier asked the host for the tier of customer 1, and the host answered "gold"
        List<HostCall> hostCalls = HostCall.fromJson(quote.ruleRuns().get(1).hostCalls());
        assertThat(hostCalls).singleElement().satisfies(call -> {
            assertThat(call.function()).isEqualTo("erp_customer_tier");
            assertThat(new String(call.input(), StandardCharsets.UTF_8)).isEqualTo("1");
            assertThat(new String(call.output(), StandardCharsets.UTF_8)).isEqualTo("gold");
            assertThat(call.error()).isNull();
        });
        assertThat(quote.ruleRuns()).filteredOn(r -> !r.pluginId().equals("customer-tier"))
                .allSatisfy(r -> assertThat(r.hostCalls()).isNull());
        // and the API shows what each rule was given
        mvc.perform(get("/api/quotes/" + id))
                .andExpect(jsonPath("$.lines[0].ruleRuns[0].input").value(new String(encoded, StandardCharsets.UTF_8)))
                .andExpect(jsonPath("$.lines[0].ruleRuns[*].hostCalls").value(contains(0, 1, 0, 0)));
    }

    @Test
    void aFreshQuoteReplaysIdenticallyRuleByRule() throws Exception {
        long id = createQuote("""
                {"customerId": 1, "promoCode": "SPRING10",
                 "lines": [{"sku": "CAFE-1KG", "quantity": 10}, {"sku": "DESK-OAK", "quantity": 1}]}""");
        Quote quote = quotes.findById(id).orElseThrow();
        replay(id)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.quoteId").value(id))
                .andExpect(jsonPath("$.identical").value(true))
                .andExpect(jsonPath("$.calls").value(8))
                .andExpect(jsonPath("$.identicalCalls").value(8))
                .andExpect(jsonPath("$.lines", hasSize(2)))
                .andExpect(jsonPath("$.lines[1].sku").value("DESK-OAK"))
                .andExpect(jsonPath("$.lines[0].rules[*].pluginId").value(contains(RULES.toArray())))
                .andExpect(jsonPath("$.lines[*].rules[*].status").value(everyItem(is("identical"))))
                .andExpect(jsonPath("$.lines[0].rules[0].pluginSha256").value(ErpApiTest.PINS.get("volume-discount")))
                .andExpect(jsonPath("$.lines[0].rules[0].recordedFuel").value(quote.ruleRuns().get(0).fuel()))
                .andExpect(jsonPath("$.lines[0].rules[0].replayedFuel").value(quote.ruleRuns().get(0).fuel()))
                .andExpect(jsonPath("$.lines[0].rules[0].recordedOutput").doesNotExist())
                .andExpect(jsonPath("$.lines[0].rules[1].hostCalls").value(1));
        // replaying changes nothing
        assertThat(quotes.findById(id).orElseThrow()).usingRecursiveComparison().isEqualTo(quote);
        mvc.perform(post("/api/quotes/424242/replay")).andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(ErpApiTest.PROBLEM_JSON));
    }

    @Test
    void replayAnswersHostCallsFromTheRecordingWhereRecomputeAsksTheDatabaseAgain() throws Exception {
        String customer = mvc.perform(post("/api/customers").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"Replay AG\", \"tier\": \"silver\", \"region\": \"AT\"}"))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        int customerId = JsonPath.read(customer, "$.id");
        long id = createQuote("{\"customerId\": " + customerId + ", \"lines\": [{\"sku\": \"BOOK-DDD\", \"quantity\": 2}]}");
        mvc.perform(put("/api/customers/" + customerId).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"Replay AG\", \"tier\": \"platinum\", \"region\": \"AT\"}"))
                .andExpect(status().isOk());
        // today the tier is platinum: recompute gives another price ...
        mvc.perform(post("/api/quotes/" + id + "/recompute")).andExpect(jsonPath("$.same").value(false));
        // ... but the decision made then replays exactly: the host's answer then ("silver") is replayed
        replay(id)
                .andExpect(jsonPath("$.identical").value(true))
                .andExpect(jsonPath("$.lines[0].rules[1].pluginId").value("customer-tier"))
                .andExpect(jsonPath("$.lines[0].rules[1].status").value("identical"))
                .andExpect(jsonPath("$.lines[0].rules[1].hostCalls").value(1));
    }

    @Test
    void aReplacedVersionStillReplaysOnItsDigestAndATamperedOrMissingModuleIsReported() throws Exception {
        // A replacement volume-discount, signed by the trusted key: a flat -1.00 whatever the line. Its reason
        // carries a nonce, so its digest is new on every run and the store entry is this test's own.
        String nonce = UUID.randomUUID().toString();
        byte[] replacement = AnsweringModule.wasm("apply_rule",
                "[{\"ruleId\":\"volume-discount\",\"amount\":\"-1.00\",\"reason\":\"flat " + nonce + "\"}]");
        String replacementSha = PluginUploadsDigest.of(replacement);
        String original = ErpApiTest.PINS.get("volume-discount");
        String line = "{\"customerId\": 3, \"lines\": [{\"sku\": \"LAMP-LED\", \"quantity\": 10}]}";

        long before = createQuote(line);   // priced by the configured version
        mvc.perform(post("/api/plugins/volume-discount/versions").with(ErpApiTest.ADMIN).contentType("application/wasm")
                        .content(replacement).header("X-Graft-Signature", DemoSigning.sign(replacement)))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.sha256").value(replacementSha));
        long during;
        try {
            assertThat(store.contains(replacementSha)).as("the uploaded version is kept").isTrue();
            during = createQuote(line);
            mvc.perform(get("/api/quotes/" + during))
                    .andExpect(jsonPath("$.lines[0].adjustments[0].amount").value("-1.00"))
                    .andExpect(jsonPath("$.lines[0].adjustments[0].pluginSha256").value(replacementSha));
            // the quote priced before the upload replays on the old digest, which no longer serves
            replay(before)
                    .andExpect(jsonPath("$.identical").value(true))
                    .andExpect(jsonPath("$.lines[0].rules[0].pluginSha256").value(original))
                    .andExpect(jsonPath("$.lines[0].rules[0].status").value("identical"));
        } finally {
            mvc.perform(post("/api/plugins/volume-discount/revert").with(ErpApiTest.ADMIN)).andExpect(status().isOk())
                    .andExpect(jsonPath("$.sha256").value(original));
        }
        // and the quote priced by the upload replays on the upload's digest after it was replaced
        replay(during)
                .andExpect(jsonPath("$.identical").value(true))
                .andExpect(jsonPath("$.lines[0].rules[0].pluginSha256").value(replacementSha))
                .andExpect(jsonPath("$.lines[0].rules[0].status").value("identical"));

        // bytes changed in the store: reported, not run; the other rules still replay
        Path kept = store.file(replacementSha);
        byte[] tampered = replacement.clone();
        tampered[tampered.length - 2] ^= 1;
        Files.write(kept, tampered);
        replay(during)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.identical").value(false))
                .andExpect(jsonPath("$.identicalCalls").value(3))
                .andExpect(jsonPath("$.lines[0].rules[0].status").value("digest-mismatch"))
                .andExpect(jsonPath("$.lines[0].rules[0].replayedFuel").doesNotExist())
                .andExpect(jsonPath("$.lines[0].rules[0].detail").value(startsWith("the module stored as sha256 "
                        + replacementSha + " has sha256 " + PluginUploadsDigest.of(tampered))))
                .andExpect(jsonPath("$.lines[0].rules[1].status").value("identical"));
        // gone from the store: reported per call, not a 500
        Files.delete(kept);
        Files.deleteIfExists(Path.of(kept + ".sig"));
        replay(during)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.lines[0].rules[0].status").value("module-missing"))
                .andExpect(jsonPath("$.lines[0].rules[0].detail").value(startsWith("no module with sha256 " + replacementSha)))
                .andExpect(jsonPath("$.identicalCalls").value(3));
    }

    /**
     * A WebAssembly component serving a rule (uploaded as a new version of volume-discount): its values cross by
     * the canonical ABI, so the run keeps the QuoteLine and the answer in the codec's JSON, and replay makes the
     * same typed call again on the recorded digest: identical output and fuel. A changed recording is told apart.
     */
    @Test
    void aComponentsCallIsRecordedAsItsValuesAndReplaysIdentically() throws Exception {
        byte[] component;
        try (var in = getClass().getResourceAsStream("/sample-plugins/pricing-rust/pricing-rust.wasm")) {
            component = in.readAllBytes();
        }
        String componentSha = PluginUploadsDigest.of(component);
        mvc.perform(post("/api/plugins/volume-discount/versions").with(ErpApiTest.ADMIN).contentType("application/wasm")
                        .content(component).header("X-Graft-Signature", DemoSigning.sign(component)))
                .andExpect(status().isCreated());
        long id;
        try {
            id = createQuote("{\"customerId\": 3, \"lines\": [{\"sku\": \"LAMP-LED\", \"quantity\": 12}]}");
        } finally {
            mvc.perform(post("/api/plugins/volume-discount/revert").with(ErpApiTest.ADMIN)).andExpect(status().isOk());
        }
        Quote.RuleRun run = quotes.findById(id).orElseThrow().ruleRuns().stream()
                .filter(r -> r.pluginId().equals("volume-discount")).findFirst().orElseThrow();
        assertThat(run.pluginSha256()).isEqualTo(componentSha);
        assertThat(run.outcome()).isEqualTo("ok");
        QuoteLine recorded = (QuoteLine) new JacksonPayloadCodec().decode(run.input(), QuoteLine.class);
        assertThat(recorded.sku()).isEqualTo("LAMP-LED");
        assertThat(recorded.quantity()).isEqualTo(12);
        assertThat(new String(run.output(), StandardCharsets.UTF_8)).contains("\"ruleId\":\"volume-discount\"")
                .contains("Volume discount 5% for 10+ units: 12 × ");
        replay(id)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.identical").value(true))
                .andExpect(jsonPath("$.lines[0].rules[0].pluginSha256").value(componentSha))
                .andExpect(jsonPath("$.lines[0].rules[0].status").value("identical"))
                .andExpect(jsonPath("$.lines[0].rules[0].replayedFuel").value(run.fuel()));

        // the same recording with another quantity: the component answers differently, and replay says so
        byte[] changed = new String(run.input(), StandardCharsets.UTF_8).replace("\"quantity\":12", "\"quantity\":60")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(changed).isNotEqualTo(run.input());
        Quote quote = quotes.findById(id).orElseThrow();
        List<Quote.RuleRun> runs = quote.ruleRuns().stream().map(r -> r != run && !r.pluginId().equals(run.pluginId()) ? r
                : new Quote.RuleRun(r.lineNo(), r.pluginId(), r.pluginSha256(), r.outcome(), r.adjustments(), r.fuel(),
                        r.elapsedMicros(), r.errorType(), r.error(), changed, r.output(), r.hostCalls())).toList();
        quotes.save(new Quote(quote.id(), quote.customerId(), quote.customerName(), quote.customerTier(),
                quote.customerRegion(), quote.currency(), quote.promoCode(), quote.createdAt(), quote.subtotal(),
                quote.adjustmentTotal(), quote.total(), quote.status(), quote.lines(), quote.adjustments(), runs));
        replay(id)
                .andExpect(jsonPath("$.lines[0].rules[0].status").value("different"))
                .andExpect(jsonPath("$.lines[0].rules[0].outputIdentical").value(false))
                .andExpect(jsonPath("$.lines[0].rules[0].replayedOutput").value(org.hamcrest.Matchers.containsString("10%")));
    }

    /**
     * Why replay can compare fuel at all: Graft's fuel is injected into the module, so the same module, input and
     * policy give the same fuel in every execution mode. The recorded calls (made tiered) cost exactly the same
     * run interpreted and compiled, with the same output.
     */
    @Test
    void theRecordedFuelIsTheSameInterpretedTieredAndCompiled() throws Exception {
        long id = createQuote("{\"customerId\": 4, \"lines\": [{\"sku\": \"SCREW-M4\", \"quantity\": 120}]}");
        Quote quote = quotes.findById(id).orElseThrow();
        for (Quote.RuleRun run : quote.ruleRuns().stream()
                .filter(r -> r.pluginId().equals("volume-discount") || r.pluginId().equals("regional-tax")).toList()) {
            byte[] module = store.read(run.pluginSha256()).bytes();
            for (ExecutionMode mode : ExecutionMode.values()) {
                try (Plugin plugin = GraftEngine.create().load(PluginSpec.builder(PluginSource.ofBytes(run.pluginId(), module))
                        .policy(PluginPolicy.builder().mode(mode).build()).build())) {
                    CallResult result = plugin.call("apply_rule", run.input());
                    assertThat(result.stats().fuelConsumed()).as(run.pluginId() + " " + mode).isEqualTo(run.fuel());
                    assertThat(result.output()).as(run.pluginId() + " " + mode).isEqualTo(run.output());
                }
            }
        }
    }

    /** A rule run without a recorded input (stored before V4, or a call that never reached the plugin) is reported, not guessed. */
    @Test
    void aRunWithoutARecordedInputIsReportedAsNotRecorded() throws Exception {
        long id = createQuote("{\"customerId\": 2, \"lines\": [{\"sku\": \"TEA-SENCHA\", \"quantity\": 1}]}");
        Quote quote = quotes.findById(id).orElseThrow();
        List<Quote.RuleRun> runs = new java.util.ArrayList<>(quote.ruleRuns());
        Quote.RuleRun first = runs.get(0);
        runs.set(0, new Quote.RuleRun(first.lineNo(), first.pluginId(), first.pluginSha256(), first.outcome(),
                first.adjustments(), first.fuel(), first.elapsedMicros(), null, null, null, null, null));
        quotes.save(new Quote(quote.id(), quote.customerId(), quote.customerName(), quote.customerTier(),
                quote.customerRegion(), quote.currency(), quote.promoCode(), quote.createdAt(), quote.subtotal(),
                quote.adjustmentTotal(), quote.total(), quote.status(), quote.lines(), quote.adjustments(), runs));
        replay(id)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.identical").value(false))
                .andExpect(jsonPath("$.calls").value(runs.size()))
                .andExpect(jsonPath("$.identicalCalls").value(runs.size() - 1))
                .andExpect(jsonPath("$.lines[0].rules[0].status").value("not-recorded"))
                .andExpect(jsonPath("$.lines[0].rules[0].detail").value(startsWith("the call's input was not recorded")));
    }

    /**
     * What replay does not reproduce: it runs under today's configuration. A promotion table changed since
     * the quote makes the promo-codes call differ, and the replay shows both outputs.
     */
    @Test
    void aCallReplayedUnderChangedConfigurationIsReportedDifferentWithBothOutputs() throws Exception {
        long id = createQuote("{\"customerId\": 3, \"promoCode\": \"SPRING10\", \"lines\": [{\"sku\": \"TEA-SENCHA\", \"quantity\": 1}]}");
        java.util.Map<String, String> config = properties.getPlugins().get("promo-codes").getConfig();
        String promotions = config.get("promotions");
        config.put("promotions", "SPRING10=20%");
        try {
            replay(id)
                    .andExpect(jsonPath("$.identical").value(false))
                    .andExpect(jsonPath("$.lines[0].rules[0].status").value("identical"))
                    .andExpect(jsonPath("$.lines[0].rules[2].pluginId").value("promo-codes"))
                    .andExpect(jsonPath("$.lines[0].rules[2].status").value("different"))
                    .andExpect(jsonPath("$.lines[0].rules[2].outputIdentical").value(false))
                    .andExpect(jsonPath("$.lines[0].rules[2].recordedOutput").value(org.hamcrest.Matchers.containsString("\"-1.23\"")))
                    .andExpect(jsonPath("$.lines[0].rules[2].replayedOutput").value(org.hamcrest.Matchers.containsString("\"-2.47\"")))
                    .andExpect(jsonPath("$.lines[0].rules[2].detail").value(org.hamcrest.Matchers.containsString("the output differs")));
        } finally {
            config.put("promotions", promotions);
        }
        replay(id).andExpect(jsonPath("$.identical").value(true));
    }
}
