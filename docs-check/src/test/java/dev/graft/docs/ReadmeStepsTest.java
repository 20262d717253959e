package dev.graft.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@link SampleAppReadmeIT} reads the README's commands and compares answers, without starting the app. */
class ReadmeStepsTest {

    @Test
    void everyCommandOfTheApiSectionIsFoundWithWhatTheReadmeShowsAfterIt() {
        List<SampleAppReadmeIT.Step> steps = SampleAppReadmeIT.steps();
        steps.forEach(s -> System.out.println(s.where() + " | " + s.command().strip().replace('\n', ' ') + " | " + s.comments()
                + (s.json() != null ? " | json" : "")));
        assertThat(steps.get(0).command()).startsWith("curl -s -X POST localhost:8080/api/quotes").contains("\"DESK-OAK\"");
        assertThat(steps.get(0).json()).contains("\"total\": \"648.02\"");
        assertThat(steps).anySatisfy(s -> assertThat(s.comments()).anyMatch(c -> c.contains("X-Graft-Fuel: 15417612")));
        assertThat(steps).anySatisfy(s -> assertThat(String.join(" ", s.comments())).startsWith("422 {").contains("\"consumed\": 40000033}"));
        assertThat(steps).anySatisfy(s -> assertThat(s.command()).startsWith("./graft sign my-rule.wasm"));
    }

    @Test
    void aChangedFigureOrAMissingElementIsReported() throws Exception {
        JsonNode shown = SampleAppReadmeIT.JSON.readTree("""
                {"total": "648.02", "sha": "74da529e…", "lines": [{"fuel": 59455, "elapsedMicros": 310, "…": "…"}, "…"]}""");
        List<String> problems = new ArrayList<>();
        SampleAppReadmeIT.match(shown, SampleAppReadmeIT.JSON.readTree("""
                {"total": "648.02", "sha": "74da529e96ce", "extra": 1, "lines": [{"fuel": 59455, "elapsedMicros": 7, "x": 1}, {}]}"""),
                "$", problems);
        assertThat(problems).isEmpty();
        SampleAppReadmeIT.match(shown, SampleAppReadmeIT.JSON.readTree("""
                {"total": "648.03", "sha": "e6c57ad7", "lines": [{"fuel": 59456}]}"""), "$", problems);
        assertThat(problems).hasSize(3).anyMatch(p -> p.contains("$.lines[0].fuel")).anyMatch(p -> p.contains("$.total"))
                .anyMatch(p -> p.contains("$.sha"));
    }

    @Test
    void commentsAreCheckedForStatusHeadersAndPairs() throws Exception {
        List<String> problems = new ArrayList<>();
        SampleAppReadmeIT.check("200, X-Graft-Fuel: 15417612", 200, "HTTP/1.1 200\r\nX-Graft-Fuel: 15417612\r\n\r\n", problems);
        SampleAppReadmeIT.check("422 {\"limit\": \"fuel\", \"differences\": [\"total 648.02 → 658.02\"]}", 422,
                "{\"a\": {\"limit\": \"fuel\"}, \"differences\": [\"total 648.02 → 658.02\"]}", problems);
        assertThat(problems).isEmpty();
        SampleAppReadmeIT.check("200, X-Graft-Fuel: 15417612", 503, "HTTP/1.1 503\r\nX-Graft-Fuel: 1\r\n\r\n", problems);
        SampleAppReadmeIT.check("\"same\": true", 200, "{\"same\": false}", problems);
        assertThat(problems).hasSize(3);
    }
}
