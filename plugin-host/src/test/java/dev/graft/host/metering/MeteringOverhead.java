package dev.graft.host.metering;

import dev.graft.api.policy.CostModel;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wabt.Wat2Wasm;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;

/**
 * Rough overhead of metering on compiled Chicory (not a test, not JMH): best of several runs of a
 * tight loop, recursive fib and a tiny export call, metered versus unmetered. Run with
 * {@code java -cp <test classpath> dev.graft.host.metering.MeteringOverhead}.
 */
public final class MeteringOverhead {

    static final String BENCH = """
            (module
              (func (export "loop") (param $n i32) (result i32) (local $acc i32)
                (loop $l
                  (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $n)))
                  (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
                (local.get $acc))
              (func (export "sum") (param $n i32) (result i64) (local $i i32) (local $acc i64)
                block
                  loop
                    local.get $i local.get $n i32.ge_s br_if 1
                    local.get $acc local.get $i i64.extend_i32_s i64.add local.set $acc
                    local.get $i i32.const 1 i32.add local.set $i
                    br 0
                  end
                end
                local.get $acc)
              (func $fib (export "fib") (param $n i32) (result i32)
                (if (result i32) (i32.lt_s (local.get $n) (i32.const 2))
                  (then (local.get $n))
                  (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                                 (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
            """;

    private MeteringOverhead() {
    }

    public static void main(String[] args) {
        byte[] plain = Wat2Wasm.parse(BENCH);
        byte[] metered = FuelMetering.instrument(plain, CostModel.defaults());
        Instance a = compiled(plain);
        Instance b = compiled(metered);
        GlobalInstance fuel = b.exports().global(FuelMetering.FUEL_GLOBAL_EXPORT);
        report("loop(50M)", a.export("loop"), b.export("loop"), fuel, 1, 50_000_000);
        report("sum(50M)", a.export("sum"), b.export("sum"), fuel, 1, 50_000_000);
        report("fib(30)", a.export("fib"), b.export("fib"), fuel, 1, 30);
        report("add x 10M", a.export("add"), b.export("add"), fuel, 10_000_000, 1, 2);
    }

    private static Instance compiled(byte[] wasm) {
        WasmModule module = Parser.parse(wasm);
        return Instance.builder(module).withMachineFactory(MachineFactoryCompiler.compile(module)).build();
    }

    private static void report(String name, ExportFunction plain, ExportFunction metered, GlobalInstance fuel,
            int repeat, long... args) {
        long bestPlain = Long.MAX_VALUE;
        long bestMetered = Long.MAX_VALUE;
        for (int run = 0; run < 7; run++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < repeat; i++) {
                plain.apply(args);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < repeat; i++) {
                fuel.setValue(Long.MAX_VALUE);
                metered.apply(args);
            }
            long t2 = System.nanoTime();
            bestPlain = Math.min(bestPlain, t1 - t0);
            bestMetered = Math.min(bestMetered, t2 - t1);
        }
        System.out.printf("%-10s plain %8.2f ms  metered %8.2f ms  ratio %.2f%n",
                name, bestPlain / 1e6, bestMetered / 1e6, (double) bestMetered / bestPlain);
    }
}
