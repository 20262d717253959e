package dev.graft.host.component;

import static dev.graft.host.component.ComponentBytes.FUNC;
import static dev.graft.host.component.ComponentBytes.MEMORY;
import static dev.graft.host.component.ComponentBytes.STRING;
import static dev.graft.host.component.ComponentBytes.TABLE;
import static dev.graft.host.component.ComponentBytes.U8;
import static dev.graft.host.component.ComponentBytes.func;
import static dev.graft.host.component.ComponentBytes.list;
import static dev.graft.host.component.ComponentBytes.option;
import static dev.graft.host.component.ComponentBytes.options;
import static dev.graft.host.component.ComponentBytes.record;
import static dev.graft.host.component.ComponentBytes.result;

import com.dylibso.chicory.wabt.Wat2Wasm;

/**
 * Test components that import host functions, laid out as wit-component lays out a component with
 * imports: a shim module whose table the lowered imports are called through, the main module importing
 * the shim's functions, the lowerings (which need the main module's memory and {@code cabi_realloc}),
 * and a fixup module that writes them into the shim's table. Public for the starter's tests.
 *
 * <p>The world of {@link #tiers()}:
 * <pre>
 * record wide { a: string, b: string, c: string, d: string, e: string, f: string, g: string, h: string, i: string }
 * import erp-customer-tier: func(customer-id: string) -&gt; option&lt;string&gt;;
 * import erp-wide: func(w: wide) -&gt; list&lt;string&gt;;
 * export describe: func(customer-id: string) -&gt; string;   // the tier, or "none"
 * export wide: func() -&gt; list&lt;string&gt;;                 // erp-wide of { a: "a", ..., i: "i" }
 * export bad-args: func() -&gt; string;  // calls erp-customer-tier with a string outside the memory
 * export bad-out: func() -&gt; string;   // calls erp-customer-tier with an out-pointer outside the memory
 * </pre>
 */
public final class ImportingComponents {

    private ImportingComponents() {
    }

    static final byte[] SHIM = Wat2Wasm.parse("""
            (module
              (type $tier (func (param i32 i32 i32)))
              (type $wide (func (param i32 i32)))
              (table (export "$imports") 2 2 funcref)
              (func (export "0") (param i32 i32 i32)
                (call_indirect (type $tier) (local.get 0) (local.get 1) (local.get 2) (i32.const 0)))
              (func (export "1") (param i32 i32)
                (call_indirect (type $wide) (local.get 0) (local.get 1) (i32.const 1))))
            """);

    static final byte[] MAIN = Wat2Wasm.parse("""
            (module
              (import "$root" "erp-customer-tier" (func $tier (param i32 i32 i32)))
              (import "$root" "erp-wide" (func $wide (param i32 i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "none")
              (data (i32.const 32) "abcdefghi")
            """ + TestComponents.REALLOC + """
              (func (export "describe") (param $p i32) (param $n i32) (result i32)
                ;; option<string> at 512: discriminant byte, then (pointer, length) at 516
                (call $tier (local.get $p) (local.get $n) (i32.const 512))
                (if (i32.eqz (i32.load8_u (i32.const 512)))
                  (then (i32.store (i32.const 600) (i32.const 16))
                        (i32.store (i32.const 604) (i32.const 4)))
                  (else (i32.store (i32.const 600) (i32.load (i32.const 516)))
                        (i32.store (i32.const 604) (i32.load (i32.const 520)))))
                (i32.const 600))
              (func (export "wide") (result i32)
                (local $k i32)
                ;; the record at 256: nine (pointer, length) pairs, field k is the one letter at 32 + k
                (loop $fields
                  (i32.store (i32.add (i32.const 256) (i32.mul (local.get $k) (i32.const 8)))
                             (i32.add (i32.const 32) (local.get $k)))
                  (i32.store offset=4 (i32.add (i32.const 256) (i32.mul (local.get $k) (i32.const 8))) (i32.const 1))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br_if $fields (i32.lt_u (local.get $k) (i32.const 9))))
                (call $wide (i32.const 256) (i32.const 640))
                (i32.const 640))
              (func (export "bad-args") (result i32)
                (call $tier (i32.const 0x7ffffff0) (i32.const 16) (i32.const 512))
                (i32.const 600))
              (func (export "bad-out") (result i32)
                (call $tier (i32.const 32) (i32.const 1) (i32.const 0x7ffffff0))
                (i32.const 600)))
            """);

