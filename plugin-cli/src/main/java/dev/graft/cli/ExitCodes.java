package dev.graft.cli;

import dev.graft.api.PluginCodecException;
import dev.graft.api.PluginException;
import dev.graft.api.PluginLoadException;
import dev.graft.host.engine.CallOutcome;

/** The documented exit codes of {@code graft}, one per kind of refusal. */
final class ExitCodes {

    static final int OK = 0;
    /** Anything else: an I/O failure, a registry refusing a push, a key file that already exists. */
    static final int ERROR = 1;
    static final int LOAD_REFUSED = 2;
    static final int PLUGIN_ERROR = 3;
    static final int FUEL_EXHAUSTED = 4;
    static final int TIMEOUT = 5;
    static final int MEMORY_LIMIT = 6;
    static final int CAPABILITY_DENIED = 7;
    static final int PAYLOAD_TOO_LARGE = 8;
    /** {@code graft check}: the plugin's output does not decode as the contract's return type. */
    static final int OUTPUT_MISMATCH = 9;
    static final int USAGE = 64;

    private ExitCodes() {
    }

    static int of(PluginException e) {
        if (e instanceof PluginLoadException) {
            return LOAD_REFUSED;
        }
        if (e instanceof PluginCodecException) {
            return OUTPUT_MISMATCH;
        }
        return switch (CallOutcome.of(e)) {
            case FUEL -> FUEL_EXHAUSTED;
            case TIMEOUT -> TIMEOUT;
            case MEMORY -> MEMORY_LIMIT;
            case DENIED -> CAPABILITY_DENIED;
            case PAYLOAD -> PAYLOAD_TOO_LARGE;
            default -> PLUGIN_ERROR;
        };
    }
}
