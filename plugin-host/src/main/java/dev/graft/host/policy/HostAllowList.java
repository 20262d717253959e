package dev.graft.host.policy;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The outbound HTTP allow-list of one plugin. An entry is {@code [scheme://]host[:port]}: the scheme
 * defaults to https and the port to the scheme's default, and both must match exactly. The host
 * matches exactly (case-insensitive, one trailing dot ignored); {@code *.example.com} matches
 * subdomains of example.com only — never example.com itself, never {@code evilexample.com}. An IP
 * address matches only when listed in exactly that form. URLs with user info are always denied, so
 * {@code https://allowed.com@evil.com/} cannot pass as allowed.com.
 */
public final class HostAllowList {

    private record Entry(String scheme, String host, boolean subdomains, int port) {
    }

    private final List<Entry> entries;

    private HostAllowList(List<Entry> entries) {
        this.entries = entries;
    }

    /**
     * Parses the entries.
     *
     * @throws IllegalArgumentException naming the first malformed entry
     */
    public static HostAllowList of(Set<String> allowed) {
        List<Entry> entries = new ArrayList<>();
        for (String raw : allowed) {
            entries.add(parse(raw));
        }
        return new HostAllowList(List.copyOf(entries));
    }

    private static Entry parse(String raw) {
        String text = raw.trim().toLowerCase(Locale.ROOT);
        String scheme = "https";
        int sep = text.indexOf("://");
        if (sep >= 0) {
            scheme = text.substring(0, sep);
            text = text.substring(sep + 3);
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("allowed host '" + raw + "': scheme must be http or https");
        }
        int port = defaultPort(scheme);
        int colon = text.lastIndexOf(':');
        if (colon >= 0 && !text.endsWith("]")) {
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("allowed host '" + raw + "': bad port");
            }
            text = text.substring(0, colon);
        }
        boolean subdomains = text.startsWith("*.");
        String host = normalize(subdomains ? text.substring(2) : text);
        if (host.isEmpty() || host.contains("*") || host.contains("/") || host.contains("@") || port < 1 || port > 65535) {
            throw new IllegalArgumentException("allowed host '" + raw + "' is not of the form [scheme://]host[:port] or *.domain");
        }
        return new Entry(scheme, host, subdomains, port);
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("http") ? 80 : 443;
    }

    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** Why the URL is denied, or {@code null} when it is allowed. */
    public String denial(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "scheme '" + scheme + "' is not http or https";
        }
        if (url.getRawUserInfo() != null) {
            return "URLs with user info are not allowed";
        }
        if (url.getHost() == null) {
            return "the URL has no host Graft can check";
        }
        String host = normalize(url.getHost());
        int port = url.getPort() == -1 ? defaultPort(scheme) : url.getPort();
        for (Entry e : entries) {
            boolean hostMatches = e.subdomains() ? host.endsWith("." + e.host()) : host.equals(e.host());
            if (hostMatches && e.scheme().equals(scheme) && e.port() == port) {
                return null;
            }
        }
        return scheme + "://" + host + ":" + port + " is not in the allowed hosts";
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
