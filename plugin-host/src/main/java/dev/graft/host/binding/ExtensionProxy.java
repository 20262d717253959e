package dev.graft.host.binding;

import dev.graft.api.FuelBudget;
import dev.graft.api.PluginCodecException;
import dev.graft.api.PluginException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * The Java object an application holds for an extension point: each interface method encodes its
 * argument, calls the mapped export through a {@link PluginCaller} and decodes the result. It keeps no
 * state of its own, so it is as thread-safe as the caller (a {@code Plugin} is).
 */
public final class ExtensionProxy implements InvocationHandler {

    private static final PayloadCodec DEFAULT_CODEC = new JacksonPayloadCodec();
    private static final byte[] NO_INPUT = new byte[0];

    private final ExtensionContract contract;
    private final PluginCaller caller;
    private final PayloadCodec codec;
    private final String pluginId;
    private final FuelBudget<Object> fuelBudget;

    @SuppressWarnings("unchecked")
    private ExtensionProxy(ExtensionContract contract, PluginCaller caller, PayloadCodec codec, String pluginId,
            FuelBudget<?> fuelBudget) {
        this.contract = contract;
        this.caller = caller;
        this.codec = codec;
        this.pluginId = pluginId;
        this.fuelBudget = (FuelBudget<Object>) fuelBudget;
    }

    /** A proxy with the default codec whose calls' fuel budgets come from {@code fuelBudget} (may be null). */
    public static <T> T create(Class<T> type, ExtensionContract contract, PluginCaller caller, String pluginId,
            FuelBudget<?> fuelBudget) {
        return create(type, contract, caller, DEFAULT_CODEC, pluginId, fuelBudget);
    }

    /**
     * A proxy using the given codec; {@code pluginId} names the plugin in codec errors, and
     * {@code fuelBudget} (may be null) scales each call's fuel with its argument.
     */
    public static <T> T create(Class<T> type, ExtensionContract contract, PluginCaller caller, PayloadCodec codec,
            String pluginId, FuelBudget<?> fuelBudget) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                new ExtensionProxy(contract, caller, codec, pluginId, fuelBudget));
        return type.cast(proxy);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "ExtensionProxy{" + contract.id() + " -> " + pluginId + "}";
            };
        }
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        String export = contract.exportOf(method);
        byte[] input;
        if (args == null || args.length == 0) {
            input = NO_INPUT;
        } else {
            try {
                input = args[0] instanceof byte[] raw ? raw : codec.encode(args[0]);
            } catch (Exception e) {
                throw new IllegalArgumentException("cannot encode the argument of " + method.getName() + " for '" + export
                        + "': " + e.getMessage(), e);
            }
        }
        byte[] output = (fuelBudget != null && args != null && args.length == 1 && caller.fuelBudget() > 0
                ? caller.call(export, input, fuelBudget.budgetFor(args[0], caller.fuelBudget()))
                : caller.call(export, input)).output();
        Class<?> returnType = method.getReturnType();
        if (returnType == void.class) {
            return null;
        }
        if (returnType == byte[].class) {
            return output;
        }
        try {
            Object value = codec.decode(output, method.getGenericReturnType());
            if (value == null && returnType.isPrimitive()) {
                throw new IllegalArgumentException("null for primitive " + returnType);
            }
            return value;
        } catch (PluginException e) {
            throw e;
        } catch (Exception e) {
            throw new PluginCodecException(pluginId, "output of '" + export + "' is not a valid "
                    + method.getGenericReturnType().getTypeName() + ": " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
