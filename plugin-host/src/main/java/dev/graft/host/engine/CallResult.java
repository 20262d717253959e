package dev.graft.host.engine;

import java.nio.charset.StandardCharsets;

/**
 * The outcome of a successful plugin call: the output bytes and what the call cost.
 *
 * @param output the bytes the plugin set as its output (never {@code null})
 * @param stats time, memory and fuel of the call
 */
public record CallResult(byte[] output, CallStats stats) {

    /** The output decoded as UTF-8. */
    public String outputString() {
        return new String(output, StandardCharsets.UTF_8);
    }
}
