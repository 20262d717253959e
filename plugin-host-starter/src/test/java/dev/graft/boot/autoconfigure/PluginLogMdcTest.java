package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.logging;
import static dev.graft.boot.autoconfigure.StarterFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.graft.api.Extensions;
import dev.graft.boot.autoconfigure.StarterFixtures.PricingRule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** A plugin's log lines go to SLF4J logger graft.plugin.<id> with the plugin id in the MDC (graft.plugin). */
class PluginLogMdcTest extends StarterTestSupport {

    @Test
    void pluginLogLinesCarryThePluginIdInTheMdc(@TempDir Path dir) {
        String location = file(write(dir, "chatty.wasm", logging("hello from the sandbox")));
        Logger logger = (Logger) LoggerFactory.getLogger("graft.plugin.chatty");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            runner().withPropertyValues("graft.plugins.chatty.location=" + location,
                    "graft.plugins.chatty.extension-points=" + PRICING_RULE).run(context -> {
                @SuppressWarnings("unchecked")
                Extensions<PricingRule> rules = context.getBean(Extensions.class);
                assertThat(rules.byId("chatty").orElseThrow().apply("x")).isEqualTo("logged");
            });
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).hasSize(1);
        ILoggingEvent event = appender.list.get(0);
        assertThat(event.getFormattedMessage()).isEqualTo("hello from the sandbox");
        assertThat(event.getMDCPropertyMap()).containsEntry("graft.plugin", "chatty");
        assertThat(MDC.get("graft.plugin")).as("removed after the call").isNull();
    }
}
