package dev.graft.host.abi;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.graft.api.PluginCapabilityException;
import dev.graft.api.PluginMemoryLimitException;
import dev.graft.api.PluginPayloadException;
import dev.graft.host.metering.FuelMeter;
import dev.graft.host.metering.FuelMetering;
import dev.graft.host.policy.MemoryBudget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * The host side of the Extism plugin ABI for one instance: the {@code extism:host/env} functions
 * (memory blocks, input, output, error, config, vars, logging, HTTP) and granted
 * {@code extism:host/user} functions, implemented in Java so that every byte is under the instance's
 * memory budget and no state is shared between instances.
 */
public final class ExtismKernel {

    /** The Extism kernel's import module. */
    public static final String ENV_MODULE = "extism:host/env";
    /** The import module of host functions the application offers. */
    public static final String USER_MODULE = "extism:host/user";
    /** The MDC key holding the plugin id while a plugin's log line (or stdout/stderr line) is written. */
    public static final String MDC_PLUGIN = "graft.plugin";
    /** Knob name for the vars cap in refusals. */
    public static final String MAX_VAR_BYTES = "max-var-bytes";

    private static final byte[] EMPTY = new byte[0];
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    /** Longest log line written: a longer line is cut (and only this much of it is ever copied). */
    static final int MAX_LOG_LINE_BYTES = 4096;
    /** The default {@code max-log-bytes}: 64 KiB of log lines per call. */
    public static final long DEFAULT_MAX_LOG_BYTES = 64 * 1024;

    /** Signatures of every kernel function, so imports can be checked at load. */
    public static final Map<String, FunctionType> ENV_FUNCTIONS = kernelSignatures();

    private final String pluginId;
    private final Map<String, String> config;
    private final Map<String, HostFunctionBinding> userFunctions;
    private final long maxVarBytes;
    private final long maxOutputBytes;
    private final MemoryBudget budget;
    private final Logger log;
    private final KernelMemory memory;
    private final LogBudget logBudget;
    private final FuelMeter meter;
    private final OutboundHttp http;
    private int httpStatus;
    private byte[] httpHeaders;
    private final Map<String, byte[]> vars = new HashMap<>();
    private long varBytes;

    private String export = "?";
    private String allocWhere = "";
    private byte[] input = EMPTY;
    private long inputOffset;
    // As in Extism, input_set makes a kernel range the input (read where it lies): its length, or -1.
    private long inputRangeLength = -1;
    // As in Extism, output_set and error_set only record where: the bytes are read when the export returns.
    private long outputOffset;
    private long outputLength;
    private byte[] output;
    private long errorOffset;
    private String error;
    private boolean errorResolved;

    /**
     * As {@link #ExtismKernel(String, Map, Map, long, long, long, MemoryBudget, Logger, FuelMeter, OutboundHttp)}
     * with the default log budget.
     */
    public ExtismKernel(String pluginId, Map<String, String> config, Map<String, HostFunctionBinding> userFunctions,
            long maxVarBytes, long maxOutputBytes, MemoryBudget budget, Logger log, FuelMeter meter, OutboundHttp http) {
        this(pluginId, config, userFunctions, maxVarBytes, maxOutputBytes, DEFAULT_MAX_LOG_BYTES, budget, log, meter, http);
    }

    /**
     * @param maxLogBytes bytes of log lines one call may write ({@code max-log-bytes})
     * @param meter charges the bytes host functions move, or {@code null} when the plugin is unmetered
     * @param http outbound HTTP of the plugin, or {@code null} when no host is allowed
     */
    public ExtismKernel(String pluginId, Map<String, String> config, Map<String, HostFunctionBinding> userFunctions,
            long maxVarBytes, long maxOutputBytes, long maxLogBytes, MemoryBudget budget, Logger log, FuelMeter meter,
            OutboundHttp http) {
        this.pluginId = pluginId;
        this.config = config;
        this.userFunctions = userFunctions;
        this.maxVarBytes = maxVarBytes;
        this.maxOutputBytes = maxOutputBytes;
        this.budget = budget;
        this.log = log;
        this.memory = new KernelMemory(budget);
        this.logBudget = new LogBudget(pluginId, log, maxLogBytes);
        this.meter = meter;
        this.http = http;
    }

