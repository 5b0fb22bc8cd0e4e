// Bad input, table-driven: every malformed, oversized or mistyped request gets the exact 4xx problem
// naming the field at fault, and nothing a client sends ever makes the server answer 5xx.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  api, assertProblem, assertStatus, jpOrder, lineOf, lookupOk, newClientAddress, newMerchant,
  newOrderNumber, openOrder, putOrder, show,
} from './lib.mjs';

let m;
let o; // an order looked up, with its token
let r; // a return of another order, with that order's token: {rma, token}
before(async () => {
  m = newMerchant({ currency: 'JPY' });
  o = await openOrder(m);
  const other = await openOrder(m);
  const created = await api('POST', '/api/v1/returns', { token: other.token,
    body: { items: [{ line_id: '3', quantity: 1, reason: 'damaged', resolution: 'refund' }] } });
  assertStatus(created, 201);
  r = { rma: created.json.rma, token: other.token };
});

const LONG = 'あ'.repeat(256); // one over the 255-character limit
/** jpOrder() with `edit` applied to a deep copy. */
const order = (edit) => { const b = structuredClone(jpOrder()); edit(b); return b; };

const INGEST_CASES = [
  ['email missing', (b) => delete b.email, 'email'],
  ['email without @', (b) => { b.email = 'taro.example.jp'; }, 'email'],
  ['email without local part', (b) => { b.email = '@example.jp'; }, 'email'],
  ['email without domain', (b) => { b.email = 'taro@'; }, 'email'],
  ['email with two @', (b) => { b.email = 'taro@home@example.jp'; }, 'email'],
  ['email a number', (b) => { b.email = 12345; }, 'email'],
  ['email 256 characters', (b) => { b.email = `${'t'.repeat(245)}@example.jp`; }, 'email'],
  ['currency missing', (b) => delete b.currency, 'currency'],
  ['currency unknown', (b) => { b.currency = 'EUR'; }, 'currency'],
  ['placed_at not a time', (b) => { b.placed_at = 'yesterday'; }, 'placed_at'],
  ['delivered_at impossible date', (b) => { b.delivered_at = '2026-13-45T00:00:00Z'; }, 'delivered_at'],
  ['delivered_at without offset', (b) => { b.delivered_at = '2026-11-03T09:00:00'; }, 'delivered_at'],
  ['delivered_at a number', (b) => { b.delivered_at = 1767225600; }, 'delivered_at'],
  ['shipping_address missing', (b) => delete b.shipping_address, 'shipping_address'],
  ['shipping_address a string', (b) => { b.shipping_address = '東京都千代田区'; }, 'shipping_address'],
  ['shipping_address.name missing', (b) => delete b.shipping_address.name, 'shipping_address.name'],
  ['shipping_address.name too long', (b) => { b.shipping_address.name = LONG; }, 'shipping_address.name'],
  ['shipping_address.city a number', (b) => { b.shipping_address.city = 100; }, 'shipping_address.city'],
  ['lines missing', (b) => delete b.lines, 'lines'],
  ['lines empty', (b) => { b.lines = []; }, 'lines'],
  ['lines an object', (b) => { b.lines = b.lines[0]; }, 'lines'],
  ['101 lines', (b) => {
    b.lines = Array.from({ length: 101 }, (_, i) => ({ ...b.lines[0], line_id: String(i + 1), sku: `S${i}` }));
  }, 'lines'],
  ['a line not an object', (b) => { b.lines[0] = 'TEE-BLK-M'; }, /^lines\[0\]/],
  ['line_id missing', (b) => delete b.lines[0].line_id, 'lines[0].line_id'],
  ['sku missing', (b) => delete b.lines[1].sku, 'lines[1].sku'],
  ['name too long', (b) => { b.lines[2].name = LONG; }, 'lines[2].name'],
  ['quantity 0', (b) => { b.lines[0].quantity = 0; }, 'lines[0].quantity'],
  ['quantity negative', (b) => { b.lines[0].quantity = -1; }, 'lines[0].quantity'],
  ['quantity 10001', (b) => { b.lines[0].quantity = 10001; }, 'lines[0].quantity'],
  ['quantity a fraction', (b) => { b.lines[0].quantity = 1.5; }, 'lines[0].quantity'],
  ['quantity a string', (b) => { b.lines[0].quantity = '2'; }, 'lines[0].quantity'],
  ['quantity missing', (b) => delete b.lines[0].quantity, 'lines[0].quantity'],
  ['unit_price a float', (b) => { b.lines[0].unit_price = 49.5; }, 'lines[0].unit_price'],
  ['unit_price a string', (b) => { b.lines[0].unit_price = '4900'; }, 'lines[0].unit_price'],
  ['unit_price negative', (b) => { b.lines[0].unit_price = -1; }, 'lines[0].unit_price'],
  ['unit_price over 10^12', (b) => { b.lines[0].unit_price = 1_000_000_000_001; }, 'lines[0].unit_price'],
  ['unit_price null', (b) => { b.lines[0].unit_price = null; }, 'lines[0].unit_price'],
  ['unit_price huge', (b) => { b.lines[0].unit_price = 2 ** 64; }, 'lines[0].unit_price'],
  ['final_sale a string', (b) => { b.lines[1].final_sale = 'yes'; }, 'lines[1].final_sale'],
];

