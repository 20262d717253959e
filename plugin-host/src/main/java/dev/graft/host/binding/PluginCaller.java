package dev.graft.host.binding;

import dev.graft.host.engine.CallResult;

/** Something that calls a plugin export with bytes: what a typed proxy needs of a plugin. */
@FunctionalInterface
public interface PluginCaller {

    /** Calls the export with the input and returns its output and cost. */
    CallResult call(String export, byte[] input);
}
