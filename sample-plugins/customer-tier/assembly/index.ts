// Graft sample plugin `customer-tier` (pricing-rule), AssemblyScript with the official Extism PDK.
//
// Asks the host for the customer's tier through the granted host function `erp_customer_tier`
// (the tier in the input may be stale; the host's answer is authoritative) and gives a discount on
// the line total: platinum 15 %, gold 10 %, silver 5 %, any other tier nothing.
// Money is exact: decimals are i64 mantissas with a scale, never f64.

import { Host, Memory } from "@extism/as-pdk";
import { error_set, free, length } from "@extism/as-pdk/lib/env";

// Extism user host function: (offset of a block with the customer id) -> offset of a block with
// the tier (UTF-8), or 0 for an unknown customer.
@external("extism:host/user", "erp_customer_tier")
declare function erp_customer_tier(offset: u64): u64;

// ------------------------------------------------------------------ helpers

import { setError, utf8 } from "./common";

// AssemblyScript cannot catch exceptions (`throw` aborts): a failing step records its message here
// and returns early; the export turns it into the Extism error.
let failure: string | null = null;

function fail(message: string): string {
  if (failure === null) failure = message;
  return "";
}

// ------------------------------------------------------------------ a small JSON reader

const KIND_NULL = 0, KIND_BOOL = 1, KIND_NUM = 2, KIND_STR = 3, KIND_ARR = 4, KIND_OBJ = 5;

class Json {
  kind: i32 = KIND_NULL;
  text: string = ""; // string value, or a number's text
  keys: string[] = [];
  values: Json[] = [];

  get(key: string): Json | null {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] == key) return this.values[i];
    return null;
  }

  str(key: string): string {
    const v = this.get(key);
    return v !== null && v.kind == KIND_STR ? v.text : "";
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

function jsonString(s: string): string {
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

// ------------------------------------------------------------------ exact decimals

class Dec {
  constructor(public m: i64, public scale: i32) {}

  /** -?digits(.digits)? with at most 18 digits; null otherwise. */
  static parse(s: string): Dec | null {
    let i = 0;
    let neg = false;
    if (s.length > 0 && s.charCodeAt(0) == 0x2d) { neg = true; i = 1; }
    let m: i64 = 0;
    let digits = 0, scale = 0;
    let point = false;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) {
        m = m * 10 + (c - 0x30);
        digits++;
        if (point) scale++;
      } else if (c == 0x2e && !point && digits > 0) point = true;
      else return null;
    }
    if (digits == 0 || digits > 18 || (point && scale == 0)) return null;
    return new Dec(neg ? -m : m, scale);
  }

  /** this × n × percent / 100, rounded half away from zero to 2 decimals; null if too large. */
  percentOf(n: i64, percent: i64): Dec | null {
    const limit: i64 = 1000000000000; // |m| ≤ 1e12, |n| ≤ 1e5, percent ≤ 100: the product stays within i64
    if (this.m > limit || this.m < -limit || n > 100000 || n < -100000) return null;
    let m = this.m * n * percent; // scale + 2 (percent / 100)
    let scale = this.scale + 2;
    if (scale > 2) {
      let div: i64 = 1;
      for (let k = 2; k < scale; k++) div *= 10;
      const q = m / div;
      const r = m % div;
      m = (r < 0 ? -r : r) * 2 >= div ? q + (m < 0 ? -1 : 1) : q;
      scale = 2;
    }
    return new Dec(m, scale);
  }

  toString(): string {
    const neg = this.m < 0;
    let digits = (neg ? -this.m : this.m).toString();
    while (digits.length <= this.scale) digits = "0" + digits;
    const point = digits.length - this.scale;
    let out = neg ? "-" : "";
    out += digits.substring(0, point);
    if (this.scale > 0) out += "." + digits.substring(point);
    return out;
  }
}

// ------------------------------------------------------------------ the rule

function askTier(customerId: string): string {
  const arg = Memory.allocateBytes(utf8(customerId));
  const offset = erp_customer_tier(arg.offset);
  arg.free();
  if (offset == 0) return "";
  const answer = new Memory(offset, length(offset)).toString();
  free(offset);
  return answer;
}

function percentFor(tier: string): i64 {
  if (tier == "platinum") return 15;
  if (tier == "gold") return 10;
  if (tier == "silver") return 5;
  return 0;
}

function rule(input: string): string {
  const p = new Parser(input);
  const line = p.value(0);
  p.ws();
  if (p.err === null && p.i != input.length) p.fail("trailing characters");
  if (p.err !== null) return fail(p.err as string);
  if (line.kind != KIND_OBJ) return fail("the input must be a QuoteLine object");

  const q = line.get("quantity");
  if (q === null || q.kind != KIND_NUM || q.text.indexOf(".") >= 0 || q.text.indexOf("e") >= 0) return fail("quantity must be an integer");
  const quantity = I64.parseInt(q.text, 10);
  const up = line.get("unitPrice");
  let parsed: Dec | null = null;
  if (up !== null && (up.kind == KIND_STR || up.kind == KIND_NUM)) parsed = Dec.parse(up.text);
  if (parsed === null) return fail("unitPrice must be a decimal string");
  const price = parsed as Dec;
  const customer = line.get("customer");
  if (customer === null || customer.kind != KIND_OBJ) return "[]";

  const tier = askTier(customer.str("id")).trim().toLowerCase();
  const percent = percentFor(tier);
  if (percent == 0) return "[]";
  const maybe = price.percentOf(quantity, percent);
  if (maybe === null) return fail("line total too large");
  const amount = maybe as Dec;
  if (amount.m == 0) return "[]";
  amount.m = -amount.m;
  const tierName = tier.charAt(0).toUpperCase() + tier.substring(1);
  const reason = tierName + " customer discount " + percent.toString() + "% for " + customer.str("name");
  return "[{\"ruleId\":\"customer-tier\",\"amount\":\"" + amount.toString() + "\",\"reason\":" + jsonString(reason) + "}]";
}

export function apply_rule(): i32 {
  failure = null;
  const out = rule(Host.inputString());
  if (failure !== null) {
    setError(failure as string);
    return 1;
  }
  // Host.outputString truncates non-ASCII in as-pdk 1.0.0: encode UTF-8 ourselves.
  Host.output(utf8(out));
  return 0;
}
