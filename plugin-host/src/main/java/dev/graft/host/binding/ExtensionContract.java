package dev.graft.host.binding;

import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an {@code @ExtensionPoint} interface asks of a plugin: one export per abstract method, each
 * taking at most one argument. Read once per interface with reflection and validated there, so a
 * malformed interface is a programming error found at bind time.
 */
public final class ExtensionContract {

    private static final Map<Class<?>, ExtensionContract> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    private final Class<?> type;
    private final String id;
    private final String version;
    private final Map<Method, String> exportsByMethod;

    private ExtensionContract(Class<?> type, String id, String version, Map<Method, String> exportsByMethod) {
        this.type = type;
        this.id = id;
        this.version = version;
        this.exportsByMethod = exportsByMethod;
    }

    /**
     * Reads the contract of an interface.
     *
     * @throws IllegalArgumentException when the type is not an {@code @ExtensionPoint} interface or a
     *     method takes more than one argument
     */
    public static ExtensionContract of(Class<?> type) {
        return CACHE.computeIfAbsent(type, ExtensionContract::read);
    }

    private static ExtensionContract read(Class<?> type) {
        ExtensionPoint point = type.getAnnotation(ExtensionPoint.class);
        if (!type.isInterface() || point == null) {
            throw new IllegalArgumentException(type.getName() + " is not an interface annotated @ExtensionPoint");
        }
        Map<Method, String> exports = new LinkedHashMap<>();
        for (Method m : type.getMethods()) {
            if (!Modifier.isAbstract(m.getModifiers())) {
                continue;
            }
            if (m.getParameterCount() > 1) {
                throw new IllegalArgumentException("extension point " + type.getName() + "." + m.getName()
                        + " takes " + m.getParameterCount() + " arguments; a plugin call takes at most one (wrap them in a record)");
            }
            Export export = m.getAnnotation(Export.class);
            exports.put(m, export != null ? export.value() : m.getName());
        }
        return new ExtensionContract(type, point.id(), point.version(), Collections.unmodifiableMap(exports));
    }

    public Class<?> type() {
        return type;
    }

    public String id() {
        return point().id();
    }

    private ExtensionPoint point() {
        return type.getAnnotation(ExtensionPoint.class);
    }

    public String version() {
        return version;
    }

    /** The export a method calls, or {@code null} for a method that is not part of the contract. */
    public String exportOf(Method method) {
        return exportsByMethod.get(method);
    }

    /** Every export the plugin must have. */
    public List<String> exports() {
        return List.copyOf(new java.util.LinkedHashSet<>(exportsByMethod.values()));
    }
}
