package dev.graft.host.policy;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.graft.api.PluginCapabilityException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.Capabilities;
import dev.graft.host.abi.ExtismKernel;
import dev.graft.host.abi.LogBudget;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * WASI preview 1 for one plugin, as its capabilities allow. Built once at load: granted files are
 * copied into memory then (symlinks are skipped, so nothing outside the granted folder is read), and
 * each instance gets its own in-memory file system holding that copy, so writes never reach the host
 * and never cross instances. Clock, random, stdout and stderr are gates on individual WASI functions:
 * a denied one ends the call with {@link PluginCapabilityException}.
 */
public final class WasiSandbox {

    /** The WASI preview 1 import module. */
    public static final String MODULE = "wasi_snapshot_preview1";

    private static final Set<String> CLOCK_FUNCTIONS = Set.of("clock_time_get", "clock_res_get", "poll_oneoff");
    private static final Set<String> NETWORK_FUNCTIONS = Set.of("sock_accept", "sock_recv", "sock_send", "sock_shutdown");

    private final String pluginId;
    private final Capabilities capabilities;
    /** guest folder -> (relative path -> bytes). */
    private final Map<String, Map<String, byte[]>> files;

    private WasiSandbox(String pluginId, Capabilities capabilities, Map<String, Map<String, byte[]>> files) {
        this.pluginId = pluginId;
        this.capabilities = capabilities;
        this.files = files;
    }

    /** Whether the plugin has files (a private file system a call could leave traces in). */
    public boolean hasFiles() {
        return !files.isEmpty();
    }

    /** Snapshots the granted files; a missing or unreadable grant refuses the plugin. */
    public static WasiSandbox load(String pluginId, Capabilities capabilities) {
        Map<String, Map<String, byte[]>> files = new LinkedHashMap<>();
        capabilities.files().forEach((guest, host) -> files.put(guest, snapshot(pluginId, guest, host)));
        return new WasiSandbox(pluginId, capabilities, files);
    }

