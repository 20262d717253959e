package dev.graft.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md's "Use it in your project" is what the invoker build of {@code src/it/getting-started} runs (after this
 * test, in {@code mvn verify}): the README shows that project's dependency block, with the version being built, and
 * its {@code Hello.java} to the character. And {@code graft-bom} manages every published module at that version.
 */
class GettingStartedTest {

    static final Path CONSUMER = Docs.ROOT.resolve("docs-check/src/it/getting-started");
    static final String VERSION = System.getProperty("graft.version");

    static String normalized(String xml) {
        return xml.replaceAll("\\s+", " ").trim();
    }

    static Docs.Block readmeBlock(String language, String containing) {
        return Docs.blocks(Path.of("README.md")).stream()
                .filter(b -> b.language().equals(language) && b.text().contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("README.md has no " + language + " block with " + containing));
    }

    @Test
    void theReadmeShowsTheConsumersDependenciesWithTheVersionBeingBuilt() throws Exception {
        assertThat(VERSION).as("graft.version from the pom").isNotBlank();
        String readme = normalized(readmeBlock("xml", "graft-bom").text());
        assertThat(readme).contains("<version>" + VERSION + "</version>").endsWith("</dependencies>");
        String consumer = normalized(Files.readString(CONSUMER.resolve("pom.xml")).replace("@project.version@", VERSION));
        // the consumer adds its own test engine after the README's dependencies
        assertThat(consumer).contains(readme.substring(0, readme.length() - "</dependencies>".length()).trim());
    }

    @Test
    void theReadmesHelloIsTheOneTheConsumerRuns() throws Exception {
        assertThat(readmeBlock("java", "public class Hello").text())
                .isEqualTo(Files.readString(CONSUMER.resolve("src/main/java/com/example/Hello.java")));
    }

    @Test
    void theBomManagesEveryPublishedModuleAtTheProjectVersionAndHasNoParent() throws Exception {
        String bom = Files.readString(Docs.ROOT.resolve("graft-bom/pom.xml"));
        assertThat(bom).doesNotContain("<parent>");
        Matcher own = Pattern.compile("<artifactId>graft-bom</artifactId>\\s*<version>([^<]+)</version>").matcher(bom);
        assertThat(own.find()).isTrue();
        assertThat(own.group(1)).as("graft-bom's version").isEqualTo(VERSION);

        List<String> managed = new ArrayList<>();
        Matcher dep = Pattern.compile("<groupId>dev\\.graft</groupId>\\s*<artifactId>([^<]+)</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(bom.substring(bom.indexOf("<dependencyManagement>")));
        while (dep.find()) {
            managed.add(dep.group(1));
            assertThat(dep.group(2)).as(dep.group(1)).isEqualTo("${project.version}");
        }
        Set<String> unpublished = Set.of("benchmarks", "sample-contracts", "sample-plugins", "sample-business-app",
                "docs-check", "tutorial-test", "graft-bom");
        List<String> published = new ArrayList<>();
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(Docs.ROOT.resolve("pom.xml")));
        while (module.find()) {
            if (!unpublished.contains(module.group(1))) {
                published.add(module.group(1));
                assertThat(Files.readString(Docs.ROOT.resolve(module.group(1)).resolve("pom.xml")))
                        .contains("<artifactId>" + module.group(1) + "</artifactId>");
            }
        }
        assertThat(managed).as("graft-bom's modules: every module of the reactor that is not a sample, benchmark or check")
                .containsExactlyInAnyOrderElementsOf(published);
    }
}
