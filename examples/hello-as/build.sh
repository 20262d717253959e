#!/usr/bin/env bash
# Builds hello.wasm (assembly/index.ts) and ask-host.wasm (assembly/ask-host.ts) with the pinned
# AssemblyScript compiler and the official Extism AssemblyScript PDK (see package-lock.json).
# Reproducible: the same sources and lock file give byte-identical modules.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund --loglevel=error
npm run --silent build

# The modules may import only the Extism host modules (no env.abort, no WASI).
node -e '
const fs = require("fs");
const want = {
  "hello.wasm": ["count_vowels", "greet", "echo", "fail", "log_and_echo", "memory"],
  "ask-host.wasm": ["ask_host", "memory"],
};
for (const [file, exports] of Object.entries(want)) {
  const m = new WebAssembly.Module(fs.readFileSync(file));
  const bad = WebAssembly.Module.imports(m).filter(i => !i.module.startsWith("extism:host/"));
  if (bad.length) { console.error(file, "unexpected imports:", bad); process.exit(1); }
  const have = WebAssembly.Module.exports(m).map(e => e.name);
  const missing = exports.filter(n => !have.includes(n));
  if (missing.length) { console.error(file, "missing exports:", missing); process.exit(1); }
}
'
for f in hello.wasm ask-host.wasm; do
  echo "built $(pwd)/$f ($(wc -c < $f) bytes, sha256 $(sha256sum $f | cut -d" " -f1))"
done
