;; Extism-ABI exports that lean on the kernel's semantics: output read at return, the allocator under
;; churn, output ranges outside the kernel, and a log flood.
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "free" (func $free (param i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "reset" (func $reset))
  (import "extism:host/env" "log_info" (func $log_info (param i64)))
  (memory (export "memory") 1)
  ;; Echo written the other way round: first output_set, then the bytes.
  (func (export "late_echo") (result i32)
    (local $n i64) (local $blk i64) (local $i i64)
    (local.set $n (call $input_length))
    (local.set $blk (call $alloc (local.get $n)))
    (call $output_set (local.get $blk) (local.get $n))
    (block $done
      (loop $copy
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (call $store_u8 (i64.add (local.get $blk) (local.get $i)) (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $copy)))
    (i32.const 0))
  ;; An 8-byte block, a 64 KiB output range: past the last block.
  (func (export "past_the_end") (result i32)
    (call $output_set (call $alloc (i64.const 8)) (i64.const 65536))
    (i32.const 0))
  ;; An output range a terabyte away.
  (func (export "far_away") (result i32)
    (call $output_set (i64.const 0x10000000000) (i64.const 8))
    (i32.const 0))
  ;; A valid range, taken away by reset before the export returns.
  (func (export "reset_after_set") (result i32)
    (call $output_set (call $alloc (i64.const 8)) (i64.const 8))
    (call $reset)
    (i32.const 0))
  ;; 5,000 rounds of alloc(64 KiB), alloc(small), then both freed, in alternating order.
  (func (export "churn") (result i32)
    (local $i i32) (local $big i64) (local $small i64)
    (block $done
      (loop $more
        (br_if $done (i32.ge_u (local.get $i) (i32.const 5000)))
        (local.set $big (call $alloc (i64.const 65536)))
        (local.set $small (call $alloc (i64.extend_i32_u (i32.add (i32.const 16) (i32.rem_u (local.get $i) (i32.const 7))))))
        (if (i32.and (local.get $i) (i32.const 1))
          (then (call $free (local.get $big)) (call $free (local.get $small)))
          (else (call $free (local.get $small)) (call $free (local.get $big))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $more)))
    (i32.const 0))
  ;; Logs a 1 MiB line ("x" over its first 8 KiB) 200 times.
  (func (export "log_flood") (result i32)
    (local $line i64) (local $i i64)
    (local.set $line (call $alloc (i64.const 1048576)))
    (block $filled
      (loop $fill
        (br_if $filled (i64.ge_u (local.get $i) (i64.const 8192)))
        (call $store_u64 (i64.add (local.get $line) (local.get $i)) (i64.const 0x7878787878787878))
        (local.set $i (i64.add (local.get $i) (i64.const 8)))
        (br $fill)))
    (local.set $i (i64.const 0))
    (block $done
      (loop $more
        (br_if $done (i64.ge_u (local.get $i) (i64.const 200)))
        (call $log_info (local.get $line))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $more)))
    (i32.const 0)))
