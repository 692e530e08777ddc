// A stand-in for the real payment provider the orders service depends on. It is used only while
// recording traffic (record.mjs) and in the example's tests; a Reprise replay serves the payment API from
// its mocks instead (built from traffic/payment-api/outbound.jsonl).
//
//   GET  /v1/customers/:id                      → 200 {id, name, tier, discount_rate} | 404
//   POST /v1/charges {amount, currency, customer} → 201 {id: ch_<random>, status: "succeeded", …}
//                                                  | 402 when the amount is above the card limit
//
// Like a real provider it answers with random charge ids and takes a little time (10–90 ms).
// With PAYMENT_API_LOG=<file> every exchange is appended to that file as one JSON line
// ({ts, duration, request: {method, url, headers, body}, response: {status, headers, body}}).
//
// Run: PORT=8081 node examples/orders/payment-api.mjs
import http from 'node:http';
import { appendFileSync } from 'node:fs';
import { randomBytes, randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { listen } from './listen.mjs';

export const CUSTOMERS = {
  cus_alice: { id: 'cus_alice', name: 'Alice Martin', tier: 'gold', discount_rate: 0.1 },
  cus_bob: { id: 'cus_bob', name: 'Bob Chen', tier: 'standard', discount_rate: 0 },
  cus_carol: { id: 'cus_carol', name: 'Carol Diaz', tier: 'silver', discount_rate: 0.05 },
  cus_dave: { id: 'cus_dave', name: 'Dave Okafor', tier: 'standard', discount_rate: 0 },
};

/** Charges above this amount (minor units) are declined. */
export const CARD_LIMIT = 100000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates the fake payment API (not yet listening).
 * @param {{log?: string, latency?: boolean}} [opts] log: JSONL file to append exchanges to; latency: simulate (default true)
 */
export function createPaymentApi(opts = {}) {
  const latency = opts.latency ?? true;
  return http.createServer((req, res) => {
    const started = performance.now();
    const ts = new Date().toISOString();
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const reqBody = Buffer.concat(chunks).toString('utf8');
      const { status, body } = answer(req.method ?? 'GET', req.url ?? '/', reqBody);
      if (latency) await sleep(req.method === 'POST' ? randomInt(40, 90) : randomInt(10, 30));
      const text = JSON.stringify(body);
      const headers = {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
        date: new Date().toUTCString(),
        'request-id': `req_${randomBytes(7).toString('hex')}`,
      };
      // Logged before answering, so the log is complete once the caller has its response.
      if (opts.log) {
        const entry = {
          ts,
          duration: Math.round((performance.now() - started) * 100) / 100,
          request: {
            method: req.method,
            url: `http://${req.headers.host}${req.url}`,
            headers: { ...req.headers },
            ...(reqBody ? { body: reqBody } : {}),
          },
          response: { status, headers, body: text },
        };
        appendFileSync(opts.log, JSON.stringify(entry) + '\n');
      }
      res.writeHead(status, headers);
      res.end(text);
    });
  });
}

function answer(method, url, text) {
  const path = new URL(url, 'http://payments.local').pathname;
  const cm = /^\/v1\/customers\/([^/]+)$/.exec(path);
  if (cm && method === 'GET') {
    const c = CUSTOMERS[decodeURIComponent(cm[1])];
    return c ? { status: 200, body: c } : { status: 404, body: { error: { code: 'resource_missing', message: 'No such customer' } } };
  }
  if (path === '/v1/charges' && method === 'POST') {
    let b;
    try {
      b = JSON.parse(text);
    } catch {
      return { status: 400, body: { error: { code: 'invalid_json', message: 'Body is not JSON' } } };
    }
    if (!Number.isInteger(b?.amount) || b.amount <= 0 || typeof b.currency !== 'string' || typeof b.customer !== 'string') {
      return { status: 400, body: { error: { code: 'invalid_request', message: 'amount, currency and customer are required' } } };
    }
    if (b.amount > CARD_LIMIT) {
      return { status: 402, body: { error: { code: 'insufficient_funds', message: 'Your card has insufficient funds.' } } };
    }
    return {
      status: 201,
      body: {
        id: `ch_${randomBytes(8).toString('hex')}`,
        object: 'charge',
        amount: b.amount,
        currency: b.currency.toLowerCase(),
        customer: b.customer,
        status: 'succeeded',
        created: Math.floor(Date.now() / 1000),
      },
    };
  }
  return { status: 404, body: { error: { code: 'not_found', message: `No route ${method} ${path}` } } };
}

/**
 * Starts the fake payment API and resolves once it listens.
 * @param {{port?: number, host?: string, log?: string, latency?: boolean}} [opts]
 */
export async function startPaymentApi(opts = {}) {
  return listen(createPaymentApi(opts), opts.port ?? 8081, opts.host ?? '127.0.0.1');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const s = await startPaymentApi({
    port: Number(process.env.PORT ?? 8081),
    host: process.env.HOST ?? '127.0.0.1',
    log: process.env.PAYMENT_API_LOG || undefined,
  });
  console.log(`payment API listening on ${s.url}`);
  const stop = () => s.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
