// The example orders service (examples/orders): real processes on free ports, real requests.
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { SERVER_SCRIPT, PAYMENT_API_SCRIPT, startProcess, readPaymentLog, type StartedProcess } from '../../../examples/orders/harness.mjs';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

async function call(base: string, method: 'GET' | 'POST', p: string, opts: { token?: string; json?: unknown } = {}): Promise<Res> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  const r = await request(base + p, { method, headers, body: opts.json === undefined ? undefined : JSON.stringify(opts.json) });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, json: text ? JSON.parse(text) : undefined };
}

/** A payment API (logging to a temp file) and an orders service pointed at it. */
async function startStack(regression = ''): Promise<{ base: string; log: string; stop: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'orders-example-'));
  const log = path.join(dir, 'payments.jsonl');
  const payments = await startProcess(PAYMENT_API_SCRIPT, { PAYMENT_API_LOG: log });
  let service: StartedProcess;
  try {
    service = await startProcess(SERVER_SCRIPT, { PAYMENT_API_URL: payments.url, ORDERS_REGRESSION: regression });
  } catch (e) {
    await payments.stop();
    throw e;
  }
  return {
    base: service.url,
    log,
    stop: async () => {
      await service.stop();
      await payments.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

// alice is a gold customer (10 % off); USD tax is 8 %. KB-101 $89.00 + 2 × MS-220 $29.99:
// subtotal 14898, discount round(1489.8) = 1490, tax round(13408 × 0.08) = 1073, total 14481.
const ALICE_ORDER = { currency: 'USD', items: [{ sku: 'KB-101', qty: 1 }, { sku: 'MS-220', qty: 2 }] };

describe('orders service', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.stop();
  });

  test('login, create an order, read it back and list it, with the payment API charged exactly', async () => {
    const login = await call(stack.base, 'POST', '/login', { json: { user: 'alice' } });
    assert.equal(login.status, 200);
    assert.match(login.json.access_token, /^tok_[0-9a-f]{32}$/);
    assert.equal(login.json.user, 'alice');
    const token = login.json.access_token as string;

    const created = await call(stack.base, 'POST', '/orders', { token, json: ALICE_ORDER });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const order = created.json;
    assert.match(order.id, /^ord_[0-9a-f]{12}$/);
    assert.ok(!Number.isNaN(Date.parse(order.createdAt)));
    assert.equal(order.status, 'paid');
    assert.deepEqual(
      { subtotal: order.subtotal, discount: order.discount, tax: order.tax, total: order.total },
      { subtotal: 14898, discount: 1490, tax: 1073, total: 14481 },
    );
    assert.deepEqual(order.items, [
      { sku: 'KB-101', name: 'Mechanical keyboard', qty: 1, unitPrice: 8900, lineTotal: 8900 },
      { sku: 'MS-220', name: 'Wireless mouse', qty: 2, unitPrice: 2999, lineTotal: 5998 },
    ]);
    assert.match(order.chargeId, /^ch_[0-9a-f]{16}$/);

    const read = await call(stack.base, 'GET', `/orders/${order.id}`, { token });
    assert.equal(read.status, 200);
    assert.deepEqual(read.json, order);

    const list = await call(stack.base, 'GET', '/orders?user=alice', { token });
    assert.equal(list.status, 200);
    assert.equal(list.json.count, 1);
    assert.deepEqual(list.json.orders, [order]);

    // The outbound calls: a customer lookup, then a charge whose body holds no per-run value.
    const calls = readPaymentLog(stack.log);
    assert.deepEqual(
      calls.map((c) => [c.request.method, new URL(c.request.url).pathname, c.request.body ?? null, c.response.status]),
      [
        ['GET', '/v1/customers/cus_alice', null, 200],
        ['POST', '/v1/charges', '{"amount":14481,"currency":"USD","customer":"cus_alice"}', 201],
      ],
    );
    assert.equal(calls[1].request.headers['idempotency-key'], order.id);
    assert.equal(JSON.parse(calls[1].response.body!).id, order.chargeId);

    // Every response has a fresh X-Request-Id and a Date.
    const ids = [login, created, read, list].map((r) => r.headers['x-request-id']);
    for (const r of [login, created, read, list]) {
      assert.match(String(r.headers['x-request-id']), /^req_[0-9a-f]{16}$/);
      assert.ok(r.headers.date, 'Date header');
      assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    }
    assert.equal(new Set(ids).size, ids.length);
  });

  test('auth, ownership and input errors answer with JSON errors and no payment call', async () => {
    const before = readPaymentLog(stack.log).length;
    assert.equal((await call(stack.base, 'POST', '/orders', { json: ALICE_ORDER })).status, 401);
    assert.equal((await call(stack.base, 'GET', '/orders?user=bob')).status, 401);
    const bob = (await call(stack.base, 'POST', '/login', { json: { user: 'bob' } })).json.access_token;
    const dave = (await call(stack.base, 'POST', '/login', { json: { user: 'dave' } })).json.access_token;
    const bad = await call(stack.base, 'POST', '/orders', { token: bob, json: { currency: 'USD', items: [{ sku: 'NOPE', qty: 1 }] } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, { error: 'unknown sku', sku: 'NOPE' });
    assert.equal(readPaymentLog(stack.log).length, before, 'no payment call for a rejected order');

    const own = await call(stack.base, 'POST', '/orders', { token: bob, json: { currency: 'EUR', items: [{ sku: 'CB-004', qty: 1 }] } });
    assert.equal(own.status, 201);
    // bob is a standard customer (no discount); EUR VAT 20 %: 1199 + 240 = 1439.
    assert.deepEqual([own.json.discount, own.json.tax, own.json.total], [0, 240, 1439]);
    const other = await call(stack.base, 'GET', `/orders/${own.json.id}`, { token: dave });
    assert.equal(other.status, 404);
    assert.deepEqual(other.json, { error: 'order not found' });
    assert.equal((await call(stack.base, 'GET', '/orders?user=bob', { token: dave })).status, 403);

    // Above the card limit: the payment API declines and the service answers 402, storing nothing.
    const big = await call(stack.base, 'POST', '/orders', { token: bob, json: { currency: 'EUR', items: [{ sku: 'MN-270', qty: 3 }] } });
    assert.equal(big.status, 402);
    assert.deepEqual(big.json, { error: 'payment declined', reason: 'insufficient_funds' });
    const list = await call(stack.base, 'GET', '/orders?user=bob', { token: bob });
    assert.equal(list.json.count, 1);
  });
});

