package dev.graft.cli;

import dev.graft.api.PluginCodecException;
import dev.graft.api.PluginException;
import dev.graft.host.binding.ExtensionContract;
import dev.graft.host.binding.ExtensionProxy;
import dev.graft.host.binding.JacksonPayloadCodec;
import dev.graft.host.component.JavaBinding;
import dev.graft.host.engine.CallResult;
import dev.graft.host.engine.CallStats;
import dev.graft.host.engine.Plugin;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code graft check}: does a module fulfil a Java extension point? It loads the module with the
 * contract (so each export must exist and be an Extism function, as at application startup) and, given
 * an input, calls the export and decodes the output exactly as the host's typed proxy would. A WebAssembly
 * component's exports must have the WIT types of the contract's methods; its call goes through the typed
 * interface, and its answer is printed as the codec's JSON.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Checks a plugin against a Java @ExtensionPoint interface: each export exists with the "
                + "Extism shape (for a WebAssembly component: the contract's WIT type) and, given an input, the output "
                + "decodes strictly as the interface's return type (a component's answer is printed as JSON).",
            "Exit 0 ok, 2 refused at load (missing export, wrong shape, sha256), 3 plugin error, "
                + "9 output does not match the contract, 64 usage (unknown class, input not of the argument type)."})
final class CheckCommand implements Callable<Integer> {

    private static final JacksonPayloadCodec CODEC = new JacksonPayloadCodec();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The .wasm file, an http(s) URL or oci://host/repository:tag.")
    String module;

    @Option(names = "--contract", required = true, paramLabel = "CLASS",
            description = "The @ExtensionPoint interface, e.g. dev.graft.samples.contracts.PricingRule.")
    String contractClass;

    @Option(names = "--classpath", paramLabel = "PATHS",
            description = "Jars or class folders with the contract and its records, separated by '${sys:path.separator}'.")
    String classpath;

    @Option(names = "--export", paramLabel = "NAME",
            description = "Which export the input is for (needed only when the contract has several).")
    String exportName;

