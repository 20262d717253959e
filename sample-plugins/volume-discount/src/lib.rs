//! Extism plugin `volume-discount` (pricing-rule): a discount by quantity tiers on the line total.
//! Rust without crates; the Extism kernel is imported by hand (no WASI).

#[path = "../../rust-common/decimal.rs"]
mod decimal;
#[path = "../../rust-common/extism.rs"]
mod extism;
#[path = "../../rust-common/json.rs"]
mod json;
#[path = "../../rust-common/pricing.rs"]
mod pricing;

use decimal::Dec;
use pricing::Adjustment;

/// (minimum quantity, percent), highest first.
const TIERS: [(i64, i64); 3] = [(100, 15), (50, 10), (10, 5)];

fn apply(input: &[u8]) -> Result<Vec<u8>, String> {
    let line = pricing::parse_line(input)?;
    let mut adjustments = Vec::new();
    if let Some(&(min, percent)) = TIERS.iter().find(|(min, _)| line.quantity >= *min) {
        // discount = -(unitPrice × quantity × percent / 100), rounded half-up to cents
        let amount = pricing::line_total(&line).mul(Dec { m: percent as i128, scale: 2 }).round(2).neg();
        if !amount.is_zero() {
            let mut reason = String::from("Volume discount ");
            json::push_uint(&mut reason, percent as u64);
            reason.push_str("% for ");
            json::push_uint(&mut reason, min as u64);
            reason.push_str("+ units: ");
            json::push_uint(&mut reason, line.quantity as u64);
            reason.push_str(" × ");
            reason.push_str(&line.name);
            adjustments.push(Adjustment { rule_id: "volume-discount", amount, reason });
        }
    }
    Ok(pricing::write(&adjustments))
}

#[no_mangle]
pub extern "C" fn apply_rule() -> i32 {
    extism::run(apply)
}
