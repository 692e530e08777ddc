// Writes the JSON Schemas editors use, generated from the zod schemas:
//   media/reprise.schema.json  reprise.yaml / reprise.json (src/engine/config/json-schema.ts)
//   media/stub.schema.json     stub files, .reprise/stubs/<service>/*.json (src/engine/mocks/stub.ts)
// Usage: node --import tsx scripts/gen-schema.mjs [--check]
//   --check: exit 1 if a file on disk differs from what would be generated (for CI).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/engine/config/json-schema.ts';
import { stubJsonSchema } from '../src/engine/mocks/stub.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = [
  [join(root, 'media', 'reprise.schema.json'), configJsonSchema()],
  [join(root, 'media', 'stub.schema.json'), stubJsonSchema()],
];
let stale = false;
for (const [out, schema] of outputs) {
  const text = JSON.stringify(schema, null, 2) + '\n';
  if (process.argv.includes('--check')) {
    let current = '';
    try { current = readFileSync(out, 'utf8'); } catch { /* missing */ }
    if (current !== text) {
      console.error(`${out} is out of date: run node --import tsx scripts/gen-schema.mjs`);
      stale = true;
    } else console.log(`${out} is up to date`);
  } else {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    console.log(`wrote ${out}`);
  }
}
if (stale) process.exit(1);
