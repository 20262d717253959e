package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** {@link DataDirectory}: the H2 file is always named by an absolute path, whatever spelling erp.data-dir has. */
class DataDirectoryTest {

    static String databaseFile(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        new DataDirectory().postProcessEnvironment(environment, new SpringApplication());
        return environment.getProperty(DataDirectory.DATABASE_FILE);
    }

    @Test
    void relativeFoldersAreResolvedAgainstTheWorkingFolder() {
        Path cwd = Path.of("").toAbsolutePath();
        assertThat(databaseFile(Map.of("erp.data-dir", "sample-business-app/data")))
                .isEqualTo(cwd.resolve("sample-business-app/data/erp").toString());
        assertThat(databaseFile(Map.of("erp.data-dir", "./data"))).isEqualTo(cwd.resolve("data/erp").toString());
        assertThat(databaseFile(Map.of())).isEqualTo(cwd.resolve("data/erp").toString());
        assertThat(databaseFile(Map.of("erp.data-dir", "/var/lib/erp/../erp"))).isEqualTo("/var/lib/erp/erp");
        assertThat(Path.of(databaseFile(Map.of("erp.data-dir", "data")))).isAbsolute();
    }

    @Test
    void anExplicitDatabaseFileWins() {
        assertThat(databaseFile(Map.of("erp.data-dir", "x", DataDirectory.DATABASE_FILE, "/srv/erp/db"))).isEqualTo("/srv/erp/db");
    }
}
