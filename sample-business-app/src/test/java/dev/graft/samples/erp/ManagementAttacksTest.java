package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.samples.erp.quotes.Quote;
import dev.graft.samples.erp.quotes.QuoteRepository;
import jakarta.servlet.http.Cookie;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * One test per attack of issue 13 against the sample app (its own context and upload folder): each shows
 * the refusal, the status code, that nothing was stored and that the plugin is unchanged.
 */
@SpringBootTest(properties = "erp.data-dir=target/attack-test-data")
@AutoConfigureMockMvc
@ActiveProfiles("test")
class ManagementAttacksTest {

    static final Map<String, String> PINS = PluginPinsTest.lockedDigests();
    static final RequestPostProcessor ADMIN = httpBasic("admin", "test-admin-password");
    static final Path UPLOADS = Path.of("target/attack-test-data/uploads");

    @Autowired MockMvc mvc;
    @Autowired QuoteRepository quotes;
    @Autowired PluginRegistry registry;

    /** The attacker's module: a valid pricing rule (here: another sample's bytes), not signed by a trusted key. */
    byte[] attackerModule;
    byte[] configuredTax;

    @BeforeEach
    void modules() throws IOException {
        attackerModule = Files.readAllBytes(PluginPinsTest.SAMPLE_PLUGINS.resolve("promo-codes/promo-codes.wasm"));
        configuredTax = Files.readAllBytes(PluginPinsTest.SAMPLE_PLUGINS.resolve("regional-tax/regional-tax.wasm"));
        if (registry.servesUpload("regional-tax")) {
            registry.revert("regional-tax");
        }
    }

    List<Path> storedUploads() throws IOException {
        if (!Files.isDirectory(UPLOADS)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(UPLOADS)) {
            return files.sorted().toList();
        }
    }

    ResultActions postQuote(long customerId) throws Exception {
        return mvc.perform(post("/api/quotes").contentType(MediaType.APPLICATION_JSON)
                .content("{\"customerId\": " + customerId + ", \"lines\": [{\"sku\": \"CAFE-1KG\", \"quantity\": 2}]}"));
    }

    void taxUnchanged() throws Exception {
        mvc.perform(get("/api/plugins/regional-tax"))
                .andExpect(jsonPath("$.sha256").value(PINS.get("regional-tax")))
                .andExpect(jsonPath("$.state").value("enabled"))
                .andExpect(jsonPath("$.uploaded").value(false));
    }

