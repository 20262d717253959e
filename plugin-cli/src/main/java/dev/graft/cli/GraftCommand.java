package dev.graft.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code graft}: run and prepare Wasm plugins from a shell, under the same policies as the engine. */
@Command(name = "graft", mixinStandardHelpOptions = true, version = "graft 0.1.0",
        description = "Runs WebAssembly plugins (Extism ABI) in Graft's sandbox.",
        subcommands = {CallCommand.class, RunCommand.class, CheckCommand.class, SchemaCommand.class, CompileCommand.class, PushCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0   ok",
            "  2   plugin refused at load (invalid module, import not granted, sha256 mismatch, ...)",
            "  3   plugin error or trap",
            "  4   fuel exhausted",
            "  5   timeout",
            "  6   memory limit",
            "  7   capability denied",
            "  8   payload too large",
            "  9   output does not match the contract (graft check)",
            "  64  usage error"})
public final class GraftCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: call, run, check, schema, compile or push");
    }

    /** Entry point; exits with the documented code. */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code (for tests). */
    static int run(String[] args, PrintWriter err) {
        CommandLine cli = new CommandLine(new GraftCommand());
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("graft: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("graft: " + ex.getMessage());
            return ex instanceof UsageException ? ExitCodes.USAGE : 1;
        });
        return cli.execute(args);
    }

    /** A usage problem found after parsing (a bad size, an option not available yet). */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
