// The orders service: the example service Reprise replays against.
//
// Plain node:http, in-memory state, one downstream dependency (the payment API at PAYMENT_API_URL).
//
//   GET  /health                 → {status, version}
//   POST /login {user}           → {access_token, token_type, expires_in, user}
//   GET  /products[?currency=]   → the fixed catalogue, priced in minor units (cents)
//   POST /orders {items, currency}   (Authorization: Bearer <token>)
//        → looks the customer up (GET /v1/customers/cus_<user>) for a loyalty discount,
//          charges the total (POST /v1/charges {amount, currency, customer}, Idempotency-Key: <order id>)
//          → 201 {id, createdAt, status, user, currency, items, subtotal, discount, tax, total, chargeId}
//   GET  /orders/:id             → the stored order (404 when unknown or not the caller's)
//   GET  /orders?user=<name>     → {user, count, orders}
//
// Every response carries a random X-Request-Id and a Date header.
//
// Regression switches (for the demo), ORDERS_REGRESSION=<name>[,<name>]:
//   total   the order's total is computed with the tax added twice. The charge sent to the payment API is
//           still the correct amount, so mocks keep matching and only `total` fields differ on replay.
//   status  GET /orders/:id answers 500 for orders with more than one line item.
//   500     every request except GET /health answers 500 and logs an "ERROR" line (a broken release).
//   slow    every request except GET /health is answered ORDERS_SLOW_MS ms late (default 300).
//   charge  the charge sent to the payment API has the tax added twice: the mock finds no recorded charge
//           for that amount (an unmatched call), so order creation fails.
//
// ORDERS_DRIFT=1 adds two fields that change on every response, `serverTime` and `traceId`, to every JSON
// object answered. The recorded traffic has neither; `reprise learn` learns them as noise.
//
// Unexpected failures (a 500) are logged to stderr as "ERROR ..." lines.
//
// Run: PORT=8080 PAYMENT_API_URL=http://127.0.0.1:8081 node examples/orders/server.mjs
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { listen } from './listen.mjs';

export const VERSION = '1.4.2';

/** The catalogue: prices in minor units per currency. */
export const CATALOGUE = [
  { sku: 'KB-101', name: 'Mechanical keyboard', price: { USD: 8900, EUR: 8200 } },
  { sku: 'MS-220', name: 'Wireless mouse', price: { USD: 2999, EUR: 2799 } },
  { sku: 'HD-330', name: 'USB-C hub', price: { USD: 4550, EUR: 4290 } },
  { sku: 'CB-004', name: 'Braided cable (2 m)', price: { USD: 1299, EUR: 1199 } },
  { sku: 'MN-270', name: '27" monitor', price: { USD: 32900, EUR: 30900 } },
  { sku: 'LS-015', name: 'Laptop stand', price: { USD: 3900, EUR: 3650 } },
];

/** Sales tax / VAT per currency. */
export const TAX_RATES = { USD: 0.08, EUR: 0.2 };

/**
 * Prices an order. Amounts are integers in minor units.
 * @param {{sku: string, qty: number}[]} items
 * @param {'USD'|'EUR'} currency
 * @param {number} discountRate loyalty discount, 0..1
 */
export function priceOrder(items, currency, discountRate) {
  const lines = items.map(({ sku, qty }) => {
    const p = CATALOGUE.find((c) => c.sku === sku);
    const unitPrice = p.price[currency];
    return { sku, name: p.name, qty, unitPrice, lineTotal: unitPrice * qty };
  });
  const subtotal = lines.reduce((s, l) => s + l.lineTotal, 0);
  const discount = Math.round(subtotal * discountRate);
  const tax = Math.round((subtotal - discount) * TAX_RATES[currency]);
  const amountDue = subtotal - discount + tax;
  return { lines, subtotal, discount, tax, amountDue };
}

