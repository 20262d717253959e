package dev.graft.host.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginCallException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.source.PluginSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The unmodified plugin built with the official AssemblyScript PDK ({@code examples/hello-as}). */
class ExtismCompatibilityTest {

    static final Path HELLO = Path.of("../examples/hello-as/hello.wasm");
    static final Path ASK_HOST = Path.of("../examples/hello-as/ask-host.wasm");
    static final GraftEngine ENGINE = GraftEngine.create();

    static Plugin load(PluginPolicy policy) {
        return load(HELLO, policy);
    }

    static Plugin load(Path module, PluginPolicy policy) {
        return ENGINE.load(PluginSpec.builder(PluginSource.ofFile(module)).policy(policy)
                .config("greeting", "Grüß dich")
                .hostFunction("tier_of", (plugin, input) -> ("gold:" + new String(input, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8))
                .build());
    }

    static PluginPolicy withTier(ExecutionMode mode) {
        return PluginPolicy.builder().mode(mode)
                .capabilities(Capabilities.builder().hostFunction("tier_of").build()).build();
    }

    static String call(Plugin p, String export, String input) {
        return p.call(export, input.getBytes(StandardCharsets.UTF_8)).outputString();
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void runsEveryExportUnmodified(ExecutionMode mode) {
        Plugin p = load(withTier(mode));
        assertEquals("hello", p.id());
        assertEquals("{\"count\":4,\"total\":4,\"vowels\":\"aeiouAEIOU\"}", call(p, "count_vowels", "Hello, World! Zoë"));
        assertEquals("Grüß dich, Zoë!", call(p, "greet", "Zoë"));
        assertEquals("bytes ✓ 世界", call(p, "echo", "bytes ✓ 世界"));
        assertEquals("hi", call(p, "log_and_echo", "hi"));
        assertEquals("tier:gold:alice", call(load(ASK_HOST, withTier(mode)), "ask_host", "alice"));
        PluginCallException e = assertThrows(PluginCallException.class, () -> call(p, "fail", "Zoë"));
        assertEquals("fail was called with: Zoë", e.pluginMessage());
        assertTrue(e.getMessage().contains("'hello'") && e.getMessage().contains("'fail'"), e.getMessage());
    }

    @Test
    void freshInstancesShareNoVarsButPooledOnesDo() {
        Plugin fresh = load(withTier(ExecutionMode.COMPILED));
        call(fresh, "count_vowels", "aaa");
        assertEquals("{\"count\":2,\"total\":2,\"vowels\":\"aeiouAEIOU\"}", call(fresh, "count_vowels", "ee"));

        Plugin pooled = load(withTier(ExecutionMode.COMPILED).toBuilder().instances(InstanceMode.POOLED).poolSize(1).build());
        call(pooled, "count_vowels", "aaa");
        assertEquals("{\"count\":2,\"total\":5,\"vowels\":\"aeiouAEIOU\"}", call(pooled, "count_vowels", "ee"));
    }

    @Test
    void hostFunctionNotGrantedIsRefusedAtLoad() {
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> load(ASK_HOST, PluginPolicy.defaults()));
        assertTrue(e.getMessage().contains("tier_of"), e.getMessage());
    }
}
