// Graft sample component `pricing-js`: the volume-discount pricing rule in JavaScript, built by
// componentize-js against the WIT world graft:pricing-rule (wit/pricing-rule.wit). Same adjustments as
// the Extism rule in ../volume-discount: quantity tiers 100 → 15 %, 50 → 10 %, 10 → 5 % of the line
// total, rounded half away from zero to cents, as a negative amount.
// Returning a value is the `ok` of the WIT result; throwing a string is its `err`.

/** (minimum quantity, percent), highest first. */
const TIERS = [[100, 15], [50, 10], [10, 5]];

/** Parses `-?digits(.digits)?` (at most 18 fraction digits, 31 characters) into [mantissa, scale]. */
function parseDecimal(text) {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  const digits = match ? match[2] + (match[3] ?? '') : '';
  if (!match || text.length - match[1].length > 31 || (match[3] ?? '').length > 18) {
    throw 'not a decimal: ' + JSON.stringify(text);
  }
  const m = BigInt(digits);
  return [match[1] ? -m : m, (match[3] ?? '').length];
}

/** Rounds mantissa × 10^-scale to cents, half away from zero (Java's RoundingMode.HALF_UP). */
function roundToCents(m, scale) {
  if (scale <= 2) return m * 10n ** BigInt(2 - scale);
  const div = 10n ** BigInt(scale - 2);
  const q = m / div;           // BigInt division truncates toward zero, as Rust's i128 does
  const r = m % div;
  const abs = r < 0n ? -r : r;
  return abs * 2n >= div ? q + (m < 0n ? -1n : 1n) : q;
}

/** A cent mantissa as a decimal string with two fraction digits, e.g. -1250 → "-12.50". */
function formatCents(cents) {
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, '0');
  return (negative ? '-' : '') + digits.slice(0, -2) + '.' + digits.slice(-2);
}

export function applyRule(line) {
  const [m, scale] = parseDecimal(line.unitPrice); // first, as the Extism rule does
  const tier = TIERS.find(([min]) => line.quantity >= min);
  if (!tier) return [];
  const [min, percent] = tier;
  const cents = -roundToCents(m * BigInt(line.quantity) * BigInt(percent), scale + 2);
  if (cents === 0n) return [];
  return [{
    ruleId: 'volume-discount',
    amount: formatCents(cents),
    reason: `Volume discount ${percent}% for ${min}+ units: ${line.quantity} × ${line.name}`,
  }];
}
