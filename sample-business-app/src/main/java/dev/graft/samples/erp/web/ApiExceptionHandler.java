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
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
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

    /**
     * A body over {@code erp.api.max-body-size} (413), or JSON that does not fit the resource (400): malformed,
     * a duplicate key, an unknown property, a value of the wrong type or out of range for its field (e.g.
     * {@code 1.5} or 10^12 as a quantity). The problem names the field ({@code field}, as Bean Validation
     * names it, e.g. {@code lines[0].quantity}, and {@code pointer}, RFC 6901) where Jackson knows it.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        RequestBodyTooLargeException tooLarge = RequestBodyTooLargeException.in(ex);
        if (tooLarge != null) {
            return handleExceptionInternal(ex, tooLarge(tooLarge), headers, HttpStatus.CONTENT_TOO_LARGE, request);
        }
        JacksonException json = jacksonCause(ex);
        String problem = json != null ? describe(json) : firstLine(mostSpecific(ex).getMessage());
        JsonLocation where = json != null ? JsonLocation.of(json) : JsonLocation.NONE;
        ProblemDetail detail = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "The request body is not valid JSON for this resource: " + problem
                        + (where.field().isEmpty() ? "" : " (at " + where.field() + ")"));
        detail.setTitle("Malformed JSON");
        detail.setType(URI.create(ApiProblems.TYPE_BASE + "malformed-json"));
        if (!where.field().isEmpty()) {
            detail.setProperty("field", where.field());
            detail.setProperty("pointer", where.pointer());
        }
        if (json != null && json.getLocation() != null && json.getLocation().getLineNr() > 0) {
            detail.setProperty("line", json.getLocation().getLineNr());
            detail.setProperty("column", json.getLocation().getColumnNr());
        }
        detail.setProperty("problem", problem);
        return handleExceptionInternal(ex, detail, headers, HttpStatus.BAD_REQUEST, request);
    }

    /** A body over the limit that surfaced outside a message converter (a controller reading it itself). */
    @ExceptionHandler(RequestBodyTooLargeException.class)
    public ResponseEntity<ProblemDetail> bodyTooLarge(RequestBodyTooLargeException e) {
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(tooLarge(e));
    }

    /** Two requests creating the same thing at once: the database's unique constraint decides, the loser gets 409. */
    @ExceptionHandler(DuplicateKeyException.class)
    public ResponseEntity<ProblemDetail> duplicate(DuplicateKeyException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
                "It exists already (another request created it at the same time).");
        problem.setTitle("Conflict");
        problem.setType(URI.create(ApiProblems.TYPE_BASE + "conflict"));
        return ResponseEntity.status(HttpStatus.CONFLICT).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static ProblemDetail tooLarge(RequestBodyTooLargeException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, e.getMessage() + ".");
        problem.setTitle("Request body too large");
        problem.setType(URI.create(ApiProblems.TYPE_BASE + "request-body-too-large"));
        problem.setProperty("limitBytes", e.limitBytes());
        return problem;
    }

    /** Jackson's message, without the Java class names and configuration hints meant for developers. */
    static String describe(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            List<String> known = unknown.getKnownPropertyIds() == null ? List.of()
                    : unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            return "Unknown property \"" + unknown.getPropertyName() + "\""
                    + (known.isEmpty() ? "" : "; known: " + String.join(", ", known));
        }
        String message = firstLine(e.getOriginalMessage());
        message = message.replaceAll(" \\(but (could|might) if coercion[^)]*\\)", "")
                .replaceAll("`java\\.lang\\.(\\w+)`", "`$1`")
                .replaceAll("`java\\.math\\.(\\w+)`", "`$1`")
                .replaceAll("`dev\\.graft\\.[\\w.]*[.$](\\w+)`", "`$1`");
        return message;
    }

    private static JacksonException jacksonCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof JacksonException json) {
                return json;
            }
        }
        return null;
    }

    /**
     * Where in the document a JSON problem is: as Bean Validation names fields ({@code lines[0].quantity})
     * and as an RFC 6901 pointer ({@code /lines/0/quantity}); empty at the top level.
     */
    record JsonLocation(String field, String pointer) {

        static final JsonLocation NONE = new JsonLocation("", "");

        static JsonLocation of(JacksonException e) {
            if (e instanceof StreamReadException && e.processor() instanceof JsonParser parser
                    && parser.streamReadContext() != null) {
                // a problem in the text itself (a duplicate key, bad syntax): where the parser was, from the root
                return ofPointer(parser.streamReadContext().pathAsPointer().toString());
            }
            StringBuilder field = new StringBuilder();
            StringBuilder pointer = new StringBuilder();
            for (JacksonException.Reference ref : e.getPath()) {
                if (ref.getPropertyName() != null) {
                    if (!field.isEmpty()) {
                        field.append('.');
                    }
                    field.append(ref.getPropertyName());
                    pointer.append('/').append(ref.getPropertyName().replace("~", "~0").replace("/", "~1"));
                } else if (ref.getIndex() >= 0) {
                    field.append('[').append(ref.getIndex()).append(']');
                    pointer.append('/').append(ref.getIndex());
                }
            }
            return new JsonLocation(field.toString(), pointer.toString());
        }

        private static JsonLocation ofPointer(String pointer) {
            if (pointer.isEmpty()) {
                return NONE;
            }
            StringBuilder field = new StringBuilder();
            for (String segment : pointer.substring(1).split("/", -1)) {
                if (segment.matches("\\d+")) {
                    field.append('[').append(segment).append(']');
                } else {
                    field.append(field.isEmpty() ? "" : ".").append(segment.replace("~1", "/").replace("~0", "~"));
                }
            }
            return new JsonLocation(field.toString(), pointer);
        }
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
