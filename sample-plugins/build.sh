#!/usr/bin/env bash
# Builds every sample plugin from source into its folder and writes plugins.lock.
#   ./build.sh           build in place (the .wasm files are committed beside their sources)
#   ./build.sh --check   rebuild into a temporary folder; fail if any byte differs from the committed
#                        .wasm files or if plugins.lock does not match them
# Toolchains: see setup.sh (Debian rustc 1.63 + libstd-rust-dev-wasm32, clang-14 + wasi-libc,
# Node 20 + the npm packages pinned in customer-tier/package-lock.json).
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
)

if [ $CHECK = 1 ]; then
  OUT=$(mktemp -d)
  trap 'rm -rf "$OUT"' EXIT
else
  OUT=$HERE
fi
for f in "${WASM[@]}"; do mkdir -p "$OUT/$(dirname "$f")"; done

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
  const m = new WebAssembly.Module(fs.readFileSync(file));
  const bad = WebAssembly.Module.imports(m).filter(i => !modules.includes(i.module));
  if (bad.length) { console.error(file, "unexpected imports:", bad); process.exit(1); }
  const have = WebAssembly.Module.exports(m).map(e => e.name);
  const missing = exports.concat(["memory"]).filter(n => !have.includes(n));
  if (missing.length) { console.error(file, "missing exports:", missing); process.exit(1); }
}')

lock() { (cd "$1" && sha256sum "${WASM[@]}"); }
if [ $CHECK = 0 ]; then
  lock "$HERE" > plugins.lock
  for f in "${WASM[@]}"; do echo "built $f ($(wc -c < "$f") bytes)"; done
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
if ! diff -u plugins.lock <(lock "$OUT") >&2; then
  echo "plugins.lock does not match the rebuilt files (run sample-plugins/build.sh)" >&2
  status=1
fi
[ $status = 0 ] && echo "build --check: all ${#WASM[@]} modules byte-identical, plugins.lock matches"
exit $status
