package dev.graft.samples.erp;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The application's own settings ({@code erp.*}).
 *
 * @param currency currency of every quote (the sample rules do not convert)
 * @param treePlugin id of the plugin that renders fractal trees
 * @param demoQuote whether to price one quote at startup when there is none, so the first screen is not empty
 */
@ConfigurationProperties("erp")
public record ErpProperties(String currency, String treePlugin, Boolean demoQuote) {

    public ErpProperties {
        currency = currency == null ? "EUR" : currency;
        treePlugin = treePlugin == null ? "fractal-tree" : treePlugin;
        demoQuote = demoQuote == null || demoQuote;
    }
}
