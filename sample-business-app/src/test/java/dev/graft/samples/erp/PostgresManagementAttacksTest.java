package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Every test of {@link ManagementAttacksTest} (refused uploads and management, fail-closed tax, the audit trail in
 * table {@code plugin_events}) on a real PostgreSQL server.
 */
@PostgresProfile
class PostgresManagementAttacksTest extends ManagementAttacksTest {

    @Autowired DataSource dataSource;

    @Test
    void runsOnPostgreSQL() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
        }
    }
}
