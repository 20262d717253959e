package dev.graft.cli.shapes;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.OptionalField;
import java.math.BigDecimal;
import java.util.List;

/** An extension point with every shape {@code graft new} writes, for NewCommandIT. */
@ExtensionPoint(id = "shapes", version = "1")
public interface ShapesContract {

    @Export("echo_shapes")
    Everything echo(Everything input);

    @Export("render_small")
    byte[] render(Small small);

    @Export("count_words")
    long count(List<String> words);

    /** A small record. */
    record Small(String name, double size) {
    }

    /** Every kind of component. */
    record Everything(String text, @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal money, BigDecimal number,
            int count, long big, double ratio, boolean flag, List<String> tags, List<List<Integer>> grid,
            List<Small> smalls, Small small, @OptionalField String note, @OptionalField Integer maybe,
            @OptionalField Small extra, @OptionalField Boolean yes, @JsonProperty("renamed") String original, Color color) {
    }

    /** An enum travels as its constant's name. */
    enum Color { RED, GREEN }
}
