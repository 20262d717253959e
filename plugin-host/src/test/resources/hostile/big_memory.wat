;; Declares 1000 pages (62.5 MiB) of initial linear memory.
(module
  (memory 1000)
  (func (export "run") (result i32)
    (i32.const 0)))
