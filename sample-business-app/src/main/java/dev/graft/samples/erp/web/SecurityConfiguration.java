package dev.graft.samples.erp.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Who may do what. Reading is open as before: the pages, quotes, customers, products, trees, the plugin
 * list and the actuator's read operations; creating quotes and customers stays open too (that is the
 * business the app does). Changing plugins is for role {@code ADMIN} only: {@code POST /api/plugins/**}
 * (enable, disable, reload, revert, reset, upload) and the actuator's write operations.
 *
 * <p>Two ways in: HTTP Basic for API clients ({@code curl -u admin:…}), a login form for the pages. The
 * admin user is Spring Boot's ({@code spring.security.user.name}/{@code password}/{@code roles}; with no
 * password set, Boot generates one and logs it at start).
 *
 * <p>CSRF: a state-changing request must carry the CSRF token (header {@code X-XSRF-TOKEN}, echoing the
 * {@code XSRF-TOKEN} cookie the pages' script reads) when it comes from a browser: when it carries any
 * cookie (a session rides on cookies, and the token cookie is set on every page), when its
 * {@code Origin} or {@code Sec-Fetch-Site} says it comes from another site, and always for login and
 * logout. A request with none of these (curl, a server, with HTTP Basic or anonymous) cannot ride on a
 * victim's session, so it needs no token. A cross-site {@code text/plain} form POST with the victim's
 * session cookie therefore gets 403.
 *
 * <p>Refusals are problem details: 401 (with a Basic challenge, except to browsers navigating from
 * another site, so that such a page cannot make the browser ask for and then cache the password) and 403.
 */
@Configuration
public class SecurityConfiguration {

    static final String ADMIN = "ADMIN";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(requests -> requests
                        .requestMatchers(HttpMethod.POST, "/api/plugins/**").hasRole(ADMIN)
                        .requestMatchers(HttpMethod.PUT, "/api/plugins/**").hasRole(ADMIN)
                        .requestMatchers(HttpMethod.DELETE, "/api/plugins/**").hasRole(ADMIN)
                        .requestMatchers(HttpMethod.GET, "/actuator/**").permitAll()
                        .requestMatchers("/actuator/**").hasRole(ADMIN)
                        .anyRequest().permitAll())
                .httpBasic(basic -> basic.authenticationEntryPoint(problemEntryPoint()))
                .formLogin(form -> form.defaultSuccessUrl("/plugins.html"))
                .logout(logout -> logout.logoutSuccessUrl("/plugins.html"))
                .csrf(csrf -> csrf.spa().requireCsrfProtectionMatcher(SecurityConfiguration::fromABrowser))
                .exceptionHandling(errors -> errors
                        .defaultAuthenticationEntryPointFor(problemEntryPoint(), SecurityConfiguration::apiRequest)
                        .accessDeniedHandler(problemAccessDenied()));
        return http.build();
    }

    /** Whether a state-changing request must carry the CSRF token: see the class comment. */
    static boolean fromABrowser(HttpServletRequest request) {
        if (SAFE.contains(request.getMethod())) {
            return false;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.equals("/login") || path.equals("/logout")) {
            return true;
        }
        if (request.getHeader("Cookie") != null || request.getSession(false) != null) {
            return true;   // cookies, or a session however it was found: ambient credentials a page on another site could ride on
        }
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return true;
        }
        String origin = request.getHeader("Origin");
        return origin != null && !sameOrigin(origin, request);
    }

    private static boolean sameOrigin(String origin, HttpServletRequest request) {
        try {
            URI uri = URI.create(origin);
            int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
            return request.getServerName().equalsIgnoreCase(uri.getHost()) && request.getServerPort() == port;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean apiRequest(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.startsWith("/api/") || path.startsWith("/actuator/");
    }

    private static AuthenticationEntryPoint problemEntryPoint() {
        return (request, response, failure) -> {
            String site = request.getHeader("Sec-Fetch-Site");
            if (site == null || site.equals("same-origin") || site.equals("none")) {
                response.setHeader("WWW-Authenticate", "Basic realm=\"graft-erp\"");
            }
            problem(response, HttpStatus.UNAUTHORIZED, "Authentication required",
                    "Managing plugins needs a user with role " + ADMIN + ": HTTP Basic (curl -u admin:PASSWORD) or "
                            + "the login form at /login.");
        };
    }

    private static AccessDeniedHandler problemAccessDenied() {
        return (request, response, denied) -> problem(response, HttpStatus.FORBIDDEN, "Forbidden",
                denied.getClass().getSimpleName().contains("Csrf")
                        ? "A state-changing request from a browser must carry the CSRF token (header X-XSRF-TOKEN "
                                + "with the value of the XSRF-TOKEN cookie)."
                        : "Managing plugins needs role " + ADMIN + ".");
    }

    private static void problem(jakarta.servlet.http.HttpServletResponse response, HttpStatus status, String title,
            String detail) throws IOException {
        ProblemResponses.write(response, status, title, detail);
    }

}
