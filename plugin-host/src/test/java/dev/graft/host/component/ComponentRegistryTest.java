package dev.graft.host.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.PluginUnavailableException;
import dev.graft.host.abi.AnsweringModule;
import dev.graft.host.component.ComponentPluginTest.Adjustment;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.source.PluginSource;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A registry's views call a component like any plugin, and follow a reload between an Extism module and a component. */
public class ComponentRegistryTest {

    /** Public, as the registry's guarded views call it reflectively. */
    @ExtensionPoint(id = "pricing-rule", version = "1")
    public interface RegistryRule {
        @Export("apply_rule")
        List<Adjustment> apply(ComponentPluginTest.QuoteLine line);
    }

    @Test
    void aViewFollowsReloadsBetweenAnExtismModuleAndAComponent() {
        PluginRegistry registry = new PluginRegistry(GraftEngine.create());
        byte[] extism = AnsweringModule.wasm("apply_rule",
                "[{\"ruleId\":\"json\",\"amount\":\"-2.00\",\"reason\":\"from JSON\"}]");
        registry.load(PluginSpec.builder(PluginSource.ofBytes("rule", extism)).extensionPoint(RegistryRule.class).build());
        RegistryRule rule = registry.extensions(RegistryRule.class).byId("rule").orElseThrow();
        assertEquals(List.of(new Adjustment("json", new BigDecimal("-2.00"), "from JSON")),
                rule.apply(ComponentPluginTest.line(12, null)));

        registry.reload("rule", PluginSpec.builder(PluginSource.ofBytes("rule", TestComponents.rules()))
                .extensionPoint(RegistryRule.class).build());
        // The same proxy now reaches the component, through the canonical ABI.
        assertEquals("volume", rule.apply(ComponentPluginTest.line(12, null)).get(0).ruleId());

        registry.reload("rule", PluginSpec.builder(PluginSource.ofBytes("rule", extism))
                .extensionPoint(RegistryRule.class).build());
        assertEquals("json", rule.apply(ComponentPluginTest.line(12, null)).get(0).ruleId());

        registry.reload("rule", PluginSpec.builder(PluginSource.ofBytes("rule", TestComponents.rules()))
                .extensionPoint(RegistryRule.class).build());
        registry.disable("rule");
        assertThrows(PluginUnavailableException.class, () -> rule.apply(ComponentPluginTest.line(12, null)));
    }
}
