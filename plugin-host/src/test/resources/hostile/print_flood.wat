;; A WASI reactor granted stdout that prints a 4 KiB line of "y" 100 times.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "print_flood") (result i32)
    (local $i i32)
    ;; one iovec at 0: 4097 bytes at 16 (4096 "y" and a newline)
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 4097))
    (memory.fill (i32.const 16) (i32.const 0x79) (i32.const 4096))
    (i32.store8 (i32.const 4112) (i32.const 10))
    (block $done
      (loop $more
        (br_if $done (i32.ge_u (local.get $i) (i32.const 100)))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $more)))
    (i32.const 0)))
