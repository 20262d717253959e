package dev.graft.samples.erp.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A typed host function's values recorded as JSON and read back as its Java types, {@code Optional} included. */
class ComponentValuesTest {

    record Tier(String name, Optional<String> since) {
    }

    interface Shapes {
        Optional<String> tier();

        Optional<Tier> record();

        List<Optional<String>> list();
    }

    static Type typeOf(String method) throws NoSuchMethodException {
        return Shapes.class.getMethod(method).getGenericReturnType();
    }

    static String json(Object value) {
        return new String(ComponentValues.json(value), StandardCharsets.UTF_8);
    }

    static Object read(String json, Type type) {
        return ComponentValues.read(json.getBytes(StandardCharsets.UTF_8), type);
    }

    @Test
    void optionalsAreWrittenAsTheirValueOrNullAndReadBackAsOptionals() throws Exception {
        assertThat(json(Optional.of("gold"))).isEqualTo("\"gold\"");
        assertThat(json(Optional.empty())).isEqualTo("null");
        assertThat(read("\"gold\"", typeOf("tier"))).isEqualTo(Optional.of("gold"));
        assertThat(read("null", typeOf("tier"))).isEqualTo(Optional.empty());

        Tier tier = new Tier("gold", Optional.empty());
        assertThat(json(Optional.of(tier))).isEqualTo("{\"name\":\"gold\",\"since\":null}");
        assertThat(read(json(Optional.of(tier)), typeOf("record"))).isEqualTo(Optional.of(tier));
        List<Optional<String>> list = List.of(Optional.of("a"), Optional.empty());
        assertThat(json(list)).isEqualTo("[\"a\",null]");
        assertThat(read("[\"a\",null]", typeOf("list"))).isEqualTo(list);
    }

    @Test
    void aValueOfAnotherTypeIsRefusedNamingTheType() throws Exception {
        Type type = typeOf("tier");
        assertThatThrownBy(() -> read("42", type)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.util.Optional<java.lang.String>");
    }
}
