package dev.graft.cli;

import dev.graft.host.binding.ExtensionContract;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds an {@code @ExtensionPoint} interface by name on a user-given class path, for {@code check} and {@code schema}. */
final class ContractClasses {

    private ContractClasses() {
    }

    /**
     * Loads the class from {@code classpath} (entries separated by the platform's path separator: jars or
     * class folders), falling back to graft's own class path, and reads its contract.
     *
     * @throws GraftCommand.UsageException when the class is missing or not an extension point
     */
    static ExtensionContract load(String className, String classpath) {
        List<URL> urls = new ArrayList<>();
        if (classpath != null) {
            for (String entry : classpath.split(File.pathSeparator)) {
                if (entry.isBlank()) {
                    continue;
                }
                Path path = Path.of(entry);
                if (!Files.exists(path)) {
                    throw new GraftCommand.UsageException("--classpath entry " + entry + " does not exist");
                }
                try {
                    urls.add(path.toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new GraftCommand.UsageException("--classpath entry " + entry + ": " + e.getMessage());
                }
            }
        }
        // Parent first: the contract's annotations (@ExtensionPoint, @OptionalField, Jackson's) must be graft's own classes.
        ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ContractClasses.class.getClassLoader());
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new GraftCommand.UsageException("contract class " + className + " not found"
                    + (classpath == null ? " (give --classpath with the jar or classes folder that has it)"
                            : " on --classpath " + classpath) + ": " + e);
        }
        try {
            return ExtensionContract.of(type);
        } catch (IllegalArgumentException e) {
            throw new GraftCommand.UsageException(e.getMessage());
        }
    }
}
