package dev.graft.samples.erp.web;

import dev.graft.api.PluginCallException;
import dev.graft.api.PluginCapabilityException;
import dev.graft.api.PluginCodecException;
import dev.graft.api.PluginException;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.PluginMemoryLimitException;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.PluginQuarantinedException;
import dev.graft.api.PluginTimeoutException;
import dev.graft.api.PluginTrapException;
import dev.graft.api.PluginUnavailableException;
import java.net.URI;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error of the API as an RFC 9457 problem detail ({@code application/problem+json}).
 *
 * <p>Plugin refusals map by who can fix them:
 * <ul>
 *   <li>the request asked for more than the plugin's policy allows, or the plugin rejected the input:
 *       fuel, memory, payload, the plugin's own error → 422 Unprocessable Content;</li>
 *   <li>the plugin is not serving now (disabled, unloaded, quarantined) or ran past its wall-clock
 *       timeout (which depends on the machine's load, unlike fuel) → 503 Service Unavailable;</li>
 *   <li>the plugin itself is broken (trap, a capability it was not granted, an answer that does not
 *       decode, refused at load) → 502 Bad Gateway.</li>
 * </ul>
 * Each carries {@code plugin} (the id) and {@code pluginErrorType} (the exception's simple name), plus
 * the limit and what was attempted where the exception knows them.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(PluginException.class)
    public ResponseEntity<ProblemDetail> plugin(PluginException e) {
        HttpStatus status = statusOf(e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        String type = e.getClass().getSimpleName();
        problem.setTitle(titleOf(e));
        problem.setType(URI.create(ApiProblems.TYPE_BASE + ApiProblems.slug(type.replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2"))));
        problem.setProperty("plugin", e.pluginId());
        problem.setProperty("pluginErrorType", type);
        if (e instanceof PluginFuelExhaustedException fuel) {
            problem.setProperty("limit", "fuel");
            problem.setProperty("budget", fuel.budget());
            problem.setProperty("consumed", fuel.consumed());
        } else if (e instanceof PluginTimeoutException timeout) {
            problem.setProperty("limit", "timeout");
            problem.setProperty("timeoutMillis", timeout.limit().toMillis());
        } else if (e instanceof PluginMemoryLimitException memory) {
            problem.setProperty("limit", memory.knob());
            problem.setProperty("limitBytes", memory.limitBytes());
            problem.setProperty("requestedBytes", memory.requestedBytes());
        } else if (e instanceof PluginPayloadException payload) {
            problem.setProperty("limit", payload.knob());
            problem.setProperty("limitBytes", payload.limitBytes());
            problem.setProperty("actualBytes", payload.actualBytes());
        } else if (e instanceof PluginCapabilityException capability) {
            problem.setProperty("capability", capability.capability());
        } else if (e instanceof PluginCallException call) {
            problem.setProperty("pluginMessage", call.pluginMessage());
        } else if (e instanceof PluginQuarantinedException quarantined) {
            problem.setProperty("retryAfterMillis", quarantined.remaining().toMillis());
        }
        if (status.is5xxServerError()) {
            log.warn("Plugin refusal answered with {}: {}", status.value(), e.getMessage());
        }
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    static HttpStatus statusOf(PluginException e) {
        if (e instanceof PluginFuelExhaustedException || e instanceof PluginMemoryLimitException
                || e instanceof PluginPayloadException || e instanceof PluginCallException) {
            return HttpStatus.UNPROCESSABLE_CONTENT;
        }
        if (e instanceof PluginTimeoutException || e instanceof PluginUnavailableException) {
            return HttpStatus.SERVICE_UNAVAILABLE;
        }
        return HttpStatus.BAD_GATEWAY;   // trap, capability, codec, load: the plugin is broken
    }

    static String titleOf(PluginException e) {
        if (e instanceof PluginFuelExhaustedException) {
            return "Plugin ran out of fuel";
        } else if (e instanceof PluginMemoryLimitException) {
            return "Plugin memory limit reached";
        } else if (e instanceof PluginPayloadException) {
            return "Plugin payload too large";
        } else if (e instanceof PluginCallException) {
            return "Plugin rejected the input";
        } else if (e instanceof PluginTimeoutException) {
            return "Plugin timed out";
        } else if (e instanceof PluginQuarantinedException) {
            return "Plugin quarantined";
        } else if (e instanceof PluginUnavailableException) {
            return "Plugin unavailable";
        } else if (e instanceof PluginTrapException) {
            return "Plugin trapped";
        } else if (e instanceof PluginCapabilityException) {
            return "Plugin capability denied";
        } else if (e instanceof PluginCodecException) {
            return "Plugin answer not understood";
        } else if (e instanceof PluginLoadException) {
            return "Plugin refused at load";
        }
        return "Plugin failed";
    }

    /** Malformed JSON, or a value of the wrong type or out of range for its field (e.g. 10^12 as a quantity). */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "The request body is not valid JSON for this resource: " + firstLine(mostSpecific(ex).getMessage()));
        problem.setTitle("Malformed JSON");
        problem.setType(URI.create(ApiProblems.TYPE_BASE + "malformed-json"));
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    /** Bean validation of a request body: every field error, by path. */
    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        List<String> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(f -> f.getField() + ": " + f.getDefaultMessage()).sorted().toList();
        List<String> global = ex.getBindingResult().getGlobalErrors().stream()
                .map(g -> g.getObjectName() + ": " + g.getDefaultMessage()).toList();
        List<String> all = new java.util.ArrayList<>(errors);
        all.addAll(global);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, String.join("; ", all));
        problem.setTitle("Invalid request");
        problem.setType(URI.create(ApiProblems.TYPE_BASE + "invalid-request"));
        problem.setProperty("errors", all);
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    private static Throwable mostSpecific(Throwable t) {
        Throwable current = t;
        while (current.getCause() != null && current.getCause() != current) {
            current = current.getCause();
        }
        return current;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
