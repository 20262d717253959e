package dev.graft.samples.erp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * A real PostgreSQL server for the tests: Debian's {@code postgresql} binaries ({@code initdb}, {@code pg_ctl}),
 * started once per test JVM on 127.0.0.1 on a free port, in a temporary data folder, and stopped (and the
 * folder deleted) when the JVM exits. Each application context gets a database of its own ({@link Initializer}).
 *
 * <p>PostgreSQL refuses to run as root, and CI runs as root: then the server runs as the {@code postgres}
 * user the Debian package creates (or {@code nobody}) through {@code runuser}, its folder owned by that user.
 * Override the binaries' folder with {@code -Dgraft.test.postgres-bin=/usr/lib/postgresql/15/bin}.
 */
final class LocalPostgres {

    private static final String USER = "graft";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static LocalPostgres running;

    private final Path bin;
    private final Path folder;
    private final Path data;
    private final int port;
    private final String osUser;

    private LocalPostgres(Path bin, Path folder, int port, String osUser) {
        this.bin = bin;
        this.folder = folder;
        this.data = folder.resolve("data");
        this.port = port;
        this.osUser = osUser;
    }

    /** The folder with {@code initdb} and {@code pg_ctl}, or null: the newest {@code /usr/lib/postgresql/N/bin}. */
    static Path binaries() {
        String configured = System.getProperty("graft.test.postgres-bin");
        if (configured != null) {
            Path bin = Path.of(configured);
            return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl")) ? bin : null;
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(LocalPostgres::majorVersion))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Skips a test class, saying why, where the PostgreSQL binaries are missing (before its Spring context starts). */
    static final class Required implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return binaries() != null ? ConditionEvaluationResult.enabled("PostgreSQL binaries present")
                    : ConditionEvaluationResult.disabled("PostgreSQL tests skipped: no initdb/pg_ctl under "
                            + System.getProperty("graft.test.postgres-bin", "/usr/lib/postgresql/*/bin")
                            + " (Debian: apt-get install postgresql; .ci/run installs it)");
        }
    }

    /**
     * Points a test class's application context at a fresh database on the server (started on first use), with
     * the {@code postgres} profile: {@code @PostgresProfile}. Contexts with the same configuration share one
     * (Spring's context cache), as they share one H2 database without it.
     */
    static final class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            String url = server().createDatabase();
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("local-postgres", Map.of(
                    "spring.datasource.url", url, "spring.datasource.username", USER, "spring.datasource.password", "")));
        }
    }

    static synchronized LocalPostgres server() {
        if (running == null) {
            Path bin = binaries();
            if (bin == null) {
                throw new IllegalStateException("no PostgreSQL binaries (apt-get install postgresql)");
            }
            try {
                LocalPostgres server = new LocalPostgres(bin, Files.createTempDirectory("graft-pg-"), freePort(), osUser());
                server.start();
                Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "stop-local-postgres"));
                running = server;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return running;
    }

    /** The unprivileged user to run PostgreSQL as when the tests run as root; null when they do not. */
    private static String osUser() throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return null;
        }
        for (String user : List.of("postgres", "nobody")) {
            try {
                FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(user);
                return user;
            } catch (UserPrincipalNotFoundException e) {
                // try the next one
            }
        }
        throw new IOException("running as root, and neither user 'postgres' nor 'nobody' exists to run PostgreSQL as");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void start() throws IOException {
        if (osUser != null) {
            UserPrincipal owner = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(osUser);
            Files.setOwner(folder, owner);
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--auth=trust",
                "--encoding=UTF8", "--no-locale", "--no-sync"), "initdb.log");
        // loopback only, the socket in our own folder, and no durability: a throw-away server for tests
        String options = "-h 127.0.0.1 -p " + port + " -k " + folder
                + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60";
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", folder.resolve("postgres.log").toString(),
                "-o", options, "-w", "-t", "30", "start"), "pg_ctl-start.log");
    }

    private void stop() {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "20", "stop"),
                    "pg_ctl-stop.log");
        } catch (IOException | RuntimeException e) {
            System.err.println("could not stop the test PostgreSQL in " + folder + ": " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary folder is harmless
        }
    }

    /** Runs a PostgreSQL program (as {@link #osUser} when root), bounded to 60 s; its output goes to {@code log}. */
    private void run(List<String> command, String log) throws IOException {
        List<String> full = new ArrayList<>();
        if (osUser != null) {
            full.addAll(List.of("runuser", "-u", osUser, "--"));
        }
        full.addAll(command);
        Path logFile = folder.resolve(log);
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).directory(folder.toFile());
        Map<String, String> env = builder.environment();
        env.put("LC_ALL", "C");
        env.remove("PGDATA");
        Process process = builder.start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", full) + " did not finish within 60 s; " + Files.readString(logFile));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (process.exitValue() != 0) {
            String tail = Files.readString(logFile);
            Path serverLog = folder.resolve("postgres.log");
            if (Files.exists(serverLog)) {
                tail += "\n--- postgres.log ---\n" + Files.readString(serverLog);
            }
            throw new IOException(String.join(" ", full) + " failed (exit " + process.exitValue() + "):\n" + tail);
        }
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private String createDatabase() {
        String name = "erp_" + DATABASES.incrementAndGet();
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name + " ENCODING 'UTF8'");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + " on " + jdbcUrl("postgres"), e);
        }
        return jdbcUrl(name);
    }
}
