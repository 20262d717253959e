package dev.graft.samples.erp.trees;

import dev.graft.api.Extensions;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.PluginUnavailableException;
import dev.graft.host.engine.CallStats;
import dev.graft.host.registry.PluginDescriptor;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.samples.contracts.TreeRenderer;
import dev.graft.samples.contracts.TreeRequest;
import dev.graft.samples.erp.ErpProperties;
import dev.graft.samples.erp.web.ApiProblems;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/trees?seed=…&depth=…&trunk=…}: the fractal tree plugin's SVG ({@code image/svg+xml}),
 * with what it cost in response headers ({@code X-Graft-Fuel}, {@code X-Graft-Fuel-Budget},
 * {@code X-Graft-Elapsed-Micros}, {@code X-Graft-Plugin}, {@code X-Graft-Plugin-Sha256}).
 *
 * <p>Depth is validated to 1–18 here (400 outside); whether a valid depth renders is the plugin policy's
 * fuel budget's call: a tree too deep for it is refused with 422 naming the budget and the fuel consumed.
 */
@RestController
public class TreeController {

    public static final int MIN_DEPTH = 1;
    public static final int MAX_DEPTH = 18;
    public static final double MAX_TRUNK = 10_000;
    public static final int MAX_SEED_LENGTH = 200;

    private final Extensions<TreeRenderer> renderers;
    private final PluginRegistry registry;
    private final ErpProperties properties;

    public TreeController(Extensions<TreeRenderer> renderers, PluginRegistry registry, ErpProperties properties) {
        this.renderers = renderers;
        this.registry = registry;
        this.properties = properties;
    }

    @GetMapping("/api/trees")
    public ResponseEntity<byte[]> tree(@RequestParam(defaultValue = "Hello WASM") String seed,
            @RequestParam(defaultValue = "10") int depth, @RequestParam(defaultValue = "100") double trunk) {
        if (depth < MIN_DEPTH || depth > MAX_DEPTH) {
            throw ApiProblems.badRequest("Depth out of range",
                    "depth must be between " + MIN_DEPTH + " and " + MAX_DEPTH + ", was " + depth,
                    Map.of("parameter", "depth", "min", MIN_DEPTH, "max", MAX_DEPTH, "value", depth));
        }
        if (!(trunk > 0 && trunk <= MAX_TRUNK)) {
            throw ApiProblems.badRequest("Trunk length out of range",
                    "trunk must be greater than 0 and at most " + (int) MAX_TRUNK + ", was " + trunk,
                    Map.of("parameter", "trunk", "max", MAX_TRUNK));
        }
        if (seed.length() > MAX_SEED_LENGTH) {
            throw ApiProblems.badRequest("Seed too long", "seed must have at most " + MAX_SEED_LENGTH
                    + " characters, had " + seed.length(), Map.of("parameter", "seed", "max", MAX_SEED_LENGTH));
        }
        String pluginId = properties.treePlugin();
        TreeRenderer renderer = renderers.byId(pluginId).orElseThrow(() -> new PluginUnavailableException(pluginId,
                "is not serving (disabled, unloaded or refused at load): no tree can be drawn"));
        PluginDescriptor descriptor = registry.descriptor(pluginId).orElseThrow();
        CallStats before = CallStats.lastOnThisThread().orElse(null);
        byte[] svg;
        try {
            svg = renderer.render(new TreeRequest(seed, depth, trunk));
        } catch (PluginFuelExhaustedException e) {
            // Running out of fuel here says the request was too big, not that the plugin is broken: do not
            // let deep trees quarantine the renderer (the breaker would count it as a failure).
            registry.resetBreaker(pluginId);
            throw e;
        }
        CallStats stats = CallStats.lastOnThisThread().filter(s -> s != before).orElse(null);
        ResponseEntity.BodyBuilder ok = ResponseEntity.ok()
                .contentType(MediaType.valueOf("image/svg+xml"))
                .cacheControl(CacheControl.noStore())
                .header("X-Graft-Plugin", pluginId)
                .header("X-Graft-Plugin-Sha256", String.valueOf(descriptor.sha256()))
                .header("X-Graft-Fuel-Budget", String.valueOf(descriptor.policy().fuel()))
                .header("X-Tree-Lines", String.valueOf((1L << depth) - 1));
        if (stats != null) {
            ok.header("X-Graft-Fuel", String.valueOf(stats.fuelConsumed()))
                    .header("X-Graft-Elapsed-Micros", String.valueOf(stats.elapsedNanos() / 1000))
                    .header("X-Graft-Memory-Bytes", String.valueOf(stats.memoryHighWaterBytes()));
        }
        return ok.body(svg);
    }
}
