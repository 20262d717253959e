package dev.graft.host.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.OptionalField;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginException;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.PluginTimeoutException;
import dev.graft.api.PluginTrapException;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.CallOutcome;
import dev.graft.host.engine.CallStats;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Components loaded by the engine and called through typed extension points, values crossing by the canonical ABI. */
public class ComponentPluginTest {

    // The sample pricing contract as the WIT world declares it (sample-contracts' shape); other tests use it too.
    public record Customer(String id, String name, @OptionalField String tier, String region) {
    }

    public record QuoteLine(String sku, String name, String category, int quantity, BigDecimal unitPrice, Customer customer,
            String currency, @OptionalField String promoCode) {
    }

    public record Adjustment(String ruleId, BigDecimal amount, String reason) {
    }

    @ExtensionPoint(id = "pricing-rule", version = "1")
    public interface PricingRule {
        @Export("apply_rule")
        List<Adjustment> apply(QuoteLine line);
    }

    @ExtensionPoint(id = "rule-extras")
    interface Extras {
        long postCount();

        String shout(String text);

        long spin();

        int grow(long pages);

        String badString();
    }

    static final GraftEngine ENGINE = GraftEngine.create();

    static Plugin load(byte[] component, PluginPolicy policy, Class<?>... points) {
        PluginSpec.Builder spec = PluginSpec.builder(PluginSource.ofBytes("rules", component)).policy(policy);
        for (Class<?> p : points) {
            spec.extensionPoint(p);
        }
        return ENGINE.load(spec.build());
    }

    static QuoteLine line(int quantity, String tier) {
        return new QuoteLine("SKU-1", "Bleistift ✏", "office", quantity, new BigDecimal("1.99"),
                new Customer("c-7", "Zoë Müller", tier, "DE"), "EUR", null);
    }

    @Test
    void aPricingRuleComponentAnswersThroughTheTypedInterface() {
        try (Plugin plugin = load(TestComponents.rules(), PluginPolicy.defaults(), PricingRule.class)) {
            assertTrue(plugin.isComponent());
            PricingRule rule = plugin.extension(PricingRule.class);
            assertEquals(List.of(), rule.apply(line(3, null)));
            assertEquals(List.of(new Adjustment("volume", new BigDecimal("-5.00"), "Zoë Müller")),
                    rule.apply(line(10, null)));
            assertEquals(List.of(new Adjustment("volume", new BigDecimal("-5.00"), "Zoë Müller"),
                    new Adjustment("tier", new BigDecimal("-1.00"), "platinum ★")), rule.apply(line(12, "platinum ★")));
        }
    }

    @Test
    void theErrorCaseOfTheResultIsAPluginCallExceptionNamingPluginAndExport() {
        try (Plugin plugin = load(TestComponents.rules(), PluginPolicy.defaults(), PricingRule.class)) {
            PluginCallException e = assertThrows(PluginCallException.class,
                    () -> plugin.extension(PricingRule.class).apply(line(-1, null)));
            assertEquals("quantity must not be negative", e.pluginMessage());
            assertTrue(e.getMessage().contains("plugin 'rules'") && e.getMessage().contains("'apply-rule'"),
                    e.getMessage());
        }
    }

    @Test
    void postReturnRunsAfterEveryCall() {
        PluginPolicy pooled = PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(1).build();
        try (Plugin plugin = load(TestComponents.rules(), pooled, PricingRule.class)) {
            PricingRule rule = plugin.extension(PricingRule.class);
            Extras extras = plugin.extension(Extras.class);
            long before = extras.postCount();
            for (int i = 0; i < 5; i++) {
                rule.apply(line(20, "gold"));
            }
            assertEquals(before + 5, extras.postCount());
        }
    }

