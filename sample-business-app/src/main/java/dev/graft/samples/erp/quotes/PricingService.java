package dev.graft.samples.erp.quotes;

import dev.graft.api.Extensions;
import dev.graft.api.PluginCodecException;
import dev.graft.api.PluginException;
import dev.graft.host.engine.CallOutcome;
import dev.graft.host.engine.CallStats;
import dev.graft.host.registry.CircuitBreaker;
import dev.graft.host.registry.PluginDescriptor;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.samples.contracts.Adjustment;
import dev.graft.samples.contracts.Customer;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.samples.contracts.QuoteLine;
import dev.graft.samples.erp.replay.CallRecording;
import dev.graft.samples.erp.replay.ComponentValues;
import dev.graft.samples.erp.replay.HostCall;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * Prices quote lines with the enabled {@code pricing-rule} plugins, in their configured order, and
 * records for every call which plugin ran (id and module sha256), what it cost and what it answered, and
 * what crossed the sandbox's boundary byte for byte ({@link CallRecording}: input, output, host calls), so
 * the call can be replayed.
 *
 * <p>Failures follow the extension point's failure policy: with {@code fallback} (this application's
 * default) the {@link NoAdjustments} default answers, and the run is recorded as {@code fallback} with
 * the error; with {@code throw} the {@link PluginException} propagates and the API answers with a problem
 * detail naming the plugin (no quote is stored). A required rule ({@code regional-tax}) fails closed
 * whatever the policy: while it is disabled, quarantined or failed the view still lists it and calling
 * it throws, so a quote is never priced without it.
 */
@Service
public class PricingService {

    /** What one line is priced from. */
    public record LineInput(String sku, String name, String category, int quantity, BigDecimal unitPrice) {
    }

    /** The result of pricing all lines. */
    public record Priced(List<Quote.Line> lines, List<Quote.Adjustment> adjustments, List<Quote.RuleRun> ruleRuns,
            BigDecimal subtotal, BigDecimal adjustmentTotal, BigDecimal total) {

        public boolean failed() {
            return ruleRuns.stream().anyMatch(r -> !"ok".equals(r.outcome()));
        }
    }

    private final Extensions<PricingRule> rules;
    private final PluginRegistry registry;
    private final PluginCallTracker tracker;

    public PricingService(Extensions<PricingRule> rules, PluginRegistry registry, PluginCallTracker tracker) {
        this.rules = rules;
        this.registry = registry;
        this.tracker = tracker;
    }

    public Priced price(Customer customer, String currency, String promoCode, List<LineInput> inputs) {
        List<String> pluginIds = rules.pluginIds();   // one snapshot of the order for all lines
        List<Quote.Line> lines = new ArrayList<>();
        List<Quote.Adjustment> adjustments = new ArrayList<>();
        List<Quote.RuleRun> runs = new ArrayList<>();
        BigDecimal subtotal = BigDecimal.ZERO.setScale(2);
        BigDecimal adjustmentTotal = BigDecimal.ZERO.setScale(2);
        for (int lineNo = 0; lineNo < inputs.size(); lineNo++) {
            LineInput in = inputs.get(lineNo);
            QuoteLine line = new QuoteLine(in.sku(), in.name(), in.category(), in.quantity(), in.unitPrice(), customer,
                    currency, promoCode);
            BigDecimal lineAdjustments = BigDecimal.ZERO.setScale(2);
            for (String pluginId : pluginIds) {
                Optional<PricingRule> rule = rules.byId(pluginId);
                if (rule.isEmpty()) {
                    continue;   // disabled or unloaded since the snapshot
                }
                for (Quote.Adjustment a : apply(lineNo, pluginId, rule.get(), line, runs)) {
                    adjustments.add(a);
                    lineAdjustments = lineAdjustments.add(a.amount());
                }
            }
            BigDecimal lineTotal = line.total().setScale(2);
            lines.add(new Quote.Line(in.sku(), in.name(), in.category(), in.quantity(), in.unitPrice(), lineTotal,
                    lineAdjustments, lineTotal.add(lineAdjustments)));
            subtotal = subtotal.add(lineTotal);
            adjustmentTotal = adjustmentTotal.add(lineAdjustments);
        }
        return new Priced(lines, adjustments, runs, subtotal, adjustmentTotal, subtotal.add(adjustmentTotal));
    }

