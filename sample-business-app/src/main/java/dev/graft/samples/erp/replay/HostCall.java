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
 * @param function the host function's name
 * @param input the bytes the plugin passed
 * @param output the bytes the host answered, or {@code null} when it threw
 * @param error the host function's error message when it threw, else {@code null}
 */
public record HostCall(String function, byte[] input, byte[] output, String error) {

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
