// Writes media/reprise.schema.json from the zod schema of reprise.yaml.
// Usage: node --import tsx scripts/gen-schema.mjs [--check]
//   --check: exit 1 if the file on disk differs from what would be generated (for CI).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/engine/config/json-schema.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'media', 'reprise.schema.json');
const text = JSON.stringify(configJsonSchema(), null, 2) + '\n';
if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(out, 'utf8'); } catch { /* missing */ }
  if (current !== text) {
    console.error(`${out} is out of date: run node --import tsx scripts/gen-schema.mjs`);
    process.exit(1);
  }
  console.log(`${out} is up to date`);
} else {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
