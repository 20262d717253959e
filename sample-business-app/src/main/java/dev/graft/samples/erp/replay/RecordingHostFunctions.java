package dev.graft.samples.erp.replay;

import dev.graft.boot.hostfunction.HostFunctionBeans;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.abi.HostFunctionHandler;
import dev.graft.host.binding.PayloadCodec;
import java.util.List;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * The application's host functions (every {@code @HostFunction} bean method, as the starter finds them),
 * each also recording what it was given and answered in the {@link CallRecording} running on the thread,
 * so that a replay can answer the plugin exactly as the host did then.
 */
public class RecordingHostFunctions extends HostFunctionBeans {

    private volatile List<HostFunctionBinding> wrapped;

    public RecordingHostFunctions(ConfigurableListableBeanFactory beanFactory, PayloadCodec codec, long maxBytes) {
        super(beanFactory, codec, maxBytes);
    }

    @Override
    public List<HostFunctionBinding> bindings() {
        List<HostFunctionBinding> found = wrapped;
        if (found == null) {
            found = super.bindings().stream().map(RecordingHostFunctions::recorded).toList();
            wrapped = found;
        }
        return found;
    }

    private static HostFunctionBinding recorded(HostFunctionBinding binding) {
        String name = binding.name();
        HostFunctionHandler handler = binding.handler();
        // Only the bytes form (Extism modules) is recorded; a component's typed calls are kept but not recorded.
        return binding.withHandler((pluginId, input) -> {
            byte[] in = input.clone();
            byte[] output;
            try {
                output = handler.handle(pluginId, input);
            } catch (Exception e) {
                CallRecording.hostCall(new HostCall(name, in, null, String.valueOf(e.getMessage())));
                throw e;
            }
            CallRecording.hostCall(new HostCall(name, in, output.clone(), null));
            return output;
        });
    }
}
