package dev.graft.host.engine;

import dev.graft.api.PluginException;

/**
 * Told about every call of every plugin an engine loaded, on the calling thread right after the call:
 * the hook for statistics, metrics and tracing. Keep it fast; an exception it throws is logged and
 * ignored, never passed to the caller.
 */
@FunctionalInterface
public interface CallListener {

    /**
     * @param pluginId the plugin called
     * @param export the export called
     * @param outcome how the call ended
     * @param stats time, memory and fuel (memory and fuel are -1 when the call failed before they
     *     were known)
     * @param failure the refusal, or {@code null} when the call succeeded
     */
    void onCall(String pluginId, String export, CallOutcome outcome, CallStats stats, PluginException failure);
}
