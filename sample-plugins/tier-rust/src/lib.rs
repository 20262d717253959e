//! Component `tier-rust` (WIT world graft:tier-rule, wit/tier-rule.wit): the customer-tier rule of
//! ../customer-tier as a WebAssembly component that asks the host for the customer's tier through a typed
//! import, `erp-customer-tier-of: func(customer-id: string) -> option<string>` (the tier in the quote line may
//! be stale; the host's answer is authoritative). Platinum 15 %, gold 10 %, silver 5 % of the line total, any
//! other tier nothing. Rust without crates and without wit-bindgen: the canonical-ABI glue below is written
//! by hand, and `jco embed` + `jco new` wrap the core module into a component (see build.sh).
//!
//! The core module's contract with the component (canonical ABI, string-encoding=utf8, one memory):
//! - imports `$root`.`erp-customer-tier-of(ptr: i32, len: i32, ret: i32)`: the lowered host function, as
//!   wit-component names a world-level function import. The argument string stays ours; the result
//!   `option<string>` flattens to 3 values, more than 1, so the host writes it to the 12-byte area at `ret`,
//!   the string in memory it got from our `cabi_realloc`, which we then own and free.
//! - `apply-rule(params: i32) -> i32`, `cabi_post_apply-rule(ret: i32)`, `cabi_realloc`: as in
//!   ../pricing-rust (the quote line arrives in memory, the result leaves through a return area).

#[path = "../../rust-common/decimal.rs"]
mod decimal;
#[path = "../../rust-common/json.rs"]
mod json;

use decimal::Dec;
use std::alloc::{self, Layout};

/// The fields this rule reads; the other fields of `quote-line` are freed unread.
struct QuoteLine {
    quantity: i32,
    unit_price: String,
    customer_id: String,
    customer_name: String,
}

struct Adjustment {
    rule_id: String,
    amount: String,
    reason: String,
}

fn percent_for(tier: &str) -> i64 {
    match tier {
        "platinum" => 15,
        "gold" => 10,
        "silver" => 5,
        _ => 0,
    }
}

fn apply(line: &QuoteLine) -> Result<Vec<Adjustment>, String> {
    let quantity = line.quantity as i64;
    let price = Dec::parse(&line.unit_price)?; // before asking the host, as the Extism rule does
    // ASCII case folding: Unicode's would match no other tier (no letter folds to ASCII ones of these
    // names) and would add its tables to the module.
    let tier = tier_of(&line.customer_id).unwrap_or_default().trim().to_ascii_lowercase();
    let percent = percent_for(&tier);
    if percent == 0 {
        return Ok(Vec::new());
    }
    // The Extism rule's bounds (its i64 arithmetic), kept so that both refuse the same lines.
    const LIMIT: i128 = 1_000_000_000_000;
    if price.m > LIMIT || price.m < -LIMIT || quantity > 100_000 || quantity < -100_000 {
        return Err(String::from("line total too large"));
    }
    // discount = -(unitPrice × quantity × percent / 100), rounded half-up to cents
    let amount = price.mul(Dec::int(quantity)).mul(Dec { m: percent as i128, scale: 2 }).round(2);
    if amount.is_zero() {
        return Ok(Vec::new());
    }
    let mut reason = tier[..1].to_ascii_uppercase(); // one of the three names above
    reason.push_str(&tier[1..]);
    reason.push_str(" customer discount ");
    json::push_uint(&mut reason, percent as u64);
    reason.push_str("% for ");
    reason.push_str(&line.customer_name);
    Ok(vec![Adjustment { rule_id: String::from("customer-tier"), amount: amount.neg().to_string(), reason }])
}

// ---- The imported host function ----------------------------------------------------------------

#[link(wasm_import_module = "$root")]
extern "C" {
    #[link_name = "erp-customer-tier-of"]
    fn import_erp_customer_tier_of(ptr: *const u8, len: usize, ret: *mut u8);
}

/// The 12-byte area the host writes the `option<string>` to: tag at 0, string (ptr, len) at 4.
#[repr(C, align(4))]
struct ImportArea([u8; 12]);

/// Asks the host for the customer's tier.
fn tier_of(customer_id: &str) -> Option<String> {
    let mut area = ImportArea([0; 12]);
    unsafe {
        import_erp_customer_tier_of(customer_id.as_ptr(), customer_id.len(), area.0.as_mut_ptr());
        take_option_string(area.0.as_ptr())
    }
}

// ---- Canonical-ABI glue ------------------------------------------------------------------------

// Memory layout of the WIT types (canonical ABI: string = ptr,len (size 8, align 4);
// option<string> = u8 tag, string at 4 (size 12); record fields in order, each at its alignment).
// customer: 36 bytes: id 0, name 8, tier 16 (option<string>), region 28
const QUOTE_LINE_SIZE: usize = 92; // sku 0, name 8, category 16, quantity 24, unit-price 28,
                                   // customer 36, currency 72, promo-code 80
const ADJUSTMENT_SIZE: usize = 24; // rule-id 0, amount 8, reason 16

