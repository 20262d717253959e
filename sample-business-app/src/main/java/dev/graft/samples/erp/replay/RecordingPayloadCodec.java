package dev.graft.samples.erp.replay;

import dev.graft.host.binding.PayloadCodec;
import java.lang.reflect.Type;

/**
 * The payload codec of typed calls (the default, Jackson JSON), which also hands the exact bytes it
 * encodes and decodes to a {@link CallRecording} running on the thread: what the plugin was given and
 * what it answered, byte for byte, as the engine saw them.
 */
public final class RecordingPayloadCodec implements PayloadCodec {

    private final PayloadCodec delegate;

    public RecordingPayloadCodec(PayloadCodec delegate) {
        this.delegate = delegate;
    }

    @Override
    public byte[] encode(Object value) throws Exception {
        byte[] bytes = delegate.encode(value);
        CallRecording.encoded(bytes);
        return bytes;
    }

    @Override
    public Object decode(byte[] bytes, Type type) throws Exception {
        CallRecording.decoding(bytes);   // before decoding: an answer the codec refuses is recorded too
        return delegate.decode(bytes, type);
    }
}
