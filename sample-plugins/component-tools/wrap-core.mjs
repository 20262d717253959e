// Wraps a core module that implements a WIT world by hand (canonical-ABI exports, cabi_realloc,
// cabi_post_*) into a component: `jco embed` then `jco new`, through jco's API.
//   node wrap-core.mjs CORE.wasm WIT WORLD OUT.wasm
// The API rather than the CLI because `jco embed --wit FILE` of jco 1.35.0 cannot read FILE (wasm-tools
// runs in a WASI sandbox without the preopen): the WIT is handed over as text.
import { componentEmbed, componentNew } from '@bytecodealliance/jco';
import { readFile, writeFile } from 'node:fs/promises';

const [core, wit, world, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node wrap-core.mjs CORE.wasm WIT WORLD OUT.wasm');
  process.exit(64);
}
const embedded = await componentEmbed({
  binary: await readFile(core),
  witSource: await readFile(wit, 'utf8'),
  world,
  stringEncoding: 'utf8',
});
await writeFile(out, await componentNew(embedded, []));
