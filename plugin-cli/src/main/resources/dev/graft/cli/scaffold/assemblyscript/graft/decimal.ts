// Exact decimals for money (no f64), vendored by `graft new`: an i64 mantissa and a scale (digits after
// the point). Operations that would overflow record an error with fail().

import { fail } from "./errors";

export class Dec {
  constructor(public m: i64, public scale: i32) {}

  /** A whole number, e.g. a quantity. */
  static int(v: i64): Dec {
    return new Dec(v, 0);
  }

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

  /** A decimal literal such as "25.00"; records an error for a bad one. */
  static of(literal: string): Dec {
    const d = Dec.parse(literal);
    if (d === null) {
      fail("not a decimal: \"" + literal + "\"");
      return new Dec(0, 0);
    }
    return d as Dec;
  }

  /** Rounds (half away from zero, Java's HALF_UP) or extends to `scale` digits. */
  round(scale: i32): Dec {
    let m = this.m;
    let s = this.scale;
    for (; s < scale; s++) {
      if (m > 922337203685477580 || m < -922337203685477580) { fail("decimal overflow"); break; }
      m *= 10;
    }
    if (s > scale) {
      let div: i64 = 1;
      for (; s > scale; s--) div *= 10;
      const q = m / div;
      const r = m % div;
      m = (r < 0 ? -r : r) * 2 >= div ? q + (m < 0 ? -1 : 1) : q;
    }
    return new Dec(m, scale);
  }

  mul(o: Dec): Dec {
    const limit: i64 = 3037000499; // |a|, |b| ≤ √(2^63): the product stays within i64
    if ((this.m > limit || this.m < -limit) && (o.m > limit || o.m < -limit)) fail("decimal overflow");
    return new Dec(this.m * o.m, this.scale + o.scale);
  }

  add(o: Dec): Dec {
    const scale = this.scale > o.scale ? this.scale : o.scale;
    return new Dec(this.round(scale).m + o.round(scale).m, scale);
  }

  neg(): Dec {
    return new Dec(-this.m, this.scale);
  }

  isZero(): bool {
    return this.m == 0;
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
