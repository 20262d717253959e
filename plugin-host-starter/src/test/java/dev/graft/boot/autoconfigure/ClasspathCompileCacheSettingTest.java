package dev.graft.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.ClasspathCompileCache;
import dev.graft.host.engine.GraftEngine;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The starter's engine looks for build-time compiled plugins on the application's classpath unless told not to. */
class ClasspathCompileCacheSettingTest extends StarterTestSupport {

    @TempDir
    static Path classes;

    static final byte[] MODULE = StarterFixtures.answering("prebuilt");

    @BeforeAll
    static void compileAtBuildTime() {
        ClasspathCompileCache.write(classes, "prebuilt", MODULE, PluginPolicy.defaults().fuelCosts());
    }

    private static URLClassLoader applicationClassLoader() throws Exception {
        return new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ClasspathCompileCacheSettingTest.class.getClassLoader());
    }

    @Test
    void onByDefault() throws Exception {
        try (URLClassLoader loader = applicationClassLoader()) {
            runner().withClassLoader(loader).run(context -> {
                var compiled = context.getBean(GraftEngine.class).compile("prebuilt", MODULE, ExecutionMode.TIERED,
                        PluginPolicy.defaults().fuelCosts());
                assertThat(compiled.fromClasspathCache()).isTrue();
                assertThat(compiled.tier()).isEqualTo(ExecutionMode.COMPILED);
            });
        }
    }

    @Test
    void offWhenDisabled() throws Exception {
        try (URLClassLoader loader = applicationClassLoader()) {
            runner().withClassLoader(loader).withPropertyValues("graft.classpath-compile-cache=false").run(context -> {
                var compiled = context.getBean(GraftEngine.class).compile("prebuilt", MODULE, ExecutionMode.COMPILED,
                        PluginPolicy.defaults().fuelCosts());
                assertThat(compiled.fromClasspathCache()).isFalse();
            });
        }
    }
}
