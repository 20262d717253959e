//! Extism plugin `fractal-tree`: export `render_tree`, input `{"seed","depth","trunkLength"}` (JSON),
//! output the SVG text (raw UTF-8, not JSON). No crates; the Extism kernel is imported by hand.

#[path = "../../rust-common/extism.rs"]
mod extism;
#[path = "../../rust-common/json.rs"]
mod json;
mod tree;

fn render(input: &[u8]) -> Result<Vec<u8>, String> {
    let req = json::parse(input)?;
    let seed = match req.get("seed") {
        Some(json::Json::Str(s)) => s.as_str(),
        _ => return Err(String::from("seed must be a string")),
    };
    let depth: i64 = match req.get("depth") {
        Some(json::Json::Num(n)) => n.parse().map_err(|_| String::from("depth must be an integer"))?,
        _ => return Err(String::from("depth must be an integer")),
    };
    let trunk_length: f64 = match req.get("trunkLength") {
        None | Some(json::Json::Null) => 100.0,
        Some(json::Json::Num(n)) => n.parse().map_err(|_| String::from("trunkLength must be a number"))?,
        _ => return Err(String::from("trunkLength must be a number")),
    };
    tree::validate(depth, trunk_length)?;
    Ok(tree::render(seed, depth as u32, trunk_length).into_bytes())
}

#[no_mangle]
pub extern "C" fn render_tree() -> i32 {
    extism::run(render)
}
