package dev.graft.samples.erp;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

/**
 * Runs a {@code @SpringBootTest} class against a real PostgreSQL ({@link LocalPostgres}) with the application's
 * {@code postgres} profile ({@code application-postgres.yml}) on top of the class's own profiles; skipped, saying
 * why, where Debian's PostgreSQL binaries are missing.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(LocalPostgres.Required.class)
@ActiveProfiles("postgres")
@ContextConfiguration(initializers = LocalPostgres.Initializer.class)
@interface PostgresProfile {
}
