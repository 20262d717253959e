//! WAGI echo: answers a request with its arguments (the path and `key=value` query pairs), its CGI
//! environment and its body, as plain text. Shows what a WAGI handler receives.

use std::io::{Read, Write};

fn main() {
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body).unwrap();
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    let mut out = std::io::stdout();
    write!(out, "Content-Type: text/plain; charset=utf-8\n\n").unwrap();
    writeln!(out, "# arguments").unwrap();
    for (i, arg) in std::env::args().enumerate() {
        writeln!(out, "{}: {}", i, arg).unwrap();
    }
    writeln!(out, "# environment").unwrap();
    for (key, value) in vars {
        writeln!(out, "{}={}", key, value).unwrap();
    }
    writeln!(out, "# body ({} bytes)", body.len()).unwrap();
    out.write_all(&body).unwrap();
    out.flush().unwrap();
}
