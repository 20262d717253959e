//! WASI command `fractal-tree-cli`: `fractal-tree-cli <seed> <depth> [trunkLength]` writes the same
//! SVG as the Extism plugin's `render_tree` to stdout; usage errors go to stderr with exit code 2.

use std::io::Write;

mod tree;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let result = (|| -> Result<String, String> {
        if args.len() < 3 || args.len() > 4 {
            return Err(String::from("usage: fractal-tree-cli <seed> <depth> [trunkLength]"));
        }
        let depth: i64 = args[2].parse().map_err(|_| String::from("depth must be an integer"))?;
        let trunk_length: f64 = match args.get(3) {
            Some(s) => s.parse().map_err(|_| String::from("trunkLength must be a number"))?,
            None => 100.0,
        };
        tree::validate(depth, trunk_length)?;
        Ok(tree::render(&args[1], depth as u32, trunk_length))
    })();
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
