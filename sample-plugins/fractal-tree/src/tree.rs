//! The fractal tree, shared by the Extism plugin (lib.rs) and the WASI command (main.rs).
//! Pure integer and IEEE arithmetic with our own sin/cos and number formatting, so the SVG bytes
//! are the same on every Wasm runtime and in both builds.

pub const MAX_DEPTH: u32 = 20;

/// splitmix64, seeded with the FNV-1a 64-bit hash of the seed's UTF-8 bytes.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Rng(h)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [-0.5, 0.5).
    pub fn centered(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0) - 0.5
    }
}

const PI: f64 = 3.141_592_653_589_793;

/// (sin, cos) of an angle in degrees: reduced to [-180, 180], then Taylor series.
fn sin_cos_deg(deg: f64) -> (f64, f64) {
    let mut d = deg;
    while d > 180.0 {
        d -= 360.0;
    }
    while d < -180.0 {
        d += 360.0;
    }
    let x = d * (PI / 180.0);
    let x2 = x * x;
    let (mut s, mut c) = (0.0, 0.0);
    let (mut ts, mut tc) = (x, 1.0);
    let mut k = 1.0;
    for _ in 0..16 {
        s += ts;
        c += tc;
        ts *= -x2 / ((k + 1.0) * (k + 2.0));
        tc *= -x2 / (k * (k + 1.0));
        k += 2.0;
    }
    (s, c)
}

/// Appends `v` with exactly two decimals (half away from zero), e.g. `-12.50`.
pub fn push_fixed2(out: &mut String, v: f64) {
    let scaled = v * 100.0;
    let r = if scaled < 0.0 { -((-scaled + 0.5).floor()) } else { (scaled + 0.5).floor() };
    let n = r as i64;
    if n < 0 {
        out.push('-');
    }
    let a = n.unsigned_abs();
    push_uint(out, a / 100);
    out.push('.');
    out.push((b'0' + ((a / 10) % 10) as u8) as char);
    out.push((b'0' + (a % 10) as u8) as char);
}

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

struct Tree {
    depth: u32,
    rng: Rng,
    paths: Vec<String>,
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
}

impl Tree {
    fn see(&mut self, x: f64, y: f64) {
        if x < self.min_x { self.min_x = x; }
        if x > self.max_x { self.max_x = x; }
        if y < self.min_y { self.min_y = y; }
        if y > self.max_y { self.max_y = y; }
    }

    /// Draws one branch, then (below the last level) its left and right children, depth-first.
    fn branch(&mut self, x: f64, y: f64, angle: f64, length: f64, level: u32) {
        let (s, c) = sin_cos_deg(angle);
        let x2 = x + c * length;
        let y2 = y + s * length;
        self.see(x2, y2);
        let p = &mut self.paths[level as usize];
        p.push_str(if p.is_empty() { "M" } else { " M" });
        push_fixed2(p, x);
        p.push(' ');
        push_fixed2(p, y);
        p.push('L');
        push_fixed2(p, x2);
        p.push(' ');
        push_fixed2(p, y2);
        if level + 1 < self.depth {
            // Draw order per split: the shared angle change, then the left and the right length change.
            let turn = self.rng.centered() * 35.0;
            let left_len = length * 0.8 + self.rng.centered() * 25.0;
            let right_len = length * 0.8 + self.rng.centered() * 25.0;
            self.branch(x2, y2, angle - 20.0 + turn, if left_len < 0.0 { 0.0 } else { left_len }, level + 1);
            self.branch(x2, y2, angle + 20.0 + turn, if right_len < 0.0 { 0.0 } else { right_len }, level + 1);
        }
    }
}

/// Checks the arguments; the message is what the caller sees.
pub fn validate(depth: i64, trunk_length: f64) -> Result<(), String> {
    if depth < 1 || depth > MAX_DEPTH as i64 {
        let mut m = String::from("depth must be between 1 and ");
        push_uint(&mut m, MAX_DEPTH as u64);
        m.push_str(", was ");
        if depth < 0 {
            m.push('-');
        }
        push_uint(&mut m, depth.unsigned_abs());
        return Err(m);
    }
    if !(trunk_length > 0.0 && trunk_length <= 10_000.0) {
        return Err(String::from("trunkLength must be greater than 0 and at most 10000"));
    }
    Ok(())
}

/// The SVG of a tree: 2^depth - 1 lines, one `<path>` per level.
pub fn render(seed: &str, depth: u32, trunk_length: f64) -> String {
    let mut t = Tree {
        depth,
        rng: Rng::new(seed),
        paths: (0..depth).map(|_| String::new()).collect(),
        min_x: 0.0,
        min_y: 0.0,
        max_x: 0.0,
        max_y: 0.0,
    };
    t.branch(0.0, 0.0, -90.0, trunk_length, 0);
    let pad = depth as f64 * 1.5;
    let mut svg = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"");
    push_fixed2(&mut svg, t.min_x - pad);
    svg.push(' ');
    push_fixed2(&mut svg, t.min_y - pad);
    svg.push(' ');
    push_fixed2(&mut svg, t.max_x - t.min_x + 2.0 * pad);
    svg.push(' ');
    push_fixed2(&mut svg, t.max_y - t.min_y + 2.0 * pad);
    svg.push_str("\" fill=\"none\" stroke-linecap=\"round\">\n");
    let hex = b"0123456789abcdef";
    for (level, d) in t.paths.iter().enumerate() {
        let level = level as u32;
        // Black (#000000) at the trunk to green (#008000) at the leaves.
        let g = if depth == 1 { 0 } else { (128 * level + (depth - 1) / 2) / (depth - 1) };
        svg.push_str("<path stroke=\"#00");
        svg.push(hex[(g >> 4) as usize] as char);
        svg.push(hex[(g & 15) as usize] as char);
        svg.push_str("00\" stroke-width=\"");
        push_fixed2(&mut svg, (depth - level) as f64 * 1.5);
        svg.push_str("\" d=\"");
        svg.push_str(d);
        svg.push_str("\"/>\n");
    }
    svg.push_str("</svg>\n");
    svg
}
