// Shared by record.mjs and the example's tests: start the example's processes, drive the scripted user
// sessions against the orders service while recording what was sent and received, and turn the
// recordings into Reprise traffic pairs (src/engine/store/model.ts).
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const EXAMPLE_DIR = path.dirname(fileURLToPath(import.meta.url));
export const SERVER_SCRIPT = path.join(EXAMPLE_DIR, 'server.mjs');
export const PAYMENT_API_SCRIPT = path.join(EXAMPLE_DIR, 'payment-api.mjs');

const WEB_UA = 'orders-web/2.3.0 (+https://shop.example)';
const PROBE_UA = 'kube-probe/1.29';

/**
 * The scripted sessions. Each step waits `gap` ms after the previous response, like a person clicking.
 * Order reads always directly follow the create they read back, so a single `order_id` capture
 * (recorded id → live id) is enough to correlate them on replay.
 */
export const SESSIONS = [
  {
    session: 'user-alice',
    user: 'alice',
    start: 0,
    steps: [
      { gap: 0, op: 'login' },
      { gap: 420, op: 'products' },
      { gap: 650, op: 'createOrder', currency: 'USD', items: [{ sku: 'KB-101', qty: 1 }, { sku: 'MS-220', qty: 2 }] },
      { gap: 310, op: 'readLastOrder' },
      { gap: 560, op: 'createOrder', currency: 'USD', items: [{ sku: 'CB-004', qty: 3 }] },
      { gap: 280, op: 'readLastOrder' },
      { gap: 470, op: 'listOrders' },
    ],
  },
  {
    session: 'user-bob',
    user: 'bob',
    start: 180,
    steps: [
      { gap: 0, op: 'login' },
      { gap: 380, op: 'products', currency: 'EUR' },
      { gap: 720, op: 'createOrder', currency: 'EUR', items: [{ sku: 'MN-270', qty: 1 }, { sku: 'HD-330', qty: 1 }] },
      { gap: 260, op: 'readLastOrder' },
      { gap: 540, op: 'listOrders' },
      // Above the card limit: the payment API declines (402) and no order is stored.
      { gap: 610, op: 'createOrder', currency: 'EUR', items: [{ sku: 'MN-270', qty: 3 }] },
      { gap: 350, op: 'listOrders' },
      { gap: 300, op: 'readFirstOrder' },
    ],
  },
  {
    session: 'user-carol',
    user: 'carol',
    start: 420,
    steps: [
      { gap: 0, op: 'login' },
      { gap: 510, op: 'products' },
      // A typo in the sku: 400, no payment call.
      { gap: 460, op: 'createOrder', currency: 'USD', items: [{ sku: 'LS-051', qty: 1 }] },
      { gap: 380, op: 'createOrder', currency: 'USD', items: [{ sku: 'LS-015', qty: 1 }, { sku: 'CB-004', qty: 2 }] },
      { gap: 290, op: 'readLastOrder' },
      { gap: 520, op: 'listOrders' },
    ],
  },
  {
    session: 'user-dave',
    user: 'dave',
    start: 700,
    steps: [
      { gap: 0, op: 'login' },
      // An old bookmark: 404.
      { gap: 330, op: 'readOrder', id: 'ord_000000000000' },
      { gap: 450, op: 'products' },
      { gap: 600, op: 'createOrder', currency: 'USD', items: [{ sku: 'HD-330', qty: 2 }] },
      { gap: 270, op: 'readLastOrder' },
      { gap: 480, op: 'createOrder', currency: 'USD', items: [{ sku: 'MS-220', qty: 1 }, { sku: 'LS-015', qty: 1 }] },
      { gap: 300, op: 'readLastOrder' },
      { gap: 410, op: 'listOrders' },
    ],
  },
  {
    session: 'user-erin',
    user: 'erin',
    start: 950,
    steps: [
      // Not signed in yet: 401.
      { gap: 0, op: 'listOrders', anonymous: true },
      { gap: 240, op: 'login' },
      { gap: 350, op: 'listOrders' },
      { gap: 400, op: 'products', currency: 'EUR' },
      { gap: 380, op: 'products' },
      // erin is not a payment-API customer yet (lookup 404): no discount.
      { gap: 690, op: 'createOrder', currency: 'USD', items: [{ sku: 'KB-101', qty: 1 }] },
      { gap: 310, op: 'readLastOrder' },
      { gap: 450, op: 'listOrders' },
    ],
  },
  {
    session: 'probe',
    start: 50,
    steps: [
      { gap: 0, op: 'health' },
      { gap: 900, op: 'health' },
      { gap: 900, op: 'health' },
      { gap: 900, op: 'health' },
      { gap: 900, op: 'health' },
      { gap: 900, op: 'health' },
    ],
  },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round2 = (x) => Math.round(x * 100) / 100;

/** One HTTP exchange through node:http, recorded exactly as sent and received. */
function exchange(baseUrl, agent, method, urlPath, { headers = {}, json } = {}) {
  const payload = json === undefined ? undefined : JSON.stringify(json);
  const h = { ...headers };
  if (payload !== undefined) {
    h['content-type'] = 'application/json';
    h['content-length'] = String(Buffer.byteLength(payload));
  }
  h.connection = 'keep-alive';
  const ts = new Date().toISOString();
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(urlPath, baseUrl), { method, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const sent = {};
        for (const [k, v] of Object.entries(req.getHeaders())) sent[k.toLowerCase()] = Array.isArray(v) ? v.map(String) : String(v);
        const received = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) received[k] = v;
        resolve({
          ts,
          duration: round2(performance.now() - t0),
          request: { method, url: urlPath, headers: sent, ...(payload !== undefined ? { body: payload } : {}) },
          response: { status: res.statusCode ?? 0, headers: received, ...(body ? { body } : {}) },
        });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function runSession(baseUrl, def, timeScale, out) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let token;
  const created = [];
  try {
    await sleep(def.start / timeScale);
    let seq = 0;
    for (const step of def.steps) {
      await sleep(step.gap / timeScale);
      const ua = def.session === 'probe' ? PROBE_UA : WEB_UA;
      const headers = { 'user-agent': ua, accept: 'application/json' };
      if (token && !step.anonymous) headers.authorization = `Bearer ${token}`;
      let x;
      switch (step.op) {
        case 'health':
          x = await exchange(baseUrl, agent, 'GET', '/health', { headers });
          break;
        case 'login':
          x = await exchange(baseUrl, agent, 'POST', '/login', { headers, json: { user: def.user } });
          token = JSON.parse(x.response.body).access_token;
          break;
        case 'products':
          x = await exchange(baseUrl, agent, 'GET', step.currency ? `/products?currency=${step.currency}` : '/products', { headers });
          break;
        case 'createOrder':
          x = await exchange(baseUrl, agent, 'POST', '/orders', { headers, json: { items: step.items, currency: step.currency } });
          if (x.response.status === 201) created.push(JSON.parse(x.response.body).id);
          break;
        case 'readLastOrder':
          x = await exchange(baseUrl, agent, 'GET', `/orders/${created[created.length - 1]}`, { headers });
          break;
        case 'readFirstOrder':
          x = await exchange(baseUrl, agent, 'GET', `/orders/${created[0]}`, { headers });
          break;
        case 'readOrder':
          x = await exchange(baseUrl, agent, 'GET', `/orders/${step.id}`, { headers });
          break;
        case 'listOrders':
          x = await exchange(baseUrl, agent, 'GET', `/orders?user=${def.user}`, { headers });
          break;
        default:
          throw new Error(`unknown step ${step.op}`);
      }
      out.push({ session: def.session, seq: seq++, ...x });
    }
  } finally {
    agent.destroy();
  }
}

/**
 * Drives the scripted sessions (concurrently, each in order) against the orders service.
 * @param {string} baseUrl e.g. http://127.0.0.1:8080
 * @param {{sessions?: typeof SESSIONS, timeScale?: number}} [opts] timeScale divides every gap (tests use 20+)
 * @returns {Promise<Array<{session: string, seq: number, ts: string, duration: number, request: object, response: object}>>}
 *   the exchanges, sorted by send time
 */
export async function runScenario(baseUrl, opts = {}) {
  const sessions = opts.sessions ?? SESSIONS;
  const timeScale = opts.timeScale ?? 1;
  const out = [];
  await Promise.all(sessions.map((s) => runSession(baseUrl, s, timeScale, out)));
  return out.sort((a, b) => a.ts.localeCompare(b.ts) || a.session.localeCompare(b.session) || a.seq - b.seq);
}

/** Inbound exchanges → Reprise pairs (direction "in", ids in-0001… in send order). */
export function toInboundPairs(exchanges) {
  return exchanges.map((x, i) => ({
    id: `in-${String(i + 1).padStart(4, '0')}`,
    session: x.session,
    seq: x.seq,
    ts: x.ts,
    direction: 'in',
    request: x.request,
    response: x.response,
    duration: x.duration,
  }));
}

/** Reads a PAYMENT_API_LOG file (one exchange per line); [] when it does not exist. */
export function readPaymentLog(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** The customer a payment-API call is about (path or body), e.g. "alice" for cus_alice. */
function customerOf(entry) {
  const m = /\/v1\/customers\/cus_([^/?]+)/.exec(entry.request.url);
  if (m) return decodeURIComponent(m[1]);
  try {
    const c = JSON.parse(entry.request.body ?? '{}').customer;
    if (typeof c === 'string' && c.startsWith('cus_')) return c.slice(4);
  } catch {
    /* not JSON */
  }
  return undefined;
}

/**
 * Payment-API log entries → Reprise outbound pairs (direction "out", service "payment-api"). Each call is
 * tagged with the session of the user it was made for (user-<name>), seq in call order within it.
 */
export function toOutboundPairs(entries, service = 'payment-api') {
  const sorted = [...entries].sort((a, b) => a.ts.localeCompare(b.ts));
  const seqs = new Map();
  return sorted.map((e, i) => {
    const who = customerOf(e);
    const session = who ? `user-${who}` : 'default';
    const seq = seqs.get(session) ?? 0;
    seqs.set(session, seq + 1);
    return {
      id: `out-${String(i + 1).padStart(4, '0')}`,
      session,
      seq,
      ts: e.ts,
      direction: 'out',
      service,
      request: e.request,
      response: e.response,
      duration: e.duration,
    };
  });
}

/** True when nothing listens on 127.0.0.1:port. */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * Starts one of the example's scripts as a child process (PORT=0 picks a free port) and resolves with the
 * URL it printed once it listens.
 * @param {string} script SERVER_SCRIPT or PAYMENT_API_SCRIPT
 * @param {Record<string, string>} [env] extra environment (PORT, PAYMENT_API_URL, ORDERS_REGRESSION, PAYMENT_API_LOG)
 * @returns {Promise<{url: string, port: number, child: import('node:child_process').ChildProcess, stop: () => Promise<void>}>}
 */
export function startProcess(script, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, PORT: '0', ORDERS_REGRESSION: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`${path.basename(script)} did not start within 10 s\n${out}${err}`)), 10_000);
    const fail = (e) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    child.stderr.on('data', (d) => (err += d));
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`${path.basename(script)} exited with ${code}\n${out}${err}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s,]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      const url = m[1];
      resolve({
        url,
        port: Number(new URL(url).port),
        child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
