package dev.graft.boot.audit;

import java.util.function.Supplier;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.ClassUtils;

/** Who is making a change: the authenticated user in Spring Security's context, or {@code "system"}. */
public final class Principals {

    private Principals() {
    }

    /** Reads Spring Security's context when it is on the classpath; else always {@code "system"}. */
    public static Supplier<String> current(ClassLoader classLoader) {
        if (ClassUtils.isPresent("org.springframework.security.core.context.SecurityContextHolder", classLoader)) {
            return SecurityPrincipal::name;
        }
        return () -> PluginLifecycleEvent.SYSTEM;
    }

    /** Kept in its own class so that it is loaded only when Spring Security is present. */
    private static final class SecurityPrincipal {

        static String name() {
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            if (authentication == null || !authentication.isAuthenticated()) {
                return PluginLifecycleEvent.SYSTEM;
            }
            if (authentication instanceof AnonymousAuthenticationToken) {
                return "anonymous";
            }
            return authentication.getName();
        }
    }
}
