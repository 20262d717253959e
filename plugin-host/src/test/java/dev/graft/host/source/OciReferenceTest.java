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
}
