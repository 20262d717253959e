package dev.graft.samples.contracts;

import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import java.nio.charset.StandardCharsets;

/**
 * Renders a fractal tree as SVG. The input is JSON ({@link TreeRequest}); the output is the SVG
 * document itself, raw UTF-8 bytes rather than a JSON string, so {@link #render} returns
 * {@code byte[]} (the engine hands a {@code byte[]} result over without decoding) and
 * {@link #renderSvg} is the same as text.
 */
@ExtensionPoint(id = "tree-renderer", version = "1")
public interface TreeRenderer {

    /** The SVG document's UTF-8 bytes. */
    @Export("render_tree")
    byte[] render(TreeRequest request);

    /** The SVG document as text. */
    default String renderSvg(TreeRequest request) {
        return new String(render(request), StandardCharsets.UTF_8);
    }
}
