package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** {@link PersistenceTest} on a real PostgreSQL server: migrations, money, quotes and the audit trail as on H2. */
@PostgresProfile
class PostgresPersistenceTest extends PersistenceTest {

    @Autowired DataSource dataSource;

    @Test
    void runsOnPostgreSQL() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
            assertThat(connection.getMetaData().getURL()).startsWith("jdbc:postgresql://127.0.0.1:");
        }
    }
}
