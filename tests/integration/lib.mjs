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

// ---------------------------------------------------------------------------------------------
// Resale: listings made by inspection, the merchant console, the public shop and sales

/** RFC 3339 UTC with whole (or fractional) seconds. */
export const RFC3339_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Every member of a listing in the merchant's view. */
export const LISTING_KEYS = ['id', 'status', 'title', 'variant', 'sku', 'product_id', 'category', 'grade',
  'condition_note', 'original_price', 'suggested_price', 'price', 'currency', 'rma', 'created_at',
  'published_at', 'sold_at', 'reject_reason'];

/** Every member of a listing in the public shop. */
export const SHOP_ITEM_KEYS = ['id', 'title', 'variant', 'grade', 'category', 'condition_note', 'price',
  'original_price', 'currency', 'published_at'];

/** The header row of the shop's CSV feed. */
export const FEED_HEADER = ['id', 'title', 'description', 'condition', 'price', 'sale_price', 'link',
  'availability', 'brand', 'item_group_id', 'size', 'product_type', 'grade', 'image_link', 'additional_image_link'];

/** A query string (with its '?') of the members that are not undefined/null, or ''. */
export function queryString(query = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Waits ms milliseconds (to give records distinct creation times, never to measure anything). */
export function pause(ms) {
  return new Promise((r) => { setTimeout(r, ms); });
}

/** A merchant-role user of m, logged in: the staffSession object. */
export function merchantSession(m) {
  return staffSession(newStaff({ role: 'merchant', merchant: m }));
}

const clerkSessions = new Map();
/** A logged-in warehouse session of merchant m's warehouse (made once per warehouse and process). */
export function clerkOf(m) {
  const code = m.warehouse.code;
  if (!clerkSessions.has(code)) clerkSessions.set(code, staffSession(newStaff({ role: 'warehouse', warehouse: m.warehouse })));
  return clerkSessions.get(code);
}

const ownerSessions = new Map();
/** A logged-in merchant session of m (made once per merchant and process). */
export function ownerOf(m) {
  if (!ownerSessions.has(m.slug)) ownerSessions.set(m.slug, merchantSession(m));
  return ownerSessions.get(m.slug);
}

/** GET /merchant/listings with a merchant session; query {status, page}. */
export function merchantListings(session, query = {}) {
  return session.api('GET', `/api/v1/merchant/listings${queryString(query)}`);
}

/** Every listing the session's merchant sees (all pages, in the server's order), optionally of one status. */
export async function allListings(session, status) {
  const out = [];
  for (let page = 1; page <= 1000; page++) {
    const res = await merchantListings(session, { status, page });
    assertStatus(res, 200);
    out.push(...res.json.items);
    if (res.json.items.length === 0 || out.length >= res.json.total) return out;
  }
  throw new Error('more than 1000 pages of listings');
}

/** GET /merchant/listings/{id}. */
export function getListing(session, id) {
  return session.api('GET', `/api/v1/merchant/listings/${encodeURIComponent(id)}`);
}

/** POST /merchant/listings/{id}/approve with body {price?, title?}. */
export function approve(session, id, body = {}) {
  return session.api('POST', `/api/v1/merchant/listings/${encodeURIComponent(id)}/approve`, { body });
}

/** Approves and asserts 200; returns the listing. */
export async function approveOk(session, id, body = {}) {
  const res = await approve(session, id, body);
  assertStatus(res, 200);
  return res.json;
}

/** POST /merchant/listings/{id}/reject with body {reason}. */
export function reject(session, id, body) {
  return session.api('POST', `/api/v1/merchant/listings/${encodeURIComponent(id)}/reject`, { body });
}

/** Rejects with a reason and asserts 200; returns the listing. */
export async function rejectOk(session, id, reason = '写真と色が違う') {
  const res = await reject(session, id, { reason });
  assertStatus(res, 200);
  return res.json;
}

/** POST /merchant/listings/approve {ids}. */
export function bulkApprove(session, ids) {
  return session.api('POST', '/api/v1/merchant/listings/approve', { body: { ids } });
}

/** GET /merchant/returns with a merchant session; query {status, q, page}. */
export function merchantReturns(session, query = {}) {
  return session.api('GET', `/api/v1/merchant/returns${queryString(query)}`);
}

/** Polls check() until it resolves truthy (and resolves that), failing the test after timeoutMs. */
export async function eventually(check, what, { timeoutMs = 10000 } = {}) {
  const start = Date.now();
  for (;;) {
    const got = await check();
    if (got) return got;
    assert.ok(Date.now() - start < timeoutMs, `${what} within ${timeoutMs} ms`);
    await pause(50);
  }
}

/**
 * Waits, up to timeoutMs, until the console's search of `session` finds each of `returns`:
 * kaeru-worker writes a new return's search terms behind its creation, within about a second.
 * Searched by part of the RMA (the whole one is found by its key, without terms). Resolves the
 * milliseconds it took; fails the test when a return stays unfound.
 */
export async function searchable(session, returns, { timeoutMs = 10000 } = {}) {
  const start = Date.now();
  for (const ret of returns) {
    const part = ret.rma.replace('-', '').slice(1, 9);
    await eventually(async () => {
      const res = await merchantReturns(session, { q: part });
      assertStatus(res, 200);
      return res.json.items.some((x) => x.rma === ret.rma);
    }, `${ret.rma} found by the console's search`, { timeoutMs: timeoutMs - (Date.now() - start) });
  }
  return Date.now() - start;
}

/**
 * Waits, up to timeoutMs, until kaeru-worker has folded every analytics delta that the
 * merchant's returns queued (069_analytics_pending.sql): a return's changes reach the console's
 * analytics within about a second. Fails the test when they stay queued.
 */
export async function analyticsFolded(m, { timeoutMs = 10000 } = {}) {
  await eventually(() => {
    const [[queued]] = sql(`SELECT COUNT(*) FROM analytics_pending p JOIN merchants mm
      ON mm.id = p.merchant_id WHERE mm.slug = ${sqlString(m.slug)}`);
    return Number(queued) === 0;
  }, `the analytics of ${m.slug} folded`, { timeoutMs });
}

/** GET /merchant/summary with a merchant session. */
export function merchantSummary(session) {
  return session.api('GET', '/api/v1/merchant/summary');
}

/** Listings sorted oldest first (by id when the ids are numbers, else as the server gave them). */
function oldestFirst(listings) {
  if (!listings.every((l) => Number.isFinite(Number(l.id)))) return listings;
  return [...listings].sort((x, y) => Number(x.id) - Number(y.id));
}

/**
 * A fresh order of merchant m (order overrides in `order`), a return of `quantity` units of `line`
 * (default: the T-shirt line '1' in JPY, the jacket 'A1' in USD), scanned in by m's warehouse and
 * inspected with {received_quantity: received, grade, disposition, note}.
 * Returns {listings: the merchant's listings made from this return (oldest first), listing: the first,
 * ret: the created return (with .order and .k), view: the inspection's staff view}.
 */
export async function resaleListing(m, {
  grade = 'like_new', note, publicNote, quantity = 1, received = quantity, line = m.currency === 'USD' ? 'A1' : '1',
  disposition = 'resale', reason = 'too_small', resolution = 'refund', order = {},
} = {}) {
  const clerk = await clerkOf(m);
  const ret = await returnFor(m, [{ line_id: line, quantity, reason, resolution }], { order });
  await scanOk(clerk, ret.rma);
  const body = { received_quantity: received, grade, disposition };
  if (note !== undefined) body.note = note;
  if (publicNote !== undefined) body.public_note = publicNote;
  const view = await inspectOk(clerk, ret.rma, ret.items[0].item_id, body);
  const owner = await ownerOf(m);
  const listings = oldestFirst((await allListings(owner)).filter((l) => l.rma === ret.rma));
  return { listings, listing: listings[0], ret, view };
}

/** GET /shop/{slug}/listings with a query {grade, variant, category, q, sort, page}; no credentials. */
export function shopListings(slug, query = {}) {
  return api('GET', `/api/v1/shop/${encodeURIComponent(slug)}/listings${queryString(query)}`);
}

/** Every published listing the shop shows (all pages) for a query. */
export async function allShopListings(slug, query = {}) {
  const out = [];
  for (let page = 1; page <= 1000; page++) {
    const res = await shopListings(slug, { ...query, page });
    assertStatus(res, 200);
    out.push(...res.json.items);
    if (res.json.items.length === 0 || out.length >= res.json.total) return out;
  }
  throw new Error('more than 1000 pages of shop listings');
}

/** GET /shop/{slug}/feed.csv; no credentials. */
export function shopFeed(slug) {
  return api('GET', `/api/v1/shop/${encodeURIComponent(slug)}/feed.csv`);
}

/** POST /merchants/{slug}/listings/{id}/sold with a merchant key (default m's own key and slug). */
export function markSold(m, id, { token = m.key, slug = m.slug, from } = {}) {
  return api('POST', `/api/v1/merchants/${encodeURIComponent(slug)}/listings/${encodeURIComponent(id)}/sold`,
    { body: {}, token, from });
}

/**
 * Parses RFC 4180 CSV text into rows of fields: quoted fields may hold commas, CR/LF and doubled
 * quotes; records end with CRLF or LF. Throws on a stray quote, so malformed quoting fails a test.
 */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let fieldStart = true;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false;
        i++;
        if (i < text.length && !',\r\n'.includes(text[i])) throw new Error(`CSV: text after a closing quote at ${i}`);
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (!fieldStart) throw new Error(`CSV: a quote inside an unquoted field at ${i}`);
      quoted = true;
      fieldStart = false;
      i++;
    } else if (ch === ',') {
      row.push(field); field = ''; fieldStart = true; i++;
    } else if (ch === '\r' || ch === '\n') {
      row.push(field); rows.push(row); row = []; field = ''; fieldStart = true;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += ch; fieldStart = false; i++;
    }
  }
  if (quoted) throw new Error('CSV: unterminated quoted field');
  if (!fieldStart || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

/** A CSV feed's rows as objects keyed by the header row: {header, records}. */
export function feedRecords(text) {
  const rows = parseCsv(text);
  assert.ok(rows.length >= 1, 'the feed has a header row');
  const [header, ...rest] = rows;
  const records = rest.map((r, n) => {
    assert.equal(r.length, header.length, `row ${n + 2} has ${r.length} fields, the header ${header.length}: ${JSON.stringify(r)}`);
    return Object.fromEntries(header.map((h, j) => [h, r[j]]));
  });
  return { header, records };
}

/** An array of {value, count} facets as an object value → count. */
export function facetCounts(facets) {
  assert.ok(Array.isArray(facets), `facets are an array: ${JSON.stringify(facets)}`);
  return Object.fromEntries(facets.map((f) => [f.value, f.count]));
}

/** Ids as sorted strings, for comparing sets of ids whatever their JSON type. */
export function idSet(ids) {
  return ids.map((x) => String(x)).sort();
}
