package dev.graft.samples.erp.plugins;

import dev.graft.boot.actuate.GraftEndpoint;
import dev.graft.boot.actuate.PluginReport;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginStatistics;
import dev.graft.samples.erp.web.ApiProblems;
import dev.graft.boot.audit.PluginLifecycleEvents;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/plugins}: what the plugins page shows and does. The reports are the starter's actuator
 * reports ({@link GraftEndpoint}: state, sha256, policy, breaker, statistics), so the page and
 * {@code /actuator/graft} agree; the actions call the {@link PluginRegistry}.
 */
@RestController
@RequestMapping("/api/plugins")
public class PluginAdminController {

    private static final List<String> ACTIONS = GraftEndpoint.ACTIONS;

    private final GraftEndpoint reports;
    private final PluginUploads uploads;
    private final PluginAuditLog audit;

    public PluginAdminController(PluginRegistry registry, PluginStatistics statistics, GraftProperties properties,
            PluginUploads uploads, PluginLifecycleEvents events, PluginAuditLog audit) {
        this.reports = new GraftEndpoint(registry, statistics, properties, events);
        this.uploads = uploads;
        this.audit = audit;
    }

    /** What an upload answers: the new version's digest, the key that signed it, and the plugin afterwards. */
    public record UploadReport(String sha256, String signedBy, String storedAt, PluginReport plugin) {
    }

    /**
     * Uploads a new version of a configured plugin: the request body is the {@code .wasm} module, the
     * header {@value PluginUploads#SIGNATURE_HEADER} its detached signature (base64) by a key the plugin's
     * trust policy trusts. {@code sha256} is an optional extra check, never a substitute for the
     * signature. 201 with the new version; 413 over {@code erp.uploads.max-size}; 422 when refused
     * (no or a bad signature, an untrusted key, a digest mismatch, a module that does not load). A refused
     * upload stores nothing and the current version keeps serving. Role ADMIN.
     */
    @PostMapping(value = "/{id}/versions", consumes = {"application/wasm", "application/octet-stream"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<UploadReport> upload(@PathVariable String id, HttpServletRequest request,
            @RequestHeader(name = PluginUploads.SIGNATURE_HEADER, required = false) String signature,
            @RequestParam(required = false) String sha256) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > uploads.maxBytes()) {
            throw uploads.tooLarge(id, declared);   // refused before reading the body
        }
        byte[] module;
        try (InputStream body = request.getInputStream()) {
            module = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, uploads.maxBytes() + 1));
        }
        if (module.length > uploads.maxBytes()) {
            throw uploads.tooLarge(id, -1);
        }
        PluginUploads.Uploaded uploaded = uploads.upload(id, module, signature, sha256);
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(new UploadReport(uploaded.sha256(), uploaded.signedBy(), uploaded.storedAt(), get(id)));
    }

    /**
     * The audit trail: the latest plugin lifecycle events stored in the database (newest first), at most
     * {@code limit} (100 by default, 1000 at most).
     */
    @GetMapping("/events")
    public List<PluginAuditLog.Entry> events(@RequestParam(defaultValue = "100") int limit) {
        return audit.latest(Math.max(1, Math.min(limit, 1000)));
    }

    @GetMapping
    public List<PluginReport> list() {
        return reports.plugins().plugins();
    }

    @GetMapping("/{id}")
    public PluginReport get(@PathVariable String id) {
        PluginReport report = reports.plugin(id);
        if (report == null) {
            throw ApiProblems.notFound("Unknown plugin", "No plugin '" + id + "' is registered.");
        }
        return report;
    }

    /**
     * {@code enable}, {@code disable}, {@code reload} (read its configured location again, also after an
     * upload; a refused version leaves the old one serving and is answered with 422 and the reason),
     * {@code revert} (the configured version in place of an upload) or {@code reset} (close its breaker).
     * Role ADMIN.
     */
    @PostMapping(value = "/{id}/{action}", produces = MediaType.APPLICATION_JSON_VALUE)   // 406 before acting
    public PluginReport act(@PathVariable String id, @PathVariable String action) {
        String verb = action.toLowerCase(Locale.ROOT);
        if (!ACTIONS.contains(verb)) {
            throw ApiProblems.badRequest("Unknown action", "Unknown action '" + action
                    + "'; allowed: " + String.join(", ", ACTIONS), Map.of("action", action));
        }
        get(id);
        GraftEndpoint.ActionReport result = reports.change(id, verb);
        if (!result.done()) {
            throw ApiProblems.of(HttpStatus.UNPROCESSABLE_CONTENT, verb.equals("revert") ? "Revert refused" : "Reload refused",
                    result.error() + " (the previous version, if any, keeps serving)",
                    Map.of("plugin", id, "pluginErrorType", "PluginLoadException"));
        }
        return result.plugin();
    }
}
