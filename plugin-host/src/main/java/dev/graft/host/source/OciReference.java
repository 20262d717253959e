package dev.graft.host.source;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A module in an OCI registry: {@code oci://host[:port]/repository[:tag]} or
 * {@code oci://host[:port]/repository@sha256:<hex>}. The registry is spoken to over https, except
 * for loopback hosts (localhost, 127.0.0.1, [::1]) and references written {@code oci+http://}.
 *
 * @param registry host and port
 * @param repository the repository path, e.g. {@code graft/pricing}
 * @param tag the tag, or {@code null} when pinned by digest
 * @param digest {@code sha256:<hex>} of the manifest, or {@code null} when referenced by tag
 * @param plainHttp whether to use http instead of https
 */
public record OciReference(String registry, String repository, String tag, String digest, boolean plainHttp) {

    private static final Pattern FORM = Pattern.compile(
            "oci(\\+http)?://([^/@]+)/([a-z0-9]+(?:[._/-][a-z0-9]+)*)(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?");

    /**
     * Parses a reference.
     *
     * @throws IllegalArgumentException naming the reference and the expected form
     */
    public static OciReference parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an OCI reference of the form "
                    + "oci://host[:port]/repository[:tag] or oci://host[:port]/repository@sha256:<64 hex digits>");
        }
        String registry = m.group(2).toLowerCase(Locale.ROOT);
        String tag = m.group(4);
        String digest = m.group(5);
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new OciReference(registry, m.group(3), digest != null ? null : tag, digest,
                m.group(1) != null || isLoopback(registry));
    }

    /** Whether the registry (host and port) is one of the three loopback names, spoken to over http. */
    private static boolean isLoopback(String registry) {
        String host = registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1)
                : registry.replaceAll(":\\d+$", "");
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
    }

    /** The tag or digest used in registry URLs. */
    public String reference() {
        return digest != null ? digest : tag;
    }

    /** Base URL of the registry's API for this repository. */
    public String apiBase() {
        return (plainHttp ? "http" : "https") + "://" + registry + "/v2/" + repository;
    }

    /** The reference as written, {@code oci+http://} where plain http is not implied by a loopback host: it parses back to this. */
    @Override
    public String toString() {
        return (plainHttp && !isLoopback(registry) ? "oci+http://" : "oci://") + registry + "/" + repository + (digest != null ? "@" + digest : ":" + tag);
    }
}
