// Child process for the crash-safety test: writes results through RunWriter until it is killed.
// Usage: node --import tsx kill-child.ts <runsDir>
import { RunWriter } from '../../../src/engine/report/run-folder.js';
import { result, failing } from './helpers.js';

async function main() {
  const runsDir = process.argv[2];
  const w = await RunWriter.create(runsDir, {
    target: 'http://127.0.0.1:1',
    traffic: ['t.jsonl'],
    flushIntervalMs: 10,
    summaryIntervalMs: 20,
    summaryEveryResults: 100,
  });
  let i = 0;
  for (;;) {
    const r = i % 7 === 3 ? failing(i) : result(i);
    r.actual = { status: 200, headers: { authorization: 'Bearer sekrit', 'content-type': 'application/json' }, body: JSON.stringify({ i, pad: 'x'.repeat(i % 300) }) };
    await w.result(r);
    i++;
    if (i === 500) {
      await w.flush();
      process.stdout.write(`ready ${w.dir}\n`);
    }
    if (i % 50 === 0) await new Promise((res) => setImmediate(res));
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
