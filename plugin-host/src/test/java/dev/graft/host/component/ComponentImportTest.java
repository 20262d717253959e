package dev.graft.host.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.ExtensionPoint;
import dev.graft.api.HostFunctionError;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.PluginTrapException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.engine.CallStats;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Components importing host functions: satisfied only by a granted, offered host function of matching type. */
class ComponentImportTest {

    static final GraftEngine ENGINE = GraftEngine.create();

    public record Wide(String a, String b, String c, String d, String e, String f, String g, String h, String i) {
    }

    @ExtensionPoint(id = "tiers")
    interface Tiers {
        String describe(String customerId);

        List<String> wide();

        String badArgs();

        String badOut();
    }

    /** Generic signatures of the host functions' typed forms. */
    interface Signatures {
        Optional<String> tier(String customerId);

        List<String> wide(Wide w);
    }

    static Type returnOf(String method) {
        for (var m : Signatures.class.getMethods()) {
            if (m.getName().equals(method)) {
                return m.getGenericReturnType();
            }
        }
        throw new IllegalArgumentException(method);
    }

    /** What the host functions were called with, in order. */
    final List<Object> seen = new ArrayList<>();

    HostFunctionBinding tier() {
        return HostFunctionBinding.typed("erp_customer_tier",
                (pluginId, input) -> input, // the bytes form, for Extism modules (unused here)
                String.class, returnOf("tier"), (pluginId, argument) -> {
                    seen.add(pluginId + ":" + argument);
                    return switch ((String) argument) {
                        case "c-1" -> Optional.of("gold ★");
                        case "boom" -> throw new IllegalStateException("ERP down");
                        default -> Optional.empty();
                    };
                });
    }

    HostFunctionBinding wide() {
        return HostFunctionBinding.typed("erp.wide", (pluginId, input) -> input, Wide.class, returnOf("wide"),
                (pluginId, argument) -> {
                    Wide w = (Wide) argument;
                    seen.add(w);
                    return List.of(w.a() + w.i(), "", "ü".repeat(3));
                });
    }

    static PluginPolicy granting(PluginPolicy.Builder policy, String... names) {
        Capabilities.Builder grants = Capabilities.builder();
        for (String name : names) {
            grants.hostFunction(name);
        }
        return policy.capabilities(grants.build()).build();
    }

    static Plugin load(PluginPolicy policy, HostFunctionBinding... offered) {
        PluginSpec.Builder spec = PluginSpec.builder(PluginSource.ofBytes("tiers", ImportingComponents.tiers()))
                .policy(policy).extensionPoint(Tiers.class);
        for (HostFunctionBinding binding : offered) {
            spec.hostFunction(binding);
        }
        return ENGINE.load(spec.build());
    }

    Plugin loadGranted(PluginPolicy.Builder policy) {
        return load(granting(policy, "erp_customer_tier", "erp.wide"), tier(), wide());
    }

    @Test
    void aComponentCallsGrantedTypedHostFunctionsInFreshAndPooledInstancesInEveryMode() {
        for (InstanceMode instances : InstanceMode.values()) {
            for (ExecutionMode execution : ExecutionMode.values()) {
                calls(instances, execution);
            }
        }
    }

    void calls(InstanceMode instances, ExecutionMode execution) {
        String mode = instances + "/" + execution;
        seen.clear();
        try (Plugin plugin = loadGranted(PluginPolicy.builder().instances(instances).mode(execution).poolSize(1))) {
            Tiers tiers = plugin.extension(Tiers.class);
            for (int i = 0; i < 3; i++) {
                assertEquals("gold ★", tiers.describe("c-1"), mode);
                assertEquals("none", tiers.describe("c-2"), mode);
            }
            assertEquals(List.of("tiers:c-1", "tiers:c-2", "tiers:c-1", "tiers:c-2", "tiers:c-1", "tiers:c-2"), seen,
                    mode);
            // Spilled parameters (nine strings, 18 flat values) and a spilled list result.
            assertEquals(List.of("ai", "", "üüü"), tiers.wide(), mode);
            assertEquals(new Wide("a", "b", "c", "d", "e", "f", "g", "h", "i"), seen.get(seen.size() - 1), mode);
        }
    }

