package dev.graft.samples.erp.replay;

import dev.graft.api.HostFunctionError;
import dev.graft.api.PluginCodecException;
import dev.graft.api.PluginException;
import dev.graft.api.PluginLoadException;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.boot.hostfunction.HostFunctionBeans;
import dev.graft.boot.plugins.ConfiguredPlugins;
import dev.graft.boot.plugins.PluginPlanner;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.abi.TypedHostFunction;
import dev.graft.host.engine.CallResult;
import dev.graft.host.engine.CallStats;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.source.PluginSource;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.samples.contracts.QuoteLine;
import dev.graft.samples.erp.modules.ModuleStore;
import dev.graft.samples.erp.quotes.Quote;
import dev.graft.samples.erp.quotes.QuoteService;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Replays a stored quote's decisions: every recorded rule call runs again with its recorded input bytes on
 * the module with its recorded digest — read from the {@link ModuleStore} and verified, loaded under the
 * plugin's configured policy, config and trust policy — and its output bytes and fuel are compared with
 * what was recorded. Host functions are answered from the recording, not asked again, so host state that
 * changed since (a customer's tier) does not change the replay; a plugin that asks the host anything it did
 * not ask then is reported as diverging.
 * A WebAssembly component's call is made again through the typed interface with the recorded values
 * ({@link ComponentValues}), its answer compared in the same JSON.
 *
 * <p>Replay uses an engine of its own: its calls count in no plugin's statistics, metrics or circuit breaker,
 * and it changes nothing (no quote, no plugin state). Fuel is deterministic in Graft: the same module, input,
 * policy and host answers give the same fuel whether a call runs interpreted, tiered or compiled.
 */
@Service
public class QuoteReplay {

    /** How one rule call replayed. */
    public static final String IDENTICAL = "identical";
    public static final String DIFFERENT = "different";
    /** No input was recorded: stored before replay was recorded, or the call never reached the plugin. */
    public static final String NOT_RECORDED = "not-recorded";
    /** The module store has no module with the recorded digest. */
    public static final String MODULE_MISSING = "module-missing";
    /** The module store holds bytes under the recorded digest that have another sha256: not trusted, not run. */
    public static final String DIGEST_MISMATCH = "digest-mismatch";
    /** The stored module did not load under today's configuration (its trust policy, load limits, a plugin no longer configured). */
    public static final String REFUSED = "refused";

    /**
     * The replay of a quote.
     *
     * @param identical whether every recorded call replayed with identical output and fuel
     * @param calls recorded rule calls
     * @param identicalCalls of those, the ones that replayed identically
     */
    public record Replay(long quoteId, boolean identical, int calls, int identicalCalls, List<LineReplay> lines) {
    }

    public record LineReplay(int lineNo, String sku, List<RuleReplay> rules) {
    }

    /**
     * One rule call replayed.
     *
     * @param status {@value #IDENTICAL}, {@value #DIFFERENT}, {@value #NOT_RECORDED}, {@value #MODULE_MISSING},
     *     {@value #DIGEST_MISMATCH} or {@value #REFUSED}
     * @param outputIdentical whether the output bytes (or, for a call that failed, the error type) are the same
     * @param fuelIdentical whether the fuel is the same
     * @param recordedOutput / replayedOutput the outputs (UTF-8 text, or {@code base64:…}), shown only when they differ
     * @param recordedError / replayedError the failures' {@code PluginException} types, when the call failed
     * @param hostCalls host function calls recorded for the call, answered from the recording
     * @param detail why, in words, when not identical
     */
    public record RuleReplay(String pluginId, String pluginSha256, String status, boolean outputIdentical,
            boolean fuelIdentical, long recordedFuel, Long replayedFuel, String recordedOutput, String replayedOutput,
            String recordedError, String replayedError, int hostCalls, String detail) {
    }

    /** The export {@code PricingRule.apply} maps to: every recorded call is one of it. */
    private static final String EXPORT = "apply_rule";
    /** The recorded host calls of the call being replayed on this thread, which the replay's host functions answer. */
    private static final ThreadLocal<ReplayedHostCalls> REPLAYING = new ThreadLocal<>();

    private final QuoteService quotes;
    private final ModuleStore store;
    private final GraftProperties properties;
    private final ObjectProvider<HostFunctionBeans> hostFunctions;
    private final GraftEngine engine;
    /** The stats of the last replay call on this thread (a failure or a typed call carries no {@link CallResult}). */
    private final ThreadLocal<CallStats> lastCall = new ThreadLocal<>();

    public QuoteReplay(QuoteService quotes, ModuleStore store, GraftProperties properties,
            ObjectProvider<HostFunctionBeans> hostFunctions) {
        this.quotes = quotes;
        this.store = store;
        this.properties = properties;
        this.hostFunctions = hostFunctions;
        this.engine = GraftEngine.builder().build();
        engine.addCallListener((pluginId, export, outcome, stats, failure) -> lastCall.set(stats));
    }

    /** Replays every recorded rule call of the quote; changes nothing. */
    public Replay replay(long quoteId) {
        Quote quote = quotes.get(quoteId);
        Map<String, Loaded> loaded = new LinkedHashMap<>();
        try {
            List<LineReplay> lines = new ArrayList<>();
            int calls = 0;
            int identical = 0;
            for (int lineNo = 0; lineNo < quote.lines().size(); lineNo++) {
                List<RuleReplay> rules = new ArrayList<>();
                for (Quote.RuleRun run : quote.ruleRuns()) {
                    if (run.lineNo() != lineNo) {
                        continue;
                    }
                    RuleReplay replayed = replay(run, loaded);
                    rules.add(replayed);
                    calls++;
                    if (IDENTICAL.equals(replayed.status())) {
                        identical++;
                    }
                }
                lines.add(new LineReplay(lineNo, quote.lines().get(lineNo).sku(), rules));
            }
            return new Replay(quoteId, calls == identical, calls, identical, lines);
        } finally {
            loaded.values().forEach(Loaded::close);
        }
    }

    /** A stored module loaded for this replay, or why it could not be. */
    private record Loaded(Plugin plugin, String status, String detail) implements AutoCloseable {
        @Override
        public void close() {
            if (plugin != null) {
                plugin.close();
            }
        }
    }

    private RuleReplay replay(Quote.RuleRun run, Map<String, Loaded> loaded) {
        List<HostCall> recordedHostCalls = HostCall.fromJson(run.hostCalls());
        if (run.input() == null || run.pluginSha256() == null) {
            return unreplayed(run, NOT_RECORDED, run.pluginSha256() == null
                    ? "the call's module digest was not recorded (the plugin was not loaded)"
                    : "the call's input was not recorded: it never reached the plugin (" + run.outcome() + ": "
                            + run.errorType() + ") or was stored before inputs were recorded", recordedHostCalls);
        }
        Loaded module = loaded.computeIfAbsent(run.pluginId() + "@" + run.pluginSha256(), key -> load(run));
        if (module.plugin() == null) {
            return unreplayed(run, module.status(), module.detail(), recordedHostCalls);
        }
        ReplayedHostCalls answers = new ReplayedHostCalls(recordedHostCalls);
        REPLAYING.set(answers);
        byte[] output = null;
        PluginException failure = null;
        long fuel;
        lastCall.remove();
        try {
            output = module.plugin().isComponent() ? callComponent(module.plugin(), run.input())
                    : module.plugin().call(EXPORT, run.input()).output();
        } catch (PluginException e) {
            failure = e;
        } finally {
            REPLAYING.remove();
            CallStats stats = lastCall.get();
            fuel = stats == null ? -1 : stats.fuelConsumed();
            lastCall.remove();
        }
        boolean outputIdentical = run.output() != null
                ? failure == null && Arrays.equals(run.output(), output)
                : failure != null && failure.getClass().getSimpleName().equals(run.errorType());
        boolean fuelIdentical = fuel == run.fuel();
        List<String> why = new ArrayList<>();
        if (answers.divergence() != null) {
            why.add(answers.divergence());
        } else if (answers.unanswered() > 0) {
            why.add("the plugin made " + answers.unanswered() + " fewer host call(s) than recorded");
        }
        if (!outputIdentical) {
            why.add(failure != null ? "the replay failed: " + failure.getMessage()
                    : run.output() == null ? "the recorded call failed (" + run.errorType() + "), the replay answered"
                    : "the output differs");
        }
        if (!fuelIdentical) {
            why.add("fuel " + run.fuel() + " recorded, " + fuel + " replayed");
        }
        boolean same = outputIdentical && fuelIdentical && why.isEmpty();
        return new RuleReplay(run.pluginId(), run.pluginSha256(), same ? IDENTICAL : DIFFERENT, outputIdentical,
                fuelIdentical, run.fuel(), fuel, same ? null : shown(run.output()), same ? null : shown(output),
                run.output() == null ? run.errorType() : null, failure == null ? null : failure.getClass().getSimpleName(),
                recordedHostCalls.size(), same ? null : String.join("; ", why));
    }

    /**
     * A component's call made again as it was made: the recorded {@code QuoteLine} (its values in the codec's
     * JSON, see {@link ComponentValues}) through the typed interface, the answer back in the same JSON.
     */
    private static byte[] callComponent(Plugin plugin, byte[] input) {
        QuoteLine line;
        try {
            line = (QuoteLine) ComponentValues.read(input, QuoteLine.class);
        } catch (IllegalArgumentException e) {
            throw new PluginCodecException(plugin.id(), e.getMessage(), e);
        }
        return ComponentValues.json(plugin.extension(PricingRule.class).apply(line));
    }

    private static RuleReplay unreplayed(Quote.RuleRun run, String status, String detail, List<HostCall> hostCalls) {
        return new RuleReplay(run.pluginId(), run.pluginSha256(), status, false, false, run.fuel(), null, null, null,
                run.output() == null ? run.errorType() : null, null, hostCalls.size(), detail);
    }

    /**
     * The stored module with the run's digest, verified, loaded under the plugin's configured policy, config
     * and trust policy (its kept signature is checked as at the original load); host functions answer from
     * the recording.
     */
    private Loaded load(Quote.RuleRun run) {
        String id = run.pluginId();
        ModuleStore.Lookup lookup;
        try {
            lookup = store.read(run.pluginSha256());
        } catch (IllegalArgumentException e) {
            return new Loaded(null, MODULE_MISSING, "the recorded digest is not a sha256: " + e.getMessage());
        }
        switch (lookup.status()) {
            case MISSING -> {
                return new Loaded(null, MODULE_MISSING, "no module with sha256 " + run.pluginSha256()
                        + " is in the module store (" + lookup.file() + ")");
            }
            case DIGEST_MISMATCH -> {
                return new Loaded(null, DIGEST_MISMATCH, "the module stored as sha256 " + run.pluginSha256()
                        + " has sha256 " + lookup.actualSha256() + ": it was changed after it was kept, and is not run");
            }
            default -> {
            }
        }
        GraftProperties.Plugin configured = properties.getPlugins().get(id);
        if (configured == null) {
            return new Loaded(null, REFUSED, "plugin '" + id + "' is no longer configured (graft.plugins." + id
                    + "): the policy to replay it under is unknown");
        }
        PluginSource source = PluginSource.ofBytes(id, lookup.bytes());
        if (lookup.signature().isPresent()) {
            source = source.withSignature(lookup.signature().get());
        }
        try {
            PluginPlanner planner = new PluginPlanner(properties, replayedHostFunctions(), getClass().getClassLoader());
            return new Loaded(engine.load(planner.plan(ConfiguredPlugins.prefix(id), configured,
                    source.pinned(run.pluginSha256())).spec()), null, null);
        } catch (PluginLoadException e) {
            return new Loaded(null, REFUSED, "the stored module does not load under plugin '" + id
                    + "''s configuration today: " + e.getMessage());
        } catch (RuntimeException e) {
            return new Loaded(null, REFUSED, "plugin '" + id + "' cannot be planned from today's configuration: "
                    + e.getMessage());
        }
    }

    /**
     * Every host function the application offers, by name, answered from the recording of the call being
     * replayed: the bytes form, and the typed form (same parameter and result types, so that a component's
     * import binds as it did) where the application offers one.
     */
    private List<HostFunctionBinding> replayedHostFunctions() {
        HostFunctionBeans beans = hostFunctions.getIfAvailable();
        List<HostFunctionBinding> offered = beans == null ? List.of() : beans.bindings();
        return offered.stream().map(b -> {
            String name = b.name();
            TypedHostFunction typed = b.typed();
            return new HostFunctionBinding(name, (pluginId, input) -> replaying(name).answer(name, input),
                    typed == null ? null : new TypedHostFunction(typed.parameter(), typed.result(),
                            (pluginId, argument) -> replaying(name).answerTyped(name, argument, typed.result())));
        }).toList();
    }

    private static ReplayedHostCalls replaying(String function) {
        ReplayedHostCalls answers = REPLAYING.get();
        if (answers == null) {
            throw new IllegalStateException("host function '" + function + "' called outside a replay");
        }
        return answers;
    }

    /** The recorded host calls of one rule call, answered in order; the first call that differs ends the replay of it. */
    private static final class ReplayedHostCalls {
        private final Deque<HostCall> pending;
        private int next;
        private String divergence;

        ReplayedHostCalls(List<HostCall> recorded) {
            this.pending = new ArrayDeque<>(recorded);
        }

        /** An Extism module's call of the bytes form: the recorded output bytes. */
        byte[] answer(String function, byte[] input) {
            return expect(function, input, false).output();
        }

        /**
         * A component's call of the typed form: the argument compared as JSON with the recorded one, the
         * recorded result's JSON decoded as the host function's {@code resultType}.
         */
        Object answerTyped(String function, Object argument, Type resultType) {
            HostCall expected = expect(function, ComponentValues.json(argument), true);
            if (resultType == void.class) {
                return null;
            }
            try {
                return ComponentValues.read(expected.output(), resultType);
            } catch (IllegalArgumentException e) {
                divergence = "host call " + (next - 1) + " to " + function + ": " + e.getMessage();
                throw new IllegalStateException(divergence, e);
            }
        }

        /** The next recorded call, when it is this one; else the divergence, ending the replayed call. */
        private HostCall expect(String function, byte[] input, boolean typed) {
            HostCall expected = pending.pollFirst();
            int index = next++;
            if (expected == null || !expected.function().equals(function) || expected.typed() != typed
                    || !Arrays.equals(expected.input(), input)) {
                divergence = "host call " + index + " diverged: the plugin called " + function + (typed ? " (typed)" : "")
                        + "(" + shown(input) + "), the recording has " + (expected == null ? "no further call"
                        : expected.function() + (expected.typed() ? " (typed)" : "") + "(" + shown(expected.input()) + ")");
                throw new IllegalStateException(divergence);
            }
            if (expected.error() != null) {
                // An error the host function answered on purpose is answered again as one (a component's
                // result<T, string> import receives its message); any other ends the call as it did.
                throw "HostFunctionError".equals(expected.errorType()) ? new HostFunctionError(expected.error())
                        : new IllegalStateException(expected.error());
            }
            return expected;
        }

        String divergence() {
            return divergence;
        }

        int unanswered() {
            return pending.size();
        }
    }

    /** Bytes as text when they are UTF-8 (JSON is), else {@code base64:…}; {@code null} stays null. */
    static String shown(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(bytes);
        }
    }
}
