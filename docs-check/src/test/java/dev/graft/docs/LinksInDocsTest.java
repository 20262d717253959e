package dev.graft.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every file the docs point at is in the repository: relative Markdown links (and their {@code #anchor}s into
 * Markdown files), and repository paths written as code ({@code `sample-plugins/build.sh`},
 * {@code `src/main/resources/db/migration`} in a module's README).
 */
class LinksInDocsTest {

    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern CODE = Pattern.compile("`([^`\\s]+)`");
    private static final Pattern FENCED = Pattern.compile("(?ms)^\\s*```.*?^\\s*```\\s*$");

    @Test
    void relativeLinksAndTheirAnchorsExist() {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : Docs.markdownFiles()) {
            String text = FENCED.matcher(Docs.read(file)).replaceAll("");
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z][a-z0-9+.-]*:.*")) {
                    continue;   // http:, https:, mailto:
                }
                checked++;
                String path = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                Path resolved = path.isEmpty() ? Docs.ROOT.resolve(file)
                        : Docs.ROOT.resolve(file).getParent().resolve(path).normalize();
                if (!resolved.startsWith(Docs.ROOT) || !Files.exists(resolved)) {
                    broken.add(file + ": link to " + target + " (no " + Docs.ROOT.relativize(resolved) + ")");
                } else if (anchor != null && resolved.toString().endsWith(".md")
                        && !anchors(Docs.ROOT.relativize(resolved)).contains(anchor)) {
                    broken.add(file + ": link to " + target + " (no heading with that anchor; there are "
                            + anchors(Docs.ROOT.relativize(resolved)) + ")");
                }
            }
        }
        assertThat(checked).as("relative links found").isGreaterThan(20);
        assertThat(broken).as("links to files or anchors that are not in the repository").isEmpty();
    }

    /** Paths the docs name as what a command creates, not as a file of the repository. */
    static final Map<String, String> OUTPUTS = Map.of(
            "sample-business-app/data/erp.mv.db", "the H2 file spring-boot:run creates",
            "benchmarks/results/issue15-paired.txt", "what benchmarks/run.sh writes after the start-up probes",
            "sample-plugins/.tools/node", "the Node 20 that sample-plugins/setup.sh installs where the system one is older");

    @Test
    void repositoryPathsWrittenAsCodeExist() throws IOException {
        Set<String> topLevel = new LinkedHashSet<>();
        try (Stream<Path> entries = Files.list(Docs.ROOT)) {
            entries.map(p -> p.getFileName().toString()).filter(n -> !n.equals("target")).forEach(topLevel::add);
        }
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : Docs.markdownFiles()) {
            String text = FENCED.matcher(Docs.read(file)).replaceAll("");
            Path folder = Docs.ROOT.resolve(file).getParent();
            Matcher m = CODE.matcher(text);
            while (m.find()) {
                String path = m.group(1).replaceAll("[.,;:]$", "");
                if (!looksLikeAPath(path)) {
                    continue;
                }
                String first = path.startsWith("./") ? path.substring(2).split("/")[0] : path.split("/")[0];
                boolean fromRoot = topLevel.contains(first) && !first.equals("src");
                boolean fromModule = first.equals("src") || Files.exists(folder.resolve(first));
                if (!fromRoot && !fromModule) {
                    continue;   // not a repository path (a guest path, a URL path, a folder the user makes)
                }
                checked++;
                if (!Files.exists(Docs.ROOT.resolve(path)) && !Files.exists(folder.resolve(path)) && !OUTPUTS.containsKey(path)) {
                    broken.add(file + ": `" + path + "`");
                }
            }
        }
        assertThat(checked).as("repository paths found").isGreaterThan(20);
        assertThat(broken).as("repository paths that do not exist").isEmpty();
    }

    /** A relative path with a folder, no placeholder or pattern, not build output. */
    static boolean looksLikeAPath(String s) {
        return s.contains("/") && !s.startsWith("/") && !s.contains("://") && !s.matches(".*[<>{}*$=…|@?%\\[\\]].*")
                && !s.contains(":") && !s.startsWith("target/") && !s.contains("/target/") && s.matches("[\\w./-]+")
                && !s.startsWith("../../");
    }

    private static final Map<Path, Set<String>> ANCHORS = new HashMap<>();

    /** GitHub's heading anchors of a Markdown file: lower case, punctuation dropped, spaces as '-', repeats numbered. */
    static Set<String> anchors(Path file) {
        return ANCHORS.computeIfAbsent(file, f -> {
            Set<String> anchors = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            String text = FENCED.matcher(Docs.read(f)).replaceAll("");
            for (String line : text.split("\n")) {
                if (!line.matches("^#{1,6} .*")) {
                    continue;
                }
                String slug = line.replaceFirst("^#+ ", "").trim().toLowerCase()
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                int n = seen.merge(slug, 1, Integer::sum);
                anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
            }
            return anchors;
        });
    }
}
