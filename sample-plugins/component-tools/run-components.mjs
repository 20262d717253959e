// Runs WebAssembly components of the WIT world graft:pricing-rule in Node, through `jco transpile`: the
// reference host of Graft's differential test (plugin-host's ComponentDifferentialTest and the sample
// app's) and of build.sh --check.
//   node run-components.mjs INPUTS.json COMPONENT.wasm... > RESULTS.json
// INPUTS.json: an array of QuoteLine objects as Graft's JSON codec writes them (camelCase, unitPrice a
// string, absent optional fields null or missing). Output: one array per component, in argument order,
// each holding for every input either {"ok":[{"ruleId","amount","reason"}...]} or {"err":"message"}.
// Timings (transpile and run, per component) go to stderr as one JSON line each.
import { transpile } from '@bytecodealliance/jco';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [inputsFile, ...components] = process.argv.slice(2);
if (!components.length) {
  console.error('usage: node run-components.mjs INPUTS.json COMPONENT.wasm...');
  process.exit(64);
}

/** QuoteLine JSON → the JS value jco's bindings lift into the WIT record (option = undefined when absent). */
function toWit(line) {
  const opt = (v) => (v === null || v === undefined ? undefined : v);
  const c = line.customer ?? {};
  return {
    sku: line.sku, name: line.name, category: line.category, quantity: line.quantity,
    unitPrice: line.unitPrice,
    customer: { id: c.id, name: c.name, tier: opt(c.tier), region: c.region },
    currency: line.currency, promoCode: opt(line.promoCode),
  };
}

const inputs = JSON.parse(await readFile(inputsFile, 'utf8'));
const work = await mkdtemp(join(tmpdir(), 'graft-jco-'));
const results = [];
try {
  for (const [i, component] of components.entries()) {
    const started = performance.now();
    const { files } = await transpile(await readFile(component), { name: 'component', outDir: join(work, String(i)) });
    for (const [path, bytes] of Object.entries(files)) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes);
    }
    const transpiled = performance.now();
    const { applyRule } = await import(pathToFileURL(join(work, String(i), 'component.js')).href);
    const instantiated = performance.now();
    const out = inputs.map((line) => {
      try {
        return { ok: applyRule(toWit(line)).map(({ ruleId, amount, reason }) => ({ ruleId, amount, reason })) };
      } catch (e) {
        // jco throws a ComponentError whose payload is the WIT result's err value
        if (e && typeof e === 'object' && 'payload' in e) return { err: String(e.payload) };
        throw e; // a trap or a bug: not a result, so the caller sees the failure
      }
    });
    const ran = performance.now();
    results.push(out);
    console.error(JSON.stringify({
      component, inputs: inputs.length, transpileMs: +(transpiled - started).toFixed(1),
      instantiateMs: +(instantiated - transpiled).toFixed(1), runMs: +(ran - instantiated).toFixed(1),
    }));
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(results));
