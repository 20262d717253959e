package dev.graft.host.component;

import static dev.graft.host.component.ComponentBytes.CHAR;
import static dev.graft.host.component.ComponentBytes.F32;
import static dev.graft.host.component.ComponentBytes.F64;
import static dev.graft.host.component.ComponentBytes.FUNC;
import static dev.graft.host.component.ComponentBytes.MEMORY;
import static dev.graft.host.component.ComponentBytes.S16;
import static dev.graft.host.component.ComponentBytes.S32;
import static dev.graft.host.component.ComponentBytes.S64;
import static dev.graft.host.component.ComponentBytes.S8;
import static dev.graft.host.component.ComponentBytes.STRING;
import static dev.graft.host.component.ComponentBytes.U16;
import static dev.graft.host.component.ComponentBytes.U32;
import static dev.graft.host.component.ComponentBytes.U64;
import static dev.graft.host.component.ComponentBytes.U8;
import static dev.graft.host.component.ComponentBytes.BOOL;
import static dev.graft.host.component.ComponentBytes.enumType;
import static dev.graft.host.component.ComponentBytes.flags;
import static dev.graft.host.component.ComponentBytes.func;
import static dev.graft.host.component.ComponentBytes.list;
import static dev.graft.host.component.ComponentBytes.option;
import static dev.graft.host.component.ComponentBytes.options;
import static dev.graft.host.component.ComponentBytes.record;
import static dev.graft.host.component.ComponentBytes.result;
import static dev.graft.host.component.ComponentBytes.variant;

import com.dylibso.chicory.wabt.Wat2Wasm;

/** Hand-assembled test components: core modules from WAT, wrapped by {@link ComponentBytes}. */
final class TestComponents {

    private TestComponents() {
    }

    /** A bump allocator over a module's memory (grows it as needed; traps when it cannot). */
    static final String REALLOC = """
              (global $heap (mut i32) (i32.const 1024))
              (func $realloc (export "cabi_realloc") (param $old i32) (param $oldSize i32) (param $align i32)
                    (param $size i32) (result i32)
                (local $p i32)
                (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                                       (i32.sub (i32.const 0) (local.get $align))))
                (global.set $heap (i32.add (local.get $p) (local.get $size)))
                (block $ok
                  (br_if $ok (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
                  (br_if $ok (i32.ne (memory.grow (i32.add (i32.shr_u (i32.sub (global.get $heap)
                      (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))) (i32.const -1)))
                  unreachable)
                (local.get $p))
            """;

    /**
     * A pricing rule in WAT over the canonical ABI: a negative quantity is an error; 10 or more units give
     * a volume adjustment whose reason is the customer's name, plus a tier adjustment naming the tier when
     * there is one; otherwise no adjustment. Its post-return resets the heap and counts calls.
     */
    static final byte[] RULES_MODULE = Wat2Wasm.parse("""
            (module
              (memory (export "memory") 1)
              (global $posts (mut i32) (i32.const 0))
              (data (i32.const 16) "volume")
              (data (i32.const 32) "-5.00")
              (data (i32.const 48) "tier")
              (data (i32.const 64) "-1.00")
              (data (i32.const 80) "quantity must not be negative")
            """ + REALLOC + """
              (func $adj (param $at i32) (param $rule i32) (param $ruleLen i32) (param $amount i32)
                    (param $amountLen i32) (param $reason i32) (param $reasonLen i32)
                (i32.store (local.get $at) (local.get $rule))
                (i32.store offset=4 (local.get $at) (local.get $ruleLen))
                (i32.store offset=8 (local.get $at) (local.get $amount))
                (i32.store offset=12 (local.get $at) (local.get $amountLen))
                (i32.store offset=16 (local.get $at) (local.get $reason))
                (i32.store offset=20 (local.get $at) (local.get $reasonLen)))
              (func (export "apply-rule") (param $line i32) (result i32)
                (local $n i32)
                (if (i32.lt_s (i32.load offset=24 (local.get $line)) (i32.const 0))
                  (then
                    (i32.store8 (i32.const 256) (i32.const 1))
                    (i32.store (i32.const 260) (i32.const 80))
                    (i32.store (i32.const 264) (i32.const 29))
                    (return (i32.const 256))))
                (if (i32.ge_s (i32.load offset=24 (local.get $line)) (i32.const 10))
                  (then
                    (call $adj (i32.const 320) (i32.const 16) (i32.const 6) (i32.const 32) (i32.const 5)
                               (i32.load offset=44 (local.get $line)) (i32.load offset=48 (local.get $line)))
                    (local.set $n (i32.const 1))
                    (if (i32.load8_u offset=52 (local.get $line))
                      (then
                        (call $adj (i32.const 344) (i32.const 48) (i32.const 4) (i32.const 64) (i32.const 5)
                                   (i32.load offset=56 (local.get $line)) (i32.load offset=60 (local.get $line)))
                        (local.set $n (i32.const 2))))))
                (i32.store8 (i32.const 256) (i32.const 0))
                (i32.store (i32.const 260) (i32.const 320))
                (i32.store (i32.const 264) (local.get $n))
                (i32.const 256))
              (func (export "cabi_post_apply-rule") (param i32)
                (global.set $posts (i32.add (global.get $posts) (i32.const 1)))
                (global.set $heap (i32.const 1024)))
              (func (export "post-count") (result i32) (global.get $posts))
              (func (export "spin") (result i32) (loop $l (br $l)) (i32.const 0))
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
              (func (export "bad-string") (result i32)
                (i32.store (i32.const 400) (i32.const 65000))
                (i32.store (i32.const 404) (i32.const 1000))
                (i32.const 400))
            )
            """);

