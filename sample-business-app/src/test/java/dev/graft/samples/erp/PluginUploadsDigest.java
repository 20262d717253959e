package dev.graft.samples.erp;

import dev.graft.host.source.PluginSource;

/** The sha256 an attacker would compute for their own module. */
final class PluginUploadsDigest {

    private PluginUploadsDigest() {
    }

    static String of(byte[] module) {
        return PluginSource.sha256Hex(module);
    }
}