unsafe fn load_i32(at: *const u8) -> i32 {
    (at as *const i32).read_unaligned()
}

unsafe fn store_i32(at: *mut u8, value: i32) {
    (at as *mut i32).write_unaligned(value)
}

/// Takes ownership of a string the host wrote with `cabi_realloc(0, 0, 1, len)`. The host has
/// validated it as UTF-8 (canonical ABI), so no check here. An empty string's address is not used:
/// a host may pass 0 rather than what `cabi_realloc` returned for 0 bytes.
unsafe fn take_string(at: *const u8) -> String {
    let ptr = load_i32(at) as *mut u8;
    let len = load_i32(at.add(4)) as usize;
    if len == 0 {
        return String::new();
    }
    String::from_utf8_unchecked(Vec::from_raw_parts(ptr, len, len))
}

unsafe fn take_option_string(at: *const u8) -> Option<String> {
    if *at == 0 { None } else { Some(take_string(at.add(4))) }
}

/// Hands a string to the host: its bytes stay allocated until post-return.
unsafe fn give_string(at: *mut u8, s: String) {
    let mut bytes = s.into_bytes().into_boxed_slice();
    store_i32(at, bytes.as_mut_ptr() as i32);
    store_i32(at.add(4), bytes.len() as i32);
    std::mem::forget(bytes);
}

/// The 12-byte return area of `apply-rule`, valid until `cabi_post_apply-rule`.
#[repr(C, align(4))]
struct ReturnArea([u8; 12]);
static mut RETURN_AREA: ReturnArea = ReturnArea([0; 12]);

#[export_name = "apply-rule"]
pub unsafe extern "C" fn export_apply_rule(params: *mut u8) -> *mut u8 {
    let line = {
        let c = params.add(36);
        let _sku = take_string(params);
        let _name = take_string(params.add(8));
        let _category = take_string(params.add(16));
        let quantity = load_i32(params.add(24));
        let unit_price = take_string(params.add(28));
        let customer_id = take_string(c);
        let customer_name = take_string(c.add(8));
        let _stale_tier = take_option_string(c.add(16)); // the host's answer counts, not this
        let _region = take_string(c.add(28));
        let _currency = take_string(params.add(72));
        let _promo_code = take_option_string(params.add(80));
        QuoteLine { quantity, unit_price, customer_id, customer_name }
    };
    alloc::dealloc(params, Layout::from_size_align_unchecked(QUOTE_LINE_SIZE, 4));

    let ret = RETURN_AREA.0.as_mut_ptr();
    match apply(&line) {
        Ok(adjustments) => {
            *ret = 0;
            let n = adjustments.len();
            let list = if n == 0 { 4 as *mut u8 } else { alloc::alloc(Layout::from_size_align_unchecked(n * ADJUSTMENT_SIZE, 4)) };
            for (i, a) in adjustments.into_iter().enumerate() {
                let at = list.add(i * ADJUSTMENT_SIZE);
                give_string(at, a.rule_id);
                give_string(at.add(8), a.amount);
                give_string(at.add(16), a.reason);
            }
            store_i32(ret.add(4), list as i32);
            store_i32(ret.add(8), n as i32);
        }
        Err(message) => {
            *ret = 1;
            give_string(ret.add(4), message);
        }
    }
    ret
}

unsafe fn free_string(at: *const u8) {
    let len = load_i32(at.add(4)) as usize;
    if len > 0 {
        alloc::dealloc(load_i32(at) as *mut u8, Layout::from_size_align_unchecked(len, 1));
    }
}

#[export_name = "cabi_post_apply-rule"]
pub unsafe extern "C" fn post_apply_rule(ret: *mut u8) {
    if *ret == 0 {
        let list = load_i32(ret.add(4)) as *mut u8;
        let n = load_i32(ret.add(8)) as usize;
        for i in 0..n {
            let at = list.add(i * ADJUSTMENT_SIZE);
            free_string(at);
            free_string(at.add(8));
            free_string(at.add(16));
        }
        if n > 0 {
            alloc::dealloc(list, Layout::from_size_align_unchecked(n * ADJUSTMENT_SIZE, 4));
        }
    } else {
        free_string(ret.add(4));
    }
}

/// The canonical ABI's allocator: `old_size == 0` allocates, `new_size == 0` frees, else resizes.
#[no_mangle]
pub unsafe extern "C" fn cabi_realloc(old: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
    if new_size == 0 {
        if old_size > 0 {
            alloc::dealloc(old, Layout::from_size_align_unchecked(old_size, align));
        }
        return align as *mut u8; // a dangling, aligned address: nothing is read or written there
    }
    let p = if old_size == 0 {
        alloc::alloc(Layout::from_size_align_unchecked(new_size, align))
    } else {
        alloc::realloc(old, Layout::from_size_align_unchecked(old_size, align), new_size)
    };
    if p.is_null() {
        std::process::abort(); // out of memory: the host sees a trap
    }
    p
}