    @Test
    void aFreshInstanceIsResetSoNothingCrossesCalls() {
        try (Plugin plugin = load(TestComponents.rules(), PluginPolicy.defaults(), PricingRule.class)) {
            PricingRule rule = plugin.extension(PricingRule.class);
            Extras extras = plugin.extension(Extras.class);
            for (int i = 0; i < 5; i++) {
                assertEquals(2, rule.apply(line(20, "gold")).size());
                // The post-return of the call before counted in globals that the reset put back.
                assertEquals(0, extras.postCount());
                assertEquals(1, extras.grow(3)); // memory back at one page every time
                assertEquals("ABC", extras.shout("abc"));
            }
        }
    }

    @Test
    void coreInstancesAreWiredThroughInstancesMadeOfExports() {
        try (Plugin plugin = load(TestComponents.rules(), PluginPolicy.defaults())) {
            assertEquals("HELLO, ZOË!", plugin.extension(Extras.class).shout("hello, zoË!"));
        }
    }

    @Test
    void fuelExhaustionStopsALoopingComponent() {
        PluginPolicy policy = PluginPolicy.builder().fuel(200_000).timeout(Duration.ofSeconds(10)).build();
        try (Plugin plugin = load(TestComponents.rules(), policy)) {
            PluginFuelExhaustedException e = assertThrows(PluginFuelExhaustedException.class,
                    () -> plugin.extension(Extras.class).spin());
            assertTrue(e.getMessage().contains("rules"), e.getMessage());
            // The plugin keeps serving after the failed call (its instance was discarded).
            assertEquals("OK", plugin.extension(Extras.class).shout("ok"));
        }
    }

