package dev.graft.samples.erp.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.web.WebProperties;
import org.springframework.boot.webmvc.autoconfigure.error.BasicErrorController;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorViewResolver;
import org.springframework.boot.webmvc.error.ErrorAttributes;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.ModelAndView;

/**
 * The error page ({@code /error}, where the servlet container forwards every error nobody answered) as a
 * problem detail: an exception no handler mapped (500, without its message), a request Spring Security's
 * firewall rejected (400), a body over the limit found outside MVC (413). Pages keep Spring Boot's HTML
 * error page when a browser navigates to them; the API ({@code /api/**}, {@code /actuator/**}) always
 * gets {@code application/problem+json}, whatever the request accepts.
 */
@Controller
@RequestMapping("${server.error.path:${error.path:/error}}")
public class ProblemErrorController extends BasicErrorController {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

    public ProblemErrorController(ErrorAttributes errorAttributes, WebProperties web,
            ObjectProvider<ErrorViewResolver> resolvers) {
        super(errorAttributes, web.getError(), resolvers.orderedStream().toList());
    }

    @Override
    @RequestMapping(produces = MediaType.TEXT_HTML_VALUE)
    public ModelAndView errorHtml(HttpServletRequest request, HttpServletResponse response) {
        if (!apiRequest(request)) {
            return super.errorHtml(request, response);
        }
        Map<String, Object> problem = problem(request);
        try {
            ProblemResponses.write(response, (Integer) problem.get("status"), (String) problem.get("title"),
                    (String) problem.get("detail"), (String) problem.get("instance"), Map.of());
        } catch (IOException e) {
            log.debug("Could not write the problem detail of an error: {}", e.toString());
        }
        return null;   // answered
    }

    @Override
    @RequestMapping
    public ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        Map<String, Object> problem = problem(request);
        return ResponseEntity.status((Integer) problem.get("status"))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    /** The problem detail of the error being forwarded: status, title and a detail that never carries a server error's message. */
    Map<String, Object> problem(HttpServletRequest request) {
        HttpStatus status = getStatus(request);
        Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        String detail;
        String title = null;
        if (Boolean.TRUE.equals(request.getAttribute(RequestBodyLimitFilter.EXCEEDED_ATTRIBUTE))
                || exception instanceof Throwable t && RequestBodyTooLargeException.in(t) != null) {
            status = HttpStatus.CONTENT_TOO_LARGE;
            title = "Request body too large";   // as RequestBodyLimitFilter and ApiExceptionHandler name it
            detail = "The request body is larger than the limit (erp.api.max-body-size).";
        } else if (status.is5xxServerError()) {
            detail = "The server failed to handle the request.";
            if (exception instanceof Throwable t) {
                log.warn("Request {} {} failed: {}", request.getMethod(), request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI), t.toString());
            }
        } else {
            Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
            detail = message instanceof String s && !s.isBlank() ? ProblemReportValve.detail(status.value(), s, null)
                    : status == HttpStatus.BAD_REQUEST
                            ? "The request was rejected: its URL or headers are not allowed (e.g. an encoded or doubled slash, a dot segment, a path parameter)."
                            : "The request was refused: " + status.getReasonPhrase() + ".";
        }
        title = title != null ? title : status.getReasonPhrase();
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", URI.create(ApiProblems.TYPE_BASE + ApiProblems.slug(title)).toString());
        problem.put("title", title);
        problem.put("status", status.value());
        problem.put("detail", detail);
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (uri instanceof String path && path.length() <= 200) {
            problem.put("instance", path);
        }
        return problem;
    }

    private static boolean apiRequest(HttpServletRequest request) {
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = uri instanceof String s ? s.substring(Math.min(s.length(), request.getContextPath().length())) : "";
        return path.startsWith("/api/") || path.startsWith("/actuator/") || path.equals("/api") || path.equals("/actuator");
    }
}
