package dev.graft.samples.erp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's {@code chromium} and {@code chromium-driver}, headless, for the browser tests. The driver and the
 * browser are named explicitly so that Selenium Manager never looks for (or downloads) either: the build
 * machines have no internet. Override the paths with {@code -Dgraft.test.chromium=…} and
 * {@code -Dgraft.test.chromedriver=…}.
 */
final class Chromium {

    static final Path BROWSER = Path.of(System.getProperty("graft.test.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("graft.test.chromedriver", "/usr/bin/chromedriver"));
    /** Where the screenshots go (the module's target folder: surefire runs in the module's base directory). */
    static final Path SCREENSHOTS = Path.of("target", "browser-screenshots");

    private Chromium() {
    }

    /** Why the browser tests cannot run here, or null when they can. */
    static String missing() {
        if (!Files.isExecutable(BROWSER)) {
            return "no Chromium at " + BROWSER + " (Debian: apt-get install chromium chromium-driver; .ci/run installs both)";
        }
        if (!Files.isExecutable(DRIVER)) {
            return "no chromedriver at " + DRIVER + " (Debian: apt-get install chromium-driver; .ci/run installs it)";
        }
        return null;
    }

    /**
     * Skips a test class, saying why, where the browser or its driver is missing: evaluated before the class's
     * Spring context starts, and reported by Surefire as skipped tests with this reason.
     */
    static final class Required implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String missing = missing();
            return missing == null ? ConditionEvaluationResult.enabled("chromium and chromedriver present")
                    : ConditionEvaluationResult.disabled("Browser tests skipped: " + missing);
        }
    }

    /** A headless Chromium; CI runs as root, hence no sandbox, and /dev/shm may be small in containers. */
    static ChromeDriver start() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--lang=en-US", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync");
        options.setPageLoadTimeout(Duration.ofSeconds(20));
        options.setScriptTimeout(Duration.ofSeconds(20));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(20))
                .withLogFile(SCREENSHOTS.resolve("chromedriver.log").toFile())
                .build();
        try {
            Files.createDirectories(SCREENSHOTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ChromeDriver(service, options);
    }

    /**
     * Saves a PNG of the whole page (beyond the window, through the DevTools protocol) as
     * {@code target/browser-screenshots/<name>.png}; falls back to the visible part.
     */
    static Path screenshot(ChromeDriver driver, String name) {
        Path file = SCREENSHOTS.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
        try {
            Files.createDirectories(SCREENSHOTS);
            byte[] png;
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> size = (Map<String, Object>) driver.executeCdpCommand("Page.getLayoutMetrics", Map.of())
                        .get("cssContentSize");
                double width = ((Number) size.get("width")).doubleValue();
                double height = Math.min(((Number) size.get("height")).doubleValue(), 8000);
                Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of(
                        "format", "png", "captureBeyondViewport", true,
                        "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
                png = Base64.getDecoder().decode((String) shot.get("data"));
            } catch (RuntimeException cdpUnavailable) {
                png = driver.getScreenshotAs(OutputType.BYTES);
            }
            Files.write(file, png);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
