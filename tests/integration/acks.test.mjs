// The shop's acknowledgements with its merchant key: a refund paid (idempotent by reference, never
// more than is due), a replacement shipped, and the return read whole with ledger and shipments.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  api, assertProblem, assertStatus, clerkOf, getReturn, inspectOk, newMerchant, newWarehouse, openOrder, pause,
  putInventory, returnFor, scanOk, trackingKey,
} from './lib.mjs';

let wh;
before(() => { wh = newWarehouse(); });

const path = (m, rma, tail = '') => `/api/v1/merchants/${m.slug}/returns/${rma}${tail}`;
const paid = (m, rma, body, key = m.key) => api('POST', path(m, rma, '/refund-paid'), { token: key, body });
const shipped = (m, rma, body, key = m.key) => api('POST', path(m, rma, '/exchange-shipped'), { token: key, body });
const GOT = { grade: 'like_new', disposition: 'restock' };

async function events(m, type) {
  const res = await api('GET', `/api/v1/merchants/${m.slug}/events?limit=500`, { token: m.key });
  assertStatus(res, 200);
  return res.json.events.filter((e) => e.type === type);
}

/** A return of items, scanned and every item inspected as arrived whole: resolved. */
async function resolved(m, items) {
  const clerk = await clerkOf(m);
  const r = await returnFor(m, items);
  await scanOk(clerk, r.rma);
  for (let i = 0; i < items.length; i++) {
    await inspectOk(clerk, r.rma, r.items[i].item_id, { received_quantity: items[i].quantity, ...GOT });
  }
  return r;
}

test('refund paid: partial, replayed, over the due amount, then the rest', async () => {
  const m = newMerchant({ warehouse: wh });
  const r = await resolved(m, [{ line_id: '1', quantity: 2, reason: 'too_small', resolution: 'refund' }]);
  const whole = await api('GET', path(m, r.rma), { token: m.key });
  assertStatus(whole, 200);
  assert.equal(whole.json.rma, r.rma);
  assert.equal(whole.json.status, 'resolved');
  assert.deepEqual(whole.json.ledger.map((l) => [l.kind, l.sku, l.amount, l.currency]), [['refund', 'TEE-BLK-M', 9800, 'JPY']]);
  assert.deepEqual([whole.json.refund_paid, whole.json.refund_due, whole.json.shipments], [0, 9800, []]);

  const first = await paid(m, r.rma, { amount: 5000, reference: 'PAY-1' });
  assertStatus(first, 200);
  assert.deepEqual([first.json.refund_paid, first.json.refund_due], [5000, 4800]);
  const again = await paid(m, r.rma, { amount: 5000, reference: 'PAY-1' });
  assertStatus(again, 200);
  assert.deepEqual([again.json.refund_paid, again.json.refund_due], [5000, 4800], 'nothing new');
  assertProblem(await paid(m, r.rma, { amount: 4000, reference: 'PAY-1' }), 409);
  assertProblem(await paid(m, r.rma, { amount: 4801, reference: 'PAY-2' }), 422, 'amount');
  const rest = await paid(m, r.rma, { amount: 4800, reference: 'PAY-2' });
  assertStatus(rest, 200);
  assert.deepEqual(rest.json.refund_payments.map((p) => [p.amount, p.reference]), [[5000, 'PAY-1'], [4800, 'PAY-2']]);
  assert.equal(rest.json.refund_due, 0);
  assertProblem(await paid(m, r.rma, { amount: 1, reference: 'PAY-3' }), 422, 'amount');
  const evs = await events(m, 'return.refund_paid');
  assert.deepEqual(evs.map((e) => [e.rma, e.data.amount, e.data.reference, e.data.refund_due]),
    [[r.rma, 5000, 'PAY-1', 4800], [r.rma, 4800, 'PAY-2', 0]]);
  // The customer's timeline shows each payment once, by the shop.
  const tracked = await getReturn(r.rma, { k: trackingKey(r) });
  assertStatus(tracked, 200);
  assert.deepEqual(tracked.json.events.filter((e) => e.type === 'refund_paid').map((e) => [e.actor, e.detail.amount]),
    [['shop', 5000], ['shop', 4800]]);
});