test('ingest: each invalid order is 422 naming its field and stores nothing', async (t) => {
  const n = newOrderNumber();
  for (const [name, edit, field] of INGEST_CASES) {
    await t.test(name, async () => assertProblem(await putOrder(m, n, order(edit)), 422, field));
  }
  // None of them was stored: the first valid PUT creates.
  assertStatus(await putOrder(m, n, jpOrder()), 201);
});

/** Numbers no JSON parser can hold, written into the order's text at lines[0].unit_price. */
const NUMBER_CASES = [
  ['20 digits', '9'.repeat(20)],
  ['400 digits', '9'.repeat(400)],
  ['400 digits, negative', `-${'9'.repeat(400)}`],
  ['1e400', '1e400'],
  ['-1.5e400', '-1.5e400'],
];

test('ingest: a number beyond what JSON can hold is 422 naming its field', async (t) => {
  const json = JSON.stringify(jpOrder());
  for (const [name, number] of NUMBER_CASES) {
    await t.test(name, async () => {
      const body = json.replace('"unit_price":4900', `"unit_price":${number}`);
      assert.notEqual(body, json);
      const res = await api('PUT', `/api/v1/merchants/${m.slug}/orders/${newOrderNumber()}`,
        { body, token: m.key, headers: { 'Content-Type': 'application/json' } });
      assertProblem(res, 422, 'lines[0].unit_price');
    });
  }
});

test('ingest: an order number over 64 characters is 422 order_number', async () => {
  assertProblem(await putOrder(m, 'N'.repeat(65), jpOrder()), 422, 'order_number');
});

const RETURN_CASES = [
  ['items missing', {}, 'items'],
  ['items a string', { items: 'all' }, 'items'],
  ['an item not an object', { items: ['1'] }, /^items\[0\]/],
  ['line_id missing', { items: [{ quantity: 1, reason: 'too_small', resolution: 'refund' }] }, 'items[0].line_id'],
  ['quantity a string', { items: [{ line_id: '1', quantity: '1', reason: 'too_small', resolution: 'refund' }] }, 'items[0].quantity'],
  ['quantity a fraction', { items: [{ line_id: '1', quantity: 0.5, reason: 'too_small', resolution: 'refund' }] }, 'items[0].quantity'],
  ['quantity negative', { items: [{ line_id: '1', quantity: -1, reason: 'too_small', resolution: 'refund' }] }, 'items[0].quantity'],
  ['quantity missing', { items: [{ line_id: '1', reason: 'too_small', resolution: 'refund' }] }, 'items[0].quantity'],
  ['reason missing', { items: [{ line_id: '1', quantity: 1, resolution: 'refund' }] }, 'items[0].reason'],
  ['reason unknown', { items: [{ line_id: '1', quantity: 1, reason: 'TOO_SMALL', resolution: 'refund' }] }, 'items[0].reason'],
  ['resolution missing', { items: [{ line_id: '1', quantity: 1, reason: 'too_small' }] }, 'items[0].resolution'],
  ['comment a number', { items: [{ line_id: '1', quantity: 1, reason: 'other', comment: 7, resolution: 'refund' }] }, 'items[0].comment'],
  ['exchange_sku a number', { items: [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'exchange', exchange_sku: 5 }] }, 'items[0].exchange_sku'],
  ['second item bad', { items: [{ line_id: '3', quantity: 1, reason: 'damaged', resolution: 'refund' },
    { line_id: '1', quantity: 1, reason: 'too_small', resolution: 'gift' }] }, 'items[1].resolution'],
];

test('returns: each invalid request is 422 naming its field and creates nothing', async (t) => {
  for (const [name, body, field] of RETURN_CASES) {
    await t.test(name, async () =>
      assertProblem(await api('POST', '/api/v1/returns', { body, token: o.token }), 422, field));
  }
  const after = await lookupOk(m.slug, o.orderNumber, o.body.email);
  assert.equal(lineOf(after.order, '1').returnable_quantity, 2);
  assert.equal(lineOf(after.order, '3').returnable_quantity, 1);
});

test('inventory: invalid items are 422 naming the field', async () => {
  const good = { sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available: 3 };
  const cases = [
    [{}, 'items'],
    [{ items: 'none' }, 'items'],
    [{ items: [{ ...good, available: -1 }] }, 'items[0].available'],
    [{ items: [{ ...good, available: '3' }] }, 'items[0].available'],
    [{ items: [{ ...good, available: 2.5 }] }, 'items[0].available'],
    [{ items: [good, { ...good, sku: undefined }] }, 'items[1].sku'],
  ];
  for (const [body, field] of cases) {
    const res = await api('PUT', `/api/v1/merchants/${m.slug}/inventory`, { body, token: m.key });
    assertProblem(res, 422, field);
  }
});

