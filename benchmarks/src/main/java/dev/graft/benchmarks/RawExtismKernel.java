package dev.graft.benchmarks;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The least a host must do to call an Extism export on raw Chicory: the eight kernel functions the Rust
 * samples import ({@code input_length}, {@code input_load_u8/u64}, {@code alloc}, {@code store_u8/u64},
 * {@code output_set}, {@code error_set}) over a Java byte array with a bump allocator, no limits, no
 * fuel, no timeout, one instance, one thread. The "raw Chicory" variant of the pricing benchmarks
 * calls the plugin through this, so the gap to Graft's typed call is Graft's own layer (policy checks,
 * pool, watchdog, fuel meter, bounded kernel memory, the proxy).
 */
final class RawExtismKernel {

    private byte[] input = new byte[0];
    private byte[] memory = new byte[4096];
    private int top = 1; // offset 0 is Extism's "no block"
    private long outputOffset;
    private long outputLength;
    private long errorOffset;
    private final ExportFunction export;

    RawExtismKernel(byte[] wasm, String exportName) {
        WasmModule module = Parser.parse(wasm);
        Instance instance = Instance.builder(module).withImportValues(imports(module))
                .withMachineFactory(MachineFactoryCompiler.compile(module)).build();
        this.export = instance.export(exportName);
    }

    /** Calls the export with {@code in} as the Extism input and returns its output bytes. */
    byte[] call(byte[] in) {
        input = in;
        top = 1;
        outputOffset = 0;
        outputLength = 0;
        errorOffset = 0;
        long rc = export.apply()[0];
        if (rc != 0 || errorOffset != 0) {
            throw new IllegalStateException("plugin failed with " + rc);
        }
        return Arrays.copyOfRange(memory, (int) outputOffset, (int) (outputOffset + outputLength));
    }

    private long alloc(long n) {
        int at = top;
        int end = Math.addExact(at, (int) n);
        if (end > memory.length) {
            memory = Arrays.copyOf(memory, Math.max(end, memory.length * 2));
        }
        top = (end + 7) & ~7;
        return at;
    }

    private ImportValues imports(WasmModule module) {
        List<ImportFunction> functions = new ArrayList<>();
        for (int i = 0; i < module.importSection().importCount(); i++) {
            var imp = module.importSection().getImport(i);
            if (imp.importType() != ExternalType.FUNCTION) {
                throw new IllegalArgumentException("unexpected import " + imp.name());
            }
            var type = module.typeSection().getType(((FunctionImport) imp).typeIndex());
            com.dylibso.chicory.runtime.WasmFunctionHandle handle = switch (imp.name()) {
                case "input_length" -> (inst, args) -> new long[] {input.length};
                case "input_load_u8" -> (inst, args) -> new long[] {input[(int) args[0]] & 0xff};
                case "input_load_u64" -> (inst, args) -> new long[] {word(input, (int) args[0])};
                case "alloc" -> (inst, args) -> new long[] {alloc(args[0])};
                case "store_u8" -> (inst, args) -> {
                    memory[(int) args[0]] = (byte) args[1];
                    return null;
                };
                case "store_u64" -> (inst, args) -> {
                    long v = args[1];
                    int at = (int) args[0];
                    for (int b = 0; b < 8; b++) {
                        memory[at + b] = (byte) (v >>> (8 * b));
                    }
                    return null;
                };
                case "output_set" -> (inst, args) -> {
                    outputOffset = args[0];
                    outputLength = args[1];
                    return null;
                };
                case "error_set" -> (inst, args) -> {
                    errorOffset = args[0];
                    return null;
                };
                default -> throw new IllegalArgumentException("kernel function not provided: " + imp.name());
            };
            functions.add(new HostFunction(imp.module(), imp.name(), type, handle));
        }
        return ImportValues.builder().withFunctions(functions).build();
    }

    private static long word(byte[] bytes, int at) {
        long v = 0;
        for (int b = 7; b >= 0; b--) {
            v = (v << 8) | (bytes[at + b] & 0xffL);
        }
        return v;
    }
}