    /** Upper-cases ASCII in place; its memory and allocator are imported from another core instance. */
    static final byte[] SHOUT_MODULE = Wat2Wasm.parse("""
            (module
              (import "env" "memory" (memory 1))
              (import "env" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
              (func (export "shout") (param $p i32) (param $n i32) (result i32)
                (local $i i32) (local $c i32) (local $ret i32)
                (block $done
                  (loop $next
                    (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                    (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $i))))
                    (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 122)))
                      (then (i32.store8 (i32.add (local.get $p) (local.get $i)) (i32.sub (local.get $c) (i32.const 32)))))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $next)))
                (local.set $ret (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
                (i32.store (local.get $ret) (local.get $p))
                (i32.store offset=4 (local.get $ret) (local.get $n))
                (local.get $ret)))
            """);

    /**
     * The rules component: {@code apply-rule: func(line: quote-line) -> result<list<adjustment>, string>}
     * (the contract of pricing-rule.wit), plus {@code post-count}, {@code spin}, {@code grow},
     * {@code bad-string} from the same core instance, and {@code shout}, lifted from a second core instance
     * whose memory and realloc are the first one's, passed through an instance made of exports.
     */
    static byte[] rules() {
        return ComponentBytes.component()
                .coreModule(RULES_MODULE)
                .coreModule(SHOUT_MODULE)
                .instantiate(0)                                     // core instance 0
                .aliasCore(FUNC, 0, "apply-rule")                   // core func 0
                .aliasCore(FUNC, 0, "cabi_realloc")                 // core func 1
                .aliasCore(FUNC, 0, "cabi_post_apply-rule")         // core func 2
                .aliasCore(FUNC, 0, "post-count")                   // core func 3
                .aliasCore(FUNC, 0, "spin")                         // core func 4
                .aliasCore(FUNC, 0, "grow")                         // core func 5
                .aliasCore(FUNC, 0, "bad-string")                   // core func 6
                .aliasCore(MEMORY, 0, "memory")                     // core memory 0
                .instanceOfExports("memory", MEMORY, 0, "realloc", FUNC, 1) // core instance 1
                .instantiate(1, "env", 1)                           // core instance 2
                .aliasCore(FUNC, 2, "shout")                        // core func 7
                .type(option(STRING))                               // type 0
                .type(record("id", STRING, "name", STRING, "tier", 0, "region", STRING)) // 1 customer
                .type(record("sku", STRING, "name", STRING, "category", STRING, "quantity", S32,
                        "unit-price", STRING, "customer", 1, "currency", STRING, "promo-code", 0)) // 2 quote-line
                .type(record("rule-id", STRING, "amount", STRING, "reason", STRING)) // 3 adjustment
                .type(list(3))                                      // 4
                .type(result(4, STRING))                            // 5
                .type(func(new Object[] {"line", 2}, 5))            // 6
                .type(func(new Object[] {}, U32))                   // 7
                .type(func(new Object[] {"pages", U32}, S32))       // 8
                .type(func(new Object[] {}, STRING))                // 9
                .type(func(new Object[] {"s", STRING}, STRING))     // 10
                .lift(0, 6, options(0, 1, 2))                       // func 0
                .lift(3, 7, options(-1, -1, -1))                    // func 1
                .lift(4, 7, options(-1, -1, -1))                    // func 2
                .lift(5, 8, options(-1, -1, -1))                    // func 3
                .lift(6, 9, options(0, -1, -1))                     // func 4
                .lift(7, 10, options(0, 1, -1))                     // func 5
                .exportType("quote-line", 2)
                .exportFunc("apply-rule", 0)
                .exportFunc("post-count", 1)
                .exportFunc("spin", 2)
                .exportFunc("grow", 3)
                .exportFunc("bad-string", 4)
                .exportFunc("shout", 5)
                .bytes();
    }

