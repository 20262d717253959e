package dev.graft.samples.erp.web;

import org.apache.catalina.Context;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * What the web layer accepts, and how it says no: the request body limit of the JSON API, strict JSON,
 * and Tomcat's own errors as problem details.
 *
 * <ul>
 *   <li>{@code erp.api.max-body-size} (1 MiB by default) bounds every {@code /api/**} and {@code /actuator/**} request body
 *       before it is read ({@link RequestBodyLimitFilter}): 413.</li>
 *   <li>The JSON of requests is read strictly (400 naming the field): a duplicate key, an unknown property,
 *       {@code 1.5} or {@code "1"} where an integer belongs, a number or boolean where text belongs, null
 *       for a primitive, anything after the document. Only Spring MVC's mapper is configured so; the
 *       plugins' payload codec has its own (plugin-host's {@code JacksonPayloadCodec}, Jackson 2).</li>
 *   <li>Tomcat's error report valve writes problem details instead of HTML ({@link ProblemReportValve}).</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class ApiInputConfiguration {

    @Bean
    FilterRegistrationBean<RequestBodyLimitFilter> requestBodyLimitFilter(
            @Value("${erp.api.max-body-size:1MB}") DataSize maxBodySize) {
        FilterRegistrationBean<RequestBodyLimitFilter> registration =
                new FilterRegistrationBean<>(new RequestBodyLimitFilter(maxBodySize.toBytes()));
        // before anything that may read a body (Spring Security, the form content filter) and before authentication:
        // an oversized body is refused without being read, whoever sends it
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        registration.addUrlPatterns("/api/*", "/actuator/*");
        return registration;
    }

    @Bean
    StrictJson strictJson() {
        return new StrictJson();
    }

    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> problemReportValve(
            @Value("${server.max-http-request-header-size:8KB}") DataSize maxHeaderSize) {
        return new ProblemReportValveCustomizer(maxHeaderSize.toBytes());
    }

    /**
     * Strict reading of request JSON. Ordered after Spring Boot's own customizer, which turns
     * {@code FAIL_ON_UNKNOWN_PROPERTIES} off.
     */
    static final class StrictJson implements JsonMapperBuilderCustomizer, Ordered {

        @Override
        public void customize(JsonMapper.Builder builder) {
            builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                            DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                            DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                            DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT,
                            DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
                            DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS,
                            DeserializationFeature.ACCEPT_EMPTY_STRING_AS_NULL_OBJECT,
                            DeserializationFeature.ACCEPT_EMPTY_ARRAY_AS_NULL_OBJECT)
                    // integers only from JSON integers: not 1.5, "1", true or ""
                    .withCoercionConfig(LogicalType.Integer, c -> c
                            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                    // decimals (money) from JSON numbers or exact decimal strings ("19.99", as the API answers them), not true or ""
                    .withCoercionConfig(LogicalType.Float, c -> c
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                    // text only from JSON strings: not 123 or true
                    .withCoercionConfig(LogicalType.Textual, c -> c
                            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                    .withCoercionConfig(LogicalType.Boolean, c -> c
                            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                    .withCoercionConfig(LogicalType.Collection, c -> c
                            .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                    .withCoercionConfig(LogicalType.POJO, c -> c
                            .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.String, CoercionAction.Fail));
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    /**
     * Puts {@link ProblemReportValve} in the place of the host's {@link ErrorReportValve} (Spring Boot adds a
     * plain one, without report, in its own context customizer). Ordered after Spring Boot's customizer so
     * that its valve is there to be replaced.
     */
    static final class ProblemReportValveCustomizer
            implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {

        private final long maxHeaderBytes;

        ProblemReportValveCustomizer(long maxHeaderBytes) {
            this.maxHeaderBytes = maxHeaderBytes;
        }

        @Override
        public void customize(ConfigurableTomcatWebServerFactory factory) {
            factory.addContextCustomizers(this::replaceErrorReportValve);
        }

        void replaceErrorReportValve(Context context) {
            if (!(context.getParent() instanceof StandardHost host)) {
                return;
            }
            Pipeline pipeline = host.getPipeline();
            boolean present = false;
            for (Valve valve : pipeline.getValves()) {
                if (valve instanceof ProblemReportValve) {
                    present = true;
                } else if (valve instanceof ErrorReportValve) {
                    pipeline.removeValve(valve);
                }
            }
            if (!present) {
                pipeline.addValve(new ProblemReportValve(maxHeaderBytes));
            }
            // at start the host adds a valve of this class unless its pipeline has one: it has
            host.setErrorReportValveClass(ProblemReportValve.class.getName());
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
