package dev.graft.api;

/**
 * Scales a call's fuel budget with its argument, for extension points whose work grows with the input
 * (for example a base budget plus so much per line item of a quote).
 *
 * <pre>{@code
 * FuelBudget<Quote> perLine = (quote, base) -> base + 50_000L * quote.lines().size();
 * }</pre>
 *
 * @param <A> the argument type of the extension point's methods
 */
@FunctionalInterface
public interface FuelBudget<A> {

    /**
     * @param argument the argument of the typed call
     * @param policyBudget the plugin policy's fuel per call
     * @return the fuel this call may consume; positive
     */
    long budgetFor(A argument, long policyBudget);
}
