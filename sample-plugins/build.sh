#!/usr/bin/env bash
# Builds every sample plugin from source into its folder and writes plugins.lock.
#   ./build.sh           build in place (the .wasm files are committed beside their sources)
#   ./build.sh --check   rebuild into a temporary folder; fail if any byte differs from the committed
#                        .wasm files or if plugins.lock does not match them
# Toolchains: see setup.sh (Debian rustc 1.63 + libstd-rust-dev-wasm32, clang-14 + wasi-libc,
# Node 20 + the npm packages pinned in customer-tier/package-lock.json and component-tools/package-lock.json).
# The WebAssembly components (pricing-rust, pricing-js) implement the WIT world in wit/pricing-rule.wit,
# the one `graft wit dev.graft.samples.contracts.PricingRule` prints; tier-rust implements wit/tier-rule.wit,
# that world plus one imported host function.
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
if [ -x "$HERE/.tools/node/bin/node" ]; then
  PATH="$HERE/.tools/node/bin:$PATH"   # the Node 20 that setup.sh installs where the system one is older
fi

CHECK=0
case "${1:-}" in
  --check) CHECK=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 64 ;;
esac

# plugin folder, file name: every .wasm this script makes, in plugins.lock order
WASM=(
  volume-discount/volume-discount.wasm
  customer-tier/customer-tier.wasm
  promo-codes/promo-codes.wasm
  regional-tax/regional-tax.wasm
  fractal-tree/fractal-tree.wasm
  fractal-tree/fractal-tree-cli.wasm
  wagi-echo/wagi-echo.wasm
  pricing-rust/pricing-rust.wasm
  tier-rust/tier-rust.wasm
)
# Components built by componentize-js: a Wizer snapshot of SpiderMonkey, not byte-reproducible (see
# component-tools/componentize.mjs). --check verifies them by source and behaviour instead (below).
UNREPRODUCIBLE=(
  pricing-js/pricing-js.wasm
)
ALL=("${WASM[@]}" "${UNREPRODUCIBLE[@]}")

if [ $CHECK = 1 ]; then
  OUT=$(mktemp -d)
  trap 'rm -rf "$OUT"' EXIT
else
  OUT=$HERE
fi
for f in "${ALL[@]}"; do mkdir -p "$OUT/$(dirname "$f")"; done

# ---- Rust: Debian's rustc, no cargo, no crates. Paths are relative to the plugin folder and
# remapped; symbols and debug info stripped, so the bytes do not depend on where the tree lives.
RUSTC=/usr/bin/rustc
# A 64 KiB shadow stack instead of Rust's default 1 MiB: the plugins recurse only a few levels, and
# every fresh instance would otherwise allocate and zero 17 pages (benchmarks: 335 µs per instance).
RUSTFLAGS=(--edition 2021 -C opt-level=s -C panic=abort -C lto -C codegen-units=1 -C debuginfo=0
  -C strip=symbols -C link-arg=-zstack-size=65536 -A dead_code "--remap-path-prefix=$HERE=.")
rust() { # folder crate-name crate-type target source output
  (cd "$1" && "$RUSTC" "${RUSTFLAGS[@]}" --crate-name "$2" --crate-type "$3" --target "$4" -o "$OUT/$1/$6" "$5")
}
# Extism plugins: wasm32-unknown-unknown imports nothing but what we declare (no WASI).
rust volume-discount volume_discount cdylib wasm32-unknown-unknown src/lib.rs volume-discount.wasm
rust regional-tax regional_tax cdylib wasm32-unknown-unknown src/lib.rs regional-tax.wasm
rust fractal-tree fractal_tree cdylib wasm32-unknown-unknown src/lib.rs fractal-tree.wasm
# The WASI command (_start): args in, SVG on stdout.
rust fractal-tree fractal_tree_cli bin wasm32-wasi src/main.rs fractal-tree-cli.wasm
# A WAGI handler that echoes what it receives.
rust wagi-echo wagi_echo bin wasm32-wasi src/main.rs wagi-echo.wasm

# ---- C: clang-14 + wasi-libc as a reactor; --strip-all drops the name and producers sections.
(cd promo-codes && clang-14 --target=wasm32-wasi -mexec-model=reactor -Os -Wall -Wextra -Werror \
  "-ffile-prefix-map=$HERE=." -Wl,--strip-all -o "$OUT/promo-codes/promo-codes.wasm" promo.c)

# ---- AssemblyScript: the official Extism PDK, exact versions from package-lock.json.
(cd customer-tier
  [ -d node_modules/assemblyscript ] || npm ci --no-audit --no-fund --loglevel=error
  node node_modules/assemblyscript/bin/asc.js assembly/index.ts --config asconfig.json --target release \
    --outFile "$OUT/customer-tier/customer-tier.wasm")

# ---- Components (WIT world graft:pricing-rule, wit/pricing-rule.wit); jco and componentize-js exactly as
# pinned in component-tools/package-lock.json.
[ -d component-tools/node_modules/@bytecodealliance/jco ] || (cd component-tools && npm ci --no-audit --no-fund --loglevel=error)
# Rust core module with hand-written canonical-ABI glue, wrapped by jco embed + jco new.
rust pricing-rust pricing_rust cdylib wasm32-unknown-unknown src/lib.rs pricing-rust.core.wasm
node component-tools/wrap-core.mjs "$OUT/pricing-rust/pricing-rust.core.wasm" wit/pricing-rule.wit pricing-rule \
  "$OUT/pricing-rust/pricing-rust.wasm"
