package dev.graft.host.engine;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.api.policy.ExecutionMode;
import java.util.function.Function;

/**
 * A parsed and (in compiled mode) compiled module: immutable and shared by every plugin and instance
 * with the same bytes. Chicory's machine factory only accepts the module object it compiled, so the
 * two travel together.
 *
 * @param sha256 hex digest of the module bytes as loaded (before any rewriting)
 * @param module the parsed module
 * @param machineFactory compiled code, or {@code null} in interpreted mode
 * @param mode how it runs
 */
public record CompiledModule(String sha256, WasmModule module, Function<Instance, Machine> machineFactory, ExecutionMode mode) {
}
