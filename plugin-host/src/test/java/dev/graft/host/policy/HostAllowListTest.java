package dev.graft.host.policy;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HostAllowListTest {

    static final HostAllowList LIST = HostAllowList.of(Set.of("api.example.com", "*.cdn.example.org",
            "http://127.0.0.1:8080", "HTTPS://Mixed.Example.NET:8443"));

    @ParameterizedTest
    @ValueSource(strings = {
        "https://api.example.com/rates",
        "https://API.EXAMPLE.COM/rates",
        "https://api.example.com./rates",
        "https://api.example.com:443/x",
        "https://img.cdn.example.org/a.png",
        "https://a.b.cdn.example.org/",
        "http://127.0.0.1:8080/echo",
        "https://mixed.example.net:8443/"})
    void allowed(String url) {
        assertNull(LIST.denial(URI.create(url)), url);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "https://evilapi.example.com/",          // suffix is not a match
        "https://api.example.com.evil.com/",
        "https://api.example.com@evil.com/",      // user info: the host is evil.com
        "https://user:pw@api.example.com/",       // user info is never allowed
        "http://api.example.com/",                // other scheme
        "https://api.example.com:8443/",          // other port
        "https://cdn.example.org/",               // the wildcard is for subdomains only
        "https://evilcdn.example.org/",
        "http://127.0.0.1/",                      // other port
        "http://2130706433:8080/",                // the same IP in another form
        "http://0x7f.0.0.1:8080/",
        "http://127.1:8080/",
        "http://localhost:8080/",
        "http://[::1]:8080/",
        "ftp://api.example.com/",
        "file:///etc/passwd",
        "https://mixed.example.net/"})
    void denied(String url) {
        assertNotNull(LIST.denial(URI.create(url)), url);
    }

    @Test
    void malformedEntriesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> HostAllowList.of(Set.of("ftp://x.com")));
        assertThrows(IllegalArgumentException.class, () -> HostAllowList.of(Set.of("x.com:99999")));
        assertThrows(IllegalArgumentException.class, () -> HostAllowList.of(Set.of("a.*.com")));
        assertThrows(IllegalArgumentException.class, () -> HostAllowList.of(Set.of("user@x.com")));
        assertThrows(IllegalArgumentException.class, () -> HostAllowList.of(Set.of("x.com/path")));
    }
}
