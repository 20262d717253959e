package dev.graft.samples.erp.web;

import jakarta.servlet.RequestDispatcher;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * Tomcat's error report as a problem detail instead of its HTML page: for the errors Tomcat answers
 * itself, before a request reaches the application (a request line or headers over
 * {@code server.max-http-request-header-size}, a malformed or undecodable URI, a bad
 * {@code Content-Length}), and for any error response nobody wrote a body for.
 *
 * <p>Requests that do reach the application get their problem details from Spring MVC and
 * {@link ProblemErrorController}; by the time this valve runs their body is written and it does nothing.
 */
public class ProblemReportValve extends ErrorReportValve {

    /** Tomcat's message when the request line and headers do not fit its buffer. */
    static final String HEADER_TOO_LARGE = "Request header is too large";

    private final long maxHeaderBytes;

    /** @param maxHeaderBytes {@code server.max-http-request-header-size}, named in the 431 problem; -1 when unknown */
    public ProblemReportValve(long maxHeaderBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
    }

    /** For Tomcat, which creates the host's valve by its class name when none is configured. */
    public ProblemReportValve() {
        this(-1);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        String detail = detail(status, response.getMessage(), throwable);
        if (status == 400 && detail.startsWith(HEADER_TOO_LARGE)) {
            // Tomcat answers 400; 431 says what to change (a long query string counts: it is in the request line)
            status = HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.value();
            response.setStatus(status);
            detail = "The request line and headers are larger than the server accepts"
                    + (maxHeaderBytes > 0 ? " (" + maxHeaderBytes + " bytes, server.max-http-request-header-size)" : "")
                    + "; a long query string counts too: send large input as a request body.";
            if (maxHeaderBytes > 0) {
                properties.put("limitBytes", maxHeaderBytes);
            }
        }
        HttpStatus known = HttpStatus.resolve(status);
        String title = known != null ? known.getReasonPhrase() : "HTTP " + status;
        String instance = null;
        try {
            Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
            instance = uri != null ? uri.toString() : request.getDecodedRequestURI();
        } catch (RuntimeException unparsable) {
            // the request line did not parse: there is no URI to name
        }
        if (instance != null && (instance.length() > 200 || !instance.startsWith("/"))) {
            instance = null;   // never echo a huge or malformed target back
        }
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(ProblemResponses.json(status, title, detail, instance, properties));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response cannot take a body any more: nothing to report to
        }
    }

    /** What went wrong, in words: Tomcat's own message for a client error (never for a server error). */
    static String detail(int status, String message, Throwable throwable) {
        String reason = message;
        if ((reason == null || reason.isBlank()) && throwable != null) {
            reason = throwable.getMessage();
        }
        if (status >= 500 || reason == null || reason.isBlank()) {
            return status >= 500 ? "The server failed to handle the request." : "The request was refused before it reached the application.";
        }
        int nl = reason.indexOf('\n');
        reason = nl < 0 ? reason : reason.substring(0, nl);
        return reason.length() > 300 ? reason.substring(0, 300) + "…" : reason;
    }
}