    /** Identity functions of every primitive, and an echo of a record holding every other kind. */
    static final byte[] VALUES_MODULE = Wat2Wasm.parse("""
            (module
              (memory (export "memory") 1)
            """ + REALLOC + """
              (func (export "id32") (param i32) (result i32) local.get 0)
              (func (export "id64") (param i64) (result i64) local.get 0)
              (func (export "idf32") (param f32) (result f32) local.get 0)
              (func (export "idf64") (param f64) (result f64) local.get 0)
              (func (export "ptr") (param i32) (result i32) local.get 0)
              (func (export "pair") (param $a i32) (param $b i32) (result i32)
                (local $p i32)
                (local.set $p (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
                (i32.store (local.get $p) (local.get $a))
                (i32.store offset=4 (local.get $p) (local.get $b))
                (local.get $p))
              (func (export "opt-len") (param $d i32) (param $p i32) (param $n i32) (result i32)
                (if (result i32) (local.get $d) (then (local.get $n)) (else (i32.const -1))))
            )
            """);

    /**
     * {@code id-*} identities of each primitive, enum and flags type (flat in, flat out), {@code opt-len}
     * (a flat option parameter) and {@code echo-order}, whose one record parameter is large enough to
     * spill to memory and whose result, the order inside it, is read back from the same place.
     */
    static byte[] values() {
        ComponentBytes c = ComponentBytes.component()
                .coreModule(VALUES_MODULE)
                .instantiate(0)
                .aliasCore(FUNC, 0, "id32")          // 0
                .aliasCore(FUNC, 0, "id64")          // 1
                .aliasCore(FUNC, 0, "idf32")         // 2
                .aliasCore(FUNC, 0, "idf64")         // 3
                .aliasCore(FUNC, 0, "ptr")           // 4
                .aliasCore(FUNC, 0, "cabi_realloc")  // 5
                .aliasCore(FUNC, 0, "opt-len")       // 6
                .aliasCore(MEMORY, 0, "memory")
                .type(enumType("low", "high-water"))                         // 0 level
                .type(flags("read", "write", "exec"))                        // 1 perm
                .type(option(STRING))                                        // 2
                .type(option(S32))                                           // 3
                .type(record("sku", STRING, "price", STRING, "qty", 3))      // 4 item
                .type(list(4))                                               // 5
                .type(record("reason", STRING, "at", S64))                   // 6 closed
                .type(record("level", 0))                                    // 7 held
                .type(variant("open", null, "closed", 6, "held", 7))         // 8 status
                .type(ComponentBytes.list(U8))                               // 9
                .type(record("id", STRING, "items", 5, "note", 2, "status", 8, "level", 0, "perms", 1,
                        "blob", 9, "mark", CHAR, "weight", F64))             // 10 order
                .type(record("a", U64, "b", U64, "c", U64, "d", U64, "e", U64, "f", U64, "g", U64, "h", U64,
                        "i", U64, "j", U64, "k", U64, "l", U64, "m", U64, "n", U64, "o", U64, "p", U64)) // 11 pad
                .type(record("value", 10, "pad", 11))                        // 12 padded
                .type(func(new Object[] {"x", 12}, 10))                      // 13
                .type(func(new Object[] {"x", 2}, S32));                     // 14
        int type = 15;
        int func = 0;
        Object[][] ids = {
                {"id-bool", BOOL, 0}, {"id-s8", S8, 0}, {"id-u8", U8, 0}, {"id-s16", S16, 0}, {"id-u16", U16, 0},
                {"id-s32", S32, 0}, {"id-u32", U32, 0}, {"id-char", CHAR, 0}, {"id-level", 0, 0}, {"id-perms", 1, 0},
                {"id-s64", S64, 1}, {"id-u64", U64, 1}, {"id-f32", F32, 2}, {"id-f64", F64, 3}};
        for (Object[] id : ids) {
            c.type(func(new Object[] {"x", id[1]}, (Integer) id[1]));
            c.lift((Integer) id[2], type++, options(-1, -1, -1));
            c.exportFunc((String) id[0], func);
            func += 2; // the export adds an index of its own
        }
        c.lift(4, 13, options(0, 5, -1)).exportFunc("echo-order", func);
        func += 2;
        c.lift(6, 14, options(0, 5, -1)).exportFunc("opt-len", func);
        func += 2;
        // (x: T) -> T for two-value T: the core function stores both values in a fresh block and returns it.
        c.aliasCore(FUNC, 0, "pair"); // core func 7
        c.type(ComponentBytes.list(STRING)).type(func(new Object[] {"x", type}, type)); // list<string>
        c.lift(7, type + 1, options(0, 5, -1)).exportFunc("strings", func);
        func += 2;
        type += 2;
        c.type(ComponentBytes.list(S32)).type(func(new Object[] {"x", type}, type)); // list<s32>
        c.lift(7, type + 1, options(0, 5, -1)).exportFunc("numbers", func);
        func += 2;
        type += 2;
        c.type(func(new Object[] {"x", 3}, 3)); // option<s32>
        c.lift(7, type, options(0, 5, -1)).exportFunc("maybe", func).exportFunc("maybe-boxed", func);
        return c.bytes();
    }
}
