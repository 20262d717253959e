package dev.graft.host.component;

import static dev.graft.host.component.ComponentBytes.FUNC;
import static dev.graft.host.component.ComponentBytes.MEMORY;
import static dev.graft.host.component.ComponentBytes.S32;
import static dev.graft.host.component.ComponentBytes.STRING;
import static dev.graft.host.component.ComponentBytes.U32;
import static dev.graft.host.component.ComponentBytes.func;
import static dev.graft.host.component.ComponentBytes.options;
import static dev.graft.host.component.ComponentBytes.tuple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.graft.api.PluginException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.component.ComponentBytes.Buf;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import dev.graft.host.trust.Signer;
import dev.graft.host.trust.TrustPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a component may not contain, refused at load with a PluginLoadException naming the construct. */
class ComponentRefusalTest {

    static final GraftEngine ENGINE = GraftEngine.create();
    static final byte[] ANSWER = Wat2Wasm.parse("(module (func (export \"answer\") (result i32) (i32.const 42)))");

    static PluginLoadException refused(byte[] component) {
        return refused(component, PluginPolicy.defaults());
    }

    static PluginLoadException refused(byte[] component, PluginPolicy policy) {
        return assertThrows(PluginLoadException.class, () -> ENGINE.load(
                PluginSpec.builder(PluginSource.ofBytes("odd", component)).policy(policy).build()));
    }

