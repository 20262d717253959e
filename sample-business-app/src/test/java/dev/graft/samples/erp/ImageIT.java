package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image as a container runtime would get it, with no runtime and no daemon: Jib pushed it to a
 * loopback docker-registry in {@code pre-integration-test} (pom.xml, profile {@code image}); this test pulls the
 * manifest, the config and every layer back over the registry's HTTP API, checks each digest, unpacks the layers
 * in order into a folder, and runs the image's entrypoint there, confined to that folder as its root
 * ({@code unshare --root}: the image's own dynamic loader, glibc and jlink'd JRE, nothing of this machine's) as the
 * image's numeric user, with only the image's environment, in the image's working directory, on a read-only root
 * but for the folders the app writes to. As root (CI) the mounts live in a private mount namespace; otherwise in a
 * user namespace, as that namespace's root.
 */
class ImageIT {

    static final Duration START = Duration.ofSeconds(120);
    /** The folders the app may write to: the H2 file, the OCI plugin cache, java.io.tmpdir. */
    static final List<String> WRITABLE = List.of("app/data", "var/cache/graft", "tmp");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir static Path work;
    static Path root;
    static String config;
    static String manifest;
    static final List<long[]> LAYER_SIZES = new ArrayList<>();

    /** Why the tests cannot run here, or null (each test is then reported as skipped with it). */
    static String skipped;

    /** Pulls the image Jib pushed (its reference and digest from Jib's target/jib-image.json) and unpacks it. */
    @BeforeAll
    static void pull() throws Exception {
        String jibImage = System.getProperty("graft.image.built");
        if (jibImage == null) {
            skipped = "Image tests skipped: profile 'image' is not active (it is where /usr/bin/docker-registry is "
                    + "installed; .ci/run installs docker-registry)";
        } else if ("offline=true".equals(System.getProperty("graft.image.offline"))) {
            skipped = "Image tests skipped: Maven runs offline (-o), and Jib does not push in offline mode";
        } else if (!Files.isExecutable(Path.of("/usr/bin/unshare"))) {
            skipped = "Image tests skipped: no /usr/bin/unshare (util-linux)";
        } else if (new ProcessBuilder(isRoot() ? List.of("/usr/bin/unshare", "--mount", "true")
                : List.of("/usr/bin/unshare", "--user", "--map-root-user", "--mount", "true")).start().waitFor() != 0) {
            skipped = "Image tests skipped: this machine does not allow a private mount namespace (unshare --mount)";
        }
        if (skipped != null) {
            return;
        }
        String built = Files.readString(Path.of(jibImage));
        String image = JsonPath.read(built, "$.image");
        int slash = image.indexOf('/');
        int colon = image.lastIndexOf(':');
        String registry = image.substring(0, slash);
        String repository = image.substring(slash + 1, colon);
        String tag = image.substring(colon + 1);
        String api = "http://" + registry + "/v2/" + repository;

        byte[] manifestBytes = get(api + "/manifests/" + tag,
                "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json");
        manifest = new String(manifestBytes, StandardCharsets.UTF_8);
        assertThat("sha256:" + sha256(manifestBytes)).as("the manifest's digest, as Jib reported it")
                .isEqualTo(JsonPath.read(built, "$.imageDigest"));
        assertThat(JsonPath.<String>read(manifest, "$.mediaType")).isEqualTo("application/vnd.oci.image.manifest.v1+json");

        String configDigest = JsonPath.read(manifest, "$.config.digest");
        byte[] configBytes = get(api + "/blobs/" + configDigest, "*/*");
        assertThat("sha256:" + sha256(configBytes)).isEqualTo(configDigest);
        config = new String(configBytes, StandardCharsets.UTF_8);

        List<Map<String, Object>> layers = JsonPath.read(manifest, "$.layers");
        List<String> diffIds = JsonPath.read(config, "$.rootfs.diff_ids");
        assertThat(layers).hasSameSizeAs(diffIds);
        root = Files.createDirectories(work.resolve("root"));
        for (int i = 0; i < layers.size(); i++) {
            String digest = (String) layers.get(i).get("digest");
            assertThat((String) layers.get(i).get("mediaType")).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
            Path blob = work.resolve("layer-" + i + ".tar.gz");
            Files.write(blob, get(api + "/blobs/" + digest, "*/*"));
            assertThat(Files.size(blob)).as(digest).isEqualTo(((Number) layers.get(i).get("size")).longValue());
            assertThat("sha256:" + sha256(blob)).as("layer %d as pulled", i).isEqualTo(digest);
            // The config names each layer by the digest of its uncompressed tar: what a runtime checks after unpacking.
            MessageDigest uncompressed = MessageDigest.getInstance("SHA-256");
            long tarSize;
            try (InputStream in = new DigestInputStream(new GZIPInputStream(Files.newInputStream(blob)), uncompressed)) {
                tarSize = in.transferTo(OutputStream.nullOutputStream());
            }
            assertThat("sha256:" + HexFormat.of().formatHex(uncompressed.digest())).as("layer %d's diff_id", i)
                    .isEqualTo(diffIds.get(i));
            LAYER_SIZES.add(new long[] {Files.size(blob), tarSize});
            run(List.of("tar", "--numeric-owner", "-xzpf", blob.toString(), "-C", root.toString()), Duration.ofSeconds(60));
        }
        // A runtime mounts these: /proc (the loader finds the JRE's libjli.so through $ORIGIN, read from /proc/self/exe)
        // and /dev (/dev/urandom, /dev/null).
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("dev"));
        report();
    }

    @BeforeEach
    void runsHere() {
        assumeTrue(skipped == null, skipped);
    }

    @Test
    void theConfigRunsTheJlinkedJavaAsANonRootUser() throws Exception {
        assertThat(JsonPath.<String>read(config, "$.os")).isEqualTo("linux");
        assertThat(JsonPath.<String>read(config, "$.architecture")).isEqualTo("amd64");
        assertThat(JsonPath.<String>read(config, "$.config.User")).isEqualTo("10001:10001");
        assertThat(JsonPath.<List<String>>read(config, "$.config.Entrypoint")).startsWith("/opt/jre/bin/java")
                .contains("-XX:-DontCompileHugeMethods", "@/app/jib-classpath-file", "@/app/jib-main-class-file");
        assertThat(JsonPath.<String>read(config, "$.config.WorkingDir")).isEqualTo("/app");
        assertThat(JsonPath.<List<String>>read(config, "$.config.Env")).contains("LANG=C.UTF-8");
        assertThat(JsonPath.<Map<String, Object>>read(config, "$.config.ExposedPorts")).containsOnlyKeys("8080/tcp");
        assertThat(Files.readAllLines(root.resolve("etc/passwd"))).contains("graft:x:10001:10001:Graft ERP:/app:/sbin/nologin");
        assertThat(Files.readString(root.resolve("app/jib-main-class-file")).strip()).isEqualTo("dev.graft.samples.erp.ErpApplication");
    }

    @Test
    void theImageHoldsOnlyTheJreItsLibrariesAndTheApp() throws Exception {
        // No base image: no shell, no package manager, no coreutils.
        for (String absent : List.of("bin", "sbin", "usr/bin", "usr/sbin", "var/lib/dpkg", "etc/apt")) {
            assertThat(root.resolve(absent)).as(absent).doesNotExist();
        }
        try (Stream<Path> top = Files.list(root)) {
            assertThat(top.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("app", "etc", "lib", "lib64", "opt", "tmp", "usr", "var", "proc", "dev");
        }
        // jlink --no-header-files --no-man-pages, and a JRE only: no jmods, no javac, no jlink.
        Path jre = root.resolve("opt/jre");
        assertThat(jre.resolve("include")).doesNotExist();
        assertThat(jre.resolve("man")).doesNotExist();
        assertThat(jre.resolve("jmods")).doesNotExist();
        assertThat(jre.resolve("bin/javac")).doesNotExist();
        assertThat(jre.resolve("bin/jlink")).doesNotExist();
        String modules = Files.readAllLines(jre.resolve("release")).stream().filter(l -> l.startsWith("MODULES="))
                .findFirst().orElseThrow();
        assertThat(modules).contains("java.base", "java.sql", "java.management", "jdk.crypto.ec", "jdk.unsupported")
                .doesNotContain("jdk.compiler", "jdk.jlink", "jdk.jdeps", "jdk.jshell");
        // The headless server draws nothing: no AWT, font or sound natives (nor X11, freetype, ALSA for them).
        assertThat(jre.resolve("lib/libawt_xawt.so")).doesNotExist();
        assertThat(jre.resolve("lib/libfontmanager.so")).doesNotExist();
        assertThat(root.resolve("lib64/ld-linux-x86-64.so.2")).isRegularFile();
        assertThat(root.resolve("lib/x86_64-linux-gnu/libc.so.6")).isRegularFile();
        // The folders the app writes to are writable by the non-root user; everything else is root's.
        for (String writable : WRITABLE) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(writable))))
                    .as(writable).isEqualTo("rwxrwxrwx");
        }
        assertThat(Files.getAttribute(jre.resolve("bin/java"), "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(jre.resolve("bin/java")))).isEqualTo("rwxr-xr-x");
    }

    @Test
    void everyNativeLibraryFindsWhatItNeedsInsideTheImage() throws Exception {
        List<Path> elves;
        try (Stream<Path> files = Files.walk(root)) {
            elves = files.filter(Files::isRegularFile).filter(ImageIT::isElf).toList();
        }
        assertThat(elves).hasSizeGreaterThan(10);
        for (Path elf : elves) {
            String inImage = "/" + root.relativize(elf);
            if (inImage.startsWith("/lib64/ld-linux")) {
                continue;
            }
            // The image's own loader lists what it would load, as it would at run time; libjvm.so is loaded by the
            // java launcher before the others, hence its folder on the path here.
            String listing = run(confined(List.of("/lib64/ld-linux-x86-64.so.2", "--list", inImage),
                    Map.of("LD_LIBRARY_PATH", "/opt/jre/lib/server"), null), Duration.ofSeconds(30));
            assertThat(listing).as(inImage).doesNotContain("not found");
        }
    }

    @Test
    void theAppRunsFromTheLayers() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(JsonPath.<List<String>>read(config, "$.config.Entrypoint"));
        // Jib sets no Cmd when the entrypoint is given: the arguments follow the entrypoint, as "docker run IMAGE ARGS".
        @SuppressWarnings("unchecked")
        List<String> cmd = (List<String>) JsonPath.<Map<String, Object>>read(config, "$.config").get("Cmd");
        if (cmd != null) {
            command.addAll(cmd);
        }
        command.addAll(List.of("--server.address=127.0.0.1", "--server.port=" + port,
                "--spring.security.user.password=image-admin-password"));
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (String entry : JsonPath.<List<String>>read(config, "$.config.Env")) {
            env.put(entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1));
        }
        Path log = work.resolve("app.log");
        ProcessBuilder builder = new ProcessBuilder(confined(command, env, JsonPath.read(config, "$.config.WorkingDir")))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        long started = System.nanoTime();
        Process app = builder.start();
        try {
            String base = "http://127.0.0.1:" + port;
            awaitHealthy(app, base + "/actuator/health", log);
            System.out.printf("image: the app answered UP %.1f s after start%n", (System.nanoTime() - started) / 1e9);

            HttpResponse<String> page = send(base + "/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(page.body()).contains("<html");
            assertThat(send(base + "/trees.html").statusCode()).isEqualTo(200);
            // The demo quote, priced at start by the four signed rules from inside the jar: the signatures were
            // verified by SunEC (jdk.crypto.ec, which jdeps cannot see), the amounts stored in H2 under /app/data.
            String quote = send(base + "/api/quotes/1").body();
            assertThat(JsonPath.<String>read(quote, "$.total")).isEqualTo("648.02");
            // Replay keeps every served module under /app/data/modules and re-runs the recorded calls on them.
            HttpResponse<String> replay = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/quotes/1/replay"))
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
            assertThat(JsonPath.<Boolean>read(replay.body(), "$.identical")).as(replay.body()).isTrue();
            assertThat(JsonPath.<Integer>read(replay.body(), "$.calls")).isEqualTo(8);
            HttpResponse<String> tree = send(base + "/api/trees?seed=image&depth=10");
            assertThat(tree.statusCode()).isEqualTo(200);
            assertThat(tree.headers().firstValue("Content-Type").orElse("")).startsWith("image/svg+xml");

            // Who the JVM runs as, and as whom it sees itself (user.name from the image's /etc/passwd).
            if (isRoot()) {
                String status = Files.readString(Path.of("/proc", String.valueOf(app.pid()), "status"));
                assertThat(status).containsPattern("(?m)^Uid:\\s+10001\\s+10001\\s+10001\\s+10001$")
                        .containsPattern("(?m)^Gid:\\s+10001\\s+10001\\s+10001\\s+10001$");
                assertThat(Files.readString(log)).contains("started by graft in /app");
                assertThat(Files.getAttribute(root.resolve("app/data/erp.mv.db"), "unix:uid")).isEqualTo(10001);
                try (Stream<Path> kept = Files.list(root.resolve("app/data/modules/sha256"))) {
                    assertThat(kept.filter(p -> p.toString().endsWith(".wasm")))
                            .allSatisfy(p -> assertThat(Files.getAttribute(p, "unix:uid")).isEqualTo(10001))
                            .hasSizeGreaterThanOrEqualTo(4);
                }
            }
            assertThat(root.resolve("app/data/erp.mv.db")).as("the H2 file in the image's /app/data").exists();
        } finally {
            app.destroy();
            if (!app.waitFor(30, TimeUnit.SECONDS)) {
                app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("the app did not stop within 30 s of SIGTERM:\n" + Files.readString(log));
            }
        }
        assertThat(Files.readString(log)).doesNotContain("UnsatisfiedLinkError", "NoClassDefFoundError");
    }

    /**
     * The command confined to the unpacked image: a private mount namespace with /proc and /dev bound in, then
     * {@code unshare --root} (chroot) into the image, working directory and, as root, the image's user.
     */
    static List<String> confined(List<String> command, Map<String, String> env, String workingDir) throws IOException {
        List<String> line = new ArrayList<>(List.of("/usr/bin/unshare"));
        if (!isRoot()) {
            line.addAll(List.of("--user", "--map-root-user"));
        }
        // The image's root read-only but for its writable folders, as with readOnlyRootFilesystem and emptyDir
        // volumes there (deploy/k8s/deployment.yaml): a write anywhere else fails the app.
        StringBuilder mounts = new StringBuilder("mount --bind \"$0\" \"$0\"");
        for (String writable : WRITABLE) {
            mounts.append(" && mount --bind \"$0/").append(writable).append("\" \"$0/").append(writable).append('"');
        }
        mounts.append(" && mount -o remount,bind,ro \"$0\" && mount --rbind /proc \"$0/proc\" && mount --rbind /dev \"$0/dev\"");
        line.addAll(List.of("--mount", "--", "/bin/sh", "-c", mounts + " && exec \"$@\"", root.toString()));
        line.add("/usr/bin/env");
        line.add("-i");
        env.forEach((k, v) -> line.add(k + "=" + v));
        line.addAll(List.of("/usr/bin/unshare", "--root=" + root));
        if (workingDir != null) {
            line.add("--wd=" + workingDir);
        }
        if (isRoot()) {
            String[] user = JsonPath.<String>read(config, "$.config.User").split(":");
            line.addAll(List.of("--setgid=" + user[1], "--setuid=" + user[0]));
        }
        line.add("--");
        line.addAll(command);
        return line;
    }

    static boolean isRoot() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
    }

    static boolean isElf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    /** Sizes for the README: each layer compressed and unpacked, the whole image, the jlink'd JRE. */
    static void report() throws IOException {
        StringBuilder text = new StringBuilder();
        long compressed = 0;
        long unpacked = 0;
        List<String> createdBy = JsonPath.read(config, "$.history[*].comment");
        for (int i = 0; i < LAYER_SIZES.size(); i++) {
            compressed += LAYER_SIZES.get(i)[0];
            unpacked += LAYER_SIZES.get(i)[1];
            text.append("layer %d (%s): %,d bytes compressed, %,d bytes of tar%n".formatted(i,
                    i < createdBy.size() ? createdBy.get(i) : "?", LAYER_SIZES.get(i)[0], LAYER_SIZES.get(i)[1]));
        }
        text.append("image: %,d bytes compressed (what a pull downloads), %,d bytes of tar%n".formatted(compressed, unpacked));
        text.append("jlink'd JRE (/opt/jre): %,d bytes%n".formatted(treeSize(root.resolve("opt/jre"))));
        text.append("shared libraries and loader (/lib, /lib64): %,d bytes%n"
                .formatted(treeSize(root.resolve("lib")) + treeSize(root.resolve("lib64"))));
        text.append("app (/app): %,d bytes%n".formatted(treeSize(root.resolve("app"))));
        System.out.print(text);
        Files.writeString(Path.of("target/image-report.txt"), text);
    }

    static long treeSize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }
    }

    static byte[] get(String url, String accept) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", accept)
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as("GET " + url).isEqualTo(200);
        return response.body();
    }

    static HttpResponse<String> send(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Runs a command to its end and answers its output; fails on a non-zero exit. */
    static String run(List<String> command, Duration limit) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(command + " did not end within " + limit);
        }
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(command + ":\n" + text).isZero();
        return text;
    }

    void awaitHealthy(Process app, String url, Path log) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                fail("the image's entrypoint exited with " + app.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> health = send(url);
                if (health.statusCode() == 200) {
                    assertThat(JsonPath.<String>read(health.body(), "$.status")).isEqualTo("UP");
                    return;
                }
            } catch (ConnectException | HttpTimeoutException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        fail("the app in the image did not answer " + url + " within " + START.toSeconds() + " s:\n" + Files.readString(log));
    }
}
