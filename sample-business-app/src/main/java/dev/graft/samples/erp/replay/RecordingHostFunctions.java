package dev.graft.samples.erp.replay;

import dev.graft.boot.hostfunction.HostFunctionBeans;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.abi.HostFunctionHandler;
import dev.graft.host.abi.TypedHostFunction;
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
        HostFunctionHandler bytes = (pluginId, input) -> {
            byte[] in = input.clone();
            byte[] output;
            try {
                output = handler.handle(pluginId, input);
            } catch (Exception e) {
                CallRecording.hostCall(new HostCall(name, in, null, String.valueOf(e.getMessage()), false,
                        e.getClass().getSimpleName()));
                throw e;
            }
            CallRecording.hostCall(new HostCall(name, in, output.clone(), null));
            return output;
        };
        TypedHostFunction typed = binding.typed();
        if (typed == null) {
            return binding.withHandler(bytes); // a component calls the bytes form, recorded as bytes
        }
        // A component's typed call: the argument and the result recorded as the codec's JSON.
        TypedHostFunction recordedTyped = new TypedHostFunction(typed.parameter(), typed.result(), (pluginId, argument) -> {
            byte[] in = ComponentValues.json(argument);
            Object result;
            try {
                result = typed.handler().handle(pluginId, argument);
            } catch (Exception e) {
                CallRecording.hostCall(new HostCall(name, in, null, String.valueOf(e.getMessage()), true,
                        e.getClass().getSimpleName()));
                throw e;
            }
            CallRecording.hostCall(new HostCall(name, in, ComponentValues.json(result), null, true, null));
            return result;
        });
        return new HostFunctionBinding(name, bytes, recordedTyped);
    }
}
