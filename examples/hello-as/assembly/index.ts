// Graft example plugin written against the official Extism AssemblyScript PDK
// (@extism/as-pdk 1.0.0, used unmodified).
//
// Every export is an Extism function `() -> i32`: it reads its input through
// the PDK, writes its output through the PDK and returns 0 on success.
//
// Text is handled as UTF-8 *bytes* wherever possible: the PDK's
// Host.outputString() sizes its output block with the UTF-16 length of the
// string, so it truncates (and overruns its block on) non-ASCII text. We encode
// with String.UTF8.encode ourselves and use Host.output(Uint8Array) instead.

import { Config, Host, LogLevel, Memory, Var } from "@extism/as-pdk";
// The PDK's Host class has no error setter and no way to read back a memory
// block whose length is not known; the raw kernel imports it declares
// (module "extism:host/env") fill that gap.
import { error_set, free, length } from "@extism/as-pdk/lib/env";

// A user host function supplied by the embedding application. Extism
// convention: the argument is the offset of a memory block (allocated by the
// plugin) holding the input bytes; the result is the offset of a block the
// host allocated for its answer, or 0 for none.
@external("extism:host/user", "tier_of")
declare function tier_of(offset: u64): u64;

const VOWELS = "aeiouAEIOU";

// ---------------------------------------------------------------- helpers

/** UTF-8 bytes of a string, as a fresh Uint8Array (byteOffset 0). */
function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

/** Concatenates byte arrays into a fresh Uint8Array (byteOffset 0). */
function concat(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (let i = 0; i < parts.length; i++) total += parts[i].length;
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], at);
    at += parts[i].length;
  }
  return out;
}

/** Sets the Extism error message of this call (UTF-8 bytes). */
function setError(message: Uint8Array): void {
  const mem = Memory.allocateBytes(message);
  error_set(mem.offset);
}

/** Parses a non-negative decimal; anything else counts as 0. */
function parseCount(s: string | null): i64 {
  if (s === null) return 0;
  const str = s as string;
  let n: i64 = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return 0;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/**
 * Replaces AssemblyScript's default `env.abort` import (wired in with
 * `--use abort=assembly/index/pluginAbort`). Reports the failure as the
 * Extism error of the call, then traps.
 */
function pluginAbort(
  message: string | null,
  fileName: string | null,
  lineNumber: u32,
  columnNumber: u32,
): void {
  const msg = message === null ? "abort" : (message as string);
  const file = fileName === null ? "?" : (fileName as string);
  setError(
    utf8(
      "abort: " + msg + " at " + file + ":" + lineNumber.toString() + ":" +
        columnNumber.toString(),
    ),
  );
  unreachable();
}

// ---------------------------------------------------------------- exports

/**
 * Counts ASCII vowels in the UTF-8 input and keeps a running total in the
 * Extism var `total`. Output: {"count":N,"total":N,"vowels":"aeiouAEIOU"}.
 */
export function count_vowels(): i32 {
  const input = Host.input();
  let count: i64 = 0;
  for (let i = 0; i < input.length; i++) {
    // Vowels are ASCII; bytes of multi-byte UTF-8 sequences are all >= 0x80
    // and can never match, so counting bytes is exact.
    switch (input[i]) {
      case 0x61: case 0x65: case 0x69: case 0x6f: case 0x75: // a e i o u
      case 0x41: case 0x45: case 0x49: case 0x4f: case 0x55: // A E I O U
        count++;
        break;
      default:
        break;
    }
  }
  const total = parseCount(Var.getString("total")) + count;
  Var.set("total", utf8(total.toString()));

  const json =
    '{"count":' + count.toString() +
    ',"total":' + total.toString() +
    ',"vowels":"' + VOWELS + '"}';
  Host.output(utf8(json));
  return 0;
}

/** Outputs `<greeting>, <input>!`; greeting = config key `greeting`, default `Hello`. */
export function greet(): i32 {
  const configured = Config.get("greeting");
  const greeting = configured === null ? "Hello" : (configured as string);
  // Concatenate bytes, so the input's UTF-8 passes through untouched.
  Host.output(concat([utf8(greeting + ", "), Host.input(), utf8("!")]));
  return 0;
}

/** Outputs the input bytes exactly. */
export function echo(): i32 {
  Host.output(Host.input());
  return 0;
}

/** Fails on purpose: sets the error `fail was called with: <input>` and returns 1. */
export function fail(): i32 {
  setError(concat([utf8("fail was called with: "), Host.input()]));
  return 1;
}

/** Logs the input at info level, then outputs it. */
export function log_and_echo(): i32 {
  const input = Host.input();
  Host.logMemory(LogLevel.Info, Memory.allocateBytes(input));
  Host.output(input);
  return 0;
}

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
