package dev.graft.api;

/**
 * A typed call could not convert between Java values and the plugin's payload: the plugin returned
 * bytes that are not valid JSON, or JSON of the wrong shape for the declared result type (a missing
 * required field, a {@code null} where the Java type has none, a wrong type or an unknown field). The
 * message names the plugin, the export and the JSON path, e.g.
 * {@code plugin 'bulk-surcharge': output of 'apply_rule' does not match java.util.List<...Adjustment> at $[0].amount: missing required field 'amount' ...}.
 */
public class PluginCodecException extends PluginException {

    private final String export;
    private final String jsonPath;

    public PluginCodecException(String pluginId, String message, Throwable cause) {
        this(pluginId, null, null, message, cause);
    }

    /**
     * @param export the export whose payload did not convert, or null when unknown
     * @param jsonPath where in the payload, as a JSON path such as {@code $[0].amount}, or null when unknown
     */
    public PluginCodecException(String pluginId, String export, String jsonPath, String message, Throwable cause) {
        super(pluginId, message, cause);
        this.export = export;
        this.jsonPath = jsonPath;
    }

    /** The export whose payload did not convert, or null when unknown. */
    public String export() {
        return export;
    }

    /** Where in the payload the mismatch is, such as {@code $[0].amount} ({@code $} is the whole payload), or null. */
    public String jsonPath() {
        return jsonPath;
    }
}
