package dev.graft.samples.erp.replay;

import java.util.ArrayList;
import java.util.List;

/**
 * What crossed into and out of one typed plugin call on this thread, between {@link #start()} and
 * {@link #stop()}: the exact input bytes the host's codec encoded, the exact output bytes the plugin
 * answered, and every host function call in between. Fed by {@link RecordingPayloadCodec} and
 * {@link RecordingHostFunctions}; read by the pricing service, which stores it with the rule run.
 *
 * <p>Static and per thread, so that the codec and the host functions (which the plugin registry is built
 * from) need no bean that depends on the registry. A typed call encodes its argument first, may call host
 * functions, and decodes the answer last, all on the calling thread: so the first encode is the input
 * and the last decode the output, even when a host function uses the codec too.
 */
public final class CallRecording {

    private static final ThreadLocal<CallRecording> CURRENT = new ThreadLocal<>();

    private byte[] input;
    private byte[] output;
    private final List<HostCall> hostCalls = new ArrayList<>();

    private CallRecording() {
    }

    /** Starts recording on this thread (a recording already running is discarded). */
    public static void start() {
        CURRENT.set(new CallRecording());
    }

    /** Stops recording on this thread and answers what was recorded (empty when nothing was started). */
    public static CallRecording stop() {
        CallRecording recording = CURRENT.get();
        CURRENT.remove();
        return recording == null ? new CallRecording() : recording;
    }

    static void encoded(byte[] bytes) {
        CallRecording recording = CURRENT.get();
        if (recording != null && recording.input == null) {
            recording.input = bytes.clone();
        }
    }

    static void decoding(byte[] bytes) {
        CallRecording recording = CURRENT.get();
        if (recording != null) {
            recording.output = bytes.clone();
        }
    }

    static void hostCall(HostCall call) {
        CallRecording recording = CURRENT.get();
        if (recording != null) {
            recording.hostCalls.add(call);
        }
    }

    /** The exact bytes the host encoded as the call's input, or {@code null} when the call encoded none (it never started). */
    public byte[] input() {
        return input;
    }

    /** The exact bytes the plugin answered, or {@code null} when no answer was decoded (the call failed). */
    public byte[] output() {
        return output;
    }

    /** The host function calls, in order. */
    public List<HostCall> hostCalls() {
        return List.copyOf(hostCalls);
    }
}