    private static Map<String, byte[]> snapshot(String pluginId, String guest, Path host) {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        try {
            if (Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
                copy.put(host.getFileName().toString(), Files.readAllBytes(host));
            } else if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> walk = Files.walk(host)) {
                    for (Path p : (Iterable<Path>) walk::iterator) {
                        // Files.walk does not follow links; skip the links themselves too.
                        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                            copy.put(host.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                        }
                    }
                }
            } else {
                throw new PluginLoadException(pluginId, "files grant '" + guest + "' names " + host
                        + ", which is not a regular file or folder");
            }
        } catch (IOException e) {
            throw new PluginLoadException(pluginId, "files grant '" + guest + "' cannot be read from " + host + ": " + e, e);
        }
        return copy;
    }

    /**
     * What a WASI command run gets beyond the policy's grants: its arguments, extra environment
     * variables (they win over granted ones of the same name), stdin, and the stream its stdout is
     * captured in (stdout needs no grant then: it is the command's output).
     */
    public record CommandIo(List<String> arguments, Map<String, String> environment, byte[] stdin, OutputStream stdout) {
    }

    /** WASI for one instance of an Extism plugin; close it with the instance. */
    public Session open(Logger log) {
        return new Session(log, null, null);
    }

    /**
     * WASI for one instance of an Extism plugin whose stdout/stderr lines count against the instance's
     * log budget; close it with the instance.
     */
    public Session open(Logger log, LogBudget logBudget) {
        return new Session(log, null, logBudget);
    }

    /** WASI for one run of a command; close it with the instance. */
    public Session open(Logger log, CommandIo io) {
        return new Session(log, io, null);
    }

    /** WASI for one run of a command whose stderr lines count against the log budget. */
    public Session open(Logger log, CommandIo io, LogBudget logBudget) {
        return new Session(log, io, logBudget);
    }

    /** One instance's WASI: its functions and its private file system. */
    public final class Session implements Closeable {
        private final WasiPreview1 wasi;
        private final FileSystem fs;
        private final List<HostFunction> functions = new ArrayList<>();
        private final boolean stdoutAllowed;

        Session(Logger log, CommandIo io, LogBudget logBudget) {
            WasiOptions.Builder options = WasiOptions.builder();
            Map<String, String> env = new LinkedHashMap<>(capabilities.env());
            if (io != null) {
                options.withArguments(io.arguments());
                env.putAll(io.environment());
                options.withStdin(new java.io.ByteArrayInputStream(io.stdin()));
                options.withStdout(io.stdout());
            } else if (capabilities.stdout()) {
                options.withStdout(new LineLogger(pluginId, log::info, logBudget));
            }
            env.forEach(options::withEnvironment);
            this.stdoutAllowed = io != null || capabilities.stdout();
            if (capabilities.stderr()) {
                options.withStderr(new LineLogger(pluginId, log::warn, logBudget));
            }
            this.fs = files.isEmpty() ? null : Jimfs.newFileSystem(Configuration.unix());
            if (fs != null) {
                files.forEach((guest, content) -> options.withDirectory(guest, populate(guest, content)));
            }
            this.wasi = WasiPreview1.builder().withOptions(options.build()).build();
            for (HostFunction f : wasi.toHostFunctions()) {
                functions.add(gate(f));
            }
        }

        private Path populate(String guest, Map<String, byte[]> content) {
            try {
                Path root = fs.getPath("/graft", "files", Integer.toString(guest.hashCode() & 0x7fffffff));
                Files.createDirectories(root);
                for (Map.Entry<String, byte[]> e : content.entrySet()) {
                    Path target = root.resolve(e.getKey());
                    Files.createDirectories(target.getParent());
                    Files.write(target, e.getValue());
                }
                return root;
            } catch (IOException e) {
                throw new IllegalStateException("in-memory file system failed", e);
            }
        }

        public List<HostFunction> functions() {
            return functions;
        }

        private HostFunction gate(HostFunction f) {
            String name = f.name();
            String denied = null;
            if (CLOCK_FUNCTIONS.contains(name) && !capabilities.clock()) {
                denied = "wasi:clock";
            } else if (name.equals("random_get") && !capabilities.random()) {
                denied = "wasi:random";
            } else if (NETWORK_FUNCTIONS.contains(name)) {
                denied = "wasi:sockets";
            }
            if (denied != null) {
                String capability = denied;
                return new HostFunction(f.module(), name, f.functionType(), (instance, args) -> {
                    throw new PluginCapabilityException(pluginId, capability, "WASI " + name);
                });
            }
            if (name.equals("fd_write") && !(stdoutAllowed && capabilities.stderr())) {
                return new HostFunction(f.module(), name, f.functionType(), (instance, args) -> {
                    int fd = (int) args[0];
                    if ((fd == 1 && !stdoutAllowed) || (fd == 2 && !capabilities.stderr())) {
                        throw new PluginCapabilityException(pluginId, fd == 1 ? "wasi:stdout" : "wasi:stderr",
                                "WASI fd_write to " + (fd == 1 ? "stdout" : "stderr"));
                    }
                    return f.handle().apply(instance, args);
                });
            }
            return f;
        }

        @Override
        public void close() {
            wasi.close();
            if (fs != null) {
                try {
                    fs.close();
                } catch (IOException ignored) {
                    // An in-memory file system has nothing to flush.
                }
            }
        }
    }

    /**
     * Sends complete lines of a plugin's stdout or stderr to its logger, bounded per line and, when
     * given a log budget, per call.
     */
    private static final class LineLogger extends OutputStream {
        private static final int MAX_LINE = 4096;
        private final String pluginId;
        private final Consumer<String> sink;
        private final LogBudget budget;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private long lineBytes;

        LineLogger(String pluginId, Consumer<String> sink, LogBudget budget) {
            this.pluginId = pluginId;
            this.sink = sink;
            this.budget = budget;
        }

        @Override
        public void write(int b) {
            if (b == '\n') {
                flushLine();
                return;
            }
            lineBytes++;
            if (line.size() < MAX_LINE) {
                line.write(b);
            }
        }

        @Override
        public void flush() {
            if (line.size() > 0) {
                flushLine();
            }
        }

        private void flushLine() {
            if (budget == null || budget.admit(line.size(), lineBytes)) {
                try (MDC.MDCCloseable ignored = MDC.putCloseable(ExtismKernel.MDC_PLUGIN, pluginId)) {
                    sink.accept(line.toString(StandardCharsets.UTF_8));
                }
            }
            line.reset();
            lineBytes = 0;
        }
    }
}
