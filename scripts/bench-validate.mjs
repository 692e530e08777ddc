// Micro-benchmark of response validation. Run: node --import tsx scripts/bench-validate.mjs
// Prints one JSON object: ops/s and µs/op per scenario on a ~2 KB JSON response.
import { validateResponse } from '../src/engine/validate/index.ts';

function order(seed, changed = false) {
  const items = [];
  for (let i = 0; i < 8; i++) {
    items.push({
      id: `${seed}-item-${i}`,
      sku: `SKU-${1000 + i}`,
      name: `Widget number ${i}`,
      qty: i + 1,
      price: changed && i === 3 ? 10.5 + i + 0.004 : 10.5 + i,
      token: `${seed}${i}`.padEnd(40, 'a').slice(0, 40),
      tags: ['blue', 'small'],
    });
  }
  return {
    id: `3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e${String(seed).padStart(2, '0').slice(0, 2)}`,
    createdAt: `2024-05-01T10:00:${String(seed % 60).padStart(2, '0')}Z`,
    status: changed ? 'shipped' : 'paid',
    customer: { id: 'c-1', name: 'Ada Lovelace', email: 'ada@example.com', 'loyalty-tier': 'gold' },
    items,
    totals: { net: 123.45, tax: 24.69, gross: 148.14, currency: 'EUR' },
  };
}

const headers = (d) => ({ 'content-type': 'application/json; charset=utf-8', date: d, 'x-request-id': `r-${d.length}` });
const expected = { status: 200, headers: headers('Tue, 15 Nov 1994 08:12:31 GMT'), body: JSON.stringify(order(1)) };
const same = { status: 200, headers: headers('Tue, 15 Nov 1994 08:12:31 GMT'), body: JSON.stringify(order(1)) };
const noisy = { status: 200, headers: headers('Wed, 16 Nov 1994 08:12:31 GMT'), body: JSON.stringify(order(2)) };
const changed = { status: 200, headers: headers('Wed, 16 Nov 1994 08:12:31 GMT'), body: JSON.stringify(order(2, true)) };

const opts = {
  ignore: ['$..id', '$.items[*].token', "$.customer['loyalty-tier']", 'header.date'],
  tolerances: { '$.items[*].price': 0.01, '$.totals.*': 0.01 },
  headers: ['content-type', 'date', 'x-request-id'],
  shapeOnly: false,
  autoNoise: true,
};

function bench(name, fn, ms = 700) {
  for (let i = 0; i < 2000; i++) fn(); // warm up
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    t = performance.now();
  }
  const secs = (t - t0) / 1000;
  return { name, ops_per_sec: Math.round(n / secs), us_per_op: +((secs * 1e6) / n).toFixed(2) };
}

let sink = 0;
const results = [
  bench('identical', () => (sink += validateResponse(expected, same, opts).fieldsCompared)),
  bench('noisy (ids, timestamps, headers ignored)', () => (sink += validateResponse(expected, noisy, opts).diffs.length)),
  bench('changed (tolerance + failing field)', () => (sink += validateResponse(expected, changed, opts).diffs.length)),
  bench('noisy, fresh options object per call', () => (sink += validateResponse(expected, noisy, { ...opts }).diffs.length)),
  bench('JSON.parse x2 only (floor)', () => (sink += JSON.parse(expected.body).items.length + JSON.parse(noisy.body).items.length)),
];
console.log(JSON.stringify({ bench: 'validate', bodyBytes: expected.body.length, results, sink: sink > 0 }, null, 2));
