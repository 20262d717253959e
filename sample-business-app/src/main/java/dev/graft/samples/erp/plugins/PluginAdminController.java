package dev.graft.samples.erp.plugins;

import dev.graft.boot.actuate.GraftEndpoint;
import dev.graft.boot.actuate.PluginReport;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginStatistics;
import dev.graft.samples.erp.web.ApiProblems;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestBody;
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

    private static final Set<String> ACTIONS = Set.of("enable", "disable", "reload", "reset");

    private final GraftEndpoint reports;
    private final PluginUploads uploads;

    public PluginAdminController(PluginRegistry registry, PluginStatistics statistics, GraftProperties properties,
            PluginUploads uploads) {
        this.reports = new GraftEndpoint(registry, statistics, properties);
        this.uploads = uploads;
    }

    /** What an upload answers: the new version's digest and the plugin afterwards. */
    public record UploadReport(String sha256, String storedAt, PluginReport plugin) {
    }

    /**
     * Uploads a new version of a configured plugin (the request body is the {@code .wasm} module). With
     * {@code sha256}, the bytes must have that digest; without it, the configured pin applies. 422 when
     * refused (digest mismatch, or the module does not load); the old version keeps serving.
     */
    @PostMapping(value = "/{id}/versions", consumes = {"application/wasm", "application/octet-stream"})
    public ResponseEntity<UploadReport> upload(@PathVariable String id, @RequestBody byte[] module,
            @RequestParam(required = false) String sha256) {
        PluginUploads.Uploaded uploaded = uploads.upload(id, module, sha256);
        return ResponseEntity.status(HttpStatus.CREATED).body(new UploadReport(uploaded.sha256(), uploaded.storedAt(), get(id)));
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
     * {@code enable}, {@code disable}, {@code reload} (read its location again; a refused version leaves
     * the old one serving and is answered with 422 and the reason) or {@code reset} (close its breaker).
     */
    @PostMapping("/{id}/{action}")
    public PluginReport act(@PathVariable String id, @PathVariable String action) {
        String verb = action.toLowerCase(Locale.ROOT);
        if (!ACTIONS.contains(verb)) {
            throw ApiProblems.badRequest("Unknown action", "Unknown action '" + action
                    + "'; allowed: enable, disable, reload, reset", Map.of("action", action));
        }
        get(id);
        GraftEndpoint.ActionReport result = reports.change(id, verb);
        if (!result.done()) {
            throw ApiProblems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Reload refused",
                    result.error() + " (the previous version, if any, keeps serving)",
                    Map.of("plugin", id, "pluginErrorType", "PluginLoadException"));
        }
        return result.plugin();
    }
}
