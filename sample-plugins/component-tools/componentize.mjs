// Builds a JavaScript component with componentize-js: a pure component (no WASI imports).
//   node componentize.mjs SOURCE.js WIT WORLD OUT.wasm
// Not byte-reproducible (componentize-js 0.23.0 as shipped): Wizer snapshots the SpiderMonkey heap after
// the engine has initialised with the host's real randomness, clocks and a temporary folder named from
// Math.random(), so two builds of the same source differ in the snapshot's data (and size). build.sh
// --check therefore checks this component by what it is built from and what it does, not by its bytes
// (see build.sh and sample-plugins/README.md).
import { componentize } from '@bytecodealliance/componentize-js';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

const [source, wit, world, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node componentize.mjs SOURCE.js WIT WORLD OUT.wasm');
  process.exit(64);
}
const { component } = await componentize({
  sourcePath: resolve(source),
  witPath: resolve(wit),
  worldName: world,
  // No console, clocks, randomness or HTTP: the component imports nothing.
  disableFeatures: ['stdio', 'random', 'clocks', 'http', 'fetch-event'],
});
await writeFile(out, component);
