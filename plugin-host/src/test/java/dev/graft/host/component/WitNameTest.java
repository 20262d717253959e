package dev.graft.host.component;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Java and Extism names become WIT kebab case, as graft wit writes them. */
class WitNameTest {

    @Test
    void namesBecomeKebabCase() {
        assertEquals("apply-rule", JavaBinding.witName("apply_rule"));
        assertEquals("apply-rule", JavaBinding.witName("applyRule"));
        assertEquals("http-header", JavaBinding.witName("HTTPHeader"));
        assertEquals("silver-plus", JavaBinding.witName("SILVER_PLUS"));
        assertEquals("gold-tier", JavaBinding.witName("GoldTier"));
        assertEquals("line2-total", JavaBinding.witName("line2Total"));
        assertEquals("url", JavaBinding.witName("URL"));
        assertEquals("id-s32", JavaBinding.witName("idS32"));
        assertEquals("unit-price", JavaBinding.witName("unitPrice"));
        assertEquals("already-kebab", JavaBinding.witName("already-kebab"));
    }

    @Test
    void hostFunctionNamesBecomeTheKebabCaseAComponentImports() {
        assertEquals("erp-customer-tier", JavaBinding.witName("erp_customer_tier"));
        assertEquals("erp-customer-tier", JavaBinding.witName("erp.customer.tier"));
        assertEquals("erp-customer-tier", JavaBinding.witName("erpCustomerTier"));
        assertEquals("erp-customer-tier", JavaBinding.witName("erp..customer.tier."));
    }
}