function regressions(value) {
  return new Set(
    String(value ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
}

class HttpError extends Error {
  constructor(status, body) {
    super(body.error);
    this.status = status;
    this.body = body;
  }
}

/**
 * Opt-in HTTP proxy support (used by `reprise record`, whose outbound proxy records these calls): with
 * HTTP_PROXY (or http_proxy) set, plain-http calls are sent to the proxy in absolute-form
 * (`GET http://host/path`), unless NO_PROXY (comma-separated hosts, `.suffix`, `host:port` or `*`) exempts
 * the host. Without HTTP_PROXY nothing changes.
 */
function proxyFor(url, proxyUrl, noProxy) {
  if (!proxyUrl || url.protocol !== 'http:') return undefined;
  const host = url.hostname.toLowerCase();
  for (const raw of String(noProxy ?? '').split(',')) {
    const e = raw.trim().toLowerCase();
    if (!e) continue;
    if (e === '*') return undefined;
    const [h, port] = e.split(':');
    if (port && port !== (url.port || '80')) continue;
    const bare = h.replace(/^\*?\./, '');
    if (host === bare || host.endsWith('.' + bare)) return undefined;
  }
  return new URL(proxyUrl);
}

/** A JSON call to the payment API (node:http, explicit headers so the outbound request is predictable). */
function callPaymentApi(baseUrl, method, path, { body, headers = {}, timeoutMs = 3000, proxy } = {}) {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const h = { accept: 'application/json', 'user-agent': `orders-service/${VERSION}`, ...headers };
  if (payload !== undefined) {
    h['content-type'] = 'application/json';
    h['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const via = proxy ? proxyFor(url, proxy.url, proxy.noProxy) : undefined;
    const onResponse = (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
      res.on('error', reject);
    };
    const req = via
      ? http.request({ hostname: via.hostname, port: via.port || 80, path: url.href, method, headers: { host: url.host, ...h }, timeout: timeoutMs }, onResponse)
      : http.request(url, { method, headers: h, timeout: timeoutMs }, onResponse);
    req.on('timeout', () => req.destroy(new Error(`payment API timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, { error: 'body too large' }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function readJson(req) {
  const text = await readBody(req);
  if (!text) throw new HttpError(400, { error: 'request body required' });
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, { error: 'request body is not valid JSON' });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, { error: 'request body must be a JSON object' });
  }
  return value;
}

function send(res, status, body, drift = false) {
  if (drift && body && typeof body === 'object' && !Array.isArray(body)) {
    body = { ...body, serverTime: new Date().toISOString(), traceId: randomBytes(8).toString('hex') };
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-request-id': `req_${randomBytes(8).toString('hex')}`,
  });
  res.end(text);
}

/**
 * Creates the service (not yet listening).
 * @param {{paymentApiUrl?: string, regression?: string, httpProxy?: string, noProxy?: string}} [opts]
 *   httpProxy: send payment-API calls through this HTTP proxy (see proxyFor)
 *   drift: add `serverTime` and `traceId` to every JSON object answered (ORDERS_DRIFT); slowMs: delay of the
 *   "slow" regression (ORDERS_SLOW_MS)
 */
export function createOrdersServer(opts = {}) {
  const paymentApiUrl = opts.paymentApiUrl ?? 'http://127.0.0.1:8081';
  const proxy = opts.httpProxy ? { url: opts.httpProxy, noProxy: opts.noProxy } : undefined;
  const bugs = regressions(opts.regression);
  const drift = !!opts.drift;
  const slowMs = opts.slowMs ?? 300;
  /** token → user */
  const sessions = new Map();
  /** order id → order (insertion order is creation order) */
  const orders = new Map();

  function authUser(req) {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const user = m ? sessions.get(m[1]) : undefined;
    if (!user) throw new HttpError(401, { error: 'missing or invalid access token' });
    return user;
  }

  async function createOrder(req, user) {
    const input = await readJson(req);
    const currency = input.currency ?? 'USD';
    if (!(currency in TAX_RATES)) throw new HttpError(400, { error: 'unsupported currency', currency });
    if (!Array.isArray(input.items) || input.items.length === 0) throw new HttpError(400, { error: 'items required' });
    for (const it of input.items) {
      if (!it || typeof it.sku !== 'string' || !CATALOGUE.some((c) => c.sku === it.sku)) {
        throw new HttpError(400, { error: 'unknown sku', sku: it?.sku ?? null });
      }
      if (!Number.isInteger(it.qty) || it.qty < 1 || it.qty > 100) {
        throw new HttpError(400, { error: 'qty must be an integer from 1 to 100', sku: it.sku });
      }
    }
    const id = `ord_${randomBytes(6).toString('hex')}`;
    const customer = `cus_${user}`;

    let discountRate = 0;
    try {
      const c = await callPaymentApi(paymentApiUrl, 'GET', `/v1/customers/${encodeURIComponent(customer)}`, { proxy });
      if (c.status === 200 && typeof c.json?.discount_rate === 'number') discountRate = c.json.discount_rate;
      else if (c.status !== 404) throw new Error(`customer lookup answered ${c.status}`);
    } catch (e) {
      throw new HttpError(502, { error: 'payment API unavailable', detail: String(e.message ?? e) });
    }

    const pricing = priceOrder(input.items, currency, discountRate);
    let charge;
    try {
      // The body holds no per-run values (mocks match it exactly); the order id goes in a header.
      // Regression "charge": the tax is charged twice (the mock has no recorded charge for that amount).
      const amount = bugs.has('charge') ? pricing.amountDue + pricing.tax : pricing.amountDue;
      charge = await callPaymentApi(paymentApiUrl, 'POST', '/v1/charges', {
        body: { amount, currency, customer },
        headers: { 'idempotency-key': id },
        proxy,
      });
    } catch (e) {
      throw new HttpError(502, { error: 'payment API unavailable', detail: String(e.message ?? e) });
    }
    if (charge.status === 402) {
      throw new HttpError(402, { error: 'payment declined', reason: charge.json?.error?.code ?? 'declined' });
    }
    if (charge.status !== 201 && charge.status !== 200) {
      throw new HttpError(502, { error: 'payment failed', upstreamStatus: charge.status });
    }

    // Regression "total": tax added a second time when the order is assembled (the charge above is right).
    const total = bugs.has('total') ? pricing.amountDue + pricing.tax : pricing.amountDue;
    const order = {
      id,
      createdAt: new Date().toISOString(),
      status: 'paid',
      user,
      currency,
      items: pricing.lines,
      subtotal: pricing.subtotal,
      discount: pricing.discount,
      tax: pricing.tax,
      total,
      chargeId: charge.json?.id ?? null,
    };
    orders.set(id, order);
    return order;
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://orders.local');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (path === '/health' && method === 'GET') return send(res, 200, { status: 'ok', version: VERSION }, drift);

    // Failing modes (never on /health, so the service still becomes ready).
    if (bugs.has('slow')) await new Promise((r) => setTimeout(r, slowMs));
    if (bugs.has('500')) throw new Error(`regression 500: ${method} ${path} failed`);

    if (path === '/login' && method === 'POST') {
      const body = await readJson(req);
      const user = typeof body.user === 'string' ? body.user.trim().toLowerCase() : '';
      if (!/^[a-z][a-z0-9_-]{0,31}$/.test(user)) throw new HttpError(400, { error: 'user required' });
      const token = `tok_${randomBytes(16).toString('hex')}`;
      sessions.set(token, user);
      return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600, user }, drift);
    }

    if (path === '/products' && method === 'GET') {
      const currency = url.searchParams.get('currency') ?? 'USD';
      if (!(currency in TAX_RATES)) throw new HttpError(400, { error: 'unsupported currency', currency });
      return send(res, 200, {
        currency,
        products: CATALOGUE.map((p) => ({ sku: p.sku, name: p.name, price: p.price[currency] })),
      }, drift);
    }

    if (path === '/orders' && method === 'POST') {
      const user = authUser(req);
      return send(res, 201, await createOrder(req, user), drift);
    }

    if (path === '/orders' && method === 'GET') {
      const user = authUser(req);
      const who = url.searchParams.get('user') ?? user;
      if (who !== user) throw new HttpError(403, { error: 'you can only list your own orders' });
      const mine = [...orders.values()].filter((o) => o.user === user);
      return send(res, 200, { user, count: mine.length, orders: mine }, drift);
    }

    const m = /^\/orders\/([^/]+)$/.exec(path);
    if (m && method === 'GET') {
      const user = authUser(req);
      const order = orders.get(decodeURIComponent(m[1]));
      if (!order || order.user !== user) throw new HttpError(404, { error: 'order not found' });
      if (bugs.has('status') && order.items.length > 1) {
        throw new HttpError(500, { error: 'internal error' });
      }
      return send(res, 200, order, drift);
    }

    const known = ['/health', '/login', '/products', '/orders'].includes(path) || m;
    throw new HttpError(known ? 405 : 404, { error: known ? 'method not allowed' : 'not found', path });
  }

  return http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!(e instanceof HttpError) || e.status >= 500) console.error(`ERROR ${req.method} ${req.url}: ${e?.message ?? e}`);
      if (res.headersSent) return res.destroy();
      if (e instanceof HttpError) send(res, e.status, e.body, drift);
      else send(res, 500, { error: 'internal error' }, drift);
    });
  });
}

/**
 * Starts the service and resolves once it listens.
 * @param {{port?: number, host?: string, paymentApiUrl?: string, regression?: string, httpProxy?: string, noProxy?: string}} [opts]
 */
export async function startOrdersServer(opts = {}) {
  return listen(createOrdersServer(opts), opts.port ?? 8080, opts.host ?? '127.0.0.1');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.env.PORT ?? 8080);
  const s = await startOrdersServer({
    port,
    host: process.env.HOST ?? '127.0.0.1',
    paymentApiUrl: process.env.PAYMENT_API_URL ?? 'http://127.0.0.1:8081',
    regression: process.env.ORDERS_REGRESSION,
    httpProxy: process.env.HTTP_PROXY || process.env.http_proxy || undefined,
    noProxy: process.env.NO_PROXY ?? process.env.no_proxy,
    drift: !!process.env.ORDERS_DRIFT && process.env.ORDERS_DRIFT !== '0',
    slowMs: process.env.ORDERS_SLOW_MS ? Number(process.env.ORDERS_SLOW_MS) : undefined,
  });
  const reg =
    (process.env.ORDERS_REGRESSION ? ` (regression: ${process.env.ORDERS_REGRESSION})` : '') +
    (process.env.ORDERS_DRIFT && process.env.ORDERS_DRIFT !== '0' ? ' (drift: serverTime, traceId)' : '');
  console.log(`orders service listening on ${s.url}${reg}, payment API ${process.env.PAYMENT_API_URL ?? 'http://127.0.0.1:8081'}`);
  const stop = () => s.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
