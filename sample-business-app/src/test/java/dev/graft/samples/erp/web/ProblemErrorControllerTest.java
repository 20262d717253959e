package dev.graft.samples.erp.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.RequestDispatcher;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.autoconfigure.web.WebProperties;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorViewResolver;
import org.springframework.boot.webmvc.error.DefaultErrorAttributes;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** What {@code /error} answers for errors nobody else answered: problem details, never a server error's message. */
class ProblemErrorControllerTest {

    final ProblemErrorController controller = new ProblemErrorController(new DefaultErrorAttributes(), new WebProperties(),
            new StaticListableBeanFactory().getBeanProvider(ErrorViewResolver.class));

    MockHttpServletRequest forwarded(int status, String uri, Throwable exception, String message) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, status);
        request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, uri);
        request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, exception);
        request.setAttribute(RequestDispatcher.ERROR_MESSAGE, message);
        return request;
    }

    @Test
    void aServerErrorIsAProblemWithoutTheExceptionsMessage() {
        ResponseEntity<Map<String, Object>> answer = controller.error(forwarded(500, "/api/quotes",
                new IllegalStateException("jdbc:h2:secret-connection-details"), "jdbc:h2:secret-connection-details"));
        assertThat(answer.getStatusCode().value()).isEqualTo(500);
        assertThat(answer.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(answer.getBody()).containsEntry("status", 500).containsEntry("title", "Internal Server Error")
                .containsEntry("detail", "The server failed to handle the request.").containsEntry("instance", "/api/quotes");
        assertThat(answer.getBody().toString()).doesNotContain("secret");
    }

    @Test
    void aClientErrorSaysWhy() {
        ResponseEntity<Map<String, Object>> answer = controller.error(forwarded(400, "/api/products//x", null,
                "The request was rejected because the URL contained a potentially malicious String \"//\""));
        assertThat(answer.getBody()).containsEntry("status", 400).containsEntry("title", "Bad Request")
                .containsEntry("detail", "The request was rejected because the URL contained a potentially malicious String \"//\"");
    }

    @Test
    void aBodyOverTheLimitFoundOutsideMvcIs413() {
        MockHttpServletRequest request = forwarded(500, "/api/quotes", new RuntimeException(new dev.graft.samples.erp.web.RequestBodyTooLargeException(1024)), null);
        ResponseEntity<Map<String, Object>> answer = controller.error(request);
        assertThat(answer.getStatusCode().value()).isEqualTo(413);
        assertThat(answer.getBody()).containsEntry("title", "Request body too large");
    }

    @Test
    void theApiGetsJsonEvenWhenItAsksForHtmlAndPagesKeepTheHtmlPage() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        assertThat(controller.errorHtml(forwarded(404, "/api/nope", null, null), response)).isNull();
        assertThat(response.getStatus()).isEqualTo(404);
        assertThat(response.getContentType()).startsWith(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        assertThat(response.getContentAsString()).contains("\"status\":404", "\"instance\":\"/api/nope\"");

        assertThat(controller.errorHtml(forwarded(404, "/nope.html", null, null), new MockHttpServletResponse()).getViewName())
                .isEqualTo("error");
    }
}
