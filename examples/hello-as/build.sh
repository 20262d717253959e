#!/usr/bin/env bash
# Builds hello.wasm from assembly/index.ts with the pinned AssemblyScript
# compiler and the official Extism AssemblyScript PDK (see package-lock.json).
# Reproducible: the same sources and lock file give a byte-identical hello.wasm.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund --loglevel=error
npm run --silent build

# The module may import only the Extism host modules (no env.abort, no WASI).
node -e '
const fs = require("fs");
const m = new WebAssembly.Module(fs.readFileSync("hello.wasm"));
const bad = WebAssembly.Module.imports(m).filter(i => !i.module.startsWith("extism:host/"));
if (bad.length) { console.error("unexpected imports:", bad); process.exit(1); }
const want = ["count_vowels", "greet", "echo", "fail", "log_and_echo", "ask_host", "memory"];
const have = WebAssembly.Module.exports(m).map(e => e.name);
const missing = want.filter(n => !have.includes(n));
if (missing.length) { console.error("missing exports:", missing); process.exit(1); }
'
echo "built $(pwd)/hello.wasm ($(wc -c < hello.wasm) bytes, sha256 $(sha256sum hello.wasm | cut -d" " -f1))"
