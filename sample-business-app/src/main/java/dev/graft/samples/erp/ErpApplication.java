package dev.graft.samples.erp;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * An ERP-like demo: products, customers and quotes, whose prices come from sandboxed WebAssembly
 * pricing-rule plugins and whose fractal-tree page is drawn by a plugin, all hosted by
 * {@code plugin-host-starter}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ErpApplication {

    public static void main(String[] args) {
        SpringApplication.run(ErpApplication.class, args);
    }
}