    static final byte[] FIXUP = Wat2Wasm.parse("""
            (module
              (import "" "$imports" (table 2 2 funcref))
              (import "" "0" (func (param i32 i32 i32)))
              (import "" "1" (func (param i32 i32)))
              (elem (i32.const 0) func 0 1))
            """);

    /** The component whose world is shown above. */
    public static byte[] tiers() {
        return ComponentBytes.component()
                .coreModule(SHIM).coreModule(MAIN).coreModule(FIXUP)
                .instantiate(0)                                        // core instance 0: the shim
                .aliasCore(FUNC, 0, "0").aliasCore(FUNC, 0, "1")        // core funcs 0, 1
                .instanceOfExports("erp-customer-tier", FUNC, 0, "erp-wide", FUNC, 1) // core instance 1
                .instantiate(1, "$root", 1)                             // core instance 2: main
                .aliasCore(MEMORY, 2, "memory")                          // core memory 0
                .aliasCore(FUNC, 2, "cabi_realloc")                      // core func 2
                .type(option(STRING))                                    // type 0
                .type(func(new Object[] {"customer-id", STRING}, 0))     // type 1
                .type(record("a", STRING, "b", STRING, "c", STRING, "d", STRING, "e", STRING, "f", STRING,
                        "g", STRING, "h", STRING, "i", STRING))           // type 2
                .type(list(STRING))                                      // type 3
                .type(func(new Object[] {"w", 2}, 3))                    // type 4
                .importFunc("erp-customer-tier", 1)                      // func 0
                .importFunc("erp-wide", 4)                               // func 1
                .lower(0, options(0, 2, -1))                             // core func 3
                .lower(1, options(0, 2, -1))                             // core func 4
                .aliasCore(TABLE, 0, "$imports")                         // core table 0
                .instanceOfExports("$imports", TABLE, 0, "0", FUNC, 3, "1", FUNC, 4) // core instance 3
                .instantiate(2, "", 3)                                   // core instance 4: the fixup
                .aliasCore(FUNC, 2, "describe").aliasCore(FUNC, 2, "wide")            // core funcs 5, 6
                .aliasCore(FUNC, 2, "bad-args").aliasCore(FUNC, 2, "bad-out")         // core funcs 7, 8
                .type(func(new Object[] {"customer-id", STRING}, STRING))  // type 5
                .type(func(new Object[] {}, 3))                          // type 6
                .type(func(new Object[] {}, STRING))                     // type 7
                .lift(5, 5, options(0, 2, -1)).exportFunc("describe", 2)   // funcs 2, 3
                .lift(6, 6, options(0, 2, -1)).exportFunc("wide", 4)       // funcs 4, 5
                .lift(7, 7, options(0, 2, -1)).exportFunc("bad-args", 6)   // funcs 6, 7
                .lift(8, 7, options(0, 2, -1)).exportFunc("bad-out", 8)    // funcs 8, 9
                .bytes();
    }

    static final byte[] MEMORY_MODULE = Wat2Wasm.parse("(module (memory (export \"memory\") 1)\n"
            + TestComponents.REALLOC + ")");

    static final byte[] PASSING = Wat2Wasm.parse("""
            (module
              (import "host" "memory" (memory 1))
              (import "host" "lookup" (func $lookup (param i32 i32 i32)))
              (import "host" "echo" (func $echo (param i32 i32 i32)))
              (func (export "lookup") (param i32 i32) (result i32)
                (call $lookup (local.get 0) (local.get 1) (i32.const 512))
                (i32.const 512))
              (func (export "echo") (param i32 i32) (result i32)
                (call $echo (local.get 0) (local.get 1) (i32.const 528))
                (i32.const 528)))
            """);

