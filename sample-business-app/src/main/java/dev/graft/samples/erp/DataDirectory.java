package dev.graft.samples.erp;

import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Resolves {@code erp.data-dir} against the working folder into {@code erp.database-file}, the absolute
 * path of the H2 database file that {@code spring.datasource.url} names. H2 refuses a file path that is
 * only implicitly relative ({@code jdbc:h2:file:sample-business-app/data/erp}), so
 * {@code --erp.data-dir=sample-business-app/data} would otherwise not start; {@code ./data} and absolute
 * folders worked by luck of their spelling. Runs after the configuration files are read (lowest precedence
 * of order), so the value comes from wherever {@code erp.data-dir} was set.
 */
public class DataDirectory implements EnvironmentPostProcessor, Ordered {

    /** The derived property; set it yourself only to put the database file somewhere else than the data folder. */
    public static final String DATABASE_FILE = "erp.database-file";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty(DATABASE_FILE)) {
            return;
        }
        String dataDir = environment.getProperty("erp.data-dir", "./data");
        environment.getPropertySources().addLast(new MapPropertySource("erp-data-directory",
                Map.of(DATABASE_FILE, databaseFile(dataDir))));
    }

    /** {@code dataDir/erp} as an absolute, normalised path (the file name H2 completes with {@code .mv.db}). */
    static String databaseFile(String dataDir) {
        return Path.of(dataDir).toAbsolutePath().normalize().resolve("erp").toString();
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