    @Test
    void everyCallOfAPooledInstanceGetsAFreshBudgetAndCostsTheSame() {
        PluginPolicy pooled = PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(1).fuel(1_000).build();
        try (Plugin plugin = load(TestComponents.rules(), pooled, PricingRule.class)) {
            PricingRule rule = plugin.extension(PricingRule.class);
            List<Long> consumed = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                rule.apply(line(12, "gold"));
                consumed.add(CallStats.lastOnThisThread().orElseThrow().fuelConsumed());
            }
            assertTrue(consumed.get(0) > 0 && consumed.get(0) * 50 > 1_000, "a call costs " + consumed.get(0));
            assertEquals(1, consumed.stream().distinct().count(), "deterministic: " + consumed);
        }
    }

    @Test
    void theBytesTheHostCopiesAreChargedPerByteAsForHostFunctions() {
        String text = "a".repeat(1000);
        long[] consumed = new long[2];
        for (int perByte = 0; perByte <= 1; perByte++) {
            PluginPolicy policy = PluginPolicy.builder()
                    .fuelCosts(dev.graft.api.policy.CostModel.builder().hostCallPerByte(perByte).build()).build();
            try (Plugin plugin = load(TestComponents.rules(), policy)) {
                assertEquals(text.toUpperCase(), plugin.extension(Extras.class).shout(text));
                consumed[perByte] = CallStats.lastOnThisThread().orElseThrow().fuelConsumed();
            }
        }
        // 1000 bytes lowered, then the 8-byte (pointer, length) result and its 1000 bytes lifted.
        assertEquals(2008, consumed[1] - consumed[0]);
    }

    @Test
    void theTimeoutStopsAnUnmeteredLoop() {
        for (ExecutionMode mode : List.of(ExecutionMode.INTERPRETED, ExecutionMode.COMPILED)) {
            PluginPolicy policy = PluginPolicy.builder().fuel(0).mode(mode).timeout(Duration.ofMillis(200)).build();
            try (Plugin plugin = load(TestComponents.rules(), policy)) {
                long start = System.nanoTime();
                assertThrows(PluginTimeoutException.class, () -> plugin.extension(Extras.class).spin());
                assertTrue(System.nanoTime() - start < 5_000_000_000L, "refused within 5 s (" + mode + ")");
            }
        }
    }

    @Test
    void memoryGrowthIsHeldUnderTheMemoryLimit() {
        PluginPolicy policy = PluginPolicy.builder().maxMemoryBytes(4 * 65536).build();
        try (Plugin plugin = load(TestComponents.rules(), policy)) {
            Extras extras = plugin.extension(Extras.class);
            // Each call runs on a fresh instance of one page.
            assertEquals(1, extras.grow(3)); // 1 -> 4 pages: at the limit
            assertEquals(-1, extras.grow(4)); // 5 pages would break the 4-page limit: refused as memory.grow -1
        }
    }

    @Test
    void declaredMemoryOverTheLimitIsRefusedAtLoad() {
        PluginPolicy policy = PluginPolicy.builder().maxMemoryBytes(65536).build();
        // Two core instances: the rules module's memory page, plus the imported one is the same memory,
        // so one page fits; half a page does not.
        load(TestComponents.rules(), policy).close();
        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> load(TestComponents.rules(), PluginPolicy.builder().maxMemoryBytes(40_000).build()));
        assertTrue(e.getMessage().contains("max-memory"), e.getMessage());
    }

    @Test
    void aBadPointerFromTheGuestIsATrapNotAnIndexError() {
        try (Plugin plugin = load(TestComponents.rules(), PluginPolicy.defaults())) {
            PluginTrapException e = assertThrows(PluginTrapException.class,
                    () -> plugin.extension(Extras.class).badString());
            assertTrue(e.getMessage().contains("outside the memory"), e.getMessage());
        }
    }

    @Test
    void callsAreCountedWithFuelAndTimeLikeAnyPlugin() {
        List<String> heard = new ArrayList<>();
        List<CallStats> stats = new ArrayList<>();
        GraftEngine engine = GraftEngine.create();
        engine.addCallListener((pluginId, export, outcome, s, failure) -> {
            heard.add(pluginId + ":" + export + ":" + outcome);
            stats.add(s);
        });
        try (Plugin plugin = engine.load(PluginSpec.builder(PluginSource.ofBytes("rules", TestComponents.rules()))
                .extensionPoint(PricingRule.class).build())) {
            plugin.extension(PricingRule.class).apply(line(12, "gold"));
            assertThrows(PluginCallException.class, () -> plugin.extension(PricingRule.class).apply(line(-1, null)));
        }
        assertEquals(List.of("rules:apply-rule:" + CallOutcome.OK, "rules:apply-rule:" + CallOutcome.ERROR),
                heard);
        assertTrue(stats.get(0).fuelConsumed() > 0, "fuel was counted: " + stats.get(0));
        assertTrue(stats.get(0).memoryHighWaterBytes() >= 65536, "memory was counted: " + stats.get(0));
    }

    @Test
    void theSameBytesAreDetectedAsAComponentInEveryMode() {
        for (ExecutionMode mode : ExecutionMode.values()) {
            try (Plugin plugin = load(TestComponents.rules(), PluginPolicy.builder().mode(mode).build(),
                    PricingRule.class)) {
                assertEquals(2, plugin.extension(PricingRule.class).apply(line(12, "gold")).size(), mode.toString());
            }
        }
    }

    @Test
    void aComponentIsNotCalledWithBytes() {
        try (Plugin plugin = load(TestComponents.rules(), PluginPolicy.defaults())) {
            PluginCallException e = assertThrows(PluginCallException.class,
                    () -> plugin.call("apply-rule", new byte[0]));
            assertTrue(e.getMessage().contains("component"), e.getMessage());
            assertEquals(Set.of("apply-rule", "post-count", "spin", "grow", "bad-string", "shout"), plugin.exports());
        }
    }

    // ---- Type checks at load and at binding ----

    record ThinCustomer(String id, String name, String region) {
    }

    record ThinLine(String sku, String name, String category, int quantity, BigDecimal unitPrice,
            ThinCustomer customer, String currency, @OptionalField String promoCode) {
    }

    @ExtensionPoint(id = "pricing-rule", version = "1")
    interface ThinRule {
        @Export("apply_rule")
        List<Adjustment> apply(ThinLine line);
    }

    record RequiredTierCustomer(String id, String name, String tier, String region) {
    }

    record RequiredTierLine(String sku, String name, String category, int quantity, BigDecimal unitPrice,
            RequiredTierCustomer customer, String currency, @OptionalField String promoCode) {
    }

    @ExtensionPoint(id = "pricing-rule", version = "1")
    interface RequiredTierRule {
        @Export("apply_rule")
        List<Adjustment> apply(RequiredTierLine line);
    }

    @ExtensionPoint(id = "other")
    interface Missing {
        String describe(String what);
    }

    @Test
    void aContractThatDoesNotMatchTheExportedTypeIsRefusedNamingTheDifference() {
        PluginLoadException fields = assertThrows(PluginLoadException.class,
                () -> load(TestComponents.rules(), PluginPolicy.defaults(), ThinRule.class));
        assertTrue(fields.getMessage().contains("'apply-rule'") && fields.getMessage().contains("line.customer")
                && fields.getMessage().contains("[id, name, tier, region]"), fields.getMessage());
        try (Plugin plugin = load(TestComponents.rules(), PluginPolicy.defaults())) {
            PluginLoadException option = assertThrows(PluginLoadException.class,
                    () -> plugin.extension(RequiredTierRule.class));
            assertTrue(option.getMessage().contains("line.customer.tier") && option.getMessage().contains("option<string>"),
                    option.getMessage());
            PluginLoadException missing = assertThrows(PluginLoadException.class, () -> plugin.extension(Missing.class));
            assertTrue(missing.getMessage().contains("no export 'describe'"), missing.getMessage());
        }
    }

    // ---- Every value kind through the Java mapping ----

    enum Level { LOW, HIGH_WATER }

    enum Perm { READ, WRITE, EXEC }

    sealed interface Status permits Open, Closed, Held {
    }

    record Open() implements Status {
    }

    record Closed(String reason, long at) implements Status {
    }

    record Held(Level level) implements Status {
    }

    record Item(String sku, BigDecimal price, Optional<Integer> qty) {
    }

    record Order(String id, List<Item> items, @OptionalField String note, Status status, Level level, Set<Perm> perms,
            byte[] blob, char mark, double weight) {
    }

    record Pad(long a, long b, long c, long d, long e, long f, long g, long h, long i, long j, long k, long l, long m,
            long n, long o, long p) {
        static Pad of(long v) {
            return new Pad(v, v + 1, v + 2, v + 3, v + 4, v + 5, v + 6, v + 7, v + 8, v + 9, v + 10, v + 11, v + 12,
                    v + 13, v + 14, v + 15);
        }
    }

    record Padded(Order value, Pad pad) {
    }

    @ExtensionPoint(id = "values")
    interface Values {
        boolean idBool(boolean x);

        byte idS8(byte x);

        int idU8(int x);

        short idS16(short x);

        int idU16(int x);

        int idS32(int x);

        long idU32(long x);

        char idChar(char x);

        Level idLevel(Level x);

        Set<Perm> idPerms(Set<Perm> x);

        long idS64(long x);

        long idU64(long x);

        float idF32(float x);

        double idF64(double x);

        Order echoOrder(Padded x);

        int optLen(Optional<String> x);

        String[] strings(String[] x);

        int[] numbers(int[] x);

        java.util.OptionalInt maybe(java.util.OptionalInt x);

        @Nullable
        Integer maybeBoxed(@Nullable Integer x);
    }

    /** Any annotation named Nullable marks an option, as graft wit reads it. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @interface Nullable {
    }

    @Test
    void everyValueKindCrossesBothWays() {
        for (InstanceMode instances : InstanceMode.values()) {
            PluginPolicy policy = PluginPolicy.builder().instances(instances).build();
            try (Plugin plugin = load(TestComponents.values(), policy, Values.class)) {
                Values v = plugin.extension(Values.class);
                assertEquals(true, v.idBool(true));
                assertEquals(false, v.idBool(false));
                assertEquals((byte) -128, v.idS8((byte) -128));
                assertEquals(255, v.idU8(255));
                assertEquals((short) -32768, v.idS16((short) -32768));
                assertEquals(65535, v.idU16(65535));
                assertEquals(Integer.MIN_VALUE, v.idS32(Integer.MIN_VALUE));
                assertEquals(0xffffffffL, v.idU32(0xffffffffL));
                assertEquals('ß', v.idChar('ß'));
                assertEquals(Level.HIGH_WATER, v.idLevel(Level.HIGH_WATER));
                assertEquals(EnumSet.of(Perm.READ, Perm.EXEC), v.idPerms(EnumSet.of(Perm.READ, Perm.EXEC)));
                assertEquals(Set.of(), v.idPerms(EnumSet.noneOf(Perm.class)));
                assertEquals(Long.MIN_VALUE, v.idS64(Long.MIN_VALUE));
                assertEquals(-1L, v.idU64(-1L));
                assertEquals(Float.MIN_VALUE, v.idF32(Float.MIN_VALUE));
                assertEquals(-0.0, v.idF64(-0.0));
                assertTrue(Double.isNaN(v.idF64(Double.NaN)));
                assertEquals(-1, v.optLen(Optional.empty()));
                assertEquals(6, v.optLen(Optional.of("grüß"))); // UTF-8 bytes
                assertThrows(IllegalArgumentException.class, () -> v.idU8(256));
                assertEquals(List.of("a", "", "ü😀"), List.of(v.strings(new String[] {"a", "", "ü😀"})));
                assertEquals(0, v.strings(new String[0]).length);
                assertEquals(List.of(-1, 0, Integer.MAX_VALUE),
                        java.util.Arrays.stream(v.numbers(new int[] {-1, 0, Integer.MAX_VALUE})).boxed().toList());
                assertEquals(java.util.OptionalInt.of(-7), v.maybe(java.util.OptionalInt.of(-7)));
                assertEquals(java.util.OptionalInt.empty(), v.maybe(java.util.OptionalInt.empty()));
                assertEquals(null, v.maybeBoxed(null));
                assertEquals(Integer.valueOf(9), v.maybeBoxed(9));

                for (Status status : List.of(new Open(), new Closed("paid ✓", -42L), new Held(Level.LOW))) {
                    Order order = new Order("o-1", List.of(new Item("a", new BigDecimal("0.10"), Optional.of(3)),
                            new Item("ü", new BigDecimal("-12345678901234567890.5"), Optional.empty())),
                            status instanceof Open ? null : "a note", status, Level.LOW, EnumSet.of(Perm.WRITE),
                            new byte[] {0, (byte) 0xff, 7}, '€', 2.5);
                    Order back = v.echoOrder(new Padded(order, Pad.of(100)));
                    assertEquals(order.id(), back.id());
                    assertEquals(order.items(), back.items());
                    assertEquals(order.note(), back.note());
                    assertEquals(order.status(), back.status());
                    assertEquals(order.level(), back.level());
                    assertEquals(order.perms(), back.perms());
                    assertEquals(List.of((byte) 0, (byte) -1, (byte) 7), List.of(back.blob()[0], back.blob()[1],
                            back.blob()[2]));
                    assertEquals(order.mark(), back.mark());
                    assertEquals(order.weight(), back.weight());
                }
                IllegalArgumentException nullField = assertThrows(IllegalArgumentException.class,
                        () -> v.echoOrder(new Padded(new Order(null, List.of(), null, new Open(), Level.LOW,
                                Set.of(), new byte[0], 'x', 0), Pad.of(0))));
                assertTrue(nullField.getMessage().contains("x.value.id"), nullField.getMessage());
            }
        }
    }

    @Test
    void everyFailureIsAPluginException() {
        // Spot check: a load refusal and a call failure share the one exception tree.
        assertTrue(PluginException.class.isAssignableFrom(PluginLoadException.class));
        assertTrue(PluginException.class.isAssignableFrom(PluginTrapException.class));
    }
}
