package dev.graft.samples.erp.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * Problem details written straight to a servlet response, for refusals made outside Spring MVC (the body
 * limit filter, the security layer, the error controller): the same shape as MVC's {@code ProblemDetail}
 * ({@code type}, {@code title}, {@code status}, {@code detail}, {@code instance}, extra properties).
 */
public final class ProblemResponses {

    private ProblemResponses() {
    }

    /** Writes a problem detail as {@code application/problem+json}; does nothing when the response is committed. */
    public static void write(HttpServletResponse response, int status, String title, String detail, String instance,
            Map<String, Object> properties) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(json(status, title, detail, instance, properties));
        response.flushBuffer();
    }

    public static void write(HttpServletResponse response, HttpStatus status, String title, String detail)
            throws IOException {
        write(response, status.value(), title, detail, null, Map.of());
    }

    /** The JSON text of a problem detail; {@code type} is derived from the title as for {@link ApiProblems}. */
    public static String json(int status, String title, String detail, String instance, Map<String, Object> properties) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("type", ApiProblems.TYPE_BASE + ApiProblems.slug(title));
        fields.put("title", title);
        fields.put("status", status);
        if (detail != null) {
            fields.put("detail", detail);
        }
        if (instance != null) {
            fields.put("instance", instance);
        }
        properties.forEach(fields::putIfAbsent);
        StringBuilder out = new StringBuilder("{");
        fields.forEach((name, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            quote(out, name).append(':');
            if (value instanceof Number || value instanceof Boolean) {
                out.append(value);
            } else if (value == null) {
                out.append("null");
            } else {
                quote(out, value.toString());
            }
        });
        return out.append('}').toString();
    }

    private static StringBuilder quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    // control characters and lone surrogates escaped, so the text is valid JSON in any encoding
                    if (c < 0x20 || Character.isSurrogate(c) && !validPair(s, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    private static boolean validPair(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
