package dev.graft.boot.plugins;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Resolves the host side of a {@code capabilities.files} grant to a host path the engine can snapshot
 * at load: {@code file:…} or a bare path as is, {@code classpath:folder} (or a single classpath file)
 * copied once into a temporary folder, because a classpath folder inside a jar has no host path. The
 * engine then copies the grant into each instance's in-memory file system; nothing is exposed live.
 * Temporary copies are deleted when the JVM exits.
 */
public final class FileGrants {

    private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();
    private static volatile boolean hookInstalled;

    private final ClassLoader classLoader;

    public FileGrants(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    /**
     * The host path of one grant's source.
     *
     * @throws IllegalArgumentException naming what is wrong (no such file, empty classpath folder)
     */
    public Path resolve(String source) {
        String trimmed = source.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.startsWith("classpath:")) {
            String folder = trimmed.substring("classpath:".length());
            while (folder.startsWith("/")) {
                folder = folder.substring(1);
            }
            while (folder.endsWith("/")) {
                folder = folder.substring(0, folder.length() - 1);
            }
            String key = System.identityHashCode(classLoader) + ":" + folder;
            String name = folder;
            return COPIES.computeIfAbsent(key, k -> copyClasspath(name));
        }
        Path path;
        if (lower.startsWith("file:")) {
            String rest = trimmed.substring("file:".length());
            path = rest.startsWith("//") ? Path.of(URI.create(trimmed)) : Path.of(rest);
        } else {
            path = Path.of(trimmed);
        }
        if (!Files.isDirectory(path) && !Files.isRegularFile(path)) {
            throw new IllegalArgumentException("'" + path.toAbsolutePath() + "' is not a folder or file");
        }
        return path;
    }

    private Path copyClasspath(String folder) {
        try {
            PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver(classLoader);
            Path target = Files.createTempDirectory("graft-files-");
            deleteOnExit(target);
            if (!folder.isEmpty()) {
                Resource single = resolver.getResource("classpath:" + folder);
                if (single.exists() && single.isReadable() && !single.getURL().toString().endsWith("/")
                        && isFile(single)) {
                    String fileName = folder.substring(folder.lastIndexOf('/') + 1);
                    try (InputStream in = single.getInputStream()) {
                        Files.copy(in, target.resolve(fileName));
                    }
                    return target.resolve(fileName);
                }
            }
            Resource root = resolver.getResource("classpath:" + (folder.isEmpty() ? "" : folder + "/"));
            if (!root.exists()) {
                throw new IllegalArgumentException("no classpath folder '" + folder + "'");
            }
            String rootUrl = root.getURL().toString();
            if (!rootUrl.endsWith("/")) {
                rootUrl += "/";
            }
            int copied = 0;
            for (Resource resource : resolver.getResources("classpath:" + (folder.isEmpty() ? "" : folder + "/") + "**")) {
                String url = resource.getURL().toString();
                if (!url.startsWith(rootUrl) || url.endsWith("/") || !resource.isReadable() || !isFile(resource)) {
                    continue;
                }
                String relative = url.substring(rootUrl.length());
                Path file = target.resolve(java.net.URLDecoder.decode(relative.replace("+", "%2B"),
                        java.nio.charset.StandardCharsets.UTF_8)).normalize();
                if (!file.startsWith(target)) {
                    continue;
                }
                Files.createDirectories(file.getParent());
                try (InputStream in = resource.getInputStream()) {
                    Files.copy(in, file);
                }
                copied++;
            }
            if (copied == 0) {
                throw new IllegalArgumentException("classpath folder '" + folder + "' holds no files");
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("copying classpath folder '" + folder + "': " + e.getMessage(), e);
        }
    }

    /** A directory inside a jar is readable but has no content; a file: directory is not a file. */
    private static boolean isFile(Resource resource) {
        try {
            if ("file".equals(resource.getURL().getProtocol())) {
                return Files.isRegularFile(resource.getFile().toPath());
            }
            return resource.contentLength() >= 0 && !resource.getURL().toString().endsWith("/");
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteOnExit(Path folder) {
        if (!hookInstalled) {
            synchronized (FileGrants.class) {
                if (!hookInstalled) {
                    Runtime.getRuntime().addShutdownHook(new Thread(FileGrants::deleteCopies, "graft-file-grants-cleanup"));
                    hookInstalled = true;
                }
            }
        }
    }

    private static void deleteCopies() {
        for (Path copy : COPIES.values()) {
            Path root = copy.getParent() != null && copy.getParent().getFileName().toString().startsWith("graft-files-")
                    ? copy.getParent() : copy;
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException ignored) {
                // best effort at exit
            }
        }
    }
}
