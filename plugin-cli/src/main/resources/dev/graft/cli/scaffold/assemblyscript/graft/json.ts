// A small JSON reader and writer, vendored by `graft new` (no dependency beyond the Extism PDK).
// Numbers keep their source text, so money never passes through an f64. The read and write
// functions below are what contract.ts uses; a failure is recorded with fail() (see errors.ts).

import { Dec } from "./decimal";
import { fail } from "./errors";

export const KIND_NULL = 0, KIND_BOOL = 1, KIND_NUM = 2, KIND_STR = 3, KIND_ARR = 4, KIND_OBJ = 5;

export class Json {
  kind: i32 = KIND_NULL;
  text: string = ""; // a string's value, or a number's or literal's text
  raw: string = "null"; // the value's JSON text
  keys: string[] = [];
  values: Json[] = [];

  /** A field of an object; null when it is missing or JSON null. */
  get(key: string): Json | null {
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] == key) return this.values[i].kind == KIND_NULL ? null : this.values[i];
    }
    return null;
  }
}

class Parser {
  i: i32 = 0;
  err: string | null = null;
  constructor(public s: string) {}

  fail(what: string): Json {
    if (this.err === null) this.err = "invalid JSON input: " + what + " at char " + this.i.toString();
    return new Json();
  }

  ws(): void {
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.i++;
    }
  }

  value(depth: i32): Json {
    this.ws();
    if (this.i >= this.s.length) return this.fail("unexpected end");
    if (depth > 64) return this.fail("nesting deeper than 64");
    const start = this.i;
    const v = this.bare(depth);
    v.raw = this.s.substring(start, this.i);
    return v;
  }

  bare(depth: i32): Json {
    const c = this.s.charCodeAt(this.i);
    const v = new Json();
    if (c == 0x7b || c == 0x5b) { // { [
      const obj = c == 0x7b;
      const close = obj ? 0x7d : 0x5d;
      v.kind = obj ? KIND_OBJ : KIND_ARR;
      this.i++;
      this.ws();
      if (this.i < this.s.length && this.s.charCodeAt(this.i) == close) { this.i++; return v; }
      while (true) {
        let key = "";
        if (obj) {
          this.ws();
          if (this.i >= this.s.length || this.s.charCodeAt(this.i) != 0x22) return this.fail("expected a key");
          key = this.string();
          this.ws();
          if (this.i >= this.s.length || this.s.charCodeAt(this.i) != 0x3a) return this.fail("expected ':'");
          this.i++;
        }
        const item = this.value(depth + 1);
        if (this.err !== null) return v;
        v.keys.push(key);
        v.values.push(item);
        this.ws();
        if (this.i < this.s.length && this.s.charCodeAt(this.i) == 0x2c) { this.i++; continue; }
        if (this.i < this.s.length && this.s.charCodeAt(this.i) == close) { this.i++; return v; }
        return this.fail("expected ',' or a closing bracket");
      }
    }
    if (c == 0x22) {
      v.kind = KIND_STR;
      v.text = this.string();
      return v;
    }
    const start = this.i;
    while (this.i < this.s.length && "0123456789+-.eEtruefalsn".indexOf(this.s.charAt(this.i)) >= 0) this.i++;
    if (this.i == start) return this.fail("unexpected character");
    const word = this.s.substring(start, this.i);
    if (word == "null") v.kind = KIND_NULL;
    else if (word == "true" || word == "false") { v.kind = KIND_BOOL; v.text = word; }
    else { v.kind = KIND_NUM; v.text = word; }
    return v;
  }

  hex4(): i32 {
    if (this.i + 4 > this.s.length) { this.fail("short \\u escape"); return 0; }
    const n = I32.parseInt(this.s.substring(this.i, this.i + 4), 16);
    this.i += 4;
    return n;
  }

  string(): string {
    this.i++;
    let out = "";
    let start = this.i;
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c == 0x22) {
        out += this.s.substring(start, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) break;
      if (c != 0x5c) { this.i++; continue; }
      out += this.s.substring(start, this.i);
      this.i++;
      if (this.i >= this.s.length) break;
      const e = this.s.charCodeAt(this.i++);
      if (e == 0x22 || e == 0x5c || e == 0x2f) out += String.fromCharCode(e);
      else if (e == 0x62) out += "\b";
      else if (e == 0x66) out += "\f";
      else if (e == 0x6e) out += "\n";
      else if (e == 0x72) out += "\r";
      else if (e == 0x74) out += "\t";
      else if (e == 0x75) out += String.fromCharCode(this.hex4()); // UTF-16 units: surrogate pairs join themselves
      else break;
      start = this.i;
    }
    this.fail("bad string");
    return out;
  }
}

