package dev.graft.cli;

import dev.graft.host.binding.ExtensionContract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code graft wit}: the WIT world of an extension point, for authors of WebAssembly components
 * (componentize-js, wit-bindgen, {@code jco embed}). The mapping is {@link WitWorld}'s, documented in
 * docs/components.md.
 */
@Command(name = "wit", mixinStandardHelpOptions = true,
        description = "Prints the WIT world (package graft:<id>@<version>.0.0) a WebAssembly component implements "
                + "for a Java @ExtensionPoint interface. A type with no WIT equivalent exits 64 naming it and its method.")
final class WitCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CLASS", description = "The @ExtensionPoint interface.")
    String contractClass;

    @Option(names = "--classpath", paramLabel = "PATHS",
            description = "Jars or class folders with the contract and its records, separated by '${sys:path.separator}'.")
    String classpath;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the WIT to FILE instead of stdout.")
    Path output;

    @Override
    public Integer call() throws IOException {
        ExtensionContract contract = ContractClasses.load(contractClass, classpath);
        String wit;
        try {
            wit = WitWorld.of(contract);
        } catch (WitWorld.UnsupportedTypeException e) {
            throw new GraftCommand.UsageException("no WIT for " + contract.type().getName() + ": " + e.getMessage());
        }
        if (output == null) {
            System.out.print(wit);
        } else {
            Files.writeString(output, wit, StandardCharsets.UTF_8);
        }
        return ExitCodes.OK;
    }
}
