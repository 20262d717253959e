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
import { concat, parseCount, setError, utf8 } from "./common";


const VOWELS = "aeiouAEIOU";

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
