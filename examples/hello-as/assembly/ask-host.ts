// Graft example plugin that calls a host function: built from the same PDK
// as index.ts, into ask-host.wasm, so that hello.wasm needs no host function.

import { Host, Memory } from "@extism/as-pdk";
// The PDK's Host class has no way to read back a memory block whose length is
// not known; the raw kernel imports it declares (module "extism:host/env")
// fill that gap.
import { free, length } from "@extism/as-pdk/lib/env";
import { concat, setError, utf8 } from "./common";

// A user host function supplied by the embedding application. Extism
// convention: the argument is the offset of a memory block (allocated by the
// plugin) holding the input bytes; the result is the offset of a block the
// host allocated for its answer, or 0 for none.
@external("extism:host/user", "tier_of")
declare function tier_of(offset: u64): u64;

/** Passes the input to the host function `tier_of` and outputs `tier:<answer>`. */
export function ask_host(): i32 {
  const arg = Memory.allocateBytes(Host.input());
  const offset = tier_of(arg.offset);
  arg.free();
  if (offset == 0) {
    setError(utf8("tier_of returned no memory block"));
    return 1;
  }
  const answer = new Memory(offset, length(offset)).toUint8Array();
  free(offset);
  Host.output(concat([utf8("tier:"), answer]));
  return 0;
}
