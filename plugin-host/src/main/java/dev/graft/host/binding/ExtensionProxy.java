package dev.graft.host.binding;

import dev.graft.api.FuelBudget;
import dev.graft.api.PluginCodecException;
import dev.graft.api.PluginException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
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
        long budget = fuelBudget != null && args != null && args.length == 1 && caller.fuelBudget() > 0
                ? budgetFor(method, args[0]) : 0;
        Object typed = caller.callTyped(method, export, args == null ? new Object[0] : args, budget);
        if (typed != PluginCaller.NOT_TYPED) {
            return typed;
        }
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
                ? caller.call(export, input, budget)
                : caller.call(export, input)).output();
        return decodeOutput(codec, pluginId, export, method.getGenericReturnType(), output);
    }

    /**
     * The fuel budget the registered {@link FuelBudget} gives this call. The hook is typed by its author
     * ({@code FuelBudget<QuoteLine>}) but erased at run time, so a hook written for another argument type
     * would fail with a bare {@link ClassCastException} from inside a lambda; this names the extension
     * point, the method and the argument type instead. A host's mistake, not the plugin's, hence not a
     * {@code PluginException}.
     */
    private long budgetFor(Method method, Object argument) {
        long budget;
        try {
            budget = fuelBudget.budgetFor(argument, caller.fuelBudget());
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("the FuelBudget registered for extension point '" + contract.id()
                    + "' (plugin '" + pluginId + "') does not accept the argument of " + method.getName() + ", a "
                    + argument.getClass().getName() + ": it must be a FuelBudget<"
                    + method.getParameterTypes()[0].getSimpleName() + "> (" + e.getMessage() + ")", e);
        }
        if (budget <= 0) {
            throw new IllegalArgumentException("the FuelBudget registered for extension point '" + contract.id()
                    + "' (plugin '" + pluginId + "') gave " + budget + " fuel for " + method.getName()
                    + "; a budget must be positive");
        }
        return budget;
    }

    /**
     * Decodes an export's output as the host does for a typed call: a mismatch is a
     * {@link PluginCodecException} naming the plugin, the export, the JSON path and what is wrong.
     * Tools (such as {@code graft check} and the plugin-test kit) use it to decode exactly as the host would.
     */
    public static Object decodeOutput(PayloadCodec codec, String pluginId, String export, Type type, byte[] output) {
        Class<?> raw = rawClass(type);
        if (raw == void.class || raw == Void.class) {
            return null;
        }
        if (raw == byte[].class) {
            return output;
        }
        String typeName = type.getTypeName();
        try {
            Object value = codec.decode(output, type);
            if (value == null && raw.isPrimitive()) {
                throw new PluginCodecException(pluginId, export, "$", "output of '" + export + "' does not match "
                        + typeName + " at $: null where " + typeName + " has none", null);
            }
            return value;
        } catch (PluginException e) {
            throw e;
        } catch (JsonMappingException e) {
            String path = jsonPath(e);
            throw new PluginCodecException(pluginId, export, path, "output of '" + export + "' does not match "
                    + typeName + " at " + path + ": " + problem(e), e);
        } catch (Exception e) {
            throw new PluginCodecException(pluginId, export, null, "output of '" + export + "' is not a valid "
                    + typeName + ": " + firstLine(e.getMessage()), e);
        }
    }

    /** The path Jackson was at, as a JSON path: {@code $}, {@code $[0].amount}, {@code $.customer["odd key"]}. */
    static String jsonPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder("$");
        for (JsonMappingException.Reference ref : e.getPath()) {
            String field = ref.getFieldName();
            if (field != null) {
                path.append(field.matches("[A-Za-z_][A-Za-z0-9_]*") ? "." + field : "[\"" + field.replace("\"", "\\\"") + "\"]");
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** What is wrong, in a plugin author's words rather than Jackson's. */
    private static String problem(JsonMappingException e) {
        String last = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getFieldName();
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "' (known: " + u.getKnownPropertyIds() + ")";
        }
        if (e instanceof InvalidNullException n) {
            Class<?> target = n.getTargetType();
            return target != null && target.isPrimitive()
                    ? "null where the Java type (" + target + ") has none"
                    : "null where the Java type has none (mark the record component @OptionalField to allow it)";
        }
        // Jackson's hint about CoercionConfig is for Java developers, not for the plugin author reading this.
        String message = firstLine(e.getOriginalMessage()).replaceFirst(" \\(but might if coercion .*\\)$", "");
        if (message.startsWith("Missing required creator property")) {
            return "missing required field" + (last != null ? " '" + last + "'" : "")
                    + " (mark the record component @OptionalField to allow it)";
        }
        if (message.startsWith("Cannot map `null` into type") || message.contains("null")
                && e instanceof MismatchedInputException && message.contains("primitive")) {
            return "null where the Java type has none";
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "wrong type, expected " + m.getTargetType().getSimpleName() + ": " + message;
        }
        return message;
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class;
    }


    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
