package dev.graft.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code graft}: run and prepare Wasm plugins from a shell, under the same policies as the engine. */
@Command(name = "graft", mixinStandardHelpOptions = true, version = "graft 0.1.0",
        description = "Runs WebAssembly plugins (Extism ABI) in Graft's sandbox.",
        subcommands = {NewCommand.class, CallCommand.class, RunCommand.class, CheckCommand.class, SchemaCommand.class, WitCommand.class, CompileCommand.class,
            PushCommand.class, KeygenCommand.class, SignCommand.class, VerifyCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0   ok (verify: verified)",
            "  1   other error (keygen target exists, a key or signature cannot be written)",
            "  2   plugin refused at load (invalid module, import not granted, sha256 mismatch, load budget, not",
            "      signed by a trusted key, ...); verify: the signature does not verify",
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
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: new, call, run, check, schema, wit, compile, push, keygen, sign or verify");
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
        try {
            return cli.execute(args);
        } catch (VirtualMachineError e) {
            // The load budget keeps plugins from exhausting the JVM; should anything still do it, say so in
            // one line rather than a stack trace.
            err.println("graft: the JVM failed: " + e + " (GRAFT_JAVA_OPTS=-Xmx... gives it more heap)");
            return 1;
        }
    }

    /** A usage problem found after parsing (a bad size, an option not available yet). */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
