package dev.graft.samples.erp.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.FilterChain;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** The body limit: by the declared length without reading, or by counting a body of unknown length as it streams. */
class RequestBodyLimitFilterTest {

    final RequestBodyLimitFilter filter = new RequestBodyLimitFilter(1000);

    /** A request whose body has no declared length (chunked). */
    static MockHttpServletRequest streamed(String path, int bytes) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", path) {
            @Override
            public long getContentLengthLong() {
                return -1;
            }

            @Override
            public int getContentLength() {
                return -1;
            }
        };
        request.setContent(new byte[bytes]);
        request.setContentType("application/json");
        return request;
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedWithoutReadingTheBody() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/quotes");
        request.setContent(new byte[1001]);
        MockHttpServletResponse response = new MockHttpServletResponse();
        FilterChain never = (req, res) -> {
            throw new AssertionError("the chain must not run");
        };
        filter.doFilter(request, response, never);
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        assertThat(response.getContentAsString()).contains("\"limitBytes\":1000", "\"actualBytes\":1001");
        assertThat(request.getInputStream().available()).as("body left unread").isEqualTo(1001);
    }

    @Test
    void aStreamedBodyIsCountedAndNeverReadFarPastTheLimit() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        AtomicLong read = new AtomicLong();
        FilterChain readsAll = (req, res) -> {
            InputStream in = req.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read.addAndGet(n);
            }
        };
        filter.doFilter(streamed("/api/quotes", 100_000), response, readsAll);
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(response.getContentAsString()).contains("\"title\":\"Request body too large\"");
        assertThat(read.get()).as("bytes handed to the reader").isLessThanOrEqualTo(1000);
    }

    @Test
    void aBodyWithinTheLimitAndOtherPathsPass() throws Exception {
        for (MockHttpServletRequest request : new MockHttpServletRequest[] {streamed("/api/quotes", 1000),
                streamed("/echo/x", 5000), streamed("/api/plugins/volume-discount/versions", 5000)}) {
            MockHttpServletResponse response = new MockHttpServletResponse();
            AtomicLong read = new AtomicLong();
            filter.doFilter(request, response, (req, res) -> read.set(req.getInputStream().readAllBytes().length));
            assertThat(response.getStatus()).as(request.getRequestURI()).isEqualTo(200);
            assertThat(read.get()).as(request.getRequestURI()).isEqualTo(request.getContentAsByteArray().length);
        }
    }
}
