;; Never returns: "spin" is a bare loop closed by a plain br, "spin_br_if" one closed by br_if (which
;; Chicory's interpreter does not check for interrupts by itself).
(module
  (func (export "spin") (result i32)
    (loop $forever
      (br $forever))
    (i32.const 0))
  (func (export "spin_br_if") (result i32)
    (loop $forever
      (br_if $forever (i32.const 1)))
    (i32.const 0)))
