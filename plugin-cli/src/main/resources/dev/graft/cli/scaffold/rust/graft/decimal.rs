//! Exact decimals for money (no floats): an i128 mantissa and a scale (digits after the point).

#[derive(Clone, Copy)]
pub struct Dec {
    pub m: i128,
    pub scale: u32,
}

const MAX_SCALE: u32 = 18;

impl Dec {
    /// A whole number, e.g. a quantity.
    pub fn int(v: i64) -> Dec {
        Dec { m: v as i128, scale: 0 }
    }

    /// Parses `-?digits(.digits)?` (no exponent, at most 18 fraction digits and 30 digits in all).
    pub fn parse(s: &str) -> Result<Dec, String> {
        let bad = || {
            let mut m = String::from("not a decimal: ");
            super::json::push_str(&mut m, s);
            m
        };
        let b = s.as_bytes();
        let (neg, digits) = match b.first() {
            Some(b'-') => (true, &b[1..]),
            _ => (false, b),
        };
        if digits.is_empty() || digits.len() > 31 {
            return Err(bad());
        }
        let mut m: i128 = 0;
        let mut scale = 0u32;
        let mut seen_point = false;
        let mut seen_digit = false;
        for &c in digits {
            match c {
                b'0'..=b'9' => {
                    m = m * 10 + (c - b'0') as i128;
                    seen_digit = true;
                    if seen_point {
                        scale += 1;
                    }
                }
                b'.' if !seen_point && seen_digit => seen_point = true,
                _ => return Err(bad()),
            }
        }
        if !seen_digit || scale > MAX_SCALE || (seen_point && scale == 0) {
            return Err(bad());
        }
        Ok(Dec { m: if neg { -m } else { m }, scale })
    }

    pub fn mul(self, o: Dec) -> Dec {
        Dec { m: self.m * o.m, scale: self.scale + o.scale }
    }

    pub fn add(self, o: Dec) -> Dec {
        let scale = if self.scale > o.scale { self.scale } else { o.scale };
        Dec { m: self.round(scale).m + o.round(scale).m, scale }
    }

    pub fn sub(self, o: Dec) -> Dec {
        self.add(o.neg())
    }

    pub fn neg(self) -> Dec {
        Dec { m: -self.m, scale: self.scale }
    }

    pub fn is_zero(self) -> bool {
        self.m == 0
    }

    /// Rounds to `scale` digits, half away from zero (Java's `RoundingMode.HALF_UP`).
    pub fn round(self, scale: u32) -> Dec {
        if self.scale <= scale {
            let mut m = self.m;
            for _ in self.scale..scale {
                m *= 10;
            }
            return Dec { m, scale };
        }
        let mut div: i128 = 1;
        for _ in scale..self.scale {
            div *= 10;
        }
        let q = self.m / div;
        let r = self.m % div;
        let q = if r.abs() * 2 >= div { q + self.m.signum() } else { q };
        Dec { m: q, scale }
    }

    pub fn to_string(self) -> String {
        let mut out = String::new();
        if self.m < 0 {
            out.push('-');
        }
        let mut digits = String::new();
        let mut v = self.m.unsigned_abs();
        loop {
            digits.insert(0, (b'0' + (v % 10) as u8) as char);
            v /= 10;
            if v == 0 {
                break;
            }
        }
        while (digits.len() as u32) <= self.scale {
            digits.insert(0, '0');
        }
        let point = digits.len() - self.scale as usize;
        out.push_str(&digits[..point]);
        if self.scale > 0 {
            out.push('.');
            out.push_str(&digits[point..]);
        }
        out
    }
}
