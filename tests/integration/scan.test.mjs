// The scan station's API: the first scan receives a parcel, every later or concurrent one writes nothing;
// unknown, canceled and misrouted parcels get answers staff can act on.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, test } from 'node:test';
import {
  api, assertProblem, assertStatus, eventsOf, getReturn, newMerchant, newStaff, newWarehouse, returnFor,
  scan, scanOk, staffGetReturn, staffSession,
} from './lib.mjs';

let wh;
let m;
let clerk; // {email, password}
let s; // the clerk's session
before(async () => {
  wh = newWarehouse();
  m = newMerchant({ currency: 'JPY', warehouse: wh });
  clerk = newStaff({ role: 'warehouse', warehouse: wh });
  s = await staffSession(clerk);
});

const ITEMS = [
  { line_id: '1', quantity: 2, reason: 'too_small', comment: 'サイズ違い', resolution: 'refund' },
  { line_id: '3', quantity: 1, reason: 'changed_mind', resolution: 'store_credit' },
];
const fresh = () => returnFor(m, ITEMS);

/** Asserts a 409 scan answer with the members staff need; returns the problem. */
function assert409(res, rma, returnStatus) {
  const p = assertProblem(res, 409);
  assert.equal(p.rma, rma);
  assert.equal(p.return_status, returnStatus);
  assert.ok(p.detail.length > 0, 'a detail staff can read');
  return p;
}

test('the first scan receives the parcel: staff view, one received event by this warehouse and clerk', async () => {
  const r = await fresh();
  const res = await scan(s, r.rma);
  assertStatus(res, 200);
  const v = res.json;
  assert.equal(v.first_scan, true);
  assert.equal(v.rma, r.rma);
  assert.equal(v.status, 'received');
  assert.equal(v.merchant, m.slug);
  assert.equal(v.merchant_name, m.name);
  assert.equal(v.order_number, r.order.orderNumber);
  assert.equal(v.customer_name, '山田 太郎');
  assert.equal(v.warehouse, wh.code);
  assert.equal(v.warehouse_name, wh.name);
  assert.ok(!Number.isNaN(Date.parse(v.received_at)), `received_at: ${v.received_at}`);
  assert.equal(v.refund, null);
  // The items the clerk should find in the parcel.
  assert.deepEqual(v.items.map((i) => [i.sku, i.name, i.variant, i.quantity, i.status]),
    [['TEE-BLK-M', 'オーガニックTシャツ', 'Black / M', 2, 'pending'], ['CAP-RED', 'コットンキャップ', 'Red', 1, 'pending']]);

  const received = eventsOf(v, 'received');
  assert.equal(received.length, 1, JSON.stringify(v.events));
  assert.equal(received[0].actor, `warehouse:${wh.code}`);
  assert.equal(received[0].staff, clerk.email);
  assert.equal(received[0].detail.warehouse, wh.code);
  assert.equal(received[0].detail.warehouse_name, wh.name);
  assert.equal(eventsOf(v, 'created')[0].staff, null, 'the customer made the return, no staff');

  // Reading it later shows the same.
  const again = await staffGetReturn(s, r.rma);
  assertStatus(again, 200);
  assert.equal(again.json.status, 'received');
  assert.deepEqual(again.json.events, v.events);
});

test('the customer sees the received event on the tracking view, without staff names', async () => {
  const r = await fresh();
  await scanOk(s, r.rma);
  const res = await getReturn(r.rma, { k: r.k });
  assertStatus(res, 200);
  assert.equal(res.json.status, 'received');
  const received = eventsOf(res.json, 'received');
  assert.equal(received.length, 1);
  assert.equal(received[0].actor, `warehouse:${wh.code}`);
  for (const e of res.json.events) assert.ok(!('staff' in e), `no staff member in ${JSON.stringify(e)}`);
  assert.ok(!JSON.stringify(res.json).includes(clerk.email), 'the clerk\'s email is not shown to the customer');
});

test('a repeated scan answers first_scan false and writes nothing', async () => {
  const r = await fresh();
  const first = await scanOk(s, r.rma);
  const second = await scanOk(s, r.rma);
  assert.equal(second.first_scan, false);
  assert.equal(second.status, 'received');
  assert.equal(second.received_at, first.received_at);
  assert.deepEqual(second.events, first.events);
  // Another clerk of the warehouse scanning it again changes nothing either.
  const other = await staffSession(newStaff({ role: 'warehouse', warehouse: wh }));
  const third = await scanOk(other, r.rma);
  assert.equal(third.first_scan, false);
  assert.equal(eventsOf(third, 'received').length, 1);
  assert.equal(eventsOf(third, 'received')[0].staff, clerk.email);
});

test('the QR text KAERU:<rma>, lower case and a missing hyphen all find the parcel', async () => {
  const r = await fresh();
  const [a, b] = r.rma.split('-');
  const qr = await scanOk(s, `KAERU:${r.rma}`);
  assert.equal(qr.rma, r.rma);
  assert.equal(qr.first_scan, true);
  for (const code of [r.rma.toLowerCase(), `${a}${b}`, `${a}${b}`.toLowerCase(), `KAERU:${r.rma}`]) {
    const v = await scanOk(s, code);
    assert.equal(v.rma, r.rma, `code ${code}`);
    assert.equal(v.first_scan, false, `code ${code}`);
  }
  // A first scan by a lower-case, hyphen-less code works too.
  const r2 = await fresh();
  const v2 = await scanOk(s, r2.rma.replace('-', '').toLowerCase());
  assert.equal(v2.rma, r2.rma);
  assert.equal(v2.first_scan, true);
  assert.equal(eventsOf(v2, 'received').length, 1);
});

