package dev.graft.host.engine;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.Capabilities;
import dev.graft.host.abi.ExtismKernel;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.metering.FuelMeter;
import dev.graft.host.metering.FuelMetering;
import dev.graft.host.policy.WasiSandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides at load which imports a module may have (deny by default) and links exactly those for each
 * new instance. A module importing anything its policy does not grant never gets an instance.
 */
final class ImportLinker {

    private final boolean wasi;
    private final List<String> userFunctions;

    private ImportLinker(boolean wasi, List<String> userFunctions) {
        this.wasi = wasi;
        this.userFunctions = userFunctions;
    }

    /** Checks every import of the module against the grants; refuses the plugin on the first that fails. */
    static ImportLinker check(String pluginId, WasmModule module, Capabilities grants,
            Map<String, HostFunctionBinding> offered) {
        boolean usesWasi = false;
        List<String> user = new ArrayList<>();
        int count = module.importSection().importCount();
        for (int i = 0; i < count; i++) {
            Import imp = module.importSection().getImport(i);
            String what = "import '" + imp.module() + "." + imp.name() + "'";
            if (imp.importType() != ExternalType.FUNCTION) {
                throw new PluginLoadException(pluginId, what + " is a " + imp.importType().name().toLowerCase()
                        + "; only function imports are provided");
            }
            FunctionType type = module.typeSection().getType(((FunctionImport) imp).typeIndex());
            switch (imp.module()) {
                case ExtismKernel.ENV_MODULE -> {
                    FunctionType expected = ExtismKernel.ENV_FUNCTIONS.get(imp.name());
                    if (expected == null) {
                        throw new PluginLoadException(pluginId, what + " is not an Extism kernel function");
                    }
                    requireType(pluginId, what, type, expected);
                }
                case ExtismKernel.USER_MODULE -> {
                    if (!grants.hostFunctions().contains(imp.name())) {
                        throw new PluginLoadException(pluginId, what + " needs host function capability '"
                                + imp.name() + "', which the policy does not grant");
                    }
                    if (!offered.containsKey(imp.name())) {
                        throw new PluginLoadException(pluginId, what + ": host function '" + imp.name()
                                + "' is granted but the host offers no implementation");
                    }
                    requireType(pluginId, what, type, ExtismKernel.USER_FUNCTION_TYPE);
                    user.add(imp.name());
                }
                case WasiSandbox.MODULE -> {
                    if (!grants.wasi()) {
                        throw new PluginLoadException(pluginId, what + " needs capability 'wasi', which the policy does not grant");
                    }
                    usesWasi = true;
                }
                default -> throw new PluginLoadException(pluginId, what + " is not provided by the host");
            }
        }
        return new ImportLinker(usesWasi, List.copyOf(user));
    }

    private static void requireType(String pluginId, String what, FunctionType actual, FunctionType expected) {
        if (!actual.equals(expected)) {
            throw new PluginLoadException(pluginId, what + " has type " + actual + " but the host provides " + expected);
        }
    }

    boolean usesWasi() {
        return wasi;
    }

    /**
     * The import values of one instance; with a meter, every host function first charges the fixed
     * cost of a host call, so that a loop of host calls cannot run on unmetered time.
     */
    ImportValues link(ExtismKernel kernel, WasiSandbox.Session wasiSession, FuelMeter meter) {
        List<HostFunction> functions = new ArrayList<>(kernel.envFunctions());
        for (String name : userFunctions) {
            functions.add(kernel.userFunction(name));
        }
        if (wasiSession != null) {
            functions.addAll(wasiSession.functions());
        }
        List<ImportFunction> linked = new ArrayList<>(functions.size());
        for (HostFunction f : functions) {
            boolean chargedInWasm = ExtismKernel.FIXED_COST_FUNCTIONS.contains(new FuelMetering.Import(f.module(), f.name()));
            linked.add(meter == null || chargedInWasm ? f : metered(f, meter));
        }
        return ImportValues.builder().withFunctions(linked).build();
    }

    private static HostFunction metered(HostFunction f, FuelMeter meter) {
        String name = f.name();
        WasmFunctionHandle handle = f.handle();
        return new HostFunction(f.module(), name, f.functionType(), (instance, args) -> {
            meter.chargeHostCall(name, 0);
            return handle.apply(instance, args);
        });
    }
}
