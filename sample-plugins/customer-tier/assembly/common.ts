// Helpers of the customer-tier plugin (kept out of index.ts so that they are not exported).

import { Memory } from "@extism/as-pdk";
import { error_set } from "@extism/as-pdk/lib/env";

export function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

export function setError(message: string): void {
  error_set(Memory.allocateBytes(utf8(message)).offset);
}

/** Replaces `env.abort` (see asconfig.json): the Extism error of the call, then a trap. */
export function pluginAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const msg = message === null ? "abort" : (message as string);
  const file = fileName === null ? "?" : (fileName as string);
  setError("abort: " + msg + " at " + file + ":" + line.toString() + ":" + column.toString());
  unreachable();
}