    static void assertMentions(PluginLoadException e, String... parts) {
        assertTrue(e.getMessage().startsWith("plugin 'odd': refused at load:"), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
    }

    /** A component that would be valid: one core module and {@code answer: func() -> s32}. */
    static ComponentBytes answering() {
        return ComponentBytes.component().coreModule(ANSWER).instantiate(0).aliasCore(FUNC, 0, "answer")
                .type(func(new Object[] {}, S32));
    }

    @Test
    void theValidBaseLoads() {
        byte[] ok = answering().lift(0, 0, options(-1, -1, -1)).exportFunc("answer", 0).bytes();
        assertTrue(ComponentParser.isComponent(ok));
        assertFalse(ComponentParser.isComponent(ANSWER));
        ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("odd", ok)).build()).close();
    }

    @Test
    void instanceImportsAreRefusedByNameEvenWithCapabilitiesGranted() {
        // An instance type for the import precedes it, as toolchains write it; the import is still what is named.
        byte[] withImport = ComponentBytes.component()
                .type(new Buf().raw(0x42).u32(0))
                .section(10, new Buf().u32(1).raw(0x00).name("wasi:cli/environment@0.2.0").raw(0x05).u32(0))
                .bytes();
        assertMentions(refused(withImport), "component import 'wasi:cli/environment@0.2.0' (instance)",
                "WASI is not offered to components");
        PluginPolicy generous = PluginPolicy.builder()
                .capabilities(Capabilities.builder().wasi(true).hostFunction("get-environment").build()).build();
        assertMentions(refused(withImport, generous), "component import 'wasi:cli/environment@0.2.0'");
        for (int kind : new int[] {0x00, 0x02, 0x04}) {
            byte[] other = ComponentBytes.component()
                    .section(10, new Buf().u32(1).raw(0x00).name("thing").raw(kind).u32(0)).bytes();
            assertMentions(refused(other), "component import 'thing' (", "may import only functions");
        }
    }

    @Test
    void aFunctionImportIsRefusedUnlessAGrantedHostFunctionSatisfiesIt() {
        byte[] funcImport = answering().lift(0, 0, options(-1, -1, -1)).exportFunc("answer", 0)
                .type(func(new Object[] {}, U32)).importFunc("tier-of", 1).bytes();
        assertMentions(refused(funcImport), "component import 'tier-of' (func() -> u32)",
                "needs host function capability 'tier-of', which the policy does not grant");
        PluginPolicy granted = PluginPolicy.builder()
                .capabilities(Capabilities.builder().hostFunction("tier_of").build()).build();
        assertMentions(refused(funcImport, granted), "host function 'tier_of' is granted but the host offers no"
                + " implementation");
    }

    @Test
    void resourcesAsyncStreamsAndFuturesAreRefusedByName() {
        assertMentions(refused(answering().type(new Buf().raw(0x3f, 0x7f, 0x00)).bytes()), "a resource type");
        assertMentions(refused(answering().type(new Buf().raw(0x69, 0x00)).bytes()), "owned resource handle");
        assertMentions(refused(answering().type(new Buf().raw(0x68, 0x00)).bytes()), "borrowed resource handle");
        assertMentions(refused(answering().type(new Buf().raw(0x66, 0x00)).bytes()), "a stream type");
        assertMentions(refused(answering().type(new Buf().raw(0x65, 0x00)).bytes()), "a future type");
        assertMentions(refused(answering().type(new Buf().raw(0x43, 0x00, 0x01, 0x00)).bytes()), "async function type");
        assertMentions(refused(answering().section(8, new Buf().u32(1).raw(0x02).u32(0)).bytes()),
                "canon resource.new");
        assertMentions(refused(answering().section(8, new Buf().u32(1).raw(0x09, 0x01, 0x00).u32(0)).bytes()),
                "canon task.return (async)");
        assertMentions(refused(answering().section(8, new Buf().u32(1).raw(0x0e).u32(0)).bytes()), "streams, futures");
        assertMentions(refused(answering().lift(0, 0, new Buf().u32(1).raw(0x06)).bytes()), "async option");
    }

    @Test
    void otherEncodingsLoweringAndNestingAreRefusedByName() {
        assertMentions(refused(answering().lift(0, 0, new Buf().u32(1).raw(0x01)).bytes()), "string-encoding=utf16");
        assertMentions(refused(answering().lift(0, 0, new Buf().u32(1).raw(0x02)).bytes()), "latin1+utf16");
        assertMentions(refused(answering().lift(0, 0, options(-1, -1, -1)).lower(0, options(-1, -1, -1)).bytes()),
                "canon lower of component function 0, which the component lifts itself");
        ComponentBytes importing = answering().type(func(new Object[] {}, U32)).importFunc("tier-of", 1);
        assertMentions(refused(importing.lower(0, new Buf().u32(1).raw(0x01)).bytes()),
                "canon lower of 'tier-of' with string-encoding=utf16");
        assertMentions(refused(answering().type(func(new Object[] {}, U32)).importFunc("tier-of", 1)
                .lower(0, options(-1, -1, 0)).bytes()), "canon lower of 'tier-of' with a post-return function");
        assertMentions(refused(answering().type(func(new Object[] {}, U32)).importFunc("tier-of", 1)
                .exportFunc("again", 0).bytes()), "an export 'again' of the imported function 'tier-of'");
        assertMentions(refused(answering().type(func(new Object[] {}, U32)).importFunc("tier-of", 1)
                .lower(0, options(-1, -1, -1)).lift(1, 0, options(-1, -1, -1)).bytes()),
                "canon lift of a lowered import");
        assertMentions(refused(answering().section(4, new Buf().raw(ComponentBytes.PREAMBLE)).bytes()),
                "a nested component");
        assertMentions(refused(answering().section(5, new Buf().u32(1).raw(0x01).u32(0)).bytes()),
                "a component instance");
        assertMentions(refused(answering().section(9, new Buf().u32(0).u32(0).u32(0)).bytes()), "start function");
        byte[] instanceExport = answering().lift(0, 0, options(-1, -1, -1))
                .section(11, new Buf().u32(1).raw(0x00).name("graft:rules/rule").raw(0x05).u32(0).raw(0x00)).bytes();
        assertMentions(refused(instanceExport), "exported instance 'graft:rules/rule'");
    }

    @Test
    void aNewerBinaryVersionIsRefusedByVersion() {
        byte[] bytes = answering().lift(0, 0, options(-1, -1, -1)).exportFunc("answer", 0).bytes();
        bytes[4] = 0x0e;
        assertMentions(refused(bytes), "component binary version 0xe");
    }

    @Test
    void liftsThatDoNotFitTheirCoreFunctionAreRefused() {
        // answer is () -> i32; as func(s: string) -> s32 it would need (i32 i32) -> i32, a memory and a realloc.
        byte[] wrongSignature = answering().type(func(new Object[] {"s", STRING}, S32)).lift(0, 1, options(-1, -1, -1))
                .exportFunc("answer", 0).bytes();
        assertMentions(refused(wrongSignature), "export 'answer'", "lifts a core function of type", "needs");
        byte[] noMemory = ComponentBytes.component().coreModule(TestComponents.RULES_MODULE).instantiate(0)
                .aliasCore(FUNC, 0, "bad-string").type(func(new Object[] {}, STRING)).lift(0, 0, options(-1, -1, -1))
                .exportFunc("s", 0).bytes();
        assertMentions(refused(noMemory), "names no memory");
        byte[] noRealloc = ComponentBytes.component().coreModule(TestComponents.VALUES_MODULE).instantiate(0)
                .aliasCore(FUNC, 0, "opt-len").aliasCore(MEMORY, 0, "memory")
                .type(ComponentBytes.option(STRING)).type(func(new Object[] {"x", 0}, S32))
                .lift(0, 1, options(0, -1, -1)).exportFunc("opt-len", 0).bytes();
        assertMentions(refused(noRealloc), "names no realloc");
    }

    /** A component lowering {@code tier-of: func(customer-id: string) -> option<string>} into {@code tier}'s import. */
    static byte[] lowering(String tierImport, Buf lowerOptions) {
        byte[] module = Wat2Wasm.parse("(module (import \"host\" \"tier-of\" (func " + tierImport + "))"
                + " (memory (export \"memory\") 1) (func (export \"cabi_realloc\") (param i32 i32 i32 i32) (result i32)"
                + " (i32.const 0)) (func (export \"answer\") (result i32) (i32.const 42)))");
        byte[] memory = Wat2Wasm.parse("(module (memory (export \"memory\") 1) (func (export \"cabi_realloc\")"
                + " (param i32 i32 i32 i32) (result i32) (i32.const 0)))");
        return ComponentBytes.component().coreModule(memory).coreModule(module)
                .instantiate(0)                                                   // core instance 0
                .aliasCore(MEMORY, 0, "memory").aliasCore(FUNC, 0, "cabi_realloc")  // memory 0, core func 0
                .type(ComponentBytes.option(STRING))
                .type(func(new Object[] {"customer-id", STRING}, 0))
                .importFunc("tier-of", 1)
                .lower(0, lowerOptions)                                          // core func 1
                .instanceOfExports("tier-of", FUNC, 1)                          // core instance 1
                .instantiate(1, "host", 1)                                        // core instance 2
                .aliasCore(FUNC, 2, "answer")                                    // core func 2
                .type(func(new Object[] {}, S32)).lift(2, 2, options(-1, -1, -1)).exportFunc("answer", 1)
                .bytes();
    }

    @Test
    void lowersThatDoNotFitTheImportingCoreFunctionOrNameNoMemoryAreRefused() {
        PluginPolicy granted = PluginPolicy.builder()
                .capabilities(Capabilities.builder().hostFunction("tier_of").build()).build();
        dev.graft.host.abi.HostFunctionBinding offered = dev.graft.host.abi.HostFunctionBinding.typed("tier_of",
                (id, in) -> in, String.class, new Object() {
                    Optional<String> sig() {
                        return null;
                    }
                }.getClass().getDeclaredMethods()[0].getGenericReturnType(), (id, argument) -> Optional.empty());
        java.util.function.Function<byte[], PluginLoadException> refusedWithGrant = bytes -> assertThrows(
                PluginLoadException.class, () -> ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("odd", bytes))
                        .policy(granted).hostFunction(offered).build()));
        // The right shape loads: (string pointer, length, out-pointer) -> ().
        ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("odd", lowering("(param i32 i32 i32)", options(0, 0, -1))))
                .policy(granted).hostFunction(offered).build()).close();
        assertMentions(refusedWithGrant.apply(lowering("(param i32 i32) (result i32)", options(0, 0, -1))),
                "import 'host.tier-of' has type", "exports 'tier-of' with type");
        assertMentions(refusedWithGrant.apply(lowering("(param i32 i32 i32)", options(-1, 0, -1))),
                "canon lower of component import 'tier-of'", "names no memory");
        assertMentions(refusedWithGrant.apply(lowering("(param i32 i32 i32)", options(0, -1, -1))),
                "canon lower of component import 'tier-of'", "names no realloc");
    }

    @Test
    void wiringThatDoesNotResolveIsRefused() {
        byte[] missingExport = answering().aliasCore(FUNC, 0, "question").lift(1, 0, options(-1, -1, -1))
                .exportFunc("q", 0).bytes();
        assertMentions(refused(missingExport), "core function 'question' of core instance 0");
        byte[] missingArgument = ComponentBytes.component().coreModule(TestComponents.SHOUT_MODULE).instantiate(0)
                .bytes();
        assertMentions(refused(missingArgument), "import 'env.memory' has no instantiation argument named 'env'");
        byte[] nothingExported = ComponentBytes.component().coreModule(ANSWER).instantiate(0).bytes();
        assertMentions(refused(nothingExported), "exports no function");
    }

    @Test
    void typesWhoseExpansionExplodesAreRefused() {
        ComponentBytes c = answering();
        c.type(tuple(S32, S32)); // type 1
        for (int i = 1; i < 20; i++) {
            c.type(tuple(i, i)); // each doubles the one before: 2^20 leaves
        }
        assertMentions(refused(c.bytes()), "more than " + ComponentParser.MAX_TYPE_NODES + " nodes");
    }

    @Test
    void truncationsAndMutationsAreRefusedAsPluginExceptionsOnly() {
        byte[] good = TestComponents.rules();
        PluginPolicy interpreted = PluginPolicy.builder().mode(ExecutionMode.INTERPRETED).build();
        int refusedCuts = 0;
        int cuts = 0;
        for (int cut = 8; cut < good.length; cut += Math.max(1, good.length / 97)) {
            byte[] truncated = java.util.Arrays.copyOf(good, cut);
            cuts++;
            try {
                // A cut at a section boundary may leave a valid, smaller component.
                ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("odd", truncated)).policy(interpreted).build())
                        .close();
            } catch (PluginLoadException expected) {
                refusedCuts++;
            }
        }
        assertTrue(refusedCuts > cuts * 9 / 10, refusedCuts + " of " + cuts + " truncations refused");
        Random random = new Random(14);
        int loaded = 0;
        for (int i = 0; i < 300; i++) {
            byte[] mutated = good.clone();
            // Mutations in the component's own sections (after the core modules) exercise the parser most.
            int at = 8 + random.nextInt(mutated.length - 8);
            mutated[at] = (byte) random.nextInt(256);
            try {
                ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("odd", mutated)).policy(interpreted).build()).close();
                loaded++;
            } catch (PluginException expected) {
                // Refused with a reason: fine.
            }
        }
        assertTrue(loaded < 300, "some mutations must be refused");
    }

    @Test
    void aSignatureOverTheComponentBytesIsCheckedAsForModules(@TempDir Path dir) throws Exception {
        KeyPair release = Signer.generateKeyPair();
        byte[] bytes = TestComponents.rules();
        Path file = dir.resolve("rules.wasm");
        Files.write(file, bytes);
        TrustPolicy trust = TrustPolicy.builder().trustKey("release", release.getPublic()).requireSignature(true).build();
        PluginLoadException unsigned = assertThrows(PluginLoadException.class,
                () -> ENGINE.load(PluginSpec.builder(PluginSource.ofFile(file)).trust(trust).build()));
        assertTrue(unsigned.getMessage().contains("signature"), unsigned.getMessage());
        Files.write(dir.resolve("rules.wasm.sig"), Signer.signDetached(bytes, release.getPrivate()));
        try (Plugin plugin = ENGINE.load(PluginSpec.builder(PluginSource.ofFile(file)).trust(trust).build())) {
            assertEquals(Optional.of("release"), plugin.signedBy());
            assertTrue(plugin.isComponent());
        }
    }

    @Test
    void eachCoreModuleIsHeldToTheLoadBudget() {
        // A core module declaring more initial memory than max-memory allows is refused, naming the module.
        byte[] big = Wat2Wasm.parse("(module (memory 300) (func (export \"answer\") (result i32) (i32.const 42)))");
        byte[] component = ComponentBytes.component().coreModule(big).instantiate(0).aliasCore(FUNC, 0, "answer")
                .type(func(new Object[] {}, S32)).lift(0, 0, options(-1, -1, -1)).exportFunc("answer", 0).bytes();
        assertMentions(refused(component), "max-memory");
        byte[] garbage = ComponentBytes.component().coreModule(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0, 99}).bytes();
        assertMentions(refused(garbage), "core module 0 of the component");
    }
}
