;; "read": opens the path given as input relative to the first preopened folder (fd 3), following
;; symlinks, and reads up to 4 KiB. Output: byte 0 then the content, or byte 1 then the errno (u32 LE)
;; of the step that failed.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  ;; layout: 16 opened fd, 32 iovec {ptr,len}, 48 nread, 64 status+errno, 1024 path, 4096 status+content
  (func $copy_out (param $ptr i32) (param $len i32)
    (local $blk i64) (local $i i32)
    (local.set $blk (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (call $store_u8 (i64.add (local.get $blk) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (call $output_set (local.get $blk) (i64.extend_i32_u (local.get $len))))
  (func $fail (param $errno i32) (result i32)
    (i32.store8 (i32.const 64) (i32.const 1))
    (i32.store (i32.const 65) (local.get $errno))
    (call $copy_out (i32.const 64) (i32.const 5))
    (i32.const 0))
  (func (export "read") (result i32)
    (local $n i32) (local $i i32) (local $errno i32)
    (local.set $n (i32.wrap_i64 (call $input_length)))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.add (i32.const 1024) (local.get $i)) (call $input_load_u8 (i64.extend_i32_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    ;; dirflags 1 = follow symlinks; rights: everything
    (local.set $errno (call $path_open (i32.const 3) (i32.const 1) (i32.const 1024) (local.get $n)
      (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 16)))
    (if (local.get $errno) (then (return (call $fail (local.get $errno)))))
    (i32.store (i32.const 32) (i32.const 4097))
    (i32.store (i32.const 36) (i32.const 4095))
    (local.set $errno (call $fd_read (i32.load (i32.const 16)) (i32.const 32) (i32.const 1) (i32.const 48)))
    (if (local.get $errno) (then (return (call $fail (local.get $errno)))))
    (i32.store8 (i32.const 4096) (i32.const 0))
    (call $copy_out (i32.const 4096) (i32.add (i32.const 1) (i32.load (i32.const 48))))
    (i32.const 0)))
