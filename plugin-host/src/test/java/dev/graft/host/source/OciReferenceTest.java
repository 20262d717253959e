package dev.graft.host.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OciReferenceTest {

    @Test
    void referencesAreParsedStrictly() {
        OciReference ref = OciReference.parse("oci://registry.example.com:5000/team/rules:v2");
        assertEquals("https://registry.example.com:5000/v2/team/rules", ref.apiBase());
        assertEquals("v2", ref.reference());
        assertEquals("http://localhost:5000/v2/a", OciReference.parse("oci://localhost:5000/a").apiBase());
        assertEquals("latest", OciReference.parse("oci+http://r.example/a").tag());
        assertThrows(IllegalArgumentException.class, () -> OciReference.parse("https://r.example/a"));
        assertThrows(IllegalArgumentException.class, () -> OciReference.parse("oci://r.example/A"));
        assertThrows(IllegalArgumentException.class, () -> OciReference.parse("oci://r.example/a@sha256:123"));
    }

    /** What README.md ("Sources") and docs/spring-boot.md (locations) say: https, except loopback and oci+http. */
    @Test
    void ociMeansHttpsExceptOnLoopbackAndOciPlusHttpMeansPlainHttp() {
        assertEquals("https://registry.example.com/v2/erp/pricing", OciReference.parse("oci://registry.example.com/erp/pricing:1.4").apiBase());
        assertEquals("https://10.0.0.5:5000/v2/a", OciReference.parse("oci://10.0.0.5:5000/a").apiBase());
        assertEquals("https://127.0.0.2:5000/v2/a", OciReference.parse("oci://127.0.0.2:5000/a").apiBase());   // only the three names below
        assertEquals("http://localhost:5000/v2/a", OciReference.parse("oci://localhost:5000/a").apiBase());
        assertEquals("http://127.0.0.1:5000/v2/a", OciReference.parse("oci://127.0.0.1:5000/a").apiBase());
        assertEquals("http://[::1]:5000/v2/a", OciReference.parse("oci://[::1]:5000/a").apiBase());
        assertEquals("http://registry.internal:5000/v2/erp/pricing",
                OciReference.parse("oci+http://registry.internal:5000/erp/pricing:1.4").apiBase());
        assertThrows(IllegalArgumentException.class, () -> OciReference.parse("oci+https://registry.example.com/a"));
    }

    /** A reference prints as it is written, so a message or log naming it can be pasted back as a location. */
    @Test
    void aReferencePrintsAsItParses() {
        for (String text : new String[] {"oci+http://registry.internal:5000/erp/pricing:1.4",
                "oci://registry.example.com/erp/pricing:1.4", "oci://localhost:5000/a:latest",
                "oci://[::1]:5000/a@sha256:" + "ab".repeat(32)}) {
            OciReference ref = OciReference.parse(text);
            assertEquals(text, ref.toString());
            assertEquals(ref, OciReference.parse(ref.toString()));
        }
    }
}