    @Test
    void anAnonymousUploadIsRefusedWith401AndStoresNothing() throws Exception {
        List<Path> before = storedUploads();
        mvc.perform(post("/api/plugins/regional-tax/versions").param("sha256", PluginUploadsDigest.of(attackerModule))
                        .contentType("application/wasm").content(attackerModule))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("WWW-Authenticate", startsWith("Basic")))
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"));
        taxUnchanged();
        assertThat(storedUploads()).isEqualTo(before);
    }

    @Test
    void anAdminsUploadWithOnlyASha256IsRefusedAndStoresNothing() throws Exception {
        List<Path> before = storedUploads();
        mvc.perform(post("/api/plugins/regional-tax/versions").with(ADMIN)
                        .param("sha256", PluginUploadsDigest.of(attackerModule))
                        .contentType("application/wasm").content(attackerModule))
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.title").value("Upload refused: signature required"))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("X-Graft-Signature")));
        // signed, but by a key the application does not trust
        java.security.KeyPair stranger = dev.graft.host.trust.Signer.generateKeyPair();
        mvc.perform(post("/api/plugins/regional-tax/versions").with(ADMIN)
                        .header("X-Graft-Signature", dev.graft.host.trust.Signer.signBase64(attackerModule, stranger.getPrivate()))
                        .contentType("application/wasm").content(attackerModule))
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.title").value("Upload refused: not signed by a trusted key"))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("keys tried: erp-demo")));
        taxUnchanged();
        assertThat(storedUploads()).isEqualTo(before);
    }

    @Test
    void aFiftyMegabyteUploadIsRefusedWith413AndStoresNothing() throws Exception {
        List<Path> before = storedUploads();
        byte[] huge = new byte[50 * 1024 * 1024];
        mvc.perform(post("/api/plugins/regional-tax/versions").with(ADMIN)
                        .header("X-Graft-Signature", DemoSigning.sign(huge)).contentType("application/wasm").content(huge))
                .andExpect(status().isContentTooLarge())
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                .andExpect(jsonPath("$.title").value("Upload too large"))
                .andExpect(jsonPath("$.limitBytes").value(4 * 1024 * 1024));
        taxUnchanged();
        assertThat(storedUploads()).isEqualTo(before);
    }

    @Test
    void anonymousManagementIsRefusedWith401AndANonAdminWith403() throws Exception {
        Cookie token = mvc.perform(get("/api/session")).andReturn().getResponse().getCookie("XSRF-TOKEN");
        for (String path : List.of("/api/plugins/regional-tax/disable", "/actuator/graft/regional-tax/disable")) {
            mvc.perform(post(path)).andExpect(status().isUnauthorized());
            // signed in without role ADMIN (the session the test user rides on makes it a browser request: with the token)
            mvc.perform(post(path).with(user("clerk").roles("USER")).cookie(token).header("X-XSRF-TOKEN", token.getValue()))
                    .andExpect(status().isForbidden())
                    .andExpect(jsonPath("$.detail").value("Managing plugins needs role ADMIN."));
            mvc.perform(post(path).with(httpBasic("admin", "wrong"))).andExpect(status().isUnauthorized());
        }
        taxUnchanged();
        // the actuator's write operation is granted to the admin (management.endpoint.graft.access=unrestricted)
        mvc.perform(post("/actuator/graft/promo-codes/reset").with(ADMIN)).andExpect(status().isOk())
                .andExpect(jsonPath("$.done").value(true));
    }

    @Test
    void aCrossSiteTextPlainPostRidingOnTheAdminsSessionIsRefusedWith403() throws Exception {
        // the browser flow of the pages: a first page sets the XSRF-TOKEN cookie, the login form echoes it
        Cookie token = mvc.perform(get("/api/session")).andExpect(status().isOk())
                .andReturn().getResponse().getCookie("XSRF-TOKEN");
        assertThat(token).as("the CSRF token cookie the pages' script reads").isNotNull();
        assertThat(token.isHttpOnly()).isFalse();
        MockHttpSession session = (MockHttpSession) mvc.perform(post("/login").cookie(token)
                        .header("X-XSRF-TOKEN", token.getValue())
                        .param("username", "admin").param("password", "test-admin-password"))
                .andExpect(status().is3xxRedirection())
                .andReturn().getRequest().getSession(false);
        Cookie sessionCookie = new Cookie("JSESSIONID", session.getId());
        mvc.perform(get("/api/session").session(session).cookie(sessionCookie))
                .andExpect(jsonPath("$.user").value("admin")).andExpect(jsonPath("$.admin").value(true));

        // what a form on https://evil.example posts: text/plain, the victim's cookies, no CSRF token
        mvc.perform(post("/api/plugins/regional-tax/disable").session(session).cookie(sessionCookie, token)
                        .header("Origin", "https://evil.example").header("Sec-Fetch-Site", "cross-site")
                        .contentType(MediaType.TEXT_PLAIN).content("x=y"))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.detail").value(startsWith("A state-changing request from a browser must carry the CSRF token")));
        // the same without Origin headers (an older browser): the cookies alone demand the token
        mvc.perform(post("/api/plugins/regional-tax/disable").session(session).cookie(sessionCookie, token)
                        .contentType(MediaType.TEXT_PLAIN).content("x=y"))
                .andExpect(status().isForbidden());
        taxUnchanged();
        // the plugins page's own request (same origin, the token echoed from the cookie) works
        mvc.perform(post("/api/plugins/promo-codes/reset").session(session).cookie(sessionCookie, token)
                        .header("X-XSRF-TOKEN", token.getValue()))
                .andExpect(status().isOk());
    }

    @Test
    void withTheRequiredTaxRuleDisabledQuotesAre503AndNothingIsStored() throws Exception {
        long before = quotes.count();
        mvc.perform(post("/api/plugins/regional-tax/disable").with(ADMIN)).andExpect(status().isOk());
        try {
            postQuote(1)
                    .andExpect(status().isServiceUnavailable())
                    .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                    .andExpect(jsonPath("$.plugin").value("regional-tax"))
                    .andExpect(jsonPath("$.pluginErrorType").value("PluginUnavailableException"))
                    .andExpect(jsonPath("$.detail").value(startsWith("plugin 'regional-tax': is disabled and is required")));
            assertThat(quotes.count()).isEqualTo(before);
            assertThat(StreamSupport.stream(quotes.findAll().spliterator(), false).map(Quote::status))
                    .as("nothing stored since, so nothing PRICED without tax").hasSize((int) before);
        } finally {
            mvc.perform(post("/api/plugins/regional-tax/enable").with(ADMIN)).andExpect(status().isOk());
        }
        postQuote(1).andExpect(status().isCreated()).andExpect(jsonPath("$.status").value("PRICED"));
    }

    @Test
    void fiveQuotesWithoutATaxRateDoNotQuarantineTheTaxRule() throws Exception {
        for (int i = 0; i < 5; i++) {
            postQuote(7).andExpect(status().isUnprocessableContent())   // PL: the plugin's own answer "no tax rate"
                    .andExpect(jsonPath("$.pluginErrorType").value("PluginCallException"));
        }
        mvc.perform(get("/api/plugins/regional-tax"))
                .andExpect(jsonPath("$.state").value("enabled"))
                .andExpect(jsonPath("$.breaker.state").value("closed"))
                .andExpect(jsonPath("$.breaker.consecutiveFailures").value(0));
        // the next customer's quote is still taxed (DE, reduced 7 % on food: 39.98 → +2.80), and health is UP
        postQuote(1).andExpect(status().isCreated())
                .andExpect(jsonPath("$.status").value("PRICED"))
                .andExpect(jsonPath("$.lines[0].adjustments[*].ruleId").value(org.hamcrest.Matchers.hasItem("regional-tax")));
        mvc.perform(get("/actuator/health")).andExpect(status().isOk())
                .andExpect(jsonPath("$.components.graft.status").value("UP"));
    }

    @Test
    void reloadAfterAnUploadReadsTheConfiguredBytesAndRevertToo() throws Exception {
        // a signed upload of other bytes under the tax rule's id: a new, recorded version
        String body = mvc.perform(post("/api/plugins/regional-tax/versions").with(ADMIN)
                        .header("X-Graft-Signature", DemoSigning.sign(attackerModule))
                        .contentType("application/wasm").content(attackerModule))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.sha256").value(PINS.get("promo-codes")))
                .andExpect(jsonPath("$.signedBy").value("erp-demo"))
                .andExpect(jsonPath("$.plugin.uploaded").value(true))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        Path stored = Path.of((String) JsonPath.read(body, "$.storedAt"));
        assertThat(stored).exists();
        assertThat(stored.resolveSibling(stored.getFileName() + ".sig")).exists();

        mvc.perform(post("/api/plugins/regional-tax/reload").with(ADMIN)).andExpect(status().isOk())
                .andExpect(jsonPath("$.sha256").value(PINS.get("regional-tax")))
                .andExpect(jsonPath("$.uploaded").value(false))
                .andExpect(jsonPath("$.location").value(org.hamcrest.Matchers.endsWith("regional-tax/regional-tax.wasm")));

        mvc.perform(post("/api/plugins/regional-tax/versions").with(ADMIN)
                        .header("X-Graft-Signature", DemoSigning.sign(attackerModule))
                        .contentType("application/wasm").content(attackerModule))
                .andExpect(status().isCreated());
        mvc.perform(post("/api/plugins/regional-tax/revert").with(ADMIN)).andExpect(status().isOk())
                .andExpect(jsonPath("$.sha256").value(PINS.get("regional-tax")));
        taxUnchanged();
    }

    @Test
    void theLifecycleIsAuditedInTheDatabase() throws Exception {
        mvc.perform(post("/api/plugins/promo-codes/disable").with(ADMIN)).andExpect(status().isOk());
        mvc.perform(post("/api/plugins/promo-codes/enable").with(ADMIN)).andExpect(status().isOk());
        mvc.perform(post("/api/plugins/promo-codes/versions").with(ADMIN).contentType("application/wasm")
                .content(attackerModule)).andExpect(status().isUnprocessableContent());

        String events = mvc.perform(get("/api/plugins/events").param("limit", "1000")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        List<Map<String, Object>> all = JsonPath.read(events, "$");
        // newest first: the refused upload, the enable, the disable, by the admin
        assertThat(all.get(0)).containsEntry("pluginId", "promo-codes").containsEntry("action", "REFUSED")
                .containsEntry("principal", "admin").containsEntry("sha256", PINS.get("promo-codes"));
        assertThat((String) all.get(0).get("detail")).startsWith("upload refused: The upload carries no signature");
        assertThat(all.get(1)).containsEntry("action", "ENABLED").containsEntry("principal", "admin");
        assertThat(all.get(2)).containsEntry("action", "DISABLED").containsEntry("principal", "admin")
                .containsEntry("sha256", PINS.get("promo-codes")).containsEntry("signedBy", "erp-demo");
        // the loads at startup, by the system, with the key that signed each pricing rule
        assertThat(all).anySatisfy(e -> assertThat(e).containsEntry("pluginId", "regional-tax")
                .containsEntry("action", "LOADED").containsEntry("principal", "system")
                .containsEntry("signedBy", "erp-demo").containsEntry("sha256", PINS.get("regional-tax")));
        // and the actuator endpoint shows the recent ones
        mvc.perform(get("/actuator/graft")).andExpect(jsonPath("$.events[0].pluginId").value("promo-codes"))
                .andExpect(jsonPath("$.events[0].action").value("REFUSED"));
    }
}
