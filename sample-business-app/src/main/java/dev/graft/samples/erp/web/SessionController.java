package dev.graft.samples.erp.web;

import java.util.List;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/session}: who the pages are talking for, so they show or hide the management buttons. */
@RestController
public class SessionController {

    /**
     * @param user the signed-in user's name, or null when anonymous
     * @param admin whether that user may manage plugins (role ADMIN)
     */
    public record Session(String user, boolean admin, List<String> roles) {
    }

    @GetMapping("/api/session")
    public Session session(Authentication authentication) {
        if (authentication == null || authentication instanceof AnonymousAuthenticationToken
                || !authentication.isAuthenticated()) {
            return new Session(null, false, List.of());
        }
        List<String> roles = authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority).sorted().toList();
        return new Session(authentication.getName(), roles.contains("ROLE_" + SecurityConfiguration.ADMIN), roles);
    }
}
