// Errors of a call, vendored by `graft new`. AssemblyScript cannot catch exceptions (`throw` aborts), so
// a failing step records its message with fail() and returns a default; the export turns the first
// recorded message into the Extism error (a PluginCallException on the host).

import { Memory } from "@extism/as-pdk";
import { error_set } from "@extism/as-pdk/lib/env";

let failure: string | null = null;

/** Records `message` as the call's error (the first one wins). */
export function fail(message: string): void {
  if (failure === null) failure = message;
}

export function failed(): bool {
  return failure !== null;
}

/** The recorded error, cleared for the next call. */
export function takeFailure(): string | null {
  const f = failure;
  failure = null;
  return f;
}

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
