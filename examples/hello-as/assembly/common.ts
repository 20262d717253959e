// Helpers shared by the example plugins (see index.ts for the PDK notes).

import { Memory } from "@extism/as-pdk";
// The PDK's Host class has no error setter; the raw kernel import fills the gap.
import { error_set } from "@extism/as-pdk/lib/env";

// ---------------------------------------------------------------- helpers

/** UTF-8 bytes of a string, as a fresh Uint8Array (byteOffset 0). */
export function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

/** Concatenates byte arrays into a fresh Uint8Array (byteOffset 0). */
export function concat(parts: Uint8Array[]): Uint8Array {
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
export function setError(message: Uint8Array): void {
  const mem = Memory.allocateBytes(message);
  error_set(mem.offset);
}

/** Parses a non-negative decimal; anything else counts as 0. */
export function parseCount(s: string | null): i64 {
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
export function pluginAbort(
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

