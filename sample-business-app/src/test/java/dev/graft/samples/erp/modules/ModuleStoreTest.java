package dev.graft.samples.erp.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.host.source.PluginSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The content-addressed module store: named by sha256, written once, verified when read. */
class ModuleStoreTest {

    @TempDir Path data;

    static final byte[] MODULE = "\0asm module bytes".getBytes(StandardCharsets.UTF_8);
    static final byte[] SIGNATURE = "c2lnbmF0dXJl".getBytes(StandardCharsets.US_ASCII);

    @Test
    void keepsAModuleUnderItsOwnDigestWithItsSignatureAndReadsItBack() throws Exception {
        ModuleStore store = new ModuleStore(data);
        String sha = store.keep(MODULE, SIGNATURE);

        assertThat(sha).isEqualTo(PluginSource.sha256Hex(MODULE));
        assertThat(store.file(sha)).isEqualTo(data.resolve("modules/sha256/" + sha + ".wasm"));
        assertThat(Files.readAllBytes(store.file(sha))).isEqualTo(MODULE);
        assertThat(data.resolve("modules/sha256/" + sha + ".wasm.sig")).hasBinaryContent(SIGNATURE);
        try (var files = Files.list(store.folder())) {
            assertThat(files).hasSize(2);   // no temporary file left behind
        }
        ModuleStore.Lookup found = store.read(sha.toUpperCase());
        assertThat(found.status()).isEqualTo(ModuleStore.Lookup.Status.FOUND);
        assertThat(found.bytes()).isEqualTo(MODULE);
        assertThat(found.signature()).hasValueSatisfying(s -> assertThat(s).isEqualTo(SIGNATURE));
    }

    @Test
    void aDigestNamesItsBytesForeverAKeptModuleIsNeverRewritten() throws Exception {
        ModuleStore store = new ModuleStore(data);
        String sha = store.keep(MODULE, null);
        assertThat(store.read(sha).signature()).isEmpty();
        Files.write(store.file(sha), "changed".getBytes(StandardCharsets.UTF_8));

        store.keep(MODULE, SIGNATURE);   // kept again: the file is not rewritten, the tampering stays visible
        ModuleStore.Lookup lookup = store.read(sha);
        assertThat(lookup.status()).isEqualTo(ModuleStore.Lookup.Status.DIGEST_MISMATCH);
        assertThat(lookup.bytes()).isNull();
        assertThat(lookup.actualSha256()).isEqualTo(PluginSource.sha256Hex("changed".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aMissingModuleIsReportedAndOnlyADigestNamesAFile() {
        ModuleStore store = new ModuleStore(data);
        assertThat(store.read("ab".repeat(32)).status()).isEqualTo(ModuleStore.Lookup.Status.MISSING);
        assertThat(store.contains("ab".repeat(32))).isFalse();
        for (String notADigest : new String[] {"../../etc/passwd", "ab".repeat(31), "zz".repeat(32), "", null}) {
            assertThatThrownBy(() -> store.read(notADigest)).as(notADigest)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a sha256 digest");
        }
    }
}
