package dev.graft.samples.erp.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds the request bodies of the JSON API ({@code /api/**}, and the actuator's {@code /actuator/**}) to
 * {@code erp.api.max-body-size} before
 * anything reads them into memory: a declared {@code Content-Length} over the limit is answered with 413
 * at once, without reading the body; a body without one (chunked) or longer than declared is counted as
 * it streams and fails with {@link RequestBodyTooLargeException} at the first byte past the limit.
 *
 * <p>Plugin uploads ({@code POST /api/plugins/{id}/versions}) are not JSON and have their own, larger
 * limit ({@code erp.uploads.max-size}), so they pass untouched.
 */
public class RequestBodyLimitFilter extends OncePerRequestFilter {

    /** Request attribute set when a body was refused for its size (the error controller answers 413 then). */
    public static final String EXCEEDED_ATTRIBUTE = RequestBodyLimitFilter.class.getName() + ".exceeded";

    private static final Pattern UPLOAD = Pattern.compile("/api/plugins/[^/]+/versions/?");

    private final long maxBytes;

    public RequestBodyLimitFilter(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The limit in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !(path.startsWith("/api/") || path.startsWith("/actuator/")) || UPLOAD.matcher(path).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            request.setAttribute(EXCEEDED_ATTRIBUTE, true);
            // The body is not read: let Tomcat close the connection rather than drain it.
            response.setHeader("Connection", "close");
            tooLarge(request, response, declared);
            return;
        }
        try {
            chain.doFilter(new Limited(request, maxBytes), response);
        } catch (IOException | ServletException | RuntimeException e) {
            if (RequestBodyTooLargeException.in(e) == null || response.isCommitted()) {
                throw e;
            }
            // Read by something outside Spring MVC's exception handling (a filter further down).
            tooLarge(request, response, -1);
        }
    }

    private void tooLarge(HttpServletRequest request, HttpServletResponse response, long declared) throws IOException {
        request.setAttribute(EXCEEDED_ATTRIBUTE, true);
        ProblemResponses.write(response, HttpStatus.CONTENT_TOO_LARGE.value(), "Request body too large",
                declared >= 0
                        ? "The request body of " + declared + " bytes is larger than the limit of " + maxBytes
                                + " bytes (erp.api.max-body-size)."
                        : "The request body is larger than the limit of " + maxBytes + " bytes (erp.api.max-body-size).",
                request.getRequestURI(), declared >= 0
                        ? Map.of("limitBytes", maxBytes, "actualBytes", declared)
                        : Map.of("limitBytes", maxBytes));
    }

    /** The request with its body counted as it is read. */
    private static final class Limited extends HttpServletRequestWrapper {

        private final long maxBytes;
        private ServletInputStream stream;
        private BufferedReader reader;

        Limited(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new Counting(super.getInputStream(), maxBytes, (HttpServletRequest) getRequest());
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            if (reader == null) {
                reader = new BufferedReader(new InputStreamReader(getInputStream(), charset()));
            }
            return reader;
        }

        private Charset charset() {
            String name = getCharacterEncoding();
            try {
                return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
            } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                return StandardCharsets.UTF_8;
            }
        }
    }

    /** Counts the bytes read and fails at the first one past the limit. */
    private static final class Counting extends ServletInputStream {

        private final ServletInputStream in;
        private final long maxBytes;
        private final HttpServletRequest request;
        private long count;

        Counting(ServletInputStream in, long maxBytes, HttpServletRequest request) {
            this.in = in;
            this.maxBytes = maxBytes;
            this.request = request;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            // never ask for more than one byte past the limit, so that an oversized body is not buffered whole
            int n = in.read(buffer, offset, (int) Math.min(length, Math.max(1, maxBytes - count + 1)));
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) throws RequestBodyTooLargeException {
            count += n;
            if (count > maxBytes) {
                request.setAttribute(EXCEEDED_ATTRIBUTE, true);
                throw new RequestBodyTooLargeException(maxBytes);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
