package dev.graft.cli;

import static dev.graft.cli.GraftCommandTest.graft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.OptionalField;
import dev.graft.cli.GraftCommandTest.Run;
import dev.graft.host.binding.ExtensionContract;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft wit}: the WIT world of an extension point. */
class WitCommandTest {

    /** The world the sample components are built against (sample-plugins/build.sh). */
    static final Path SAMPLE_WIT = Path.of("../sample-plugins/wit/pricing-rule.wit");
    static final Path COMPONENT_TOOLS = Path.of("../sample-plugins/component-tools");

    @TempDir
    Path dir;

    @Test
    void pricingRuleIsTheWorldTheSampleComponentsImplement() throws Exception {
        Run run = graft("wit", ContractCommandsTest.PRICING_RULE);
        assertEquals(0, run.code(), run.stderr());
        assertEquals("""
                // The WIT world of dev.graft.samples.contracts.PricingRule (@ExtensionPoint id "pricing-rule", version "1"), written by `graft wit`.
                package graft:pricing-rule@1.0.0;

                world pricing-rule {
                  record customer {
                    id: string,
                    name: string,
                    tier: option<string>,
                    region: string,
                  }

                  record quote-line {
                    sku: string,
                    name: string,
                    category: string,
                    quantity: s32,
                    unit-price: string,
                    customer: customer,
                    currency: string,
                    promo-code: option<string>,
                  }

                  record adjustment {
                    rule-id: string,
                    amount: string,
                    reason: string,
                  }

                  export apply-rule: func(line: quote-line) -> result<list<adjustment>, string>;
                }
                """, run.out());
        assertEquals(Files.readString(SAMPLE_WIT), run.out(),
                "sample-plugins/wit/pricing-rule.wit is not what graft wit prints (regenerate it with graft wit -o)");
    }

    @Test
    void writesToAFileWithOutput() throws Exception {
        Path out = dir.resolve("world.wit");
        Run run = graft("wit", ContractCommandsTest.PRICING_RULE, "--output", out.toString());
        assertEquals(0, run.code(), run.stderr());
        assertEquals(Files.readString(SAMPLE_WIT), Files.readString(out));
    }

    // ---- the rest of the mapping, on a contract that uses all of it

    enum Tier { GOLD, SILVER_PLUS, STANDARD }

    sealed interface Shape permits Circle, Polygon, Dot {
    }

    record Circle(double radius) implements Shape {
    }

    record Polygon(List<Point> corners) implements Shape {
    }

    record Dot() implements Shape {
    }

    record Point(float x, float y) {
    }

    @Retention(RetentionPolicy.RUNTIME)
    @interface Nullable {
    }

    record Drawing(String type, Tier tier, Shape shape, byte[] thumbnail, List<List<Long>> layers, Optional<String> title,
            OptionalInt zIndex, @Nullable Integer opacity, @OptionalField BigDecimal price, char mark, boolean visible,
            short s, byte b, String HTTPHeader) {
    }

    record Receipt(long id, List<Optional<Tier>> tiers) {
    }

    @ExtensionPoint(id = "draw", version = "2.1")
    interface Drawer {
        @Export("draw_it")
        Receipt draw(Drawing drawing);

        void reset();

        List<Shape> shapes(int count);
    }

    @Test
    void mapsEnumsSealedRecordsOptionsListsAndPrimitives() {
        String wit = WitWorld.of(ExtensionContract.of(Drawer.class));
        assertEquals("""
                // The WIT world of dev.graft.cli.WitCommandTest$Drawer (@ExtensionPoint id "draw", version "2.1"), written by `graft wit`.
                package graft:draw@2.1.0;

                world draw {
                  enum tier {
                    gold,
                    silver-plus,
                    standard,
                  }

                  record circle {
                    radius: f64,
                  }

                  record point {
                    x: f32,
                    y: f32,
                  }

                  record polygon {
                    corners: list<point>,
                  }

                  variant shape {
                    circle(circle),
                    polygon(polygon),
                    dot,
                  }

                  record drawing {
                    %type: string,
                    tier: tier,
                    shape: shape,
                    thumbnail: list<u8>,
                    layers: list<list<s64>>,
                    title: option<string>,
                    z-index: option<s32>,
                    opacity: option<s32>,
                    price: option<string>,
                    mark: char,
                    visible: bool,
                    s: s16,
                    b: s8,
                    http-header: string,
                  }

                  record receipt {
                    id: s64,
                    tiers: list<option<tier>>,
                  }

                  export draw-it: func(drawing: drawing) -> result<receipt, string>;
                  export reset: func() -> result<_, string>;
                  export shapes: func(count: s32) -> result<list<shape>, string>;
                }
                """, wit);
    }

