package dev.graft.samples.erp.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.api.PluginCallException;
import dev.graft.api.PluginCapabilityException;
import dev.graft.api.PluginException;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.PluginMemoryLimitException;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.PluginQuarantinedException;
import dev.graft.api.PluginTimeoutException;
import dev.graft.api.PluginTrapException;
import dev.graft.api.PluginUnavailableException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * The status mapping of plugin refusals (documented in the README): what {@code POST /api/quotes} answers
 * with {@code on-failure: throw}, and what the tree API answers.
 */
class ApiExceptionHandlerTest {

    final ApiExceptionHandler handler = new ApiExceptionHandler();

    ProblemDetail problem(PluginException e, int status) {
        ResponseEntity<ProblemDetail> response = handler.plugin(e);
        assertThat(response.getStatusCode().value()).as(e.getClass().getSimpleName()).isEqualTo(status);
        ProblemDetail p = response.getBody();
        assertThat(p.getProperties()).containsEntry("plugin", "p").containsEntry("pluginErrorType", e.getClass().getSimpleName());
        assertThat(p.getDetail()).isEqualTo(e.getMessage());
        return p;
    }

    @Test
    void requestTooBigForThePolicyOrRejectedByThePluginIs422() {
        ProblemDetail fuel = problem(new PluginFuelExhaustedException("p", "call to 'render_tree'", 40_000_000, 40_000_033), 422);
        assertThat(fuel.getProperties()).containsEntry("budget", 40_000_000L).containsEntry("consumed", 40_000_033L);
        assertThat(fuel.getType().toString()).isEqualTo("https://graft.dev/problems/plugin-fuel-exhausted");
        problem(new PluginMemoryLimitException("p", "max-memory", 1024, 2048, "memory.grow"), 422);
        problem(new PluginPayloadException("p", "max-output-bytes", 10, 20, "output"), 422);
        ProblemDetail call = problem(new PluginCallException("p", "apply_rule", "no tax rate for region \"PL\""), 422);
        assertThat(call.getProperties()).containsEntry("pluginMessage", "no tax rate for region \"PL\"");
    }

    @Test
    void notServingOrTooSlowIs503() {
        problem(new PluginTimeoutException("p", "call", Duration.ofSeconds(1), Duration.ofMillis(1001)), 503);
        problem(new PluginUnavailableException("p", "is disabled"), 503);
        problem(new PluginQuarantinedException("p", "apply_rule", 5, Duration.ofSeconds(30), Duration.ofSeconds(12)), 503);
    }

    @Test
    void aBrokenPluginIs502() {
        problem(new PluginTrapException("p", "apply_rule", "unreachable", null), 502);
        problem(new PluginCapabilityException("p", "wasi", "fd_write"), 502);
    }
}
