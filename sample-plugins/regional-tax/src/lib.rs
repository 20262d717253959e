//! Extism plugin `regional-tax` (pricing-rule): value-added / sales tax on the line total by the
//! customer's region, with reduced rates for some categories. Rust without crates, no WASI.

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

/// (region, tax name, standard rate, reduced rate for food and books), rates in percent as decimals.
const RATES: [(&str, &str, &str, &str); 7] = [
    ("DE", "MwSt.", "19", "7"),
    ("AT", "USt.", "20", "10"),
    ("FR", "TVA", "20", "5.5"),
    ("NL", "btw", "21", "9"),
    ("CH", "MWST", "8.1", "2.6"),
    ("SE", "moms", "25", "12"),
    ("US-CA", "Sales tax", "7.25", "0"),
];

fn apply(input: &[u8]) -> Result<Vec<u8>, String> {
    let line = pricing::parse_line(input)?;
    let region = line.customer.region.as_str();
    let (_, tax, standard, reduced) = match RATES.iter().find(|r| r.0 == region) {
        Some(r) => *r,
        None => {
            let mut m = String::from("no tax rate for region ");
            json::push_str(&mut m, region);
            return Err(m);
        }
    };
    let is_reduced = line.category == "food" || line.category == "books";
    let rate_text = if is_reduced { reduced } else { standard };
    let rate = Dec::parse(rate_text)?;
    let amount = pricing::line_total(&line).mul(Dec { m: rate.m, scale: rate.scale + 2 }).round(2);
    let mut adjustments = Vec::new();
    if !amount.is_zero() {
        // e.g. "MwSt. 7 % (DE, ermäßigt) für Zoë Müller"
        let mut reason = String::from(tax);
        reason.push(' ');
        reason.push_str(rate_text);
        reason.push_str(" % (");
        reason.push_str(region);
        if is_reduced {
            reason.push_str(", reduced");
        }
        reason.push_str(") on ");
        reason.push_str(&line.name);
        adjustments.push(Adjustment { rule_id: "regional-tax", amount, reason });
    }
    Ok(pricing::write(&adjustments))
}

#[no_mangle]
pub extern "C" fn apply_rule() -> i32 {
    extism::run(apply)
}
