package dev.graft.host.metering;

import com.dylibso.chicory.wasm.Parser;
import dev.graft.api.policy.CostModel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Injects deterministic fuel metering into a Wasm module's bytes, before Chicory parses them.
 * Chicory has no fuel of its own and its compiled mode ignores execution listeners, so the
 * accounting has to live in the Wasm code itself.
 *
 * <h2>Contract of the rewritten module</h2>
 * <ul>
 *   <li><b>Fuel globals.</b> It gains two mutable {@code i64} globals, appended after all other
 *       globals and exported as {@value #FUEL_GLOBAL_EXPORT} and {@value #RESERVE_GLOBAL_EXPORT}.
 *       Between calls their sum is the <em>remaining</em> fuel: the host sets the fuel global to the
 *       budget and the reserve to 0 before a call, and reads both after: consumed = budget −
 *       (fuel + reserve). The fuel global's initial value is {@link CostModel#startFuel()}, the
 *       budget of the start function.</li>
 *   <li><b>Threaded functions.</b> Every defined function gets an extra last i64 parameter, the
 *       fuel its caller passes in; its declared locals move up by one index. It returns the fuel
 *       with its result where that fits ({@link FuelReturn}): a function without results returns
 *       the fuel, one with a single i32 or f32 result returns {@code (fuel << 32) | result} as an
 *       i64; any other function keeps its results and writes the fuel to the global before it
 *       returns, and its caller reloads it. A running function's counter therefore stays within
 *       0..{@link ModuleRewriter#COUNTER_LIMIT} at its checks; the rest of a larger budget waits in
 *       the reserve, and an appended refill function moves it over when the counter runs out.</li>
 *   <li><b>Wrappers.</b> Each function referenced as a value (exported, in an element segment, in
 *       a global's initializer, the start function) gets an appended wrapper with its original
 *       signature, and those references point to the wrapper: it passes the fuel global in and
 *       writes the returned fuel back. Direct calls go to the threaded function. Nothing else
 *       moves: types, functions and globals are only appended, no import is added, and data,
 *       names and other custom sections are copied byte for byte (local names after the
 *       parameters now name the local one index below).</li>
 *   <li><b>Fixed-cost imports.</b> Calls of the imports named in
 *       {@link #instrument(byte[], CostModel, Set)} cost {@link CostModel#hostCallFixed()} in the
 *       segment they are in, and the counter is checked, not written back, before each; the host
 *       must not charge them itself.</li>
 *   <li><b>What is charged.</b> Every executed instruction of the original code costs
 *       {@link CostModel#instructionCost()}, except the structural markers {@code block},
 *       {@code loop}, {@code else} and {@code end}, which cost 0. {@code memory.grow} additionally
 *       costs pages × {@link CostModel#memoryGrowPerPage()}, and {@code memory.copy},
 *       {@code memory.fill} and {@code memory.init} cost size × {@link CostModel#bulkMemoryPerByte()}
 *       (operands read as unsigned i32, charged before the operation runs, whether it then succeeds,
 *       fails or traps). Injected code is free. So after a call that returned normally, consumed
 *       fuel is exactly the number of original instructions executed (times the cost) plus the
 *       dynamic charges and the fixed charges of fixed-cost imports; it depends only on the code path, never on timing or on the execution
 *       mode (interpreted and compiled Chicory agree to the unit).</li>
 *   <li><b>When it is charged.</b> Code is cut into straight-line segments (cut after {@code loop},
 *       {@code if}, {@code else}, {@code br_if}, after the {@code end} of an {@code if} and of a
 *       {@code block} that some branch targets, and after unconditional transfers). A segment's
 *       whole cost is subtracted when control enters it, from the function's fuel parameter. So a
 *       host function called in the middle of a segment already sees that whole segment charged.
 *       Dead code (after an unconditional transfer, up to the end of its block) is never charged;
 *       it only gets what keeps it valid (the fuel argument and result of calls, renumbered
 *       locals, returns as branches).</li>
 *   <li><b>When it is checked.</b> The remaining fuel is compared with 0 at function entry
 *       (after the entry segment's charge; this bounds recursion), at every loop header (after
 *       that iteration's charge), before every call that may reach a host function (calls to
 *       imported functions, {@code call_indirect}, and their tail-call forms), at every function
 *       exit ({@code return}, the final {@code end}, a branch to the function's outermost label)
 *       and right after each dynamic charge (so a {@code memory.grow} or bulk operation the budget
 *       cannot pay for never runs). A check that finds the counter negative calls the refill
 *       function. Before a call that may reach a host function the counter is written to the
 *       fuel global and reloaded after, so host functions see, and may charge, the current
 *       value. Between checks only bounded straight-line code runs, so every
 *       execution stops within a bounded overshoot, and no host function is entered with
 *       exhausted fuel.</li>
 *   <li><b>Exhaustion.</b> When a check finds the counter negative and the reserve cannot cover
 *       it, the refill function writes the negative total into the fuel global, zeroes the
 *       reserve and executes {@code unreachable}: Chicory throws a trap
 *       (a {@code TrapException}, or an {@code UninstantiableException} around it during the start
 *       function). The host tells fuel exhaustion from a genuine trap by fuel + reserve &lt; 0.
 *       A genuine trap that happens after the local went negative but before the next check is
 *       reported as that genuine trap (the global still holds the last written value). Chicory
 *       runs the start function inside {@code Instance.Builder.build()}, before the host can
 *       touch the global; to read it after a failed instantiation, give the builder a
 *       {@code GlobalFactory} and keep the last two globals it creates (fuel, then reserve).</li>
 *   <li>With enough fuel the module behaves exactly like the original: same results, traps and
 *       memory effects. {@code return_call} of a defined function stays a tail call: the segment
 *       holding it is charged first and the fuel is passed on as the callee's last argument; the
 *       callee has the caller's result types, so it returns fuel the caller's way. Two forms are
 *       lowered to a call followed by {@code return}: a tail call of an import (host functions
 *       return the original results, and are leaves), and {@code return_call_indirect} (tables
 *       hold wrappers, which return the original results). So is a function's tail call of itself
 *       when the rewritten function needs scratch locals: Chicory 1.7.5's interpreter fails on
 *       self tail calls in functions with locals besides their parameters. Chicory's compiler
 *       turns every tail call into call + return anyway, metered or not, so very deep tail
 *       recursion ends in "call stack exhausted" in compiled mode either way.</li>
  <li>A call never returns normally with fuel + reserve &lt; 0: a host function that overdraws
 *       the global makes the calling Wasm code trap at its next check.</li>
 * </ul>
 *
 * <h2>Supported input</h2>
 * MVP plus multi-value, bulk memory, reference types (funcref/externref), sign extension,
 * saturating truncation, tail calls, fixed-width SIMD, threads/atomics and multi-memory immediates.
 * Rejected with {@link IllegalArgumentException}: exception handling, typed function references
 * and GC, memory64/table64, relaxed SIMD, non-function type definitions, and any malformed bytes.
 * The original module is first validated with Chicory's parser ({@link #validate}): the pass only
 * rewrites modules that are valid as written, so the metered module can never name what the original
 * could not (Graft's fuel globals and refill function above all). The pass itself checks structure
 * (section bounds, instruction immediates, block nesting, branch depths), and Chicory validates the
 * result again when it parses it.
 */
public final class FuelMetering {

    /** Export name of the mutable i64 global holding the remaining fuel. */
    public static final String FUEL_GLOBAL_EXPORT = "graft_fuel";

    /** Export name of the mutable i64 global holding the fuel not yet handed to the running code. */
    public static final String RESERVE_GLOBAL_EXPORT = "graft_fuel_reserve";

    /** Version of the injected code's shape; part of {@link #cacheKey}. */
    static final int PASS_VERSION = 4;

    /** An imported function, by module and name. */
    public record Import(String module, String name) {
        public Import {
            Objects.requireNonNull(module, "module");
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Identifies the bytes {@link #instrument(byte[], CostModel, Set)} produces: the pass version, the
     * model's fields and the imports charged in Wasm.
     */
    public static String cacheKey(CostModel model, Set<Import> fixedCostImports) {
        String key = "fuel-" + PASS_VERSION + ";" + model.cacheKey() + ";hostFixed=" + model.hostCallFixed();
        if (fixedCostImports.isEmpty()) {
            return key;
        }
        Set<String> sorted = new TreeSet<>();
        fixedCostImports.forEach(i -> sorted.add(i.module() + "\u0000" + i.name()));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n", sorted).getBytes(StandardCharsets.UTF_8));
            return key + ";fixed=" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** {@link #cacheKey(CostModel, Set)} with no imports charged in Wasm. */
    public static String cacheKey(CostModel model) {
        return cacheKey(model, Set.of());
    }

    private FuelMetering() {
    }

    /**
     * Returns a copy of {@code wasm} with fuel metering injected as described in the class comment.
     *
     * @param wasm  a binary Wasm module (version 1)
     * @param model the costs to inject
     * @return the rewritten module bytes
     * @throws IllegalArgumentException if the bytes are malformed, use an unsupported feature, or
     *                                  already export {@value #FUEL_GLOBAL_EXPORT}
     */
    public static byte[] instrument(byte[] wasm, CostModel model) {
        return instrument(wasm, model, Set.of());
    }

    /**
     * As {@link #instrument(byte[], CostModel)}, and calls of the {@code fixedCostImports} are
     * charged {@link CostModel#hostCallFixed()} in Wasm, with the segment they are in, instead of by
     * the host: for host functions whose whole cost is that fixed charge, this spares the write-back
     * and reload of the fuel around every call. The host must then not charge them itself.
     */
    public static byte[] instrument(byte[] wasm, CostModel model, Set<Import> fixedCostImports) {
        Objects.requireNonNull(wasm, "wasm");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(fixedCostImports, "fixedCostImports");
        validate(wasm);
        return new ModuleRewriter(wasm, model, ModuleRewriter.COUNTER_LIMIT, fixedCostImports).run();
    }

    /** As {@link #instrument(byte[], CostModel)}, with a smaller counter limit (tests: refill often). */
    static byte[] instrument(byte[] wasm, CostModel model, long counterLimit) {
        validate(wasm);
        return new ModuleRewriter(wasm, model, counterLimit, Set.of()).run();
    }

    /**
     * Validates the original module with Chicory's parser before anything is rewritten. The rewritten
     * module has more functions and globals than the original, so an invalid reference in the original
     * (say {@code global.set 1} in a module without globals) could name one of Graft's own there and
     * pass validation afterwards: the fuel reserve, for one. Only a module that is valid as written is
     * metered.
     *
     * @throws IllegalArgumentException naming Chicory's reason when the module is malformed or invalid
     */
    static void validate(byte[] wasm) {
        try {
            Parser.parse(wasm);
        } catch (RuntimeException | AssertionError e) {
            // Chicory checks some malformed input with assert statements, which fire when -ea is on.
            String reason = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            throw new IllegalArgumentException("not a valid Wasm module before metering: " + reason, e);
        }
    }

    /** Reads one value type; only single-byte MVP, SIMD and reference types are supported. */
    static int valueType(WasmReader r) {
        int type = r.u8();
        switch (type) {
            case 0x7F: // i32
            case 0x7E: // i64
            case 0x7D: // f32
            case 0x7C: // f64
            case 0x7B: // v128
            case 0x70: // funcref
            case 0x6F: // externref
                return type;
            default:
                r.pos--;
                throw new IllegalArgumentException("unsupported value type 0x" + Integer.toHexString(type)
                        + " at byte " + r.pos + " (typed references and GC are not supported by fuel metering)");
        }
    }
}
