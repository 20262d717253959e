package dev.graft.boot.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.host.registry.PluginDescriptor;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import dev.graft.host.source.LoopbackRegistry;
import dev.graft.host.source.OciReference;
import dev.graft.host.source.OciRegistry;
import dev.graft.host.source.PluginSource;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * A plugin location {@code oci://…} through the starter, against Debian's docker-registry on loopback
 * (skipped when it is not installed): pulled and cached in {@code graft.oci-cache-dir}, then started from
 * the cache with the registry gone.
 */
class OciLocationTest {

    @TempDir
    Path dir;

    @Test
    void aPluginPulledFromAnOciRegistryLoadsAndStartsFromTheCacheOffline() throws Exception {
        byte[] module = RouteFixtures.extismEcho();
        String host;
        try (LoopbackRegistry registry = LoopbackRegistry.start(dir)) {
            host = registry.host();
            new OciRegistry(dir.resolve("push-cache")).push(module, OciReference.parse("oci://" + host + "/graft/api:1.0"));

            web(host).run(context -> {
                assertThat(context).hasNotFailed();
                PluginDescriptor d = context.getBean(PluginRegistry.class).descriptor("api").orElseThrow();
                assertThat(d.state()).isEqualTo(PluginState.ENABLED);
                assertThat(d.sha256()).isEqualTo(PluginSource.sha256Hex(module));
            });
        }
        // The registry is gone: the tag resolves from the cache.
        web(host).run(context -> assertThat(context.getBean(PluginRegistry.class).descriptor("api").orElseThrow().state())
                .isEqualTo(PluginState.ENABLED));
    }

    WebApplicationContextRunner web(String host) {
        return new WebApplicationContextRunner().withConfiguration(RouteSettingsTest.GRAFT).withPropertyValues(
                "graft.plugins.api.location=oci://" + host + "/graft/api:1.0", "graft.plugins.api.required=true",
                "graft.oci-cache-dir=" + dir.resolve("cache"),
                "graft.routes[0].path=/api/...", "graft.routes[0].plugin=api", "graft.routes[0].kind=extism");
    }
}
