//! A minimal JSON reader and writer (no crates). Numbers are kept as their source text, so money
//! never passes through a float. The readers and writers below are what `contract.rs` uses.

use super::decimal::Dec;

#[derive(Clone)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number's text exactly as written.
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A string, or a number's text; `None` for null and other kinds.
    pub fn text(&self) -> Option<&str> {
        match self {
            Json::Str(s) | Json::Num(s) => Some(s),
            _ => None,
        }
    }
}

/// Parses a whole document.
pub fn parse(bytes: &[u8]) -> Result<Json, String> {
    let text = core::str::from_utf8(bytes).map_err(|_| String::from("input is not valid UTF-8"))?;
    let mut p = Parser { s: text.as_bytes(), i: 0, depth: 0 };
    let v = p.value()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.fail("trailing characters"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    depth: u32,
}

impl<'a> Parser<'a> {
    fn fail(&self, what: &str) -> String {
        let mut m = String::from("invalid JSON input: ");
        m.push_str(what);
        m.push_str(" at byte ");
        push_uint(&mut m, self.i as u64);
        m
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn lit(&mut self, word: &str, v: Json) -> Result<Json, String> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.fail("unexpected character"))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.peek() {
            None => Err(self.fail("unexpected end")),
            Some(b'{') => {
                self.enter()?;
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        if self.peek() != Some(b'"') {
                            return Err(self.fail("expected a key"));
                        }
                        let k = self.string()?;
                        self.ws();
                        if self.peek() != Some(b':') {
                            return Err(self.fail("expected ':'"));
                        }
                        self.i += 1;
                        let v = self.value()?;
                        fields.push((k, v));
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.fail("expected ',' or '}'")),
                        }
                    }
                }
                self.depth -= 1;
                Ok(Json::Obj(fields))
            }
            Some(b'[') => {
                self.enter()?;
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                } else {
                    loop {
                        items.push(self.value()?);
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.fail("expected ',' or ']'")),
                        }
                    }
                }
                self.depth -= 1;
                Ok(Json::Arr(items))
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.lit("true", Json::Bool(true)),
            Some(b'f') => self.lit("false", Json::Bool(false)),
            Some(b'n') => self.lit("null", Json::Null),
            Some(c) if c == b'-' || c.is_ascii_digit() => {
                let start = self.i;
                self.i += 1;
                while let Some(c) = self.peek() {
                    if c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-') {
                        self.i += 1;
                    } else {
                        break;
                    }
                }
                Ok(Json::Num(String::from(core::str::from_utf8(&self.s[start..self.i]).unwrap())))
            }
            Some(_) => Err(self.fail("unexpected character")),
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > 64 {
            return Err(self.fail("nesting deeper than 64"));
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, String> {
        if self.i + 4 > self.s.len() {
            return Err(self.fail("short \\u escape"));
        }
        let mut v = 0u32;
        for _ in 0..4 {
            let c = self.s[self.i];
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(self.fail("bad \\u escape")),
            };
            v = v * 16 + d as u32;
            self.i += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.i < self.s.len() && self.s[self.i] != b'"' && self.s[self.i] != b'\\' && self.s[self.i] >= 0x20 {
                self.i += 1;
            }
            // The input is valid UTF-8 and we cut only at ASCII bytes.
            out.push_str(core::str::from_utf8(&self.s[start..self.i]).unwrap());
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.peek().ok_or_else(|| self.fail("unexpected end"))?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cp) {
                                if self.s[self.i..].starts_with(b"\\u") {
                                    self.i += 2;
                                    let lo = self.hex4()?;
                                    if !(0xDC00..0xE000).contains(&lo) {
                                        return Err(self.fail("bad surrogate pair"));
                                    }
                                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                } else {
                                    return Err(self.fail("lone surrogate"));
                                }
                            }
                            out.push(char::from_u32(cp).ok_or_else(|| self.fail("bad code point"))?);
                        }
                        _ => return Err(self.fail("bad escape")),
                    }
                }
                _ => return Err(self.fail("unterminated string")),
            }
        }
    }
}

/// Appends `s` as a JSON string literal (non-ASCII kept as UTF-8).
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                let hex = b"0123456789abcdef";
                out.push(hex[(c as usize) >> 4] as char);
                out.push(hex[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends an unsigned integer in decimal.
pub fn push_uint(out: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.push_str(core::str::from_utf8(&buf[i..]).unwrap());
}

// ------------------------------------------------------------------ reading contract fields

/// A required field: an error names it when it is missing or null.
pub fn field<'a>(v: &'a Json, key: &str) -> Result<&'a Json, String> {
    match v.get(key) {
        None | Some(Json::Null) => Err(format!("missing field '{}'", key)),
        Some(x) => Ok(x),
    }
}