/** Every endpoint that takes a JSON body, with a fitting credential. */
function endpoints() {
  return [
    ['PUT order', 'PUT', `/api/v1/merchants/${m.slug}/orders/${newOrderNumber()}`, m.key],
    ['PUT inventory', 'PUT', `/api/v1/merchants/${m.slug}/inventory`, m.key],
    ['POST lookup', 'POST', '/api/v1/lookup', undefined],
    ['POST returns', 'POST', '/api/v1/returns', o.token],
    ['POST cancel', 'POST', `/api/v1/returns/${r.rma}/cancel`, r.token],
  ];
}

test('malformed JSON is 400, a non-JSON media type 415, on every endpoint', async (t) => {
  for (const [name, method, path, token] of endpoints()) {
    const from = newClientAddress();
    for (const raw of ['{"email":', '{"items": [1, 2,]}', "{'items': []}", 'null x', '{"a":1}}']) {
      await t.test(`${name} ${raw}`, async () => assertProblem(await api(method, path,
        { body: raw, token, from, headers: { 'Content-Type': 'application/json' } }), 400));
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      await t.test(`${name} ${type}`, async () => assertProblem(await api(method, path,
        { body: JSON.stringify(jpOrder()), token, from, headers: { 'Content-Type': type } }), 415));
    }
  }
  await assertNotCanceled();
});

/** The refused cancel requests left the return as it was. */
async function assertNotCanceled() {
  const now = await api('GET', `/api/v1/returns/${r.rma}`, { token: r.token });
  assertStatus(now, 200);
  assert.equal(now.json.status, 'label_issued');
}

test('a body over 1 MB is 413 as a problem, however large', async (t) => {
  for (const size of [1024 * 1024 + 1, 8 * 1024 * 1024]) {
    const pad = 'x'.repeat(size);
    const body = JSON.stringify({ ...jpOrder(), padding: pad }).slice(0, size);
    for (const [name, method, path, token] of endpoints()) {
      await t.test(`${name} ${size} bytes`, async () => assertProblem(await api(method, path,
        { body, token, from: newClientAddress(), headers: { 'Content-Type': 'application/json' } }), 413));
    }
  }
  await assertNotCanceled();
});

test('a valid order just under 1 MB, padded with an unknown field, is accepted', async () => {
  const body = JSON.stringify({ ...jpOrder(), note_from_shop: 'x'.repeat(900 * 1000) });
  assert.ok(body.length < 1_000_000);
  const res = await api('PUT', `/api/v1/merchants/${m.slug}/orders/${newOrderNumber()}`,
    { body, token: m.key, headers: { 'Content-Type': 'application/json' } });
  assertStatus(res, 201);
});

test('JSON media type parameters and case are accepted', async () => {
  for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8']) {
    const res = await api('PUT', `/api/v1/merchants/${m.slug}/orders/${newOrderNumber()}`,
      { body: JSON.stringify(jpOrder()), token: m.key, headers: { 'Content-Type': type } });
    assertStatus(res, 201);
  }
});

test('hostile input never gets a 5xx, and errors stay problems', async (t) => {
  const n = () => `/api/v1/merchants/${m.slug}/orders/${newOrderNumber()}`;
  const json = JSON.stringify(jpOrder());
  const badUtf8 = Buffer.concat([Buffer.from(json.slice(0, 60)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(json.slice(60))]);
  const cases = [
    ['invalid UTF-8', n(), badUtf8],
    ['100000 nested arrays', n(), '['.repeat(100000) + ']'.repeat(100000)],
    ['100000 nested objects', n(), '{"a":'.repeat(100000) + '1' + '}'.repeat(100000)],
    ['a 1000-digit number', n(), json.replace('"unit_price":4900', `"unit_price":${'9'.repeat(1000)}`)],
    ['1e400', n(), json.replace('"unit_price":4900', '"unit_price":1e400')],
    ['NUL in a string', n(), json.replace('山田 太郎', '山田\\u0000太郎')],
    ['a lone surrogate', n(), json.replace('山田 太郎', '山田\\ud800太郎')],
    ['duplicate keys', n(), json.replace('{"email":', '{"email":"x@y.z","email":')],
    ['JSON null', n(), 'null'],
    ['a bare string', n(), '"order"'],
    ['an array', n(), `[${json}]`],
    ['NUL in the order number', `/api/v1/merchants/${m.slug}/orders/A%00B`, json],
    ['a slash in the order number', `/api/v1/merchants/${m.slug}/orders/A%2FB`, json],
    ['dot segments', `/api/v1/merchants/${m.slug}/orders/../../health`, json],
  ];
  for (const [name, path, body] of cases) {
    await t.test(name, async () => {
      const res = await api('PUT', path, { body, token: m.key, headers: { 'Content-Type': 'application/json' } });
      assert.ok(res.status < 500, show(res));
      if (res.status >= 400) assertProblem(res, res.status);
    });
  }
  // Still healthy afterwards.
  assertStatus(await api('GET', '/api/v1/health'), 200);
});

test('unknown fields are ignored', async () => {
  const body = order((b) => { b.gift_wrap = true; b.lines[0].colour_hex = '#000'; b.shipping_address.floor = 3; });
  assertStatus(await putOrder(m, newOrderNumber(), body), 201);
});
