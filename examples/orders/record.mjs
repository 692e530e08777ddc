// Records the example's traffic: starts the fake payment API and the orders service, drives the scripted
// user sessions (harness.mjs) and writes Reprise's native JSON Lines store:
//
//   traffic/inbound.jsonl                what the clients sent to the orders service and got back
//   traffic/payment-api/outbound.jsonl   what the orders service sent to the payment API and got back
//
// Inbound exchanges are recorded on the client side (exact headers sent, timing from send to last byte);
// outbound ones by the fake payment API itself (PAYMENT_API_LOG). The service and the payment API use
// ports 8080/8081 (as in reprise.yaml) when they are free, otherwise any free ports.
//
// Usage: node examples/orders/record.mjs [--out <dir>] [--time-scale <n>]
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  EXAMPLE_DIR,
  SERVER_SCRIPT,
  PAYMENT_API_SCRIPT,
  runScenario,
  toInboundPairs,
  toOutboundPairs,
  readPaymentLog,
  portIsFree,
  startProcess,
} from './harness.mjs';

const { values } = parseArgs({
  options: { out: { type: 'string' }, 'time-scale': { type: 'string' } },
});
const outDir = path.resolve(values.out ?? path.join(EXAMPLE_DIR, 'traffic'));
const timeScale = Number(values['time-scale'] ?? 1);

const canonical = (await portIsFree(8080)) && (await portIsFree(8081));
if (!canonical) console.warn('ports 8080/8081 are busy: recording on free ports instead');

const tmp = mkdtempSync(path.join(tmpdir(), 'orders-record-'));
const log = path.join(tmp, 'payment-api.log.jsonl');
const payments = await startProcess(PAYMENT_API_SCRIPT, { PORT: canonical ? '8081' : '0', PAYMENT_API_LOG: log });
let service;
try {
  service = await startProcess(SERVER_SCRIPT, { PORT: canonical ? '8080' : '0', PAYMENT_API_URL: payments.url });
  console.log(`recording: service ${service.url}, payment API ${payments.url}`);
  const exchanges = await runScenario(service.url, { timeScale });
  const inbound = toInboundPairs(exchanges);
  const outbound = toOutboundPairs(readPaymentLog(log));

  mkdirSync(path.join(outDir, 'payment-api'), { recursive: true });
  const jsonl = (pairs) => pairs.map((p) => JSON.stringify(p)).join('\n') + '\n';
  writeFileSync(path.join(outDir, 'inbound.jsonl'), jsonl(inbound));
  writeFileSync(path.join(outDir, 'payment-api', 'outbound.jsonl'), jsonl(outbound));

  const sessions = new Set(inbound.map((p) => p.session));
  const statuses = {};
  for (const p of inbound) statuses[p.response.status] = (statuses[p.response.status] ?? 0) + 1;
  console.log(
    `wrote ${inbound.length} inbound pairs in ${sessions.size} sessions (${[...sessions].join(', ')}), ` +
      `statuses ${JSON.stringify(statuses)}; ${outbound.length} outbound payment-api pairs → ${outDir}`,
  );
} finally {
  await service?.stop();
  await payments.stop();
  rmSync(tmp, { recursive: true, force: true });
}