    @Mixin
    PluginOptions options;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ExtensionContract contract = ContractClasses.load(contractClass, classpath);
        try (Plugin plugin = options.load(module, s -> s.extensionPoint(contract.type()))) {
            for (Method method : contractMethods(contract)) {
                err.println(plugin.isComponent()
                        ? "ok: component export '" + JavaBinding.witName(contract.exportOf(method)) + "' for " + signature(method)
                        : "ok: export '" + contract.exportOf(method) + "' for " + signature(method));
            }
            if (options.input == null) {
                err.println("graft: " + plugin.id() + " (sha256 " + plugin.sha256() + ") fulfils "
                        + contract.type().getName() + " (extension point '" + contract.id() + "', version "
                        + contract.version() + "); give --input or --input-file to check an output too");
                return ExitCodes.OK;
            }
            Method method = methodForInput(contract);
            String export = contract.exportOf(method);
            if (plugin.isComponent()) {
                return checkComponent(plugin, contract, method, err);
            }
            byte[] input = hostEncodedInput(method, options.inputBytes());
            CallResult result = plugin.call(export, input);
            Object decoded = ExtensionProxy.decodeOutput(CODEC, plugin.id(), export, method.getGenericReturnType(),
                    result.output());
            PrintStream out = System.out;
            out.write(result.output(), 0, result.output().length);
            out.flush();
            options.printStats(err, plugin, result.stats());
            err.println("ok: the output of '" + export + "' decodes as " + method.getGenericReturnType().getTypeName()
                    + (decoded instanceof List<?> list ? " (" + list.size() + (list.size() == 1 ? " element)" : " elements)") : ""));
            return ExitCodes.OK;
        } catch (PluginCodecException e) {
            err.println("graft: " + e.getMessage());
            return ExitCodes.OUTPUT_MISMATCH;
        } catch (PluginException e) {
            err.println("graft: " + e.getMessage());
            return ExitCodes.of(e);
        }
    }

    /**
     * A component takes typed values: the input is read as the method's argument, passed through the typed
     * interface (the canonical ABI, no JSON), and the answer is printed in the codec's JSON.
     */
    private int checkComponent(Plugin plugin, ExtensionContract contract, Method method, PrintWriter err) {
        Object argument = method.getParameterCount() == 0 ? null : inputValue(method, options.inputBytes());
        Object extension = plugin.extension(contract.type());
        Object answer;
        try {
            answer = method.invoke(extension, method.getParameterCount() == 0 ? new Object[0] : new Object[] {argument});
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        String name = JavaBinding.witName(contract.exportOf(method));
        byte[] json;
        try {
            json = CODEC.encode(answer);
        } catch (Exception e) {
            throw new PluginCodecException(plugin.id(), "the answer of '" + name + "' does not encode as JSON: "
                    + e.getMessage(), e);
        }
        PrintStream out = System.out;
        out.write(json, 0, json.length);
        out.flush();
        CallStats.lastOnThisThread().ifPresent(stats -> options.printStats(err, plugin, stats));
        err.println("ok: the answer of component export '" + name + "' lifts as " + method.getGenericReturnType().getTypeName()
                + (answer instanceof List<?> list ? " (" + list.size() + (list.size() == 1 ? " element)" : " elements)") : ""));
        return ExitCodes.OK;
    }

    private static List<Method> contractMethods(ExtensionContract contract) {
        return java.util.Arrays.stream(contract.type().getMethods()).filter(m -> contract.exportOf(m) != null)
                .sorted(java.util.Comparator.comparing(Method::getName)).toList();
    }

    private Method methodForInput(ExtensionContract contract) {
        List<Method> methods = contractMethods(contract);
        if (exportName != null) {
            return methods.stream().filter(m -> contract.exportOf(m).equals(exportName)).findFirst()
                    .orElseThrow(() -> new GraftCommand.UsageException("--export " + exportName + ": the contract's exports are "
                            + contract.exports()));
        }
        if (methods.size() != 1) {
            throw new GraftCommand.UsageException("the contract has exports " + contract.exports()
                    + "; say which one the input is for with --export");
        }
        return methods.get(0);
    }

    /**
     * The input as the host would send it: read as the method's argument type (strictly, so a typo in the
     * sample input is found here, not blamed on the plugin) and written back by the host's codec.
     */
    private static byte[] hostEncodedInput(Method method, byte[] raw) {
        if (method.getParameterCount() == 0) {
            return new byte[0];
        }
        Type type = method.getGenericParameterTypes()[0];
        if (type == byte[].class) {
            return raw;
        }
        try {
            return CODEC.encode(inputValue(method, raw));
        } catch (GraftCommand.UsageException e) {
            throw e;
        } catch (Exception e) {
            throw new GraftCommand.UsageException("cannot encode the input as the host would: " + e.getMessage());
        }
    }

    /** The input read strictly as the method's argument type; a usage error naming the path when it is not one. */
    private static Object inputValue(Method method, byte[] raw) {
        Type type = method.getGenericParameterTypes()[0];
        if (type == byte[].class) {
            return raw;
        }
        try {
            return ExtensionProxy.decodeOutput(CODEC, "input", "input", type, raw);
        } catch (PluginCodecException e) {
            String message = e.getMessage();
            int at = e.jsonPath() == null ? -1 : message.indexOf(" at " + e.jsonPath() + ": ");
            throw new GraftCommand.UsageException("the input is not a valid " + type.getTypeName()
                    + (at < 0 ? ": " + message : message.substring(at)));
        } catch (Exception e) {
            throw new GraftCommand.UsageException("cannot read the input as " + type.getTypeName() + ": " + e.getMessage());
        }
    }

    static String signature(Method m) {
        StringBuilder s = new StringBuilder(m.getGenericReturnType().getTypeName()).append(' ')
                .append(m.getDeclaringClass().getSimpleName()).append('.').append(m.getName()).append('(');
        if (m.getParameterCount() == 1) {
            s.append(m.getGenericParameterTypes()[0].getTypeName());
        }
        return s.append(')').toString().replaceAll("\\b[a-z][a-z0-9_]*\\.", "");
    }
}