/// An optional field: `None` when it is missing or null.
pub fn optional<'a>(v: &'a Json, key: &str) -> Option<&'a Json> {
    match v.get(key) {
        None | Some(Json::Null) => None,
        Some(x) => Some(x),
    }
}

pub fn object<'a>(v: &'a Json, what: &str) -> Result<&'a Json, String> {
    match v {
        Json::Obj(_) => Ok(v),
        _ => Err(format!("'{}' must be an object", what)),
    }
}

pub fn string(v: &Json, what: &str) -> Result<String, String> {
    match v {
        Json::Str(s) => Ok(s.clone()),
        _ => Err(format!("'{}' must be a string", what)),
    }
}

pub fn int(v: &Json, what: &str) -> Result<i64, String> {
    match v {
        Json::Num(n) => n.parse().map_err(|_| format!("'{}' must be an integer", what)),
        _ => Err(format!("'{}' must be an integer", what)),
    }
}

pub fn float(v: &Json, what: &str) -> Result<f64, String> {
    match v {
        Json::Num(n) => n.parse().map_err(|_| format!("'{}' must be a number", what)),
        _ => Err(format!("'{}' must be a number", what)),
    }
}

pub fn boolean(v: &Json, what: &str) -> Result<bool, String> {
    match v {
        Json::Bool(b) => Ok(*b),
        _ => Err(format!("'{}' must be true or false", what)),
    }
}

/// Money: a decimal string such as `"19.99"` (or a JSON number, read as its digits, never as a float).
pub fn decimal(v: &Json, what: &str) -> Result<Dec, String> {
    match v {
        Json::Str(s) | Json::Num(s) => Dec::parse(s),
        _ => Err(format!("'{}' must be a decimal string", what)),
    }
}

pub fn list<T>(v: &Json, what: &str, item: impl Fn(&Json) -> Result<T, String>) -> Result<Vec<T>, String> {
    match v {
        Json::Arr(items) => items.iter().map(item).collect(),
        _ => Err(format!("'{}' must be an array", what)),
    }
}

/// Any JSON value, kept as it is.
pub fn raw(v: &Json, _what: &str) -> Result<Json, String> {
    Ok(v.clone())
}

// ------------------------------------------------------------------ writing contract fields

/// Writes `"key":`, after a comma unless it is the object's first field.
pub fn key(out: &mut String, first: &mut bool, key: &str) {
    if !*first {
        out.push(',');
    }
    *first = false;
    push_str(out, key);
    out.push(':');
}

pub fn write_string(out: &mut String, v: &String) {
    push_str(out, v);
}

pub fn write_int(out: &mut String, v: &i64) {
    if *v < 0 {
        out.push('-');
    }
    push_uint(out, v.unsigned_abs());
}

pub fn write_float(out: &mut String, v: &f64) {
    if v.is_finite() {
        out.push_str(&format!("{}", v));
    } else {
        out.push_str("null");
    }
}

pub fn write_boolean(out: &mut String, v: &bool) {
    out.push_str(if *v { "true" } else { "false" });
}

/// Money as a JSON string, `"-12.50"`: what a `BigDecimal` with `@JsonFormat(shape = STRING)` reads.
pub fn write_decimal_string(out: &mut String, v: &Dec) {
    push_str(out, &v.to_string());
}

/// A decimal as a JSON number, `-12.50` (exact digits, no float).
pub fn write_decimal_number(out: &mut String, v: &Dec) {
    out.push_str(&v.to_string());
}

pub fn write_list<T>(out: &mut String, items: &[T], item: impl Fn(&mut String, &T)) {
    out.push('[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        item(out, x);
    }
    out.push(']');
}

pub fn write_raw(out: &mut String, v: &Json) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => write_boolean(out, b),
        Json::Num(n) => out.push_str(n),
        Json::Str(s) => push_str(out, s),
        Json::Arr(items) => write_list(out, items, write_raw),
        Json::Obj(fields) => {
            out.push('{');
            let mut first = true;
            for (k, x) in fields {
                key(out, &mut first, k);
                write_raw(out, x);
            }
            out.push('}');
        }
    }
}
