package dev.graft.cli;

import dev.graft.cli.scaffold.ContractModel;
import dev.graft.cli.scaffold.Scaffold;
import dev.graft.cli.scaffold.Scaffold.Coordinates;
import dev.graft.cli.scaffold.Scaffold.Language;
import dev.graft.host.binding.ExtensionContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code graft new}: writes a standalone plugin project for an extension point (sources, vendored helpers,
 * a reproducible build.sh, a sample input and a Maven test project on {@code dev.graft:plugin-test}).
 */
@Command(name = "new", mixinStandardHelpOptions = true,
        description = {"Writes a new plugin project for a Java @ExtensionPoint interface in DIR: one export per @Export method, "
                + "the contract's records as the language's types, vendored helpers, build.sh (writes <name>.wasm "
                + "reproducibly), sample-input.json and a Maven test project using dev.graft:plugin-test.",
            "Toolchains (Debian 12 + npm, as sample-plugins/setup.sh installs them): rust = /usr/bin/rustc 1.63 with "
                + "libstd-rust-dev-wasm32; c = clang-14, lld-14, wasi-libc; assemblyscript = Node 20 and npm."})
final class NewCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The project folder to create (absent or empty).")
    Path dir;

    @Option(names = "--lang", required = true, paramLabel = "LANG", description = "rust, assemblyscript or c (Extism plugins), or javascript (a WebAssembly component built with componentize-js, docs/components.md).")
    String lang;

    @Option(names = "--contract", required = true, paramLabel = "CLASS",
            description = "The @ExtensionPoint interface, e.g. dev.graft.samples.contracts.PricingRule.")
    String contractClass;

    @Option(names = "--classpath", paramLabel = "PATHS",
            description = "Jars or class folders with the contract and its records, separated by '${sys:path.separator}'.")
    String classpath;

    @Option(names = "--name", paramLabel = "NAME", description = "The plugin's name and file name (default: DIR's name).")
    String name;

    @Option(names = "--contract-artifact", paramLabel = "GROUP:ARTIFACT:VERSION",
            description = "The contract's Maven coordinates for the test project (default: read from the jar's or the "
                    + "classes folder's Maven metadata).")
    String contractArtifact;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        if (lang.equalsIgnoreCase("javascript") || lang.equalsIgnoreCase("js")) {
            return javascriptComponent(err);
        }
        Language language = Arrays.stream(Language.values()).filter(l -> l.id().equalsIgnoreCase(lang)
                || (l == Language.ASSEMBLYSCRIPT && lang.equalsIgnoreCase("as"))).findFirst()
                .orElseThrow(() -> new GraftCommand.UsageException("--lang " + lang + ": one of rust, assemblyscript, c, javascript"));
        String pluginName = name != null ? name : dir.toAbsolutePath().normalize().getFileName().toString();
        if (!pluginName.matches("[a-z][a-z0-9-]*")) {
            throw new GraftCommand.UsageException("plugin name '" + pluginName + "': lower-case letters, digits and '-', "
                    + "starting with a letter (give --name)");
        }
        if (Files.exists(dir) && (!Files.isDirectory(dir) || Files.list(dir).findAny().isPresent())) {
            throw new GraftCommand.UsageException(dir + " exists and is not an empty folder");
        }
        ExtensionContract contract = ContractClasses.load(contractClass, classpath);
        ContractModel model;
        try {
            model = ContractModel.of(contract);
        } catch (IllegalArgumentException e) {
            throw new GraftCommand.UsageException(e.getMessage());
        }
        Properties versions = versions();
        Coordinates artifact = contractArtifact != null ? coordinates(contractArtifact) : detectArtifact(contract.type());
        Map<String, String> toolVersions = new HashMap<>();
        versions.stringPropertyNames().forEach(k -> toolVersions.put(k, versions.getProperty(k)));
        Scaffold scaffold = Scaffold.of(language,
                new Scaffold.Inputs(model, pluginName, artifact, versions.getProperty("graft"), toolVersions));

        Files.createDirectories(dir);
        for (Map.Entry<String, String> file : scaffold.files().entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
            if (scaffold.executables().contains(file.getKey())) {
                try {
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
                } catch (UnsupportedOperationException e) {
                    path.toFile().setExecutable(true);
                }
            }
        }
        err.println("graft: wrote " + scaffold.files().size() + " files to " + dir + " (" + language + " plugin '" + pluginName
                + "' for " + contract.type().getName() + ", exports " + contract.exports() + "; test project on " + artifact + ")");
        err.println("next: (cd " + dir + " && ./build.sh && cd test && mvn -q test); your logic goes in the TODOs of "
                + scaffold.ruleFile());
        return ExitCodes.OK;
    }

    /** {@code --lang javascript}: a componentize-js component project from the contract's WIT world. */
    private int javascriptComponent(PrintWriter err) throws IOException {
        ExtensionContract contract = ContractClasses.load(contractClass, classpath);
        List<Path> written;
        try {
            written = JavaScriptComponentScaffold.write(dir, contract);
        } catch (IllegalArgumentException | WitWorld.UnsupportedTypeException e) {
            throw new GraftCommand.UsageException(e.getMessage());
        }
        err.println("graft: wrote " + written.size() + " files to " + dir + " (JavaScript component for "
                + contract.type().getName() + ", exports " + contract.exports() + ")");
        err.println("next: (cd " + dir + " && npm install && npm run build); see its README.md");
        return ExitCodes.OK;
    }

    private static Properties versions() throws IOException {
        Properties p = new Properties();
        try (InputStream s = NewCommand.class.getResourceAsStream("/dev/graft/cli/scaffold/versions.properties")) {
            p.load(s);
        }
        return p;
    }

    private static Coordinates coordinates(String gav) {
        String[] parts = gav.split(":");
        if (parts.length != 3 || Arrays.stream(parts).anyMatch(String::isBlank)) {
            throw new GraftCommand.UsageException("--contract-artifact " + gav + ": want GROUP:ARTIFACT:VERSION");
        }
        return new Coordinates(parts[0], parts[1], parts[2]);
    }

    /**
     * The Maven coordinates of the jar or classes folder the contract was loaded from: a jar's
     * {@code META-INF/maven/.../pom.properties}, or for {@code <module>/target/classes} the module's
     * {@code pom.xml} (group and version inherited from its parent where absent).
     */
    private static Coordinates detectArtifact(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        Path location = null;
        try {
            location = source == null ? null : Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a file: fall through to the usage message
        }
        Coordinates found = null;
        if (location != null && Files.isRegularFile(location)) {
            found = fromJar(location);
        } else if (location != null && Files.isDirectory(location)) {
            Path pom = location.getParent() == null || location.getParent().getParent() == null ? null
                    : location.getParent().getParent().resolve("pom.xml");
            if (pom != null && Files.isRegularFile(pom)) {
                found = fromPom(pom);
            }
        }
        if (found == null) {
            throw new GraftCommand.UsageException("cannot tell the Maven coordinates of " + type.getName() + " (loaded from "
                    + location + "); give --contract-artifact GROUP:ARTIFACT:VERSION for the test project");
        }
        return found;
    }

    private static Coordinates fromJar(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            for (ZipEntry entry : java.util.Collections.list(file.entries())) {
                if (entry.getName().startsWith("META-INF/maven/") && entry.getName().endsWith("/pom.properties")) {
                    Properties p = new Properties();
                    try (InputStream s = file.getInputStream(entry)) {
                        p.load(s);
                    }
                    return new Coordinates(p.getProperty("groupId"), p.getProperty("artifactId"), p.getProperty("version"));
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static Coordinates fromPom(Path pom) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = factory.newDocumentBuilder().parse(pom.toFile());
            Element project = doc.getDocumentElement();
            Element parent = child(project, "parent");
            String group = text(project, "groupId", parent);
            String artifact = text(project, "artifactId", null);
            String version = text(project, "version", parent);
            return group == null || artifact == null || version == null || version.contains("${") ? null
                    : new Coordinates(group, artifact, version);
        } catch (Exception e) {
            return null;
        }
    }

    private static Element child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static String text(Element e, String name, Element fallback) {
        Element c = child(e, name);
        if (c == null && fallback != null) {
            c = child(fallback, name);
        }
        return c == null ? null : c.getTextContent().trim();
    }
}
