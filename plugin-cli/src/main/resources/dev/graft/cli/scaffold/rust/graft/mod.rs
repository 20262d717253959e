//! Helpers vendored by `graft new` (no crates): the Extism kernel imported by hand, a small JSON
//! reader and writer, and exact decimals for money. They are part of your plugin; change them freely.

pub mod decimal;
pub mod extism;
pub mod json;
