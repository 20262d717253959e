package dev.graft.host.engine;

import java.nio.charset.StandardCharsets;

/**
 * The outcome of running a WASI command: its exit code, what it wrote to stdout, and the cost.
 *
 * @param exitCode 0 when {@code _start} returned, else the code the command passed to {@code proc_exit}
 * @param stdout everything the command wrote to stdout (capped by {@code max-output-bytes})
 * @param stats time, memory and fuel of the run
 */
public record CommandResult(int exitCode, byte[] stdout, CallStats stats) {

    /** stdout decoded as UTF-8. */
    public String stdoutString() {
        return new String(stdout, StandardCharsets.UTF_8);
    }
}