    /** The generated WIT is valid: wit-parser (in jco) reads it and embeds it into a dummy module. */
    @Test
    void jcoAcceptsTheGeneratedWit() throws Exception {
        Path jco = COMPONENT_TOOLS.resolve("node_modules/@bytecodealliance/jco");
        assumeTrue(Files.isDirectory(jco), "skipped: jco is not installed (run sample-plugins/setup.sh)");
        String node = nodeBinary();
        assumeTrue(node != null, "skipped: Node is not installed (sample-plugins/setup.sh installs it)");
        Path wit = dir.resolve("draw.wit");
        Files.writeString(wit, WitWorld.of(ExtensionContract.of(Drawer.class)));
        Process p = new ProcessBuilder(node, "--input-type=module", "-e", """
                import { componentEmbed, componentWit } from '@bytecodealliance/jco';
                import { readFileSync } from 'node:fs';
                const embedded = await componentEmbed({ dummy: true, witSource: readFileSync(process.argv[1], 'utf8'), world: 'draw' });
                process.stdout.write(String(embedded.length));
                """, wit.toAbsolutePath().toString())
                .directory(COMPONENT_TOOLS.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(Integer.parseInt(out.trim()) > 0, out);
    }

    /** Node as sample-plugins/build.sh finds it: setup.sh's Node 20 where the system one is older, else PATH's. */
    static String nodeBinary() {
        for (String candidate : List.of(Path.of("../sample-plugins/.tools/node/bin/node").toAbsolutePath().toString(), "node")) {
            try {
                Process p = new ProcessBuilder(candidate, "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (Exception e) {
                // not this one
            }
        }
        return null;
    }

    // ---- refusals

    record Bag(Map<String, Integer> counts) {
    }

    @ExtensionPoint(id = "bags", version = "1")
    interface Bags {
        int count(Bag bag);
    }

    record Node(String name, List<Node> children) {
    }

    @ExtensionPoint(id = "trees", version = "1")
    interface Trees {
        int size(Node root);
    }

    @ExtensionPoint(id = "objects", version = "1")
    interface Objects {
        Object any(String in);
    }

    @Test
    void aTypeWithoutWitEquivalentIsRefusedNamingTheTypeAndTheMethod() {
        WitWorld.UnsupportedTypeException map = assertThrows(WitWorld.UnsupportedTypeException.class,
                () -> WitWorld.of(ExtensionContract.of(Bags.class)));
        assertEquals("Bags.count: field Bag.counts has type java.util.Map<java.lang.String, java.lang.Integer>, which has no "
                + "WIT equivalent (supported: records, String, BigDecimal, primitives and their boxes, List, arrays, "
                + "Optional, enums, sealed interfaces of records)", map.getMessage());
        WitWorld.UnsupportedTypeException object = assertThrows(WitWorld.UnsupportedTypeException.class,
                () -> WitWorld.of(ExtensionContract.of(Objects.class)));
        assertTrue(object.getMessage().startsWith("Objects.any: its result has type java.lang.Object, which has no WIT"),
                object.getMessage());
        WitWorld.UnsupportedTypeException recursive = assertThrows(WitWorld.UnsupportedTypeException.class,
                () -> WitWorld.of(ExtensionContract.of(Trees.class)));
        assertEquals("Trees.size: dev.graft.cli.WitCommandTest$Node contains itself (field Node.children); "
                + "WIT has no recursive types", recursive.getMessage());
    }

    @Test
    void theCommandExitsSixtyFourWithTheMessage() {
        Run run = graft("wit", Bags.class.getName());
        assertEquals(64, run.code(), run.stderr());
        assertTrue(run.stderr().contains("graft: no WIT for dev.graft.cli.WitCommandTest$Bags: Bags.count: field Bag.counts "
                + "has type java.util.Map<java.lang.String, java.lang.Integer>"), run.stderr());
        Run notAContract = graft("wit", "java.lang.String");
        assertEquals(64, notAContract.code(), notAContract.stderr());
        assertTrue(notAContract.stderr().contains("java.lang.String is not an interface annotated @ExtensionPoint"),
                notAContract.stderr());
    }

    @Test
    void namesBecomeKebabCase() {
        assertEquals("unit-price", WitWorld.kebab("unitPrice", "x"));
        assertEquals("apply-rule", WitWorld.kebab("apply_rule", "x"));
        assertEquals("http-server", WitWorld.kebab("HTTPServer", "x"));
        assertEquals("silver-plus", WitWorld.kebab("SILVER_PLUS", "x"));
        assertEquals("v2-name", WitWorld.kebab("v2Name", "x"));
        assertEquals("quote-line", WitWorld.kebab("QuoteLine", "x"));
        assertThrows(WitWorld.UnsupportedTypeException.class, () -> WitWorld.kebab("2fa", "x"));
        assertThrows(WitWorld.UnsupportedTypeException.class, () -> WitWorld.kebab("prix€", "x"));
        assertEquals("1.0.0", WitWorld.semver("1"));
        assertEquals("2.1.0", WitWorld.semver("2.1"));
        assertThrows(WitWorld.UnsupportedTypeException.class, () -> WitWorld.semver("v1"));
    }
}
