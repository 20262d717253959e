package dev.graft.test;

import dev.graft.api.ExtensionPoint;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link GraftPluginTest}: before each test it loads every
 * {@link WasmPlugin} field of the test instance, resolves {@link WasmPlugin} parameters, and closes the
 * plugins after the test. Modules are compiled once per JVM by the shared engine (it caches by sha256),
 * so loading per test costs an instantiation, not a compilation.
 */
public final class GraftPluginExtension implements BeforeEachCallback, ParameterResolver {

    /** One engine for all tests of the JVM, as an application has one. */
    private static final GraftEngine ENGINE = GraftEngine.create();

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(GraftPluginExtension.class);

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Object instance = context.getRequiredTestInstance();
        for (Class<?> c = instance.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                WasmPlugin spec = field.getAnnotation(WasmPlugin.class);
                if (spec == null) {
                    continue;
                }
                if (Modifier.isStatic(field.getModifiers()) || Modifier.isFinal(field.getModifiers())) {
                    throw new ExtensionConfigurationException("@WasmPlugin field " + field + " must be neither static nor final");
                }
                field.setAccessible(true);
                field.set(instance, inject(spec, field.getType(), instance, context));
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.isAnnotated(WasmPlugin.class);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        WasmPlugin spec = parameter.findAnnotation(WasmPlugin.class).orElseThrow();
        try {
            return inject(spec, parameter.getParameter().getType(), context.getTestInstance().orElse(null), context);
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("cannot load @WasmPlugin " + spec.path() + ": " + e.getMessage(), e);
        }
    }

    private static Object inject(WasmPlugin spec, Class<?> type, Object testInstance, ExtensionContext context) {
        boolean typed = type.isInterface() && type.isAnnotationPresent(ExtensionPoint.class);
        if (!typed && type != Plugin.class) {
            throw new ExtensionConfigurationException("@WasmPlugin injects a dev.graft.host.engine.Plugin or an "
                    + "@ExtensionPoint interface, not " + type.getName());
        }
        Plugin plugin = load(spec, typed ? type : null, testInstance);
        // Closed with the test's store, after the test.
        context.getStore(NAMESPACE).put(new Object(), (AutoCloseable) plugin::close);
        return typed ? plugin.extension(type) : plugin;
    }

    /** Loads the module the annotation describes, with the test instance's host stubs. */
    static Plugin load(WasmPlugin spec, Class<?> extensionPoint, Object testInstance) {
        Path path = Path.of(spec.path());
        String id = spec.id().isEmpty() ? path.getFileName().toString().replaceFirst("\\.wasm$", "") : spec.id();
        PluginSource source = PluginSource.ofFile(id, path);
        String pin = pin(spec, path);
        if (pin != null) {
            source = source.pinned(pin);
        } else if (!spec.unpinned()) {
            throw new ExtensionConfigurationException("@WasmPlugin " + spec.path() + " is not pinned: give sha256 = \""
                    + "<the module's sha256>\" (printed by `graft call --stats`), a lockFile, or unpinned = true");
        }
        Capabilities.Builder capabilities = Capabilities.builder().wasi(spec.wasi());
        List<Stub> stubs = testInstance == null ? List.of() : stubs(testInstance);
        stubs.forEach(s -> capabilities.hostFunction(s.name()));
        PluginPolicy.Builder policy = PluginPolicy.builder().mode(spec.mode()).capabilities(capabilities.build());
        if (spec.fuel() >= 0) {
            policy.fuel(spec.fuel());
        }
        if (spec.timeoutMillis() >= 0) {
            policy.timeout(java.time.Duration.ofMillis(spec.timeoutMillis()));
        }
        if (spec.maxMemoryBytes() >= 0) {
            policy.maxMemoryBytes(spec.maxMemoryBytes());
        }
        PluginSpec.Builder builder = PluginSpec.builder(source).policy(policy.build());
        for (String entry : spec.config()) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new ExtensionConfigurationException("@WasmPlugin config entry '" + entry + "' is not key=value");
            }
            builder.config(entry.substring(0, eq), entry.substring(eq + 1));
        }
        for (Stub stub : stubs) {
            builder.hostFunction(stub.name(), stub::call);
        }
        if (extensionPoint != null) {
            builder.extensionPoint(extensionPoint);
        }
        return ENGINE.load(builder.build());
    }

    private static String pin(WasmPlugin spec, Path path) {
        if (!spec.sha256().isEmpty()) {
            return spec.sha256();
        }
        if (spec.lockFile().isEmpty()) {
            return null;
        }
        Path lock = Path.of(spec.lockFile());
        try {
            for (String line : Files.readAllLines(lock)) {
                String[] parts = line.trim().split("\\s+", 2);
                Path listed = parts.length == 2 ? lock.toAbsolutePath().getParent().resolve(parts[1].replaceFirst("^\\*", "")) : null;
                if (listed != null && listed.normalize().equals(path.toAbsolutePath().normalize())) {
                    return parts[0];
                }
            }
        } catch (IOException e) {
            throw new ExtensionConfigurationException("cannot read lock file " + lock.toAbsolutePath() + ": " + e, e);
        }
        throw new ExtensionConfigurationException("lock file " + lock + " has no line for " + spec.path());
    }

    /** A {@link HostStub} method bound to the test instance. */
    private record Stub(String name, Object instance, Method method) {

        byte[] call(String pluginId, byte[] input) throws Exception {
            boolean text = method.getReturnType() == String.class;
            Object in = method.getParameterTypes()[method.getParameterCount() - 1] == String.class
                    ? new String(input, StandardCharsets.UTF_8) : input;
            Object out;
            try {
                out = method.getParameterCount() == 2 ? method.invoke(instance, pluginId, in) : method.invoke(instance, in);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
            if (out == null) {
                throw new IllegalStateException("@HostStub " + method.getName() + " returned null; return empty bytes instead");
            }
            return text ? ((String) out).getBytes(StandardCharsets.UTF_8) : (byte[]) out;
        }
    }

    private static List<Stub> stubs(Object instance) {
        List<Stub> stubs = new ArrayList<>();
        for (Class<?> c = instance.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                HostStub stub = m.getAnnotation(HostStub.class);
                if (stub == null) {
                    continue;
                }
                Class<?>[] params = m.getParameterTypes();
                boolean shapeOk = (m.getReturnType() == byte[].class || m.getReturnType() == String.class)
                        && (params.length == 1 || params.length == 2 && params[0] == String.class)
                        && (params[params.length - 1] == byte[].class || params[params.length - 1] == String.class);
                if (!shapeOk) {
                    throw new ExtensionConfigurationException("@HostStub " + m + " must take ([String pluginId,] byte[] "
                            + "or String input) and return byte[] or String");
                }
                m.setAccessible(true);
                stubs.add(new Stub(stub.value(), instance, m));
            }
        }
        return stubs;
    }
}