    /** Prepares a call: forgets the previous call's blocks, output and error; vars persist. */
    public void beginCall(String export, byte[] input) {
        memory.reset();
        this.httpStatus = 0;
        this.httpHeaders = null;
        this.export = export;
        this.allocWhere = " in '" + export + "'";
        this.input = input;
        this.inputOffset = 0;
        this.inputRangeLength = -1;
        this.outputOffset = 0;
        this.outputLength = 0;
        this.output = null;
        this.errorOffset = 0;
        this.error = null;
        this.errorResolved = true;
        logBudget.beginCall(export);
    }

    /** The vars as they are now (those a start function set), for {@link #resetTo(Vars)}. */
    public Vars vars() {
        return new Vars(Map.copyOf(vars), varBytes);
    }

    /** Vars recorded by {@link #vars()}. */
    public record Vars(Map<String, byte[]> values, long bytes) {
    }

    /**
     * Puts the kernel back in the state of a new instance, for an instance reset between calls: the
     * vars {@code saved} right after instantiation ({@code null}: none), no blocks (their bytes
     * zeroed), no output, error or HTTP response.
     */
    public void resetTo(Vars saved) {
        vars.clear();
        if (saved != null) {
            vars.putAll(saved.values()); // the values are never written in place, only replaced
        }
        varBytes = saved == null ? 0 : saved.bytes();
        budget.setVarBytes(varBytes, "reset");
        beginCall("?", EMPTY);
        logBudget.endCall();
        export = "?";
        allocWhere = "";
    }

    /**
     * Ends a call, whether it returned or failed: writes the log budget's notice about dropped lines.
     */
    public void endCall() {
        logBudget.endCall();
    }

    /**
     * The output of this call, read from the range the plugin gave {@code output_set} now that the
     * export returned (as Extism reads it).
     *
     * @throws TrapException when that range lies outside the kernel's blocks: it is refused, never read
     */
    public byte[] output() {
        if (output == null) {
            if (outputLength == 0) {
                output = EMPTY;
            } else if (!memory.inBounds(outputOffset, outputLength)) {
                throw new TrapException("extism kernel: the output of '" + export + "' (offset " + outputOffset + ", "
                        + outputLength + " bytes) lies outside the kernel's blocks (" + KernelMemory.HEAP_START + ".."
                        + memory.top() + ") when the export returned; refused, not read");
            } else {
                output = memory.read(outputOffset, outputLength, "output of '" + export + "'");
            }
        }
        return output;
    }

    /**
     * The error the plugin set in this call, or {@code null}; read from the block given to
     * {@code error_set} when first asked (after the export returned).
     */
    public String error() {
        if (!errorResolved) {
            errorResolved = true;
            error = memory.isBlock(errorOffset) ? utf8(memory.readBlock(errorOffset, "error of '" + export + "'"))
                    : "(the error message set at offset " + errorOffset + " was freed before '" + export + "' returned)";
        }
        return error;
    }

    /** The log budget of this instance (for other line sources of the plugin, such as WASI stdout). */
    public LogBudget logBudget() {
        return logBudget;
    }

    /** Bytes held by the kernel's blocks and vars. */
    public long heldBytes() {
        return memory.usedBytes() + varBytes;
    }

    /**
     * The kernel functions whose whole fuel cost is the fixed host-call charge: they move at most 8
     * bytes and never look at the fuel. The metering pass charges their calls in Wasm, so the host
     * must not charge them again; that spares the fuel write-back around the PDKs' byte-by-byte
     * copies, which make most of a typical call's kernel calls.
     */
    public static final Set<FuelMetering.Import> FIXED_COST_FUNCTIONS = Set.of(
            envImport("alloc"), envImport("free"), envImport("length"), envImport("length_unsafe"),
            envImport("load_u8"), envImport("load_u64"), envImport("store_u8"), envImport("store_u64"),
            envImport("input_length"), envImport("input_load_u8"), envImport("input_load_u64"));

    private static FuelMetering.Import envImport(String name) {
        return new FuelMetering.Import(ENV_MODULE, name);
    }