test('two racing acknowledgements of one payment record it once', async () => {
  const m = newMerchant({ warehouse: wh });
  const r = await resolved(m, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  const all = await Promise.all([1, 2, 3].map(() => paid(m, r.rma, { amount: 4900, reference: 'P' })));
  for (const res of all) assertStatus(res, 200);
  assert.equal((await events(m, 'return.refund_paid')).length, 1);
});

test('replacement shipped: once, with carrier and tracking number', async () => {
  const m = newMerchant({ warehouse: wh });
  assertStatus(await putInventory(m, [{ sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available: 2 }]), 200);
  const r = await resolved(m, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'exchange', exchange_sku: 'TEE-BLK-L' }]);
  const before = await api('GET', path(m, r.rma), { token: m.key });
  assert.deepEqual(before.json.shipments.map((s) => [s.sku, s.quantity, s.status]), [['TEE-BLK-L', 1, 'pending']]);
  const res = await shipped(m, r.rma, { carrier: 'yamato', tracking_number: '1234-5678-9012' });
  assertStatus(res, 200);
  assert.deepEqual(res.json.shipments.map((s) => [s.sku, s.status, s.carrier, s.tracking_number]),
    [['TEE-BLK-L', 'shipped', 'yamato', '1234-5678-9012']]);
  assertStatus(await shipped(m, r.rma, { carrier: 'yamato', tracking_number: '1234-5678-9012' }), 200);
  const evs = await events(m, 'return.exchange_shipped');
  assert.equal(evs.length, 1);
  assert.deepEqual([evs[0].data.carrier, evs[0].data.tracking_number, evs[0].data.shipments[0].sku],
    ['yamato', '1234-5678-9012', 'TEE-BLK-L']);
  const tracked = await getReturn(r.rma, { k: trackingKey(r) });
  assert.deepEqual(tracked.json.events.filter((e) => e.type === 'exchange_shipped').map((e) => e.detail.tracking_number),
    ['1234-5678-9012'], 'on the customer\'s timeline once');
  // A refund ships nothing; it pays nothing before it is resolved.
  const refund = await resolved(m, [{ line_id: '3', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  assertProblem(await shipped(m, refund.rma, { carrier: 'yamato', tracking_number: '1' }), 409);
  const open = await returnFor(m, [{ line_id: '3', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  assertProblem(await paid(m, open.rma, { amount: 1, reference: 'X' }), 409);
});

test('bad bodies name the field; another merchant\'s return is 404', async () => {
  const m = newMerchant({ warehouse: wh });
  const other = newMerchant({ warehouse: wh });
  const r = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  assertProblem(await paid(m, r.rma, { reference: 'x' }), 422, 'amount');
  assertProblem(await paid(m, r.rma, { amount: 0, reference: 'x' }), 422, 'amount');
  assertProblem(await paid(m, r.rma, { amount: '5', reference: 'x' }), 422, 'amount');
  assertProblem(await paid(m, r.rma, { amount: 5, reference: 'x'.repeat(129) }), 422, 'reference');
  assertProblem(await shipped(m, r.rma, { tracking_number: '1' }), 422, 'carrier');
  assertProblem(await shipped(m, r.rma, { carrier: 'x' }), 422, 'tracking_number');
  assertProblem(await api('GET', path(other, r.rma), { token: other.key }), 404);
  assertProblem(await paid(other, r.rma, { amount: 1, reference: 'x' }), 404);
  assertProblem(await api('GET', path(m, 'AAAAA-AAAAA'), { token: m.key }), 404);
});

test('the returns changed since a time: new ones and ones that changed, not the rest', async () => {
  const m = newMerchant({ warehouse: wh });
  const changed = (q) => api('GET', `/api/v1/merchants/${m.slug}/returns${q}`, { token: m.key });
  const item = { line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' };
  const r1 = await returnFor(m, [item]);
  const untouched = await returnFor(m, [item]);
  await pause(1100);
  const since = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const r2 = await returnFor(m, [item]);
  await scanOk(await clerkOf(m), r1.rma);
  const all = await changed('');
  assertStatus(all, 200);
  assert.equal(all.json.total, 3);
  const res = await changed(`?updated_since=${since}`);
  assertStatus(res, 200);
  assert.deepEqual(new Set(res.json.items.map((x) => x.rma)), new Set([r1.rma, r2.rma]));
  assert.ok(!res.json.items.some((x) => x.rma === untouched.rma));
  assert.equal(res.json.items.find((x) => x.rma === r1.rma).status, 'received');
  for (const [q, field] of [['?updated_since=yesterday', 'updated_since'], ['?updated_since=2026-13-01T00:00:00Z', 'updated_since'],
    ['?page=0', 'page']]) assertProblem(await changed(q), 422, field);
});
