package dev.graft.api;

/** A call used up its fuel budget: the instruction budget per call of its policy ({@code fuel}). */
public class PluginFuelExhaustedException extends PluginException {

    private final long budget;
    private final long consumed;

    public PluginFuelExhaustedException(String pluginId, String attempted, long budget, long consumed) {
        super(pluginId, attempted + " exhausted the fuel budget of " + budget + " (consumed " + consumed + ")", null);
        this.budget = budget;
        this.consumed = consumed;
    }

    public long budget() {
        return budget;
    }

    public long consumed() {
        return consumed;
    }
}
