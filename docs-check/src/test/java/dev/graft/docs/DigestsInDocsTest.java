package dev.graft.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every sha256 the docs show, whole (64 hex digits) or abbreviated ({@code 74da529e…}), is the digest of
 * something real: a module of {@code sample-plugins/plugins.lock} (checked against the file itself), any
 * other {@code .wasm} file of the repository, or a digest a test asserts in full (the fractal tree's SVGs in
 * {@code FractalTreeTest}). Only the one placeholder {@value #PLACEHOLDER} is allowed to stand for "your
 * module's digest". So a rebuilt module whose pin moved cannot leave a stale digest in a README.
 */
class DigestsInDocsTest {

    /** The docs' "some digest": {@code .pinned("9f2c…")}, {@code sha256: 9f2c…}. */
    static final String PLACEHOLDER = "9f2c";

    private static final Pattern DIGEST = Pattern.compile("(?<![0-9A-Za-z])([0-9a-f]{64}(?![0-9a-z])|[0-9a-f]{4,63}(?=…))");
    private static final Pattern LOCK_LINE = Pattern.compile("([0-9a-f]{64})\\s+(\\S+)");
    private static final Pattern FULL = Pattern.compile("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])");

    /** Digest → what it is the digest of. */
    static Map<String, String> knownDigests() throws Exception {
        Map<String, String> known = new LinkedHashMap<>();
        Path lock = Docs.ROOT.resolve("sample-plugins/plugins.lock");
        Matcher m = LOCK_LINE.matcher(Files.readString(lock));
        while (m.find()) {
            Path module = lock.getParent().resolve(m.group(2));
            assertThat(sha256(module)).as("plugins.lock entry of " + m.group(2) + " against the file").isEqualTo(m.group(1));
            known.put(m.group(1), "sample-plugins/" + m.group(2));
        }
        try (Stream<Path> files = Files.walk(Docs.ROOT)) {
            for (Path p : files.filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/node_modules/")
                    && !p.toString().contains("/.git/")).toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".wasm")) {
                    known.putIfAbsent(sha256(p), Docs.ROOT.relativize(p).toString());
                } else if (name.endsWith("Test.java") && p.toString().contains("/src/test/")) {
                    Matcher full = FULL.matcher(Files.readString(p));
                    while (full.find()) {
                        known.putIfAbsent(full.group(), "asserted by " + name);
                    }
                }
            }
        }
        return known;
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void everyDigestInTheDocsIsTheDigestOfSomethingReal() throws Exception {
        Map<String, String> known = knownDigests();
        assertThat(known.values()).as("the lock file's modules").contains("sample-plugins/volume-discount/volume-discount.wasm");
        List<String> stale = new ArrayList<>();
        int checked = 0;
        for (Path file : Docs.markdownFiles()) {
            String[] lines = Docs.read(file).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                Matcher m = DIGEST.matcher(lines[i]);
                while (m.find()) {
                    String digest = m.group(1);
                    if (!digest.matches(".*[a-f].*") && digest.length() < 64) {
                        continue;   // a number followed by an ellipsis, not a digest
                    }
                    checked++;
                    if (digest.equals(PLACEHOLDER)) {
                        continue;
                    }
                    if (known.keySet().stream().noneMatch(k -> k.startsWith(digest))) {
                        stale.add(file + ":" + (i + 1) + ": " + digest + (digest.length() < 64 ? "…" : ""));
                    }
                }
            }
        }
        assertThat(checked).as("digests found in the docs").isGreaterThan(5);
        assertThat(stale).as("digests of nothing in the repository (known: " + known + ")").isEmpty();
    }

    @Test
    void thePlaceholderIsTheDigestOfNoModule() throws Exception {
        assertThat(knownDigests().entrySet()).noneMatch(e -> e.getKey().startsWith(PLACEHOLDER) && !e.getValue().startsWith("asserted"));
    }
}
