//! The `pricing-rule` contract in Rust: reads a QuoteLine, writes a list of Adjustments (see
//! sample-plugins/README.md for the JSON shapes).

use super::decimal::Dec;
use super::json::{self, Json};

pub struct Customer {
    pub id: String,
    pub name: String,
    pub tier: String,
    pub region: String,
}

pub struct QuoteLine {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub quantity: i64,
    pub unit_price: Dec,
    pub customer: Customer,
    pub currency: String,
}

pub struct Adjustment {
    pub rule_id: &'static str,
    pub amount: Dec,
    pub reason: String,
}

fn text(v: &Json, key: &str) -> String {
    match v.get(key) {
        Some(Json::Str(s)) => s.clone(),
        _ => String::new(),
    }
}

pub fn parse_line(input: &[u8]) -> Result<QuoteLine, String> {
    let v = json::parse(input)?;
    if !matches!(v, Json::Obj(_)) {
        return Err(String::from("the input must be a QuoteLine object"));
    }
    let quantity: i64 = match v.get("quantity") {
        Some(Json::Num(n)) => n.parse().map_err(|_| String::from("quantity must be an integer"))?,
        _ => return Err(String::from("quantity must be an integer")),
    };
    let unit_price = match v.get("unitPrice").and_then(|p| p.text()) {
        Some(t) => Dec::parse(t)?,
        None => return Err(String::from("unitPrice must be a decimal string")),
    };
    let no_customer = Json::Null;
    let c = v.get("customer").unwrap_or(&no_customer);
    Ok(QuoteLine {
        sku: text(&v, "sku"),
        name: text(&v, "name"),
        category: text(&v, "category"),
        quantity,
        unit_price,
        customer: Customer { id: text(c, "id"), name: text(c, "name"), tier: text(c, "tier"), region: text(c, "region") },
        currency: text(&v, "currency"),
    })
}

pub fn write(adjustments: &[Adjustment]) -> Vec<u8> {
    let mut out = String::from("[");
    for (i, a) in adjustments.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"ruleId\":");
        json::push_str(&mut out, a.rule_id);
        out.push_str(",\"amount\":");
        json::push_str(&mut out, &a.amount.to_string());
        out.push_str(",\"reason\":");
        json::push_str(&mut out, &a.reason);
        out.push('}');
    }
    out.push(']');
    out.into_bytes()
}

/// `unitPrice × quantity`.
pub fn line_total(line: &QuoteLine) -> Dec {
    line.unit_price.mul(Dec::int(line.quantity))
}
