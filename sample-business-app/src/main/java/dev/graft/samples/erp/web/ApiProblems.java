package dev.graft.samples.erp.web;

import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** RFC 9457 problem details for the application's own refusals. */
public final class ApiProblems {

    /** Base of the {@code type} URIs of this application's problems. */
    public static final String TYPE_BASE = "https://graft.dev/problems/";

    private ApiProblems() {
    }

    public static ErrorResponseException of(HttpStatus status, String title, String detail) {
        return of(status, title, detail, Map.of());
    }

    public static ErrorResponseException of(HttpStatus status, String title, String detail, Map<String, Object> properties) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setType(URI.create(TYPE_BASE + slug(title)));
        properties.forEach(problem::setProperty);
        return new ErrorResponseException(status, problem, null);
    }

    public static ErrorResponseException badRequest(String title, String detail, Map<String, Object> properties) {
        return of(HttpStatus.BAD_REQUEST, title, detail, properties);
    }

    public static ErrorResponseException notFound(String title, String detail) {
        return of(HttpStatus.NOT_FOUND, title, detail);
    }

    static String slug(String title) {
        return title.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
