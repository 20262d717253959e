package dev.graft.boot.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.api.policy.PluginPolicy;
import dev.graft.boot.autoconfigure.GraftEngineAutoConfiguration;
import dev.graft.boot.autoconfigure.GraftHostFunctionsAutoConfiguration;
import dev.graft.boot.autoconfigure.GraftRegistryAutoConfiguration;
import dev.graft.host.registry.PluginRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.AbstractApplicationContextRunner;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** Route and policy settings checked at startup; routes only in a servlet web application. */
class RouteSettingsTest {

    @TempDir
    static Path dir;

    static String echo;
    static String api;

    @BeforeAll
    static void plugins() {
        echo = RouteFixtures.write(dir, "echo.wasm", RouteFixtures.echo("Content-Type: text/plain\n\n"));
        api = RouteFixtures.write(dir, "api.wasm", RouteFixtures.extismEcho());
    }

    static final AutoConfigurations GRAFT = AutoConfigurations.of(GraftEngineAutoConfiguration.class,
            GraftHostFunctionsAutoConfiguration.class, GraftRegistryAutoConfiguration.class,
            GraftRoutesAutoConfiguration.class);

    static WebApplicationContextRunner web(String... properties) {
        return new WebApplicationContextRunner().withConfiguration(GRAFT)
                .withPropertyValues("graft.plugins.echo.location=" + echo,
                        "graft.plugins.echo.policy.capabilities.wasi=true", "graft.plugins.api.location=" + api)
                .withPropertyValues(properties);
    }