    private List<Quote.Adjustment> apply(int lineNo, String pluginId, PricingRule rule, QuoteLine line,
            List<Quote.RuleRun> runs) {
        // The version serving now; the engine's stats name the one that ran the call, should an upload or a
        // reload swap versions in between (below).
        String serving = registry.descriptor(pluginId).map(PluginDescriptor::sha256).orElse(null);
        CallStats before = CallStats.lastOnThisThread().orElse(null);
        long started = System.nanoTime();
        List<Adjustment> answer;
        PluginCallTracker.Trace trace;
        CallRecording recording;
        tracker.begin();
        CallRecording.start();
        try {
            answer = rule.apply(line);   // with on-failure: throw, a PluginException leaves here
        } finally {
            recording = CallRecording.stop();
            trace = tracker.end();
        }
        String hostCalls = HostCall.toJson(recording.hostCalls());
        byte[] input = recording.input();
        byte[] output = recording.output();
        Optional<PluginCallTracker.EngineCall> engineCall = trace.engineCalls().stream()
                .filter(c -> c.pluginId().equals(pluginId)).reduce((first, second) -> second);
        if (input == null && engineCall.isPresent()) {
            // The engine ran the call but the codec encoded nothing: a component, whose values crossed by the
            // canonical ABI. What crossed is kept in the codec's JSON, which replay decodes to call it again.
            input = ComponentValues.json(line);
            output = trace.fellBack() ? null : ComponentValues.json(answer);
        }
        long elapsedMicros = (System.nanoTime() - started) / 1000;
        String sha256 = engineCall.map(c -> c.stats().sha256()).orElse(serving);
        PluginException unstorable = trace.fellBack() ? null : unstorable(pluginId, answer);
        if (trace.fellBack() || unstorable != null) {
            PluginException failure = unstorable != null ? unstorable : trace.thrown() != null ? trace.thrown()
                    : engineCall.map(PluginCallTracker.EngineCall::failure).orElse(null);
            long fuel = engineCall.map(c -> c.stats().fuelConsumed()).orElse(-1L);
            String errorType = failure != null ? failure.getClass().getSimpleName() : "PluginUnavailableException";
            String error = failure != null ? failure.getMessage() : unavailableReason(pluginId);
            runs.add(new Quote.RuleRun(lineNo, pluginId, sha256, "fallback", 0, fuel, elapsedMicros, errorType,
                    truncate(error, 2000), input, output, hostCalls));
            return List.of();
        }
        // A successful typed call: its cost is what the engine recorded on this thread right after it.
        CallStats after = CallStats.lastOnThisThread().orElse(null);
        long fuel = after != null && after != before ? after.fuelConsumed()
                : engineCall.filter(c -> c.outcome() == CallOutcome.OK).map(c -> c.stats().fuelConsumed()).orElse(-1L);
        List<Quote.Adjustment> result = new ArrayList<>();
        for (Adjustment a : answer) {
            result.add(new Quote.Adjustment(lineNo, pluginId, sha256, a.ruleId(), a.amount().setScale(2,
                    java.math.RoundingMode.HALF_UP), truncate(a.reason(), 1000), fuel));
        }
        runs.add(new Quote.RuleRun(lineNo, pluginId, sha256, "ok", result.size(), fuel, elapsedMicros, null, null,
                input, output, hostCalls));
        return result;
    }

    /** The rule id column's width (V1__schema.sql: {@code rule_id VARCHAR(100)}). */
    static final int MAX_RULE_ID = 100;

    /** The most decimals an adjustment may carry; the contract says two, rounding covers a few more. */
    static final int MAX_AMOUNT_SCALE = 10;

    /**
     * A refusal for a typed answer the quote tables cannot hold: a rule id that is missing or wider than its
     * column, or an amount too large for a money column or with so many decimals that rounding it would be
     * costly. The plugin's answer is then treated like any failed call (its rule falls back to no adjustment),
     * instead of failing the whole quote in the database.
     */
    static PluginException unstorable(String pluginId, List<Adjustment> answer) {
        for (int i = 0; i < answer.size(); i++) {
            Adjustment a = answer.get(i);
            String problem = null;
            if (a.ruleId() == null || a.ruleId().isBlank() || a.ruleId().length() > MAX_RULE_ID) {
                problem = "ruleId must be 1 to " + MAX_RULE_ID + " characters, was "
                        + (a.ruleId() == null ? "absent" : a.ruleId().length() + " characters");
            } else if (a.amount().scale() > MAX_AMOUNT_SCALE) {
                problem = "amount has " + a.amount().scale() + " decimals, at most " + MAX_AMOUNT_SCALE
                        + " are accepted";
            } else if (!MoneyBounds.fits(a.amount())) {
                problem = "amount exceeds the money columns' bound of " + MoneyBounds.MAX.toPlainString();
            }
            if (problem != null) {
                return new PluginCodecException(pluginId, "apply_rule", "$[" + i + "]",
                        "export 'apply_rule' answer at $[" + i + "] not stored: " + problem, null);
            }
        }
        return null;
    }

    private String unavailableReason(String pluginId) {
        Optional<CircuitBreaker.Status> breaker = registry.breaker(pluginId);
        if (breaker.isPresent() && breaker.get().quarantined()) {
            CircuitBreaker.Status b = breaker.get();
            return "plugin '" + pluginId + "': is quarantined after " + b.failureThreshold()
                    + " consecutive failures; its calls are answered by the default for " + b.coolDown();
        }
        return "plugin '" + pluginId + "': was not serving when called ("
                + registry.descriptor(pluginId).map(d -> d.state().name().toLowerCase()).orElse("unloaded") + ")";
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