describe('orders service regressions', () => {
  test('ORDERS_REGRESSION=total adds the tax twice to total only; the charge is unchanged', async () => {
    const stack = await startStack('total');
    try {
      const token = (await call(stack.base, 'POST', '/login', { json: { user: 'alice' } })).json.access_token;
      const created = await call(stack.base, 'POST', '/orders', { token, json: ALICE_ORDER });
      assert.equal(created.status, 201);
      assert.deepEqual(
        { subtotal: created.json.subtotal, discount: created.json.discount, tax: created.json.tax, total: created.json.total },
        { subtotal: 14898, discount: 1490, tax: 1073, total: 14481 + 1073 },
      );
      const read = await call(stack.base, 'GET', `/orders/${created.json.id}`, { token });
      assert.equal(read.json.total, 15554);
      const charge = readPaymentLog(stack.log).find((c) => c.request.method === 'POST');
      assert.equal(charge?.request.body, '{"amount":14481,"currency":"USD","customer":"cus_alice"}');
    } finally {
      await stack.stop();
    }
  });

  test('ORDERS_REGRESSION=status answers 500 for multi-item orders only', async () => {
    const stack = await startStack('status');
    try {
      const token = (await call(stack.base, 'POST', '/login', { json: { user: 'dave' } })).json.access_token;
      const multi = await call(stack.base, 'POST', '/orders', { token, json: ALICE_ORDER });
      const single = await call(stack.base, 'POST', '/orders', { token, json: { currency: 'USD', items: [{ sku: 'HD-330', qty: 2 }] } });
      assert.equal(multi.status, 201);
      assert.equal(single.status, 201);
      assert.equal((await call(stack.base, 'GET', `/orders/${multi.json.id}`, { token })).status, 500);
      assert.equal((await call(stack.base, 'GET', `/orders/${single.json.id}`, { token })).status, 200);
    } finally {
      await stack.stop();
    }
  });
});
