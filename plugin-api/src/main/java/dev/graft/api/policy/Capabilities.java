package dev.graft.api.policy;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a plugin may touch beyond its own memory. Everything is denied by default: {@link #none()}.
 *
 * <ul>
 *   <li>{@code hostFunctions}: names in {@code extism:host/user} the plugin may import;</li>
 *   <li>{@code wasi}: link WASI preview 1 at all (needed by modules built for {@code wasm32-wasi});
 *       with it alone, args are empty, no variables or files exist, and clock, random, stdout and
 *       stderr stay denied until granted one by one;</li>
 *   <li>{@code env}: named environment variables and their values;</li>
 *   <li>{@code files}: guest path to host file or folder, copied into an in-memory file system
 *       when the plugin loads (a host folder is never exposed live);</li>
 *   <li>{@code allowedHosts}: outbound HTTP through Extism's {@code http_request}, to
 *       {@code [scheme://]host[:port]} entries matched exactly ({@code *.example.com} for subdomains
 *       only; scheme defaults to https, port to the scheme's).</li>
 * </ul>
 */
public final class Capabilities {

    private static final Capabilities NONE = builder().build();

    private final Set<String> hostFunctions;
    private final boolean wasi;
    private final boolean clock;
    private final boolean random;
    private final boolean stdout;
    private final boolean stderr;
    private final Map<String, String> env;
    private final Map<String, Path> files;
    private final Set<String> allowedHosts;

    private Capabilities(Builder b) {
        this.hostFunctions = Collections.unmodifiableSet(new LinkedHashSet<>(b.hostFunctions));
        this.wasi = b.wasi;
        this.clock = b.clock;
        this.random = b.random;
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.files = Collections.unmodifiableMap(new LinkedHashMap<>(b.files));
        this.allowedHosts = Collections.unmodifiableSet(new LinkedHashSet<>(b.allowedHosts));
    }

    /** No capabilities at all: pure computation on the input. */
    public static Capabilities none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.hostFunctions.addAll(hostFunctions);
        b.wasi = wasi;
        b.clock = clock;
        b.random = random;
        b.stdout = stdout;
        b.stderr = stderr;
        b.env.putAll(env);
        b.files.putAll(files);
        b.allowedHosts.addAll(allowedHosts);
        return b;
    }

    public Set<String> hostFunctions() {
        return hostFunctions;
    }

    public boolean wasi() {
        return wasi;
    }

    public boolean clock() {
        return clock;
    }

    public boolean random() {
        return random;
    }

    public boolean stdout() {
        return stdout;
    }

    public boolean stderr() {
        return stderr;
    }

    public Map<String, String> env() {
        return env;
    }

    public Map<String, Path> files() {
        return files;
    }

    /** Hosts the plugin may reach with {@code http_request}; empty denies all outbound HTTP. */
    public Set<String> allowedHosts() {
        return allowedHosts;
    }

    @Override
    public String toString() {
        return "Capabilities{hostFunctions=" + hostFunctions + ", wasi=" + wasi + ", clock=" + clock + ", random="
                + random + ", stdout=" + stdout + ", stderr=" + stderr + ", env=" + env.keySet() + ", files="
                + files.keySet() + ", allowedHosts=" + allowedHosts + "}";
    }

    /** Builder for {@link Capabilities}; granting anything below WASI also grants WASI itself. */
    public static final class Builder {
        private final Set<String> hostFunctions = new LinkedHashSet<>();
        private boolean wasi;
        private boolean clock;
        private boolean random;
        private boolean stdout;
        private boolean stderr;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, Path> files = new LinkedHashMap<>();
        private final Set<String> allowedHosts = new LinkedHashSet<>();

        private Builder() {
        }

        public Builder hostFunction(String name) {
            hostFunctions.add(Objects.requireNonNull(name, "name"));
            return this;
        }

        public Builder wasi(boolean granted) {
            this.wasi = granted;
            return this;
        }

        public Builder clock(boolean granted) {
            this.clock = granted;
            this.wasi |= granted;
            return this;
        }

        public Builder random(boolean granted) {
            this.random = granted;
            this.wasi |= granted;
            return this;
        }

        public Builder stdout(boolean granted) {
            this.stdout = granted;
            this.wasi |= granted;
            return this;
        }

        public Builder stderr(boolean granted) {
            this.stderr = granted;
            this.wasi |= granted;
            return this;
        }

        public Builder env(String name, String value) {
            env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            this.wasi = true;
            return this;
        }

        /** Grants read access to a host file or folder, copied at load to {@code guestPath}. */
        public Builder file(String guestPath, Path hostPath) {
            files.put(Objects.requireNonNull(guestPath, "guestPath"), Objects.requireNonNull(hostPath, "hostPath"));
            this.wasi = true;
            return this;
        }

        /**
         * Allows outbound HTTP to {@code [scheme://]host[:port]} (scheme https and its port by default),
         * or {@code *.example.com} for subdomains only. Checked when the plugin loads.
         */
        public Builder allowHost(String entry) {
            allowedHosts.add(Objects.requireNonNull(entry, "entry"));
            return this;
        }

        public Capabilities build() {
            return new Capabilities(this);
        }
    }
}
