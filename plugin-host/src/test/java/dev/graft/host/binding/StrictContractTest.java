package dev.graft.host.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.OptionalField;
import dev.graft.api.PluginCodecException;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Strict contracts: the echo plugin hands back whatever JSON it is given, so each test writes the
 * "plugin output" itself and checks what the host makes of it.
 */
class StrictContractTest {

    record Adjustment(String ruleId, BigDecimal amount, String reason, @OptionalField String note) {
    }

    record Count(int units, boolean gift) {
    }

    @ExtensionPoint(id = "raw-echo")
    interface RawEcho {
        @Export("round_trip")
        List<Adjustment> adjustments(byte[] json);

        @Export("round_trip")
        Count count(byte[] json);

        @Export("round_trip")
        int number(byte[] json);
    }

    static final RawEcho ECHO = TypedBindingTest.ENGINE.load(PluginSpec.builder(
                    PluginSource.ofBytes("echo-plugin", TypedBindingTest.ECHO)).policy(PluginPolicy.defaults()).build())
            .extension(RawEcho.class);

    static byte[] json(String s) {
        return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    static PluginCodecException refused(String output) {
        return assertThrows(PluginCodecException.class, () -> ECHO.adjustments(json(output)));
    }

    @Test
    void aCompleteOutputDecodesAndAnOptionalComponentMayBeLeftOutOrNull() {
        List<Adjustment> ok = ECHO.adjustments(json(
                "[{'ruleId':'a','amount':'-1.50','reason':'r'},{'ruleId':'b','amount':2,'reason':'s','note':null}]"));
        assertEquals(new BigDecimal("-1.50"), ok.get(0).amount());
        assertNull(ok.get(0).note());
        assertEquals(new BigDecimal("2"), ok.get(1).amount());
    }

    @Test
    void aMissingRequiredFieldIsRefusedWithPluginExportAndPath() {
        PluginCodecException e = refused("[{'ruleId':'a','amount':'1.00','reason':'r'},{'ruleId':'b','reason':'s'}]");
        assertEquals("echo-plugin", e.pluginId());
        assertEquals("round_trip", e.export());
        assertEquals("$[1].amount", e.jsonPath());
        assertTrue(e.getMessage().startsWith("plugin 'echo-plugin': output of 'round_trip' does not match "
                + "java.util.List<dev.graft.host.binding.StrictContractTest$Adjustment> at $[1].amount: missing required field 'amount'"), e.getMessage());
    }

    @Test
    void aNullInARequiredComponentIsRefused() {
        PluginCodecException e = refused("[{'ruleId':'a','amount':null,'reason':'r'}]");
        assertEquals("$[0].amount", e.jsonPath());
        assertTrue(e.getMessage().contains("null where the Java type has none"), e.getMessage());
    }

    @Test
    void aNullForAPrimitiveIsRefused() {
        PluginCodecException e = assertThrows(PluginCodecException.class,
                () -> ECHO.count(json("{'units':null,'gift':false}")));
        assertEquals("$.units", e.jsonPath());
        assertTrue(e.getMessage().endsWith("at $.units: null where the Java type (int) has none"), e.getMessage());
        assertThrows(PluginCodecException.class, () -> ECHO.number(json("null")));
    }

    @Test
    void anUnknownFieldIsRefusedAndNamed() {
        PluginCodecException e = refused("[{'ruleId':'a','amount':'1','reason':'r','ammount':'2'}]");
        assertEquals("$[0].ammount", e.jsonPath());
        assertTrue(e.getMessage().contains("unknown field 'ammount'"), e.getMessage());
    }

    @Test
    void aWrongTypeIsRefused() {
        PluginCodecException money = refused("[{'ruleId':'a','amount':'75,00 EUR','reason':'r'}]");
        assertEquals("$[0].amount", money.jsonPath());
        PluginCodecException text = refused("[{'ruleId':7,'amount':'1','reason':'r'}]");
        assertEquals("$[0].ruleId", text.jsonPath());
        PluginCodecException units = assertThrows(PluginCodecException.class,
                () -> ECHO.count(json("{'units':'3','gift':false}")));
        assertEquals("$.units", units.jsonPath());
        PluginCodecException gift = assertThrows(PluginCodecException.class,
                () -> ECHO.count(json("{'units':3,'gift':'yes'}")));
        assertEquals("$.gift", gift.jsonPath());
        PluginCodecException notAList = refused("{'ruleId':'a','amount':'1','reason':'r'}");
        assertEquals("$", notAList.jsonPath());
    }

    @Test
    void invalidJsonIsRefused() {
        PluginCodecException e = refused("[{'ruleId':'a'");
        assertEquals("round_trip", e.export());
        assertTrue(e.getMessage().contains("plugin 'echo-plugin'"), e.getMessage());
    }
}
