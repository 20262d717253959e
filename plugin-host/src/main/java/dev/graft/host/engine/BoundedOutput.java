package dev.graft.host.engine;

import dev.graft.api.PluginPayloadException;
import java.io.ByteArrayOutputStream;

/** A command's stdout, refused with {@link PluginPayloadException} once it passes max-output-bytes. */
final class BoundedOutput extends ByteArrayOutputStream {

    private final String pluginId;
    private final long limit;

    BoundedOutput(String pluginId, long limit) {
        this.pluginId = pluginId;
        this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
        check(1);
        super.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        check(len);
        super.write(b, off, len);
    }

    private void check(long more) {
        if (count + more > limit) {
            throw new PluginPayloadException(pluginId, "max-output-bytes", limit, count + more, "stdout of the command");
        }
    }
}