    /** The {@code extism:host/env} functions bound to this kernel. */
    public List<HostFunction> envFunctions() {
        List<HostFunction> fns = new ArrayList<>();
        // As in Extism, a zero-length alloc is no block: it returns 0.
        env(fns, "alloc", args -> new long[] {args[0] == 0 ? 0 : memory.alloc(args[0], allocWhere)});
        env(fns, "free", args -> {
            if (memory.free(args[0]) && args[0] == inputOffset) {
                // As in Extism: freeing the input's block takes the input with it.
                input = EMPTY;
                inputOffset = 0;
                inputRangeLength = -1;
            }
            return null;
        });
        env(fns, "length", args -> new long[] {memory.length(args[0])});
        env(fns, "length_unsafe", args -> new long[] {memory.length(args[0])});
        env(fns, "load_u8", args -> new long[] {memory.loadU8(args[0])});
        env(fns, "load_u64", args -> new long[] {memory.loadU64(args[0])});
        env(fns, "store_u8", args -> {
            memory.storeU8(args[0], (int) args[1]);
            return null;
        });
        env(fns, "store_u64", args -> {
            memory.storeU64(args[0], args[1]);
            return null;
        });
        env(fns, "input_length", args -> new long[] {inputLength()});
        env(fns, "input_load_u8", args -> new long[] {inputU8(args[0])});
        env(fns, "input_load_u64", args -> new long[] {inputU64(args[0])});
        env(fns, "input_offset", args -> new long[] {inputOffset()});
        env(fns, "input_set", args -> {
            setInput(args[0], args[1]);
            return null;
        });
        env(fns, "output_set", args -> {
            setOutput(args[0], args[1]);
            return null;
        });
        env(fns, "output_length", args -> new long[] {outputLength});
        env(fns, "output_offset", args -> new long[] {outputOffset});
        env(fns, "error_set", args -> {
            setError(args[0]);
            return null;
        });
        env(fns, "error_get", args -> new long[] {errorOffset});
        env(fns, "memory_bytes", args -> new long[] {memory.usedBytes()});
        env(fns, "reset", args -> {
            memory.reset();
            return null;
        });
        env(fns, "config_get", args -> new long[] {configGet(args[0])});
        env(fns, "var_get", args -> new long[] {varGet(args[0])});
        env(fns, "var_set", args -> {
            varSet(args[0], args[1]);
            return null;
        });
        env(fns, "http_request", args -> new long[] {httpRequest(args[0], args[1])});
        env(fns, "http_status_code", args -> new long[] {httpStatus});
        env(fns, "http_headers", args -> new long[] {httpHeaders == null ? 0 : memory.allocBytes(httpHeaders, " for http_headers in '" + export + "'")});
        env(fns, "log_trace", args -> logAt(0, args[0]));
        env(fns, "log_debug", args -> logAt(1, args[0]));
        env(fns, "log_info", args -> logAt(2, args[0]));
        env(fns, "log_warn", args -> logAt(3, args[0]));
        env(fns, "log_error", args -> logAt(4, args[0]));
        env(fns, "get_log_level", args -> new long[] {logLevel()});
        return fns;
    }

    /** The granted {@code extism:host/user} function of that name, bound to this kernel. */
    public HostFunction userFunction(String name) {
        HostFunctionBinding binding = userFunctions.get(name);
        if (binding == null) {
            return null;
        }
        return new HostFunction(USER_MODULE, name, USER_FUNCTION_TYPE, (instance, args) -> {
            byte[] in = args[0] == 0 ? EMPTY : memory.readBlock(args[0], name);
            chargeBytes(name, in.length);
            byte[] out;
            try {
                out = binding.handler().handle(pluginId, in);
            } catch (dev.graft.api.PluginException e) {
                throw e;
            } catch (Exception | LinkageError e) {
                throw new HostFunctionFailure(name, e);
            }
            if (out == null) {
                throw new HostFunctionFailure(name, new NullPointerException("host function returned null"));
            }
            chargeBytes(name, out.length);
            return new long[] {memory.allocBytes(out, " for the result of host function '" + name + "' in '" + export + "'")};
        });
    }

    /** Extism's signature for byte-oriented host functions. */
    public static final FunctionType USER_FUNCTION_TYPE = FunctionType.of(List.of(ValType.I64), List.of(ValType.I64));

    private interface Body {
        long[] apply(long[] args);
    }

    private void env(List<HostFunction> fns, String name, Body body) {
        fns.add(new HostFunction(ENV_MODULE, name, ENV_FUNCTIONS.get(name), (instance, args) -> body.apply(args)));
    }

