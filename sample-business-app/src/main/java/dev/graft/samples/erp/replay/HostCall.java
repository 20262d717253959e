package dev.graft.samples.erp.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * One host function call a plugin made during a recorded rule call: what it passed and what the host
 * answered (or the error the host function threw). Replay answers the same call with the same bytes
 * instead of asking the host again, whose state (a customer's tier) may have changed since.
 *
 * <p>An Extism module's call is recorded as its bytes. A component's call of a typed host function passes
 * Java values, not bytes: its argument and result are recorded as the codec's JSON ({@link ComponentValues}),
 * and {@link #typed()} says so; replay compares the argument's JSON and decodes the result's as the host
 * function's result type.
 *
 * @param function the host function's name
 * @param input the bytes the plugin passed, or for a typed call the argument as JSON
 * @param output the bytes the host answered, or for a typed call the result as JSON; {@code null} when it threw
 * @param error the host function's error message when it threw, else {@code null}
 * @param typed whether this was a component's call of the typed form
 * @param errorType the simple class name of what the host function threw ({@code HostFunctionError}: an error
 *     answered on purpose, which a component's {@code result<T, string>} import receives), else {@code null}
 */
public record HostCall(String function, byte[] input, byte[] output, String error, boolean typed, String errorType) {

    /** A call of the bytes form that answered {@code output}, or threw {@code error}. */
    public HostCall(String function, byte[] input, byte[] output, String error) {
        this(function, input, output, error, false, error == null ? null : "Exception");
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<HostCall>> LIST = new TypeReference<>() {
    };

    /** The calls as stored in {@code quote_rule_runs.host_calls}: a JSON array, bytes in base64; {@code null} for none. */
    public static String toJson(List<HostCall> calls) {
        if (calls == null || calls.isEmpty()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(calls);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode host calls: " + e.getMessage(), e);
        }
    }

    /** The calls stored by {@link #toJson}; empty for {@code null}. */
    public static List<HostCall> fromJson(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            return JSON.readValue(json, LIST);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored host calls are not readable: " + e.getOriginalMessage(), e);
        }
    }
}