test('20 concurrent scans of one parcel: exactly one first scan and one received event', async () => {
  const r = await fresh();
  const answers = await Promise.all(Array.from({ length: 20 }, () => scan(s, r.rma)));
  for (const res of answers) assertStatus(res, 200);
  const firsts = answers.filter((res) => res.json.first_scan === true);
  assert.equal(firsts.length, 1, `first_scan values: ${answers.map((res) => res.json.first_scan)}`);
  for (const res of answers) assert.equal(res.json.status, 'received');
  const seen = await staffGetReturn(s, r.rma);
  assertStatus(seen, 200);
  assert.equal(eventsOf(seen.json, 'received').length, 1, JSON.stringify(seen.json.events));
  const tracked = await getReturn(r.rma, { k: r.k });
  assert.equal(eventsOf(tracked.json, 'received').length, 1);
});

test('an unknown code, or text that cannot be an RMA, is 404', async () => {
  for (const code of ['ABCDE-FGHJK', 'KAERU:ABCDE-FGHJK', 'ZZZZZZZZZZ', 'hello world', '12345-67890',
    "'; DROP TABLE returns; --", 'KAERU:', '4901234567894', 'かえる']) {
    assertProblem(await scan(s, code), 404);
  }
  // A long misread (another barcode, a scanner glitch) is just as unknown.
  assertProblem(await scan(s, 'x'.repeat(500)), 404);
});

test('a missing or empty code is 422 naming code', async () => {
  assertProblem(await scan(s, ''), 422, 'code');
  assertProblem(await scan(s, undefined), 422, 'code'); // {}
  assertProblem(await s.api('POST', '/api/v1/scan', { body: { code: null } }), 422, 'code');
  assertProblem(await s.api('POST', '/api/v1/scan', { body: { code: 12345 } }), 422, 'code');
});

test('a parcel the customer canceled is 409 return_status canceled, and stays canceled', async () => {
  const r = await fresh();
  assertStatus(await api('POST', `/api/v1/returns/${r.rma}/cancel`, { body: {}, token: r.order.token }), 200);
  const p = assert409(await scan(s, r.rma), r.rma, 'canceled');
  assert.match(p.detail, /cancel/i);
  assert409(await scan(s, `KAERU:${r.rma}`), r.rma, 'canceled');
  const seen = await getReturn(r.rma, { k: r.k });
  assert.equal(seen.json.status, 'canceled');
  assert.equal(eventsOf(seen.json, 'received').length, 0);
});

test('a parcel of another warehouse is 409 wrong_warehouse naming the right one', async () => {
  const elsewhere = newWarehouse();
  const shop = newMerchant({ currency: 'JPY', warehouse: elsewhere });
  const r = await returnFor(shop, ITEMS);
  const p = assert409(await scan(s, r.rma), r.rma, 'wrong_warehouse');
  assert.equal(p.warehouse, elsewhere.code);
  const seen = await getReturn(r.rma, { k: r.k });
  assert.equal(seen.json.status, 'label_issued', 'still waiting for its own warehouse');
  // Its own warehouse receives it.
  const theirs = await staffSession(newStaff({ role: 'warehouse', warehouse: elsewhere }));
  const v = await scanOk(theirs, r.rma);
  assert.equal(v.first_scan, true);
  assert.equal(eventsOf(v, 'received')[0].actor, `warehouse:${elsewhere.code}`);
});

test('one warehouse receives the parcels of every merchant that returns to it', async () => {
  const usShop = newMerchant({ currency: 'USD', warehouse: wh });
  const jp = await fresh();
  const us = await returnFor(usShop, [{ line_id: 'A1', quantity: 1, reason: 'too_large', resolution: 'refund' }]);
  const a = await scanOk(s, jp.rma);
  const b = await scanOk(s, us.rma);
  assert.deepEqual([a.first_scan, a.merchant, a.currency], [true, m.slug, 'JPY']);
  assert.deepEqual([b.first_scan, b.merchant, b.merchant_name, b.currency, b.customer_name],
    [true, usShop.slug, usShop.name, 'USD', 'Jane Doe']);
});

test('a first scan sent again under its Idempotency-Key answers as the first did; another key is a repeat', async () => {
  const m = newMerchant();
  const clerk = await staffSession(newStaff({ role: 'warehouse', warehouse: m.warehouse }));
  const ret = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  const key = randomUUID();
  const first = await scan(clerk, ret.rma, { headers: { 'Idempotency-Key': key } });
  assertStatus(first, 200);
  assert.equal(first.json.first_scan, true);
  const again = await scan(clerk, ret.rma, { headers: { 'Idempotency-Key': key } });
  assertStatus(again, 200);
  assert.equal(again.json.first_scan, true, 'the retry of the first scan says it received the parcel');
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(eventsOf(again.json, 'received').length, 1, 'received once');
  const other = await scan(clerk, ret.rma, { headers: { 'Idempotency-Key': randomUUID() } });
  assertStatus(other, 200);
  assert.equal(other.json.first_scan, false, 'a scan of its own is a repeat');
  assertProblem(await scan(clerk, ret.rma, { headers: { 'Idempotency-Key': key }, body: { code: `KAERU:${ret.rma}` } }), 409);
  assertProblem(await scan(clerk, ret.rma, { headers: { 'Idempotency-Key': 'a b' } }), 422, 'Idempotency-Key');
});