    static void failsNaming(AbstractApplicationContextRunner<?, ?, ?> runner, String... fragments) {
        runner.run(context -> {
            assertThat(context).hasFailed();
            StringBuilder all = new StringBuilder();
            boolean property = false;
            for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
                all.append(t.getMessage()).append('\n');
                property |= t instanceof InvalidConfigurationPropertyValueException;
            }
            assertThat(property).as(all.toString()).isTrue();
            assertThat(all.toString()).contains(fragments);
        });
    }

    @Test
    void routesNeedAServletWebApplication() {
        new ApplicationContextRunner().withConfiguration(GRAFT)
                .withPropertyValues("graft.plugins.echo.location=" + echo, "graft.plugins.echo.policy.capabilities.wasi=true",
                        "graft.routes[0].path=/echo", "graft.routes[0].plugin=echo")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(PluginRouteHandlerMapping.class);
                });
        web("graft.routes[0].path=/echo", "graft.routes[0].plugin=echo").run(context -> {
            assertThat(context).hasNotFailed();
            RouteTable routes = context.getBean(PluginRouteHandlerMapping.class).routes();
            assertThat(routes.routes()).singleElement().satisfies(r -> {
                assertThat(r.kind()).isEqualTo(RouteTable.Kind.WAGI);   // the default kind
                assertThat(r.wildcard()).isFalse();
            });
        });
    }

    @Test
    void badRoutesFailStartupNamingTheProperty() {
        failsNaming(web("graft.routes[0].path=echo", "graft.routes[0].plugin=echo"), "graft.routes[0].path");
        failsNaming(web("graft.routes[0].path=/a/*", "graft.routes[0].plugin=echo"), "graft.routes[0].path", "wildcard");
        failsNaming(web("graft.routes[0].path=/echo", "graft.routes[0].plugin=nobody"), "graft.routes[0].plugin",
                "no plugin 'nobody'");
        failsNaming(web("graft.routes[0].path=/echo", "graft.routes[0].plugin=echo", "graft.routes[0].kind=cgi"),
                "graft.routes[0].kind", "wagi, extism");
        failsNaming(web("graft.routes[0].path=/echo", "graft.routes[0].plugin=echo",
                "graft.routes[1].path=/echo", "graft.routes[1].plugin=api", "graft.routes[1].kind=extism"),
                "graft.routes[1].path", "already routed by graft.routes[0]");
    }

    @Test
    void aRoutesPluginMustFitItsContract() {
        failsNaming(web("graft.routes[0].path=/x", "graft.routes[0].plugin=api"), "graft.routes[0].plugin", "wasi=true");
        failsNaming(web("graft.routes[0].path=/x", "graft.routes[0].plugin=api", "graft.routes[0].kind=extism",
                "graft.routes[0].export=serve"), "graft.routes[0].plugin", "no export 'serve'");
        failsNaming(web("graft.routes[0].path=/x", "graft.routes[0].plugin=echo", "graft.routes[0].kind=extism"),
                "no export 'handle_http'");
        web("graft.routes[0].path=/x/...", "graft.routes[0].plugin=api", "graft.routes[0].kind=extism")
                .run(context -> assertThat(context).hasNotFailed());
    }

    static PluginPolicy policyOf(WebApplicationContextRunner runner, String id) {
        PluginPolicy[] policy = new PluginPolicy[1];
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            policy[0] = context.getBean(PluginRegistry.class).descriptor(id).orElseThrow().policy();
        });
        return policy[0];
    }

    @Test
    void outboundHttpFuelCostsFilesAndEnvironmentBind() {
        PluginPolicy policy = policyOf(web(
                "graft.plugins.api.policy.capabilities.allowed-hosts=api.example.com,*.example.org,http://127.0.0.1:8080",
                "graft.plugins.api.policy.http-timeout=2s", "graft.plugins.api.policy.max-http-response-bytes=64KB",
                "graft.plugins.api.policy.max-http-concurrency=2",
                "graft.defaults.policy.fuel-costs.memory-grow-per-page=5",
                "graft.plugins.api.policy.fuel-costs.instruction-cost=2",
                "graft.plugins.api.policy.capabilities.files=/static=classpath:route-files,/tmp=" + dir.toAbsolutePath(),
                "graft.plugins.api.policy.capabilities.env.API_KEY=k"), "api");
        assertThat(policy.capabilities().allowedHosts()).containsExactly("api.example.com", "*.example.org",
                "http://127.0.0.1:8080");
        assertThat(policy.httpTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.maxHttpResponseBytes()).isEqualTo(64 * 1024);
        assertThat(policy.maxHttpConcurrency()).isEqualTo(2);
        assertThat(policy.fuelCosts().instructionCost()).isEqualTo(2);
        assertThat(policy.fuelCosts().memoryGrowPerPage()).isEqualTo(5);
        assertThat(policy.capabilities().files()).containsKeys("/static", "/tmp");
        assertThat(policy.capabilities().files().get("/static").resolve("hello.txt")).exists();
        assertThat(policy.capabilities().files().get("/static").resolve("sub/nested.txt")).exists();
        assertThat(policy.capabilities().env()).containsEntry("API_KEY", "k");
        assertThat(policy.capabilities().wasi()).isTrue();   // files and env imply wasi
    }

    @Test
    void badCapabilitySettingsFailStartupNamingTheProperty() {
        failsNaming(web("graft.plugins.api.policy.capabilities.allowed-hosts=https://user@evil.com"),
                "graft.plugins.api.policy.capabilities.allowed-hosts");
        failsNaming(web("graft.plugins.api.policy.capabilities.files=/data"),
                "graft.plugins.api.policy.capabilities.files", "GUEST=HOST");
        failsNaming(web("graft.plugins.api.policy.capabilities.files=/data=" + dir.resolve("missing")),
                "graft.plugins.api.policy.capabilities.files", "not a folder or file");
        failsNaming(web("graft.plugins.api.policy.capabilities.files=/data=classpath:no-such-folder"),
                "graft.plugins.api.policy.capabilities.files");
        failsNaming(web("graft.plugins.api.policy.max-http-concurrency=0"), "graft.plugins.api.policy.max-http-concurrency");
        failsNaming(web("graft.plugins.api.policy.http-timeout=0s"), "graft.plugins.api.policy.http-timeout");
        failsNaming(web("graft.plugins.api.policy.fuel-costs.instruction-cost=0"),
                "graft.plugins.api.policy.fuel-costs.instruction-cost");
        failsNaming(web("graft.plugins.api.location=oci://registry.example.com/UPPER/case"),
                "graft.plugins.api.location", "OCI reference");
    }
}
