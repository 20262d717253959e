package dev.graft.boot.hostfunction;

import dev.graft.api.PluginCodecException;
import dev.graft.host.abi.HostFunctionHandler;
import dev.graft.host.abi.TypedHostFunction;
import dev.graft.host.binding.PayloadCodec;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.util.ReflectionUtils;

/**
 * A {@code @HostFunction} bean method as a host function: for an Extism module it decodes the plugin's
 * input as the method's parameter, calls the method on the calling thread and encodes its result; for a
 * component ({@link #typedForm()}) it calls the method with the value the canonical ABI lifted and hands
 * back its result as it is. The bean is looked up on each call (cheap for singletons), so scoped beans and
 * proxies behave as they do for any caller.
 */
final class BeanMethodHostFunction implements HostFunctionHandler {

    private static final byte[] EMPTY = new byte[0];

    private final String name;
    private final BeanFactory beanFactory;
    private final String beanName;
    private final Method method;
    private final PayloadCodec codec;

    BeanMethodHostFunction(String name, BeanFactory beanFactory, String beanName, Method method, PayloadCodec codec) {
        this.name = name;
        this.beanFactory = beanFactory;
        this.beanName = beanName;
        this.method = method;
        this.codec = codec;
        ReflectionUtils.makeAccessible(method);
    }

    /** The method as a typed host function: its generic parameter type (if any) and return type. */
    TypedHostFunction typedForm() {
        Type parameter = method.getParameterCount() == 0 ? null : method.getGenericParameterTypes()[0];
        return new TypedHostFunction(parameter, method.getGenericReturnType(),
                (pluginId, argument) -> invoke(method.getParameterCount() == 0 ? new Object[0] : new Object[] {argument}));
    }

    @Override
    public byte[] handle(String pluginId, byte[] input) throws Exception {
        Object result = invoke(method.getParameterCount() == 0 ? new Object[0] : new Object[] {decode(pluginId, input)});
        if (method.getReturnType() == void.class) {
            return EMPTY;
        }
        if (result instanceof byte[] raw) {
            return raw;
        }
        return codec.encode(result);
    }

    private Object invoke(Object[] args) throws Exception {
        Object bean = beanFactory.getBean(beanName);
        Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
        try {
            return invocable.invoke(bean, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private Object decode(String pluginId, byte[] input) {
        Type type = method.getGenericParameterTypes()[0];
        if (type == byte[].class) {
            return input;
        }
        try {
            return codec.decode(input, type);
        } catch (Exception e) {
            throw new PluginCodecException(pluginId, "input of host function '" + name + "' is not a valid "
                    + type.getTypeName() + ": " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public String toString() {
        return "@HostFunction(\"" + name + "\") " + method.getDeclaringClass().getName() + "." + method.getName()
                + " on bean '" + beanName + "'";
    }
}
