package dev.graft.boot.plugins;

import dev.graft.api.ExtensionPoint;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.binding.ExtensionContract;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.util.ClassUtils;

/**
 * Resolves the extension point class names in configuration ({@code graft.plugins.<id>.extension-points}
 * and {@code graft.extension-points}) to {@code @ExtensionPoint} interfaces, refusing a name that is
 * not one with a message naming the property.
 */
public final class ExtensionPointTypes {

    private ExtensionPointTypes() {
    }

    /** The interface a name in {@code property} names. */
    public static Class<?> resolve(String property, String className, ClassLoader classLoader) {
        String name = className == null ? "" : className.trim();
        Class<?> type;
        try {
            type = ClassUtils.forName(name, classLoader);
        } catch (ClassNotFoundException | LinkageError | IllegalArgumentException e) {
            throw PolicyResolver.invalid(property, className, "no such class on the classpath; name an interface "
                    + "annotated @" + ExtensionPoint.class.getName() + " by its fully qualified name");
        }
        if (!type.isInterface() || !type.isAnnotationPresent(ExtensionPoint.class)) {
            throw PolicyResolver.invalid(property, className, "is not an interface annotated @"
                    + ExtensionPoint.class.getName());
        }
        try {
            ExtensionContract.of(type);
        } catch (IllegalArgumentException e) {
            throw PolicyResolver.invalid(property, className, e.getMessage());
        }
        return type;
    }

    /** The types one plugin claims, in configured order. */
    public static List<Class<?>> ofPlugin(String prefix, GraftProperties.Plugin plugin, ClassLoader classLoader) {
        List<String> names = plugin.getExtensionPoints();
        return java.util.stream.IntStream.range(0, names.size())
                .<Class<?>>mapToObj(i -> resolve(prefix + ".extension-points[" + i + "]", names.get(i), classLoader))
                .toList();
    }

    /**
     * Every extension point named anywhere in the configuration, each once, in order of first mention:
     * {@code graft.extension-points} first, then each plugin's.
     */
    public static Map<Class<?>, String> all(GraftProperties properties, ClassLoader classLoader) {
        Map<Class<?>, String> types = new LinkedHashMap<>();
        List<String> declared = properties.getExtensionPoints();
        for (int i = 0; i < declared.size(); i++) {
            String property = "graft.extension-points[" + i + "]";
            types.putIfAbsent(resolve(property, declared.get(i), classLoader), property);
        }
        properties.getPlugins().forEach((id, plugin) -> {
            String prefix = ConfiguredPlugins.prefix(id);
            List<Class<?>> claimed = ofPlugin(prefix, plugin, classLoader);
            for (int i = 0; i < claimed.size(); i++) {
                types.putIfAbsent(claimed.get(i), prefix + ".extension-points[" + i + "]");
            }
        });
        return types;
    }
}