    /**
     * A component that hands what two imports return straight back from exports of the same types, laid
     * out with its memory in a module of its own (instantiated first, so the lowerings can name it):
     * <pre>
     * import lookup: func(key: string) -&gt; result&lt;string, string&gt;;
     * import echo: func(input: list&lt;u8&gt;) -&gt; list&lt;u8&gt;;
     * export lookup: func(key: string) -&gt; result&lt;string, string&gt;;
     * export echo: func(input: list&lt;u8&gt;) -&gt; list&lt;u8&gt;;
     * </pre>
     */
    public static byte[] passing() {
        return ComponentBytes.component()
                .coreModule(MEMORY_MODULE).coreModule(PASSING)
                .instantiate(0)                                                      // core instance 0
                .aliasCore(MEMORY, 0, "memory").aliasCore(FUNC, 0, "cabi_realloc")     // memory 0, core func 0
                .type(result(STRING, STRING))                                        // type 0
                .type(func(new Object[] {"key", STRING}, 0))                         // type 1
                .type(list(U8))                                                      // type 2
                .type(func(new Object[] {"input", 2}, 2))                            // type 3
                .importFunc("lookup", 1).importFunc("echo", 3)                       // funcs 0, 1
                .lower(0, options(0, 0, -1)).lower(1, options(0, 0, -1))             // core funcs 1, 2
                .instanceOfExports("memory", MEMORY, 0, "lookup", FUNC, 1, "echo", FUNC, 2) // core instance 1
                .instantiate(1, "host", 1)                                           // core instance 2
                .aliasCore(FUNC, 2, "lookup").aliasCore(FUNC, 2, "echo")             // core funcs 3, 4
                .lift(3, 1, options(0, 0, -1)).exportFunc("lookup", 2)               // funcs 2, 3
                .lift(4, 3, options(0, 0, -1)).exportFunc("echo", 4)                 // funcs 4, 5
                .bytes();
    }

    static final byte[] LOOKUP = Wat2Wasm.parse("""
            (module
              (import "host" "memory" (memory 1))
              (import "host" "erp-customer-tier" (func $tier (param i32 i32 i32)))
              (func (export "lookup") (param i32 i32) (result i32)
                (call $tier (local.get 0) (local.get 1) (i32.const 512))
                (i32.const 512)))
            """);

    /**
     * A component answering a lookup with what the host function it imports answers, records both ways
     * (the starter's {@code TierLookup} contract):
     * <pre>
     * record customer { id: string }
     * record tier { customer: string, tenant: option&lt;string&gt; }
     * import erp-customer-tier: func(customer: customer) -&gt; tier;
     * export lookup: func(customer: customer) -&gt; tier;
     * </pre>
     */
    public static byte[] tierLookup() {
        return ComponentBytes.component()
                .coreModule(MEMORY_MODULE).coreModule(LOOKUP)
                .instantiate(0)                                                      // core instance 0
                .aliasCore(MEMORY, 0, "memory").aliasCore(FUNC, 0, "cabi_realloc")     // memory 0, core func 0
                .type(record("id", STRING))                                          // type 0
                .type(option(STRING))                                                // type 1
                .type(record("customer", STRING, "tenant", 1))                      // type 2
                .type(func(new Object[] {"customer", 0}, 2))                        // type 3
                .importFunc("erp-customer-tier", 3)                                  // func 0
                .lower(0, options(0, 0, -1))                                         // core func 1
                .instanceOfExports("memory", MEMORY, 0, "erp-customer-tier", FUNC, 1) // core instance 1
                .instantiate(1, "host", 1)                                           // core instance 2
                .aliasCore(FUNC, 2, "lookup")                                        // core func 2
                .lift(2, 3, options(0, 0, -1)).exportFunc("lookup", 1)               // funcs 1, 2
                .bytes();
    }
}