    @Test
    void anImportTheGrantsDoNotCoverIsRefusedAtLoadNamingTheCapability() {
        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> load(granting(PluginPolicy.builder(), "erp.wide"), tier(), wide()));
        assertTrue(e.getMessage().startsWith("plugin 'tiers': refused at load:"), e.getMessage());
        assertTrue(e.getMessage().contains("component import 'erp-customer-tier'")
                && e.getMessage().contains("needs host function capability 'erp_customer_tier', which the policy does"
                        + " not grant"), e.getMessage());
    }

    @Test
    void aGrantedImportTheHostDoesNotOfferIsRefusedAtLoad() {
        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> load(granting(PluginPolicy.builder(), "erp_customer_tier", "erp.wide"), wide()));
        assertTrue(e.getMessage().contains("component import 'erp-customer-tier'")
                && e.getMessage().contains("host function 'erp_customer_tier' is granted but the host offers no"
                        + " implementation"), e.getMessage());
    }

    @Test
    void aHostFunctionWhoseTypesDoNotMatchTheImportIsRefusedNamingWhatDiffers() {
        HostFunctionBinding plainString = HostFunctionBinding.typed("erp_customer_tier", (id, in) -> in,
                String.class, String.class, (id, argument) -> "gold");
        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> load(granting(PluginPolicy.builder(), "erp_customer_tier", "erp.wide"), plainString, wide()));
        assertTrue(e.getMessage().contains("component import 'erp-customer-tier' (func(customer-id: string) ->"
                + " option<string>)") && e.getMessage().contains("host function 'erp_customer_tier'")
                && e.getMessage().contains("WIT option<string> but Java java.lang.String is required"), e.getMessage());
        // A bytes-only host function is byte[] -> byte[], WIT func(input: list<u8>) -> list<u8>.
        HostFunctionBinding bytes = new HostFunctionBinding("erp_customer_tier", (id, in) -> in);
        PluginLoadException b = assertThrows(PluginLoadException.class,
                () -> load(granting(PluginPolicy.builder(), "erp_customer_tier", "erp.wide"), bytes, wide()));
        assertTrue(b.getMessage().contains("(byte[]) -> byte[]") && b.getMessage().contains("at customer-id: WIT"
                + " string but Java byte[]"), b.getMessage());
    }

    @Test
    void aHandlerFailureEndsThePluginCallNamingTheHostFunction() {
        try (Plugin plugin = loadGranted(PluginPolicy.builder())) {
            Tiers tiers = plugin.extension(Tiers.class);
            PluginCallException e = assertThrows(PluginCallException.class, () -> tiers.describe("boom"));
            assertTrue(e.getMessage().contains("plugin 'tiers'") && e.getMessage().contains("'describe'")
                    && e.getMessage().contains("host function 'erp_customer_tier' failed")
                    && e.getMessage().contains("ERP down"), e.getMessage());
            assertEquals("gold ★", tiers.describe("c-1")); // the plugin keeps serving
        }
    }

    @Test
    void badPointersFromTheGuestAreTraps() {
        try (Plugin plugin = loadGranted(PluginPolicy.builder())) {
            Tiers tiers = plugin.extension(Tiers.class);
            PluginTrapException args = assertThrows(PluginTrapException.class, tiers::badArgs);
            assertTrue(args.getMessage().contains("host function 'erp_customer_tier'")
                    && args.getMessage().contains("a string at 2147483632 of 16 bytes is outside the memory"),
                    args.getMessage());
            PluginTrapException out = assertThrows(PluginTrapException.class, tiers::badOut);
            assertTrue(out.getMessage().contains("host function 'erp_customer_tier'")
                    && out.getMessage().contains("the result at 2147483632"), out.getMessage());
            // bad-args never reached the handler; bad-out's argument ("a") did, then its result was refused.
            assertEquals(List.of("tiers:a"), seen);
            assertEquals("gold ★", tiers.describe("c-1"));
        }
    }

    @Test
    void theBytesCopiedForAHostCallAreChargedPerByteAndTheCallAtItsFixedCost() {
        long[] consumed = new long[4];
        long[][] costs = {{0, 0}, {0, 1}, {0, 0}, {1000, 0}};
        for (int i = 0; i < costs.length; i++) {
            CostModel model = CostModel.builder().hostCallFixed(costs[i][0]).hostCallPerByte(costs[i][1]).build();
            try (Plugin plugin = loadGranted(PluginPolicy.builder().fuelCosts(model))) {
                assertEquals("gold ★", plugin.extension(Tiers.class).describe("c-1"));
                consumed[i] = CallStats.lastOnThisThread().orElseThrow().fuelConsumed();
            }
        }
        int tier = "gold ★".getBytes(StandardCharsets.UTF_8).length;
        // "c-1" lowered for describe and lifted for the host function, the tier string lowered by the host's
        // realloc and the 12-byte option<string> stored at the out-pointer, then describe's 8-byte (pointer,
        // length) result and the tier's bytes lifted.
        assertEquals(3 + 3 + tier + 12 + 8 + tier, consumed[1] - consumed[0]);
        assertEquals(1000, consumed[3] - consumed[2]); // one host call
    }

    @ExtensionPoint(id = "passing")
    interface Passing {
        String lookup(String key);

        byte[] echo(byte[] input);
    }

    @Test
    void aResultImportCarriesAHostFunctionErrorToTheGuestAndABytesHostFunctionIsListOfU8() {
        HostFunctionBinding lookup = HostFunctionBinding.typed("lookup", (id, in) -> in, String.class, String.class,
                (pluginId, key) -> {
                    if ("k".equals(key)) {
                        return "v ✓";
                    }
                    if ("secret".equals(key)) {
                        throw new IllegalStateException("jdbc:postgresql://db.internal/erp refused the connection");
                    }
                    throw new HostFunctionError("no key '" + key + "'");
                });
        HostFunctionBinding echo = new HostFunctionBinding("echo", (pluginId, input) -> {
            byte[] reversed = new byte[input.length];
            for (int i = 0; i < input.length; i++) {
                reversed[i] = input[input.length - 1 - i];
            }
            return reversed;
        });
        PluginSpec spec = PluginSpec.builder(PluginSource.ofBytes("passing", ImportingComponents.passing()))
                .policy(granting(PluginPolicy.builder(), "lookup", "echo")).hostFunction(lookup).hostFunction(echo)
                .extensionPoint(Passing.class).build();
        try (Plugin plugin = ENGINE.load(spec)) {
            Passing passing = plugin.extension(Passing.class);
            assertEquals("v ✓", passing.lookup("k"));
            // The guest received err("no key 'x'") and returned it: the plugin's own failure, not the host's.
            PluginCallException e = assertThrows(PluginCallException.class, () -> passing.lookup("x"));
            assertEquals("no key 'x'", e.pluginMessage());
            // Any other exception is the host's failure: it ends the call, and its message never reaches the guest.
            PluginCallException internal = assertThrows(PluginCallException.class, () -> passing.lookup("secret"));
            assertTrue(internal.getMessage().contains("host function 'lookup' failed"), internal.getMessage());
            assertNotEquals("jdbc:postgresql://db.internal/erp refused the connection", internal.pluginMessage());
            assertEquals(List.of((byte) 3, (byte) 2, (byte) -1), toList(passing.echo(new byte[] {-1, 2, 3})));
            assertEquals(0, passing.echo(new byte[0]).length);
        }
    }

    static List<Byte> toList(byte[] bytes) {
        List<Byte> out = new ArrayList<>();
        for (byte b : bytes) {
            out.add(b);
        }
        return out;
    }
}