    private long inputLength() {
        return inputRangeLength >= 0 ? inputRangeLength : input.length;
    }

    private void setInput(long offset, long length) {
        if (length < 0 || (length > 0 && !memory.inBounds(offset, length))) {
            throw new TrapException("extism kernel: input_set out of bounds at offset " + offset + " (+" + length + ")");
        }
        input = EMPTY;
        inputOffset = offset;
        inputRangeLength = length;
    }

    private long inputU8(long offset) {
        long length = inputLength();
        if (offset < 0 || offset >= length) {
            throw new TrapException("extism kernel: input_load_u8 out of bounds at " + offset + " (input is " + length + " bytes)");
        }
        return inputRangeLength >= 0 ? memory.loadU8(inputOffset + offset) : input[(int) offset] & 0xFF;
    }

    private long inputU64(long offset) {
        long length = inputLength();
        if (offset < 0 || offset > length - 8) {
            throw new TrapException("extism kernel: input_load_u64 out of bounds at " + offset + " (input is " + length + " bytes)");
        }
        if (inputRangeLength >= 0) {
            return memory.loadU64(inputOffset + offset);
        }
        int i = (int) offset;
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = (v << 8) | (input[i + k] & 0xFFL);
        }
        return v;
    }

    private long httpRequest(long requestOffset, long bodyOffset) {
        String request = utf8(memory.readBlock(requestOffset, "http_request"));
        if (http == null) {
            throw new PluginCapabilityException(pluginId, "http", "http_request " + abbreviate(request, 200)
                    + " from '" + export + "' (no outbound host is allowed)");
        }
        byte[] body = bodyOffset == 0 ? EMPTY : memory.readBlock(bodyOffset, "http_request");
        chargeBytes("http_request", body.length);
        OutboundHttp.Response response = http.send(request, body);
        chargeBytes("http_request", response.body().length);
        httpStatus = response.status();
        httpHeaders = bytes(JSON.valueToTree(response.headers()).toString());
        return memory.allocBytes(response.body(), " for the response of http_request in '" + export + "'");
    }

    private void chargeBytes(String function, long bytes) {
        if (meter != null) {
            meter.chargeBytes(function, bytes);
        }
    }

    private long inputOffset() {
        if (inputOffset == 0 && inputRangeLength < 0 && input.length > 0) {
            chargeBytes("input_offset", input.length);
            inputOffset = memory.allocBytes(input, " for input_offset in '" + export + "'");
        }
        return inputOffset;
    }

    private void setOutput(long offset, long length) {
        if (length < 0 || length > maxOutputBytes) {
            // A negative i64 is a length beyond 2^63 as Extism's u64.
            throw new PluginPayloadException(pluginId, "max-output-bytes", maxOutputBytes,
                    length < 0 ? Long.MAX_VALUE : length, "output of '" + export + "'");
        }
        // Charged here, where the length is known, as before the read moved to the return.
        chargeBytes("output_set", length);
        outputOffset = offset;
        outputLength = length;
        output = null;
    }

    private void setError(long offset) {
        if (offset != 0 && !memory.isBlock(offset)) {
            throw new TrapException("extism kernel: error_set got offset " + offset + ", which is not an allocated block");
        }
        errorOffset = offset;
        error = null;
        errorResolved = offset == 0;
    }

    private long configGet(long keyOffset) {
        String value = config.get(utf8(memory.readBlock(keyOffset, "config_get")));
        if (value == null) {
            return 0;
        }
        byte[] out = bytes(value);
        chargeBytes("config_get", out.length);
        return memory.allocBytes(out, " for config_get in '" + export + "'");
    }

    private long varGet(long keyOffset) {
        byte[] value = vars.get(utf8(memory.readBlock(keyOffset, "var_get")));
        if (value == null) {
            return 0;
        }
        chargeBytes("var_get", value.length);
        return memory.allocBytes(value, " for var_get in '" + export + "'");
    }

    private void varSet(long keyOffset, long valueOffset) {
        String key = utf8(memory.readBlock(keyOffset, "var_set"));
        byte[] old = vars.get(key);
        long without = varBytes - (old == null ? 0 : key.length() + old.length);
        if (valueOffset == 0) {
            vars.remove(key);
            varBytes = without;
            budget.setVarBytes(varBytes, "var_set");
            return;
        }
        byte[] value = memory.readBlock(valueOffset, "var_set");
        chargeBytes("var_set", value.length);
        long total = without + key.length() + value.length;
        String attempted = "var_set of '" + abbreviate(key, 64) + "' (" + value.length + " bytes) in '" + export + "'";
        if (total > maxVarBytes) {
            throw new PluginMemoryLimitException(pluginId, MAX_VAR_BYTES, maxVarBytes, total, attempted);
        }
        budget.setVarBytes(total, attempted);
        vars.put(key, value);
        varBytes = total;
    }

    private long[] logAt(int level, long offset) {
        if (level < logLevel()) {
            return null;
        }
        if (!memory.isBlock(offset)) {
            throw new TrapException("extism kernel: log got offset " + offset + ", which is not an allocated block");
        }
        long length = memory.length(offset);
        // A line past the budget is never read; of a long line only the head is copied (4 KiB of 1 MiB).
        if (!logBudget.admit(Math.min(length, MAX_LOG_LINE_BYTES), length)) {
            return null;
        }
        byte[] head = memory.readBlockPrefix(offset, MAX_LOG_LINE_BYTES, "log");
        String message = head.length < length ? utf8(head) + "… (" + length + " bytes)" : utf8(head);
        try (MDC.MDCCloseable ignored = MDC.putCloseable(MDC_PLUGIN, pluginId)) {
            switch (level) {
                case 0 -> log.trace(message);
                case 1 -> log.debug(message);
                case 2 -> log.info(message);
                case 3 -> log.warn(message);
                default -> log.error(message);
            }
        }
        return null;
    }

    private int logLevel() {
        if (log.isTraceEnabled()) {
            return 0;
        }
        if (log.isDebugEnabled()) {
            return 1;
        }
        if (log.isInfoEnabled()) {
            return 2;
        }
        if (log.isWarnEnabled()) {
            return 3;
        }
        return log.isErrorEnabled() ? 4 : Integer.MAX_VALUE;
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private static Map<String, FunctionType> kernelSignatures() {
        ValType i64 = ValType.I64;
        ValType i32 = ValType.I32;
        Map<String, FunctionType> m = new HashMap<>();
        FunctionType i64ToI64 = FunctionType.of(List.of(i64), List.of(i64));
        FunctionType i64ToNone = FunctionType.of(List.of(i64), List.of());
        FunctionType noneToI64 = FunctionType.of(List.of(), List.of(i64));
        FunctionType i64i64ToNone = FunctionType.of(List.of(i64, i64), List.of());
        m.put("alloc", i64ToI64);
        m.put("free", i64ToNone);
        m.put("length", i64ToI64);
        m.put("length_unsafe", i64ToI64);
        m.put("load_u8", FunctionType.of(List.of(i64), List.of(i32)));
        m.put("load_u64", i64ToI64);
        m.put("store_u8", FunctionType.of(List.of(i64, i32), List.of()));
        m.put("store_u64", i64i64ToNone);
        m.put("input_length", noneToI64);
        m.put("input_load_u8", FunctionType.of(List.of(i64), List.of(i32)));
        m.put("input_load_u64", i64ToI64);
        m.put("input_offset", noneToI64);
        m.put("input_set", i64i64ToNone);
        m.put("output_set", i64i64ToNone);
        m.put("output_length", noneToI64);
        m.put("output_offset", noneToI64);
        m.put("error_set", i64ToNone);
        m.put("error_get", noneToI64);
        m.put("memory_bytes", noneToI64);
        m.put("reset", FunctionType.of(List.of(), List.of()));
        m.put("config_get", i64ToI64);
        m.put("var_get", i64ToI64);
        m.put("var_set", i64i64ToNone);
        m.put("http_request", FunctionType.of(List.of(i64, i64), List.of(i64)));
        m.put("http_status_code", FunctionType.of(List.of(), List.of(i32)));
        m.put("http_headers", noneToI64);
        m.put("log_trace", i64ToNone);
        m.put("log_debug", i64ToNone);
        m.put("log_info", i64ToNone);
        m.put("log_warn", i64ToNone);
        m.put("log_error", i64ToNone);
        m.put("get_log_level", FunctionType.of(List.of(), List.of(i32)));
        return Map.copyOf(m);
    }
}
