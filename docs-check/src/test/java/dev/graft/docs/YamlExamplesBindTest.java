package dev.graft.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.api.policy.PluginPolicy;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.boot.plugins.PluginLocations;
import dev.graft.boot.plugins.PolicyResolver;
import dev.graft.boot.web.RouteTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * Every {@code ```yaml} block of the docs that configures {@code graft.*} is what the starter reads at startup:
 * bound to {@link GraftProperties} by Spring Boot's {@link Binder} with unknown keys refused, then checked as the
 * starter checks it — every policy resolved (sizes, durations, modes, hosts, ceilings), every location opened
 * (not read), every route validated, every {@code on-failure} known. What the starter would refuse, the test
 * refuses, with the starter's own message. The docs' placeholder pin {@code 9f2c…} is the one value let through.
 */
class YamlExamplesBindTest {

    @TempDir
    static Path ociCache;

    static List<Docs.Block> graftBlocks() {
        return Docs.blocks().stream()
                .filter(b -> b.language().equals("yaml") || b.language().equals("yml"))
                .filter(b -> b.skip() == null)
                .filter(b -> b.text().lines().anyMatch(l -> l.startsWith("graft:")))
                .toList();
    }

    /** Binds and checks one YAML document as the starter would; throws what startup would fail with. */
    static GraftProperties check(String where, String yaml) throws Exception {
        List<PropertySource<?>> sources = new YamlPropertySourceLoader().load(where,
                new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8), where));
        Binder binder = new Binder(ConfigurationPropertySources.from(sources), new PropertySourcesPlaceholdersResolver(sources));
        GraftProperties properties = binder.bind("graft", Bindable.ofInstance(new GraftProperties()),
                new NoUnboundElementsBindHandler(BindHandler.DEFAULT)).orElseThrow(() -> new AssertionError(where + ": nothing under graft"));

        PolicyResolver policies = new PolicyResolver(properties.getLimits(), properties.getDefaults().getPolicy());
        properties.getPlugins().forEach((id, plugin) -> {
            String prefix = "graft.plugins." + id;
            hostFoldersOfTheReadersApplication(plugin.getPolicy());
            PluginPolicy policy = policies.resolve(prefix + ".policy", plugin.getPolicy());
            assertThat(policy).isNotNull();
            String pin = plugin.getSha256() == null || plugin.getSha256().equals(DigestsInDocsTest.PLACEHOLDER + "…")
                    ? null : plugin.getSha256();
            PluginLocations.resolve(id, prefix, plugin.getLocation(), pin, YamlExamplesBindTest.class.getClassLoader(), ociCache);
        });
        RouteTable.of(properties.getRoutes(), properties.getPlugins().keySet(), properties.getPluginDir() != null);
        properties.getExtensionPointPolicies().forEach((point, p) -> {
            if (p.getOnFailure() != null) {
                assertThat(p.getOnFailure().trim().toLowerCase(Locale.ROOT)).as("graft.extension-point-policies."
                        + point + ".on-failure").isIn("throw", "fallback");
            }
        });
        return properties;
    }

    /**
     * A file grant's host folder ({@code /static=classpath:tree-assets}, {@code /etc/tree=file:/srv/tree/config})
     * is the reader's, so it is replaced by an empty folder here once its form is checked; the starter then checks
     * the rest (guest path, no duplicates) as at startup.
     */
    static void hostFoldersOfTheReadersApplication(GraftProperties.Policy policy) {
        List<String> files = policy.getCapabilities().getFiles();
        if (files == null) {
            return;
        }
        List<String> replaced = new ArrayList<>();
        for (String grant : files) {
            assertThat(grant).as("a file grant GUEST=HOST").matches("/[^=]*=(classpath:|file:)[^=]+");
            replaced.add(grant.substring(0, grant.indexOf('=')) + "=file:" + ociCache);
        }
        policy.getCapabilities().setFiles(replaced);
    }

    @Test
    void everyGraftYamlExampleBindsAndPassesTheStartersChecks() {
        List<Docs.Block> blocks = graftBlocks();
        assertThat(blocks).as("graft yaml blocks").hasSizeGreaterThanOrEqualTo(4);
        List<String> failures = new ArrayList<>();
        for (Docs.Block block : blocks) {
            try {
                check(block.where(), block.text());
            } catch (Throwable e) {
                StringBuilder why = new StringBuilder(e.toString());
                for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                    why.append("\n    caused by ").append(c);
                }
                failures.add(block.where() + ": " + why);
            }
        }
        assertThat(failures).as("yaml examples the starter would refuse").isEmpty();
    }

    @Test
    void theRoutesExamplesHostsAreBoundWithoutQuotes() throws Exception {
        Docs.Block routes = graftBlocks().stream().filter(b -> b.file().toString().equals("docs/routes.md")).findFirst()
                .orElseThrow();
        GraftProperties properties = check(routes.where(), routes.text());
        assertThat(properties.getPlugins().get("api").getPolicy().getCapabilities().getAllowedHosts())
                .containsExactly("api.partner.example", "*.cdn.example");
    }

    /** What routes.md used to show: a plain YAML scalar keeps the quotes, and startup fails on the host. */
    @Test
    void aCommaSeparatedValueWithQuotesKeepsThemAndIsRefused() {
        String yaml = """
                graft:
                  plugins:
                    api:
                      location: oci://registry.example.com/graft/api:1.4
                      policy:
                        capabilities:
                          allowed-hosts: api.partner.example, "*.cdn.example"
                """;
        assertThatThrownBy(() -> check("old routes.md", yaml)).hasMessageContaining("\"*.cdn.example\"");
    }

    @Test
    void anUnknownKeyIsRefused() {
        String yaml = """
                graft:
                  plugins:
                    api:
                      location: classpath:plugins/api.wasm
                      polcy:
                        fuel: 10
                """;
        assertThatThrownBy(() -> check("typo", yaml)).hasStackTraceContaining("graft.plugins.api.polcy.fuel");
    }
}
