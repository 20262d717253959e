package dev.graft.api;

/**
 * Scales a call's fuel budget with its argument, for extension points whose work grows with the input
 * (for example a base budget plus so much per line item of a quote).
 *
 * For the sample contracts' {@code PricingRule}, whose {@code apply} takes a {@code QuoteLine}, a
 * budget that grows with the article name the rule reads and writes into its reason:
 *
 * <pre>{@code
 * FuelBudget<QuoteLine> perNameChar = (line, base) -> base + 1_000L * line.name().length();
 * spec.fuelBudget(PricingRule.class, perNameChar);
 * }</pre>
 *
 * <p>The type argument must be the argument type of the extension point's one-argument methods. It is
 * erased at run time, so a budget written for another type is refused at the call with an
 * {@link IllegalArgumentException} naming the extension point, the method and both types (not a bare
 * {@link ClassCastException}); so is a budget that is not positive.
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
