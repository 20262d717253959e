package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** application.yml pins every sample plugin to the digest in sample-plugins/plugins.lock. */
class PluginPinsTest {

    static final Path SAMPLE_PLUGINS = Path.of("../sample-plugins");

    /** Plugin id (the file name without .wasm) → sha256, from plugins.lock. */
    static Map<String, String> lockedDigests() {
        Map<String, String> digests = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(SAMPLE_PLUGINS.resolve("plugins.lock"))) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2) {
                    String file = parts[1].substring(parts[1].lastIndexOf('/') + 1);
                    digests.put(file.replace(".wasm", ""), parts[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return digests;
    }

    @Test
    void applicationYmlPinsTheLockedDigests() throws IOException {
        String yml = Files.readString(Path.of("src/main/resources/application.yml"));
        Map<String, String> locked = lockedDigests();
        for (String id : new String[] {"volume-discount", "customer-tier", "promo-codes", "regional-tax", "fractal-tree"}) {
            assertThat(locked).containsKey(id);
            assertThat(yml).as("pin of %s", id).contains("    " + id + ":\n      location: ${erp.sample-plugins}/" + id + "/"
                    + id + ".wasm\n      sha256: " + locked.get(id) + "\n");
        }
    }

    @Test
    void theComponentsProfilePinsTheLockedDigests() throws IOException {
        String yml = Files.readString(Path.of("src/main/resources/application-components.yml"));
        for (String id : new String[] {"pricing-rust", "tier-rust"}) {
            assertThat(lockedDigests()).containsKey(id);
            assertThat(yml).as("pin of %s", id).contains("    " + id + ":\n      location: ${erp.sample-plugins}/" + id
                    + "/" + id + ".wasm\n      sha256: " + lockedDigests().get(id) + "\n");
        }
    }

    @Test
    void theComponentsJsProfilePinsTheLockedDigest() throws IOException {
        String yml = Files.readString(Path.of("src/main/resources/application-components-js.yml"));
        assertThat(yml).contains("    pricing-js:\n      location: ${erp.sample-plugins}/pricing-js/pricing-js.wasm\n"
                + "      sha256: " + lockedDigests().get("pricing-js") + "\n");
    }
}
