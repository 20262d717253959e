package dev.graft.samples.erp;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.relational.core.mapping.RelationalMappingContext;

/**
 * Spring Data JDBC quotes table and column names by default, which makes them case-sensitive; the
 * migrations create them unquoted (folded to upper case by H2, lower case by PostgreSQL), so the same
 * schema works on both only when the names are not quoted.
 */
@Configuration(proxyBeanMethods = false)
class PersistenceConfiguration {

    @Bean
    static BeanPostProcessor unquotedIdentifiers() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof RelationalMappingContext context) {
                    context.setForceQuote(false);
                }
                return bean;
            }
        };
    }
}