rm "$OUT/pricing-rust/pricing-rust.core.wasm"
# The same, importing the host function erp-customer-tier-of (core import "$root"."erp-customer-tier-of").
rust tier-rust tier_rust cdylib wasm32-unknown-unknown src/lib.rs tier-rust.core.wasm
node component-tools/wrap-core.mjs "$OUT/tier-rust/tier-rust.core.wasm" wit/tier-rule.wit tier-rule \
  "$OUT/tier-rust/tier-rust.wasm"
rm "$OUT/tier-rust/tier-rust.core.wasm"
# JavaScript, componentize-js: SpiderMonkey inside, no imports.
started=$(date +%s%N)
node component-tools/componentize.mjs pricing-js/pricing.js wit/pricing-rule.wit pricing-rule "$OUT/pricing-js/pricing-js.wasm"
echo "componentize-js: pricing-js in $(( ($(date +%s%N) - started) / 1000000 )) ms"

# ---- Imports: Extism plugins may import only the Extism host modules, the command only WASI.
(cd "$OUT" && node -e '
const fs = require("fs");
const rules = {
  "volume-discount/volume-discount.wasm": [["extism:host/env"], ["apply_rule"]],
  "customer-tier/customer-tier.wasm": [["extism:host/env", "extism:host/user"], ["apply_rule"]],
  "promo-codes/promo-codes.wasm": [["extism:host/env"], ["apply_rule"]],
  "regional-tax/regional-tax.wasm": [["extism:host/env"], ["apply_rule"]],
  "fractal-tree/fractal-tree.wasm": [["extism:host/env"], ["render_tree"]],
  "fractal-tree/fractal-tree-cli.wasm": [["wasi_snapshot_preview1"], ["_start"]],
  "wagi-echo/wagi-echo.wasm": [["wasi_snapshot_preview1"], ["_start"]],
};
for (const [file, [modules, exports]] of Object.entries(rules)) {
  if (!fs.existsSync(file)) continue;
  const m = new WebAssembly.Module(fs.readFileSync(file));
  const bad = WebAssembly.Module.imports(m).filter(i => !modules.includes(i.module));
  if (bad.length) { console.error(file, "unexpected imports:", bad); process.exit(1); }
  const have = WebAssembly.Module.exports(m).map(e => e.name);
  const missing = exports.concat(["memory"]).filter(n => !have.includes(n));
  if (missing.length) { console.error(file, "missing exports:", missing); process.exit(1); }
}')

# A component is not a core module: its header is \0asm, then version 0x0d 0x00 and layer 0x01 0x00.
(cd "$OUT" && for f in pricing-rust/pricing-rust.wasm tier-rust/tier-rust.wasm pricing-js/pricing-js.wasm; do
  [ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' ')" = 0061736d0d000100 ] || { echo "$f is not a component" >&2; exit 1; }
done)

lock() { (cd "$1" && sha256sum "${ALL[@]}"); }
if [ $CHECK = 0 ]; then
  lock "$HERE" > plugins.lock
  for f in "${ALL[@]}"; do echo "built $f ($(wc -c < "$f") bytes)"; done
  echo "wrote plugins.lock"
  exit 0
fi

status=0
for f in "${WASM[@]}"; do
  if cmp -s "$OUT/$f" "$HERE/$f"; then
    echo "same  $f"
  else
    echo "DIFFERENT  $f: the committed file is not what its sources build to (run sample-plugins/build.sh)" >&2
    status=1
  fi
done
# The componentize-js components: the committed file must embed today's source text (SpiderMonkey keeps
# it in the snapshot), and behave as the fresh build does on the check inputs (run in Node by jco).
for f in "${UNREPRODUCIBLE[@]}"; do
  src=$(dirname "$f")/pricing.js
  if ! node -e '
      const fs = require("fs");
      process.exit(fs.readFileSync(process.argv[1]).includes(fs.readFileSync(process.argv[2])) ? 0 : 1)' "$HERE/$f" "$src"; then
    echo "DIFFERENT  $f: the committed component was not built from $src (run sample-plugins/build.sh)" >&2
    status=1
  elif [ "$(node component-tools/run-components.mjs component-tools/check-inputs.json "$HERE/$f" 2>/dev/null)" \
      != "$(node component-tools/run-components.mjs component-tools/check-inputs.json "$OUT/$f" 2>/dev/null)" ]; then
    echo "DIFFERENT  $f: the committed component and a fresh build answer differently (run sample-plugins/build.sh)" >&2
    status=1
  else
    echo "same source and answers  $f (componentize-js output is not byte-reproducible)"
  fi
  cp "$HERE/$f" "$OUT/$f" # so that plugins.lock is compared with the committed bytes below
done
if ! diff -u plugins.lock <(lock "$OUT") >&2; then
  echo "plugins.lock does not match the rebuilt files (run sample-plugins/build.sh)" >&2
  status=1
fi
[ $status = 0 ] && echo "build --check: all ${#WASM[@]} modules byte-identical, ${#UNREPRODUCIBLE[@]} componentize-js component(s) same source and answers, plugins.lock matches"
exit $status