/** Parses a whole document; an empty Json (and the call's error) when it is not JSON. */
export function parse(input: string): Json {
  const p = new Parser(input);
  const v = p.value(0);
  p.ws();
  if (p.err === null && p.i != input.length) p.fail("trailing characters");
  if (p.err !== null) {
    fail(p.err!);
    return new Json();
  }
  return v;
}

// ------------------------------------------------------------------ reading contract fields

/** A required field; an error names it when it is missing or null. */
export function need(v: Json, key: string): Json {
  const x = v.get(key);
  if (x === null) {
    fail("missing field '" + key + "'");
    return new Json();
  }
  return x;
}

export function readObject(v: Json, what: string): Json {
  if (v.kind != KIND_OBJ) fail("'" + what + "' must be an object");
  return v;
}

export function readString(v: Json, what: string): string {
  if (v.kind != KIND_STR) fail("'" + what + "' must be a string");
  return v.text;
}

export function readInt(v: Json, what: string): i64 {
  const d = v.kind == KIND_NUM ? Dec.parse(v.text) : null;
  if (d === null || d.scale != 0) {
    fail("'" + what + "' must be an integer");
    return 0;
  }
  return d.m;
}

export function readFloat(v: Json, what: string): f64 {
  if (v.kind != KIND_NUM) {
    fail("'" + what + "' must be a number");
    return 0;
  }
  return F64.parseFloat(v.text);
}

export function readBool(v: Json, what: string): bool {
  if (v.kind != KIND_BOOL) fail("'" + what + "' must be true or false");
  return v.text == "true";
}

/** Money: a decimal string such as "19.99" (or a JSON number, read as its digits, never as an f64). */
export function readDec(v: Json, what: string): Dec {
  const d = v.kind == KIND_STR || v.kind == KIND_NUM ? Dec.parse(v.text) : null;
  if (d === null) {
    fail("'" + what + "' must be a decimal string, not " + v.raw);
    return new Dec(0, 0);
  }
  return d;
}

/** Any JSON value, kept as its JSON text. */
export function readRaw(v: Json, what: string): string {
  return v.raw;
}

export function readArray(v: Json, what: string): Json[] {
  if (v.kind != KIND_ARR) fail("'" + what + "' must be an array");
  return v.values;
}

// ------------------------------------------------------------------ writing contract fields

export function writeString(s: string): string {
  let out = "\"";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c < 0x20) out += "\\u00" + (c < 16 ? "0" : "") + c.toString(16);
    else out += s.charAt(i);
  }
  return out + "\"";
}

export function writeInt(v: i64): string {
  return v.toString();
}

export function writeFloat(v: f64): string {
  return isFinite(v) ? v.toString() : "null";
}

export function writeBool(v: bool): string {
  return v ? "true" : "false";
}

/** Money as a JSON string, "-12.50": what a BigDecimal with @JsonFormat(shape = STRING) reads. */
export function writeDecString(v: Dec): string {
  return "\"" + v.toString() + "\"";
}

/** A decimal as a JSON number, -12.50 (exact digits). */
export function writeDecNumber(v: Dec): string {
  return v.toString();
}

export function writeRaw(json: string): string {
  return json;
}
