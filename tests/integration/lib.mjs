// Shared helpers for kaeru's integration tests: they talk HTTP to a real nginx + kaeru-fcgi + MariaDB
// (KAERU_URL) and drive the real kaeru-admin (KAERU_ADMIN). No mocks.
//
// Every test file makes its own warehouse and merchant(s) with random suffixes, so files can run in
// parallel against one database. Requests go out from a random loopback source address (the server
// rate-limits failed lookups per client address): one address per test process by default, or a
// fresh one from newClientAddress() for tests that count failures.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = process.env.KAERU_ROOT || resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BASE = (process.env.KAERU_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const ADMIN = (process.env.KAERU_ADMIN || `${join(ROOT, 'kaeru')} admin`).trim().split(/\s+/);

export const RMA_RE = /^[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}$/;
export const REASONS = ['too_small', 'too_large', 'not_as_described', 'damaged', 'defective',
  'wrong_item', 'changed_mind', 'arrived_late', 'other'];

/** A short random lowercase hex suffix for slugs, codes, order numbers. */
export function suffix(bytes = 4) {
  return randomBytes(bytes).toString('hex');
}

/** A random loopback address other than 127.0.0.1, so this client's failures are its own. */
export function newClientAddress() {
  return `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;
}

/** The source address of this test process's ordinary requests. */
export const CLIENT = newClientAddress();

/**
 * One HTTP request to the server.
 * body: an object/array (sent as JSON with Content-Type application/json unless headers say
 * otherwise), a string or Buffer (sent as is). token: Bearer credential. from: source address.
 * Resolves to {status, headers, text, json} — json is the parsed body, or undefined.
 */
export function api(method, path, { body, headers = {}, token, from = CLIENT } = {}) {
  const url = new URL(path, BASE + '/');
  const h = {};
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = v;
  let payload;
  if (body !== undefined) {
    if (Buffer.isBuffer(body) || typeof body === 'string') payload = Buffer.from(body);
    else {
      payload = Buffer.from(JSON.stringify(body));
      if (!('content-type' in h)) h['content-type'] = 'application/json';
    }
    h['content-length'] = String(payload.length);
  }
  if (token !== undefined) h.authorization = `Bearer ${token}`;
  return new Promise((resolvePromise, reject) => {
    let answered = false;
    const req = httpRequest({
      method, host: url.hostname, port: url.port || 80, path: url.pathname + url.search,
      headers: h, localAddress: from, agent: false,
    }, (res) => {
      answered = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolvePromise({ status: res.statusCode, headers: res.headers, text, json,
          raw: Buffer.concat(chunks) });
      });
    });
    // A server that refuses a large body may close before we finish writing: that is its answer,
    // not a client failure, as long as a response arrived.
    req.on('error', (e) => { if (!answered) reject(e); });
    if (payload) req.end(payload); else req.end();
  });
}

/** Describes a response for assertion messages. */
export function show(res) {
  return `${res.status} ${res.headers['content-type'] || ''} ${res.text.slice(0, 600)}`;
}

/** Asserts the status (one, or any of an array), with the body in the message when it differs. */
export function assertStatus(res, status) {
  const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status;
  assert.ok(ok, `expected HTTP ${status}, got ${show(res)}`);
}

/**
 * Asserts an RFC 9457 problem answer: status (one, or any of an array), media type, the documented members and, when given,
 * an entry in errors[] naming `field` (a JSON path like `lines[0].unit_price`, or a RegExp for it).
 */
export function assertProblem(res, status, field) {
  assertStatus(res, status);
  assert.match(res.headers['content-type'] || '', /^application\/problem\+json\b/,
    `problem media type expected: ${show(res)}`);
  const p = res.json;
  assert.ok(p && typeof p === 'object', `problem body is not JSON: ${show(res)}`);
  assert.equal(p.status, res.status, 'problem.status equals the HTTP status');
  assert.equal(typeof p.type, 'string');
  assert.equal(typeof p.title, 'string');
  assert.ok(p.title.length > 0, 'problem.title is not empty');
  assert.equal(typeof p.detail, 'string');
  assert.ok(Array.isArray(p.errors), `problem.errors is an array: ${show(res)}`);
  if (field !== undefined) {
    const fits = (name) => (field instanceof RegExp ? field.test(name) : name === field);
    const names = p.errors.map((e) => e.field);
    assert.ok(names.some(fits), `errors[] should name ${field}, names ${JSON.stringify(names)}`);
    const e = p.errors.find((x) => fits(x.field));
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 0, 'error message is not empty');
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// kaeru-admin

/** Runs kaeru-admin with args (and optional stdin); returns {status, stdout, stderr}. */
export function admin(args, { input } = {}) {
  const r = spawnSync(ADMIN[0], [...ADMIN.slice(1), ...args], {
    input: input ?? '', encoding: 'utf8', timeout: 60_000, cwd: ROOT,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs kaeru-admin and fails the test unless it exits 0; returns its stdout. */
export function adminOk(args, opts) {
  const r = admin(args, opts);
  assert.equal(r.status, 0, `kaeru-admin ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export const WAREHOUSE_ADDRESS = {
  name: '株式会社かえる 東京返品センター', postal_code: '135-0061', region: '東京都', city: '江東区',
  line1: '豊洲6-1-1', line2: '3階', country: 'JP', phone: '03-0000-0000',
};

/** Creates a warehouse with a random code; returns {code, name}. */
export function newWarehouse() {
  const code = `T${suffix().toUpperCase()}`;
  const name = `かえる東京DC ${code}`;
  adminOk(['warehouse', 'create', '--code', code, '--name', name,
    '--address-json', JSON.stringify(WAREHOUSE_ADDRESS)]);
  return { code, name };
}

/**
 * Creates a merchant (and, unless given, its own warehouse) with a random slug.
 * Returns {slug, name, currency, key, warehouse: {code, name}}.
 */
export function newMerchant({ currency = 'JPY', warehouse, name } = {}) {
  const wh = warehouse || newWarehouse();
  const slug = `t-${suffix()}`;
  const mname = name || (currency === 'JPY' ? `さくらアパレル ${slug}` : `Maple Outfitters ${slug}`);
  const out = adminOk(['merchant', 'create', '--slug', slug, '--name', mname,
    '--currency', currency, '--warehouse', wh.code]);
  const lines = out.trim().split('\n');
  const key = lines[lines.length - 1].trim();
  assert.ok(key.length >= 16 && !/\s/.test(key), `merchant key on the last line, got ${JSON.stringify(out)}`);
  return { slug, name: mname, currency, key, warehouse: wh };
}

// ---------------------------------------------------------------------------------------------
// Orders

/** RFC 3339 UTC, whole seconds, `days` days before now (may be fractional or negative). */
export function daysAgo(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function newOrderNumber() {
  return `${randomInt(1000, 9999)}-${suffix(3)}`;
}

export const JP_ADDRESS = {
  name: '山田 太郎', postal_code: '100-0005', region: '東京都', city: '千代田区',
  line1: '丸の内1-1-1', line2: 'かえるビル201', country: 'JP', phone: '03-1234-5678',
};

export const US_ADDRESS = {
  name: 'Jane Doe', postal_code: '97205', region: 'OR', city: 'Portland',
  line1: '1234 SW Main St', line2: 'Apt 5', country: 'US', phone: '+1 503 555 0100',
};

/**
 * A delivered Japanese order: line 1 two T-shirts (product TEE, exchangeable), line 2 a final-sale
 * item, line 3 one cap. Fields in `o` replace the defaults.
 */
export function jpOrder(o = {}) {
  return {
    email: 'taro.yamada@example.jp',
    currency: 'JPY',
    placed_at: daysAgo(8),
    delivered_at: daysAgo(5),
    shipping_address: { ...JP_ADDRESS },
    lines: [
      { line_id: '1', sku: 'TEE-BLK-M', product_id: 'TEE', name: 'オーガニックTシャツ', variant: 'Black / M',
        category: 'tops', quantity: 2, unit_price: 4900, final_sale: false },
      { line_id: '2', sku: 'SOCK-NVY', product_id: 'SOCK', name: 'ソックス 3足組（セール）', variant: 'Navy',
        category: 'accessories', quantity: 1, unit_price: 1500, final_sale: true },
      { line_id: '3', sku: 'CAP-RED', product_id: 'CAP', name: 'コットンキャップ', variant: 'Red',
        category: 'hats', quantity: 1, unit_price: 3300, final_sale: false },
    ],
    ...o,
  };
}

/** A delivered US order in USD with Latin text. */
export function usOrder(o = {}) {
  return {
    email: 'jane.doe@example.com',
    currency: 'USD',
    placed_at: daysAgo(6),
    delivered_at: daysAgo(2),
    shipping_address: { ...US_ADDRESS },
    lines: [
      { line_id: 'A1', sku: 'JKT-GRN-S', product_id: 'JKT', name: 'Rain Jacket', variant: 'Green / S',
        category: 'outerwear', quantity: 1, unit_price: 12999, final_sale: false },
      { line_id: 'A2', sku: 'BELT-BRN', product_id: 'BELT', name: 'Leather Belt', variant: 'Brown',
        category: 'accessories', quantity: 3, unit_price: 1999, final_sale: false },
    ],
    ...o,
  };
}

/** PUT an order; returns the response. */
export function putOrder(m, orderNumber, body, { token = m.key, from } = {}) {
  return api('PUT', `/api/v1/merchants/${encodeURIComponent(m.slug)}/orders/${encodeURIComponent(orderNumber)}`,
    { body, token, from });
}

/** PUT a new order (jpOrder or usOrder by the merchant's currency, with overrides); asserts 201. */
export async function newOrder(m, overrides = {}) {
  const orderNumber = overrides.order_number || newOrderNumber();
  const { order_number: _ignored, ...rest } = overrides;
  const body = m.currency === 'USD' ? usOrder(rest) : jpOrder(rest);
  const res = await putOrder(m, orderNumber, body);
  assertStatus(res, 201);
  return { orderNumber, body, res };
}

/** PUT the merchant's inventory: items [{sku, product_id, variant, available}]. */
export function putInventory(m, items, { token = m.key, from } = {}) {
  return api('PUT', `/api/v1/merchants/${encodeURIComponent(m.slug)}/inventory`, { body: { items }, token, from });
}

// ---------------------------------------------------------------------------------------------
// Customer

/** POST /lookup; returns the response. */
export function lookup(slug, orderNumber, email, { from } = {}) {
  return api('POST', '/api/v1/lookup', { body: { merchant: slug, order_number: orderNumber, email }, from });
}

/** Looks an order up and asserts 200; returns the body ({token, order, policy, merchant}). */
export async function lookupOk(slug, orderNumber, email, opts) {
  const res = await lookup(slug, orderNumber, email, opts);
  assertStatus(res, 200);
  return res.json;
}

/** Creates an order and looks it up: {orderNumber, body, token, order, policy, merchant}. */
export async function openOrder(m, overrides = {}) {
  const { orderNumber, body } = await newOrder(m, overrides);
  const found = await lookupOk(m.slug, orderNumber, body.email);
  return { orderNumber, body, ...found };
}

/** Only the named members of an object (responses may carry more than the contract names). */
export function pick(obj, keys) {
  return Object.fromEntries(keys.map((k) => [k, obj?.[k]]));
}

/** A looked-up line's exchange options as [{sku, variant}]. */
export function optionsOf(line) {
  assert.ok(Array.isArray(line.exchange_options), `exchange_options of line ${line.line_id}`);
  return line.exchange_options.map((o) => pick(o, ['sku', 'variant']));
}

/** The looked-up line with this line_id. */
export function lineOf(order, lineId) {
  const line = order.lines.find((l) => l.line_id === lineId);
  assert.ok(line, `line ${lineId} in ${JSON.stringify(order.lines.map((l) => l.line_id))}`);
  return line;
}

/** POST /returns with an order token; returns the response. */
export function postReturn(token, items, { idempotencyKey, from, body } = {}) {
  const headers = idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {};
  return api('POST', '/api/v1/returns', { body: body ?? { items }, token, headers, from });
}

/** Creates a return and asserts 201; returns its body. */
export async function createReturn(token, items, opts) {
  const res = await postReturn(token, items, opts);
  assertStatus(res, 201);
  return res.json;
}

/** The tracking key `k` of a return (from its tracking_url, relative or absolute). */
export function trackingKey(ret) {
  const k = new URL(ret.tracking_url, BASE + '/').searchParams.get('k');
  assert.ok(k, `tracking_url carries k: ${ret.tracking_url}`);
  return k;
}

/** GET /returns/{rma} with an order token or a tracking key. */
export function getReturn(rma, { token, k, from } = {}) {
  const q = k === undefined ? '' : `?k=${encodeURIComponent(k)}`;
  return api('GET', `/api/v1/returns/${encodeURIComponent(rma)}${q}`, { token, from });
}

/** A scratch directory removed by the returned cleanup function. */
export function scratchDir() {
  const dir = mkdtempSync(join(tmpdir(), 'kaeru-it-'));
  return { dir, write: (name, data) => { const p = join(dir, name); writeFileSync(p, data); return p; },
    cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------------
// Staff: users, sessions, scan and inspection, and the test stack's database

/** The server's own origin, as a browser on its pages would send it. */
export const ORIGIN = new URL(BASE).origin;

/**
 * Creates a staff user with a random email: role 'warehouse' (warehouse: {code} or a code),
 * 'merchant' (merchant: {slug} or a slug) or 'admin'. Returns {email, password, role}.
 */
export function newStaff({ role, warehouse, merchant, email, password } = {}) {
  const who = email || `${role}-${suffix()}@example.jp`;
  const secret = password || `pw-${suffix(8)}`;
  const args = ['user', 'create', '--email', who, '--role', role];
  if (warehouse) args.push('--warehouse', typeof warehouse === 'string' ? warehouse : warehouse.code);
  if (merchant) args.push('--merchant', typeof merchant === 'string' ? merchant : merchant.slug);
  adminOk(args, { input: `${secret}\n` });
  return { email: who, password: secret, role };
}

/** POST /session; returns the response. */
export function login(email, password, { from, headers } = {}) {
  return api('POST', '/api/v1/session', { body: { email, password }, from, headers });
}

/** The kaeru_session Set-Cookie line of a response, or undefined. */
export function sessionCookieLine(res) {
  const lines = [].concat(res.headers['set-cookie'] || []);
  return lines.find((l) => /^kaeru_session=/i.test(l));
}

/**
 * Logs a staff user ({email, password}) in and asserts 200. Returns
 * {user, token, cookie, api(method, path, opts)}: api sends the session cookie and, for a body or a
 * POST/PUT, Content-Type application/json unless opts.headers names another (null: none at all).
 */
export async function staffSession(staff, { from } = {}) {
  const res = await login(staff.email, staff.password, { from });
  assertStatus(res, 200);
  const line = sessionCookieLine(res);
  assert.ok(line, `a kaeru_session cookie is set: ${JSON.stringify(res.headers['set-cookie'])}`);
  const token = line.slice(line.indexOf('=') + 1).split(';')[0];
  return sessionWith(token, { user: res.json.user, from });
}

/** A session object for a cookie value (also a dead or forged one). */
export function sessionWith(token, { user, from } = {}) {
  const cookie = `kaeru_session=${token}`;
  return {
    user, token, cookie,
    api(method, path, { body, headers = {}, from: source = from } = {}) {
      const h = { cookie };
      if (body !== undefined || method === 'POST' || method === 'PUT') h['content-type'] = 'application/json';
      for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = v;
      for (const k of Object.keys(h)) if (h[k] === null || h[k] === undefined) delete h[k];
      return api(method, path, { body, headers: h, from: source });
    },
  };
}

/** POST /scan with a session; returns the response. */
export function scan(session, code, opts = {}) {
  return session.api('POST', '/api/v1/scan', { body: code === undefined ? {} : { code }, ...opts });
}

/** Scans and asserts 200; returns the staff view. */
export async function scanOk(session, code) {
  const res = await scan(session, code);
  assertStatus(res, 200);
  return res.json;
}

/** POST /returns/{rma}/items/{itemId}/inspection with a session; returns the response. */
export function inspect(session, rma, itemId, body, opts = {}) {
  return session.api('POST',
    `/api/v1/returns/${encodeURIComponent(rma)}/items/${encodeURIComponent(itemId)}/inspection`,
    { body, ...opts });
}

/** Inspects and asserts 200; returns the staff view. */
export async function inspectOk(session, rma, itemId, body) {
  const res = await inspect(session, rma, itemId, body);
  assertStatus(res, 200);
  return res.json;
}

/** GET /returns/{rma} with a session. */
export function staffGetReturn(session, rma) {
  return session.api('GET', `/api/v1/returns/${encodeURIComponent(rma)}`);
}

/**
 * A fresh order of merchant m (order overrides in `order`) and a return of `items` for it.
 * Returns the created return's body plus {order: the openOrder result, k: its tracking key}.
 */
export async function returnFor(m, items, { order: overrides = {}, ...opts } = {}) {
  const order = await openOrder(m, overrides);
  const ret = await createReturn(order.token, items, opts);
  return { ...ret, order, k: trackingKey(ret) };
}

/** The events of a return of this type. */
export function eventsOf(ret, type) {
  assert.ok(Array.isArray(ret.events), `events[] in ${JSON.stringify(ret).slice(0, 300)}`);
  return ret.events.filter((e) => e.type === type);
}

/** Runs kaeru-admin without waiting; resolves to {status, stdout, stderr}. */
export function adminAsync(args, { input } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(ADMIN[0], [...ADMIN.slice(1), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

let dbSettings;
function stackSettings() {
  if (!dbSettings) {
    const stack = process.env.KAERU_STACK || join(ROOT, 'var');
    dbSettings = Object.fromEntries(
      readFileSync(join(stack, 'kaeru.env'), 'utf8').split('\n').filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  }
  return dbSettings;
}

/** A SQL string literal. */
export function sqlString(s) {
  return `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Runs SQL on the test stack's database (times in UTC, as the server keeps them), as an operator
 * or a clock moving on would. Returns the output rows as arrays of tab-separated columns.
 */
export function sql(statement) {
  const s = stackSettings();
  const r = spawnSync('mariadb', ['--no-defaults', '-N', '-B', `--socket=${s.KAERU_DB_SOCKET}`,
    `-u${s.KAERU_DB_USER}`, `-p${s.KAERU_DB_PASSWORD}`, s.KAERU_DB_NAME,
    '-e', `SET time_zone = '+00:00'; ${statement}`], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `SQL failed: ${statement}\n${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}
