package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * The three pages in a real browser (Debian's headless Chromium through chromedriver), against the app
 * started on a random port on loopback with the real plugins: a quote made through the form shows every
 * plugin's adjustment with its digest and fuel, and its recorded decisions replay identically; the tree page draws depth 10 and explains the fuel refusal at
 * depth 16; the admin logs in through the form, disables and enables a plugin, logs out, and uploads a signed
 * version through the form and reverts it. Each page is saved as a PNG
 * under {@code target/browser-screenshots/} (also when a test fails: {@code FAILED-<test>.png} and its HTML).
 *
 * <p>Skipped, saying why, where {@code /usr/bin/chromium} or {@code /usr/bin/chromedriver} is missing
 * ({@code .ci/run} installs both). Every wait is bounded by {@link #WAIT}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "server.address=127.0.0.1")
@ActiveProfiles("test")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(Chromium.Required.class)
class BrowserTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final Map<String, String> PINS = PluginPinsTest.lockedDigests();
    static final List<String> PRICING_RULES = List.of("volume-discount", "customer-tier", "promo-codes", "regional-tax");

    static ChromeDriver driver;

    /** On failure: what the browser showed, and its HTML, beside the other screenshots. */
    @RegisterExtension
    static final TestWatcher SCREENSHOT_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (driver == null) {
                return;
            }
            String name = "FAILED-" + context.getRequiredTestMethod().getName();
            try {
                Chromium.screenshot(driver, name);
                Files.writeString(Chromium.SCREENSHOTS.resolve(name + ".html"), driver.getPageSource());
            } catch (RuntimeException | IOException e) {
                cause.addSuppressed(e);
            }
        }
    };

    @LocalServerPort int port;
    WebDriverWait wait;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();

    @BeforeAll
    static void startBrowser() {
        driver = Chromium.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
            driver = null;
        }
    }

    @BeforeEach
    void waits() {
        wait = new WebDriverWait(driver, WAIT);
        wait.ignoring(StaleElementReferenceException.class);   // the plugins page re-renders its table every 3 s
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Test
    @Order(1)
    void aQuoteMadeThroughTheFormShowsEveryPluginsAdjustmentDigestAndFuel() throws Exception {
        driver.get(url("/"));
        wait.until(d -> d.findElements(By.cssSelector("#lines .line")).size() == 2
                && !d.findElements(By.cssSelector("#customer option")).isEmpty());
        new Select(driver.findElement(By.id("customer"))).selectByValue("1");   // Zoë Müller, gold, DE
        driver.findElement(By.id("promo")).sendKeys("SPRING10");
        List<WebElement> lines = driver.findElements(By.cssSelector("#lines .line"));
        assertThat(new Select(lines.get(0).findElement(By.className("sku"))).getFirstSelectedOption().getAttribute("value"))
                .isEqualTo("CAFE-1KG");
        assertThat(lines.get(0).findElement(By.className("qty")).getDomProperty("value")).isEqualTo("10");
        Chromium.screenshot(driver, "1-quote-form");

        driver.findElement(By.id("create-quote")).click();
        WebElement notice = wait.until(d -> d.findElement(By.cssSelector("#quote-result .notice")));
        assertThat(notice.getText()).contains("priced: 648.02 EUR");
        Matcher id = Pattern.compile("Quote #(\\d+) priced").matcher(notice.getText());
        assertThat(id.find()).as(notice.getText()).isTrue();
        String quoteId = id.group(1);
        String quote = get("/api/quotes/" + quoteId).body();
        int adjustments = JsonPath.<List<?>>read(quote, "$.lines[*].adjustments[*]").size();
        assertThat(notice.getText()).contains("(" + adjustments + " adjustments)");
        // the new quote heads the list of recent quotes
        wait.until(d -> d.findElement(By.cssSelector("#quotes tbody tr")).getText().startsWith(quoteId + " "));
        Chromium.screenshot(driver, "2-quote-created");

        notice.findElement(By.linkText("#" + quoteId)).click();
        wait.until(d -> d.getCurrentUrl().endsWith("/quote.html?id=" + quoteId)
                && !d.findElements(By.cssSelector("tr[data-test=adjustment]")).isEmpty());
        assertThat(driver.findElement(By.cssSelector("h1")).getText()).isEqualTo("Quote #" + quoteId);
        assertThat(driver.findElement(By.cssSelector("[data-test=total]")).getText()).isEqualTo("Total 648.02 EUR");

        // line 0 (10 × CAFE-1KG) gets an adjustment from each of the four rules, in their order, each shown with the
        // module's digest (the pinned one) and the fuel the call used, as stored
        WebElement line0 = driver.findElement(By.cssSelector("tr[data-test=line][data-line='0']"));
        List<WebElement> rows = line0.findElements(By.cssSelector("tr[data-test=adjustment]"));
        assertThat(rows).extracting(r -> r.getAttribute("data-plugin")).containsExactlyElementsOf(PRICING_RULES);
        for (WebElement row : rows) {
            String plugin = row.getAttribute("data-plugin");
            String stored = "$.lines[0].adjustments[?(@.pluginId == '" + plugin + "')]";
            long fuel = JsonPath.<List<Number>>read(quote, stored + ".fuel").get(0).longValue();
            String amount = JsonPath.<List<String>>read(quote, stored + ".amount").get(0);
            WebElement sha = row.findElement(By.cssSelector("[data-test=sha256]"));
            assertThat(sha.getAttribute("title")).as(plugin).isEqualTo(PINS.get(plugin));
            assertThat(sha.getText()).as(plugin).isEqualTo(PINS.get(plugin).substring(0, 12) + "…");
            assertThat(fuel).as(plugin).isPositive();
            assertThat(row.findElement(By.cssSelector("[data-test=fuel]")).getText()).as(plugin)
                    .isEqualTo(String.format(Locale.US, "%,d", fuel));
            assertThat(row.findElement(By.cssSelector("[data-test=amount]")).getText()).as(plugin).isEqualTo(amount);
        }
        assertThat(line0.getText()).contains("Volume discount", "Gold customer discount", "Promotion SPRING10", "MwSt.");

        // today's plugins price the stored lines the same
        driver.findElement(By.id("recompute")).click();
        WebElement recomputed = wait.until(d -> d.findElement(By.cssSelector("#recomputed .notice")));
        assertThat(recomputed.getText()).isEqualTo("Same result with today's plugins: total 648.02.");
        Chromium.screenshot(driver, "3-quote-page");

        // the recorded decisions replay: every rule call of both lines, on its recorded module, with the same output and fuel
        driver.findElement(By.id("replay")).click();
        WebElement replayed = wait.until(d -> d.findElement(By.cssSelector("#replayed [data-test=replay-summary]")));
        assertThat(replayed.getText()).isEqualTo("All 8 recorded rule calls replayed identically: same output, same fuel.");
        List<WebElement> replays = driver.findElements(By.cssSelector("tr[data-test=replay]"));
        assertThat(replays).hasSize(8).allSatisfy(r ->
                assertThat(r.findElement(By.cssSelector("[data-test=replay-status]")).getText()).isEqualTo("identical"));
        List<WebElement> line0Replays = driver.findElements(By.cssSelector("tr[data-test=replay][data-line='0']"));
        assertThat(line0Replays).extracting(r -> r.getAttribute("data-plugin")).containsExactlyElementsOf(PRICING_RULES);
        for (WebElement row : line0Replays) {
            String plugin = row.getAttribute("data-plugin");
            long fuel = JsonPath.<List<Number>>read(quote, "$.lines[0].ruleRuns[?(@.pluginId == '" + plugin + "')].fuel")
                    .get(0).longValue();
            assertThat(row.findElement(By.cssSelector("[data-test=replay-fuel]")).getText()).as(plugin)
                    .isEqualTo(String.format(Locale.US, "%,d", fuel));
        }
        assertThat(line0Replays.get(1).getText()).contains("1 host call(s) answered from the recording");   // customer-tier
        Chromium.screenshot(driver, "3b-quote-replayed");
    }

    @Test
    @Order(2)
    void theTreePageDrawsDepthTenAndExplainsTheFuelRefusalAtSixteen() throws Exception {
        driver.get(url("/trees.html"));   // the page draws its default tree (depth 10) on load
        WebElement svg = wait.until(d -> d.findElement(By.cssSelector("#tree svg")));
        assertThat(svg.findElements(By.tagName("path"))).hasSize(10);   // one path per level
        assertThat(svg.getSize().getHeight()).isGreaterThan(100);
        assertThat(driver.findElement(By.cssSelector("#stats [data-test=lines]")).getText()).isEqualTo("1,023");
        assertThat(driver.findElement(By.cssSelector("#stats [data-test=budget]")).getText()).isEqualTo("40,000,000");
        // fuel is deterministic: the page shows what the API measures for the same tree
        HttpResponse<String> same = get("/api/trees?seed=Hello%20WASM&depth=10&trunk=100");
        assertThat(same.statusCode()).isEqualTo(200);
        long fuel = Long.parseLong(same.headers().firstValue("X-Graft-Fuel").orElseThrow());
        assertThat(driver.findElement(By.cssSelector("#stats [data-test=fuel]")).getText())
                .isEqualTo(String.format(Locale.US, "%,d", fuel));
        assertThat(driver.findElement(By.id("message")).getText()).contains("plugin fractal-tree", PINS.get("fractal-tree"));
        Chromium.screenshot(driver, "4-tree-depth-10");

        WebElement depth = driver.findElement(By.id("depth"));
        depth.clear();
        depth.sendKeys("16");
        driver.findElement(By.id("draw")).click();
        WebElement refusal = wait.until(d -> d.findElement(By.cssSelector("#message [data-test=fuel-refusal]")));
        assertThat(refusal.getText()).contains("Refused: this tree needs more work than the plugin may do",
                "A depth-16 tree has 65,535 branches", "422");
        assertThat(refusal.findElement(By.cssSelector("[data-test=budget]")).getText()).isEqualTo("40,000,000");
        long consumed = Long.parseLong(refusal.findElement(By.cssSelector("[data-test=consumed]")).getText().replace(",", ""));
        assertThat(consumed).isGreaterThanOrEqualTo(40_000_000L);
        assertThat(refusal.getText()).contains("consumed " + consumed + ")");   // the problem's detail, verbatim
        assertThat(driver.findElements(By.cssSelector("#tree svg"))).isEmpty();
        Chromium.screenshot(driver, "5-tree-depth-16-refused");
    }

    @Test
    @Order(3)
    void theAdminLogsInAndDisablesAndEnablesAPlugin() throws Exception {
        try {
            driver.get(url("/plugins.html"));
            wait.until(d -> d.findElement(By.cssSelector("tr[data-plugin=volume-discount] [data-test=state]")));
            assertThat(driver.findElement(By.id("session")).getText()).contains("Reading only.");
            assertThat(driver.findElements(By.cssSelector("#plugins button[data-action]"))).isEmpty();
            Chromium.screenshot(driver, "6-plugins-anonymous");

            driver.findElement(By.id("login")).click();
            wait.until(d -> d.getCurrentUrl().endsWith("/login"));
            driver.findElement(By.id("username")).sendKeys("admin");
            driver.findElement(By.id("password")).sendKeys("test-admin-password");
            Chromium.screenshot(driver, "7-login");
            driver.findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(d -> d.getCurrentUrl().endsWith("/plugins.html")
                    && d.findElement(By.id("session")).getText().contains("Signed in as admin (admin)"));
            wait.until(d -> d.findElement(By.cssSelector("tr[data-plugin=volume-discount] button[data-action=disable]")));
            assertThat(state("volume-discount")).isEqualTo("enabled");
            Chromium.screenshot(driver, "8-plugins-admin");

            clickAction("volume-discount", "disable");
            wait.until(d -> d.findElement(By.cssSelector("#message .notice")).getText()
                    .contains("volume-discount: disable done — now disabled"));
            wait.until(d -> state("volume-discount").equals("disabled"));
            assertThat(JsonPath.<String>read(get("/api/plugins/volume-discount").body(), "$.state")).isEqualTo("disabled");
            wait.until(d -> d.findElement(By.cssSelector("#events tbody tr")).getText()
                    .matches("(?s).*admin\\s+volume-discount\\s+disabled.*"));
            wait.until(d -> d.findElement(By.cssSelector("tr[data-plugin=volume-discount] button[data-action=enable]")));
            Chromium.screenshot(driver, "9-plugin-disabled");

            clickAction("volume-discount", "enable");
            wait.until(d -> d.findElement(By.cssSelector("#message .notice")).getText()
                    .contains("volume-discount: enable done — now enabled"));
            wait.until(d -> state("volume-discount").equals("enabled"));
            assertThat(JsonPath.<String>read(get("/api/plugins/volume-discount").body(), "$.state")).isEqualTo("enabled");
            wait.until(d -> d.findElement(By.cssSelector("#events tbody tr")).getText()
                    .matches("(?s).*admin\\s+volume-discount\\s+enabled.*"));
            Chromium.screenshot(driver, "10-plugin-enabled");

            // log out (a form POST carrying the CSRF token): reading only again, no management buttons
            driver.findElement(By.id("logout")).click();
            wait.until(d -> d.findElement(By.id("session")).getText().contains("Reading only.")
                    && !d.findElements(By.cssSelector("tr[data-plugin=volume-discount] [data-test=state]")).isEmpty());
            assertThat(driver.findElements(By.cssSelector("#plugins button[data-action]"))).isEmpty();
            assertThat(driver.findElement(By.id("login")).isDisplayed()).isTrue();
            Chromium.screenshot(driver, "11-logged-out");
        } finally {
            // whatever happened in the browser, leave the plugin serving (HTTP Basic, no cookies: no CSRF token needed)
            post("/api/plugins/volume-discount/enable");
        }
    }

    @Test
    @Order(4)
    void theAdminUploadsASignedVersionThroughTheFormAndReverts() throws Exception {
        Path module = PluginPinsTest.SAMPLE_PLUGINS.resolve("volume-discount/volume-discount.wasm").toAbsolutePath().normalize();
        Path signature = module.resolveSibling("volume-discount.wasm.sig");
        try {
            logIn();
            wait.until(d -> !d.findElements(By.cssSelector("#upload-plugin option")).isEmpty());
            new Select(driver.findElement(By.id("upload-plugin"))).selectByVisibleText("volume-discount");

            // without its signature: refused, and the configured version keeps serving
            driver.findElement(By.id("upload-file")).sendKeys(module.toString());
            wait.until(d -> d.findElement(By.id("upload-digest")).getText()
                    .equals("sha256 of volume-discount.wasm: " + PINS.get("volume-discount")));   // computed in the page
            driver.findElement(By.cssSelector("#upload-form button[type=submit]")).click();
            WebElement refused = wait.until(d -> d.findElement(By.cssSelector("#upload-message .problem")));
            assertThat(refused.getText()).contains("422", "Upload refused: signature required");
            assertThat(JsonPath.<Boolean>read(get("/api/plugins/volume-discount").body(), "$.uploaded")).isFalse();
            Chromium.screenshot(driver, "12-upload-refused");

            // with the .sig beside it: accepted, serving as an uploaded version
            driver.findElement(By.id("upload-sig")).sendKeys(signature.toString());
            driver.findElement(By.cssSelector("#upload-form button[type=submit]")).click();
            WebElement accepted = wait.until(d -> d.findElement(By.cssSelector("#upload-message .notice")));
            assertThat(accepted.getText()).isEqualTo("volume-discount now serves sha256 " + PINS.get("volume-discount")
                    + ", signed by erp-demo");
            wait.until(d -> d.findElement(By.cssSelector("tr[data-plugin=volume-discount]")).getText().contains("uploaded version"));
            assertThat(JsonPath.<Boolean>read(get("/api/plugins/volume-discount").body(), "$.uploaded")).isTrue();
            wait.until(d -> d.findElement(By.cssSelector("#events tbody tr")).getText()
                    .matches("(?s).*admin\\s+volume-discount\\s+uploaded.*signed by erp-demo.*"));
            Chromium.screenshot(driver, "13-upload-accepted");

            clickAction("volume-discount", "revert");
            wait.until(d -> d.findElement(By.cssSelector("#message .notice")).getText()
                    .contains("volume-discount: revert done — now enabled"));
            wait.until(d -> !d.findElement(By.cssSelector("tr[data-plugin=volume-discount]")).getText().contains("uploaded version"));
            assertThat(JsonPath.<Boolean>read(get("/api/plugins/volume-discount").body(), "$.uploaded")).isFalse();
            Chromium.screenshot(driver, "14-reverted");
        } finally {
            post("/api/plugins/volume-discount/revert");   // refused harmlessly when nothing was uploaded
        }
    }

    void logIn() {
        driver.get(url("/login"));
        driver.findElement(By.id("username")).sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys("test-admin-password");
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(d -> d.getCurrentUrl().endsWith("/plugins.html")
                && d.findElement(By.id("session")).getText().contains("Signed in as admin (admin)"));
    }

    String state(String plugin) {
        return driver.findElement(By.cssSelector("tr[data-plugin='" + plugin + "'] [data-test=state]")).getText();
    }

    /** Clicks a plugin's action button, again if the 3-second refresh replaced the row under the click. */
    void clickAction(String plugin, String action) {
        By button = By.cssSelector("tr[data-plugin='" + plugin + "'] button[data-action='" + action + "']");
        wait.until(d -> {
            try {
                d.findElement(button).click();
                return true;
            } catch (StaleElementReferenceException | NoSuchElementException e) {
                return false;
            }
        });
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    void post(String path) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString("admin:test-admin-password".getBytes(StandardCharsets.UTF_8));
        http.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(WAIT).header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }
}
