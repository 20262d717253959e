//! WASI command `fractal-tree-cli`.
//!
//! From a shell: `fractal-tree-cli <seed> <depth> [trunkLength]` writes the same SVG as the Extism
//! plugin's `render_tree` to stdout; usage errors go to stderr with exit code 2.
//!
//! As a WAGI handler (the host sets `GATEWAY_INTERFACE`): the arguments are the request path and
//! `key=value` query pairs (`seed`, `depth`, `trunk`); the answer is CGI headers, a blank line and the
//! SVG, or a `Status: 400` plain-text explanation.

use std::io::Write;

mod tree;

fn render(seed: &str, depth: &str, trunk: Option<&str>) -> Result<String, String> {
    let depth: i64 = depth.parse().map_err(|_| String::from("depth must be an integer"))?;
    let trunk_length: f64 = match trunk {
        Some(s) => s.parse().map_err(|_| String::from("trunkLength must be a number"))?,
        None => 100.0,
    };
    tree::validate(depth, trunk_length)?;
    Ok(tree::render(seed, depth as u32, trunk_length))
}

fn wagi(args: &[String]) {
    let query = |key: &str| {
        args.iter().skip(1).find_map(|a| a.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
    };
    let result = match (query("seed"), query("depth")) {
        (Some(seed), Some(depth)) => render(seed, depth, query("trunk")),
        _ => Err(String::from("query parameters seed and depth are required, trunk is optional")),
    };
    let mut out = std::io::stdout();
    match result {
        Ok(svg) => {
            write!(out, "Content-Type: image/svg+xml\n\n{}", svg).unwrap();
        }
        Err(message) => {
            write!(out, "Status: 400\nContent-Type: text/plain; charset=utf-8\n\n{}\n", message).unwrap();
        }
    }
    out.flush().unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if std::env::var("GATEWAY_INTERFACE").is_ok() {
        wagi(&args);
        return;
    }
    let result = if args.len() < 3 || args.len() > 4 {
        Err(String::from("usage: fractal-tree-cli <seed> <depth> [trunkLength]"))
    } else {
        render(&args[1], &args[2], args.get(3).map(|s| s.as_str()))
    };
    match result {
        Ok(svg) => {
            let mut out = std::io::stdout();
            out.write_all(svg.as_bytes()).unwrap();
            out.flush().unwrap();
        }
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "fractal-tree-cli: {}", message);
            std::process::exit(2);
        }
    }
}
