// One tenant never sees or changes another's orders, inventory or returns.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  api, assertProblem, assertStatus, createReturn, getReturn, jpOrder, lineOf, lookup, lookupOk,
  newClientAddress, newMerchant, newOrderNumber, pick, postReturn, putInventory, putOrder, trackingKey,
} from './lib.mjs';

let a;
let b;
before(() => {
  a = newMerchant({ currency: 'JPY' });
  b = newMerchant({ currency: 'JPY' }); // its own warehouse
});

const TEE_L = (available) => ({ sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available });

test('the same order number lives separately in two merchants', async () => {
  const n = newOrderNumber();
  const forA = jpOrder({ email: 'a-customer@example.jp' });
  const forB = jpOrder({ email: 'b-customer@example.jp',
    lines: [{ ...jpOrder().lines[2], line_id: '7', quantity: 1 }] });
  assertStatus(await putOrder(a, n, forA), 201);
  assertStatus(await putOrder(b, n, forB), 201); // B creates; it does not replace A's

  const seenA = await lookupOk(a.slug, n, 'a-customer@example.jp');
  const seenB = await lookupOk(b.slug, n, 'b-customer@example.jp');
  assert.deepEqual(seenA.order.lines.map((l) => l.line_id), ['1', '2', '3']);
  assert.deepEqual(seenB.order.lines.map((l) => l.line_id), ['7']);
  // A lookup under merchant A never finds merchant B's order.
  const from = newClientAddress();
  assertProblem(await lookup(a.slug, n, 'b-customer@example.jp', { from }), 404);
  assertProblem(await lookup(b.slug, n, 'a-customer@example.jp', { from }), 404);
});

test('merchant A\'s key cannot write B\'s orders or inventory', async () => {
  const n = newOrderNumber();
  const original = jpOrder({ email: 'owner@example.jp' });
  assertStatus(await putOrder(b, n, original), 201);
  // Overwrite attempt with A's key under B's slug.
  assertProblem(await putOrder(b, n, jpOrder({ email: 'thief@example.jp' }), { token: a.key }), 404);
  assertProblem(await putOrder(b, newOrderNumber(), jpOrder(), { token: a.key }), 404);
  const still = await lookupOk(b.slug, n, 'owner@example.jp');
  assert.equal(still.order.order_number, n);
  assertProblem(await lookup(b.slug, n, 'thief@example.jp', { from: newClientAddress() }), 404);

  assertStatus(await putInventory(b, [TEE_L(0)]), 200);
  assertProblem(await putInventory(b, [TEE_L(99)], { token: a.key }), 404);
  // B still has no TEE-BLK-L to exchange into.
  const seen = await lookupOk(b.slug, n, 'owner@example.jp');
  assert.deepEqual(lineOf(seen.order, '1').exchange_options, []);
});

test('another merchant\'s stock is not offered or reserved for an exchange', async () => {
  const shopA = newMerchant({ currency: 'JPY' });
  const shopB = newMerchant({ currency: 'JPY' });
  assertStatus(await putInventory(shopB, [TEE_L(50)]), 200); // only B has the size
  const n = newOrderNumber();
  assertStatus(await putOrder(shopA, n, jpOrder()), 201);
  const found = await lookupOk(shopA.slug, n, 'taro.yamada@example.jp');
  assert.deepEqual(lineOf(found.order, '1').exchange_options, []);
  const res = await postReturn(found.token,
    [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'exchange', exchange_sku: 'TEE-BLK-L' }]);
  assertProblem(res, 422, 'items[0].exchange_sku');
});

test('tokens and tracking keys of one merchant\'s returns open nothing of another\'s', async () => {
  const nA = newOrderNumber();
  const nB = newOrderNumber();
  assertStatus(await putOrder(a, nA, jpOrder()), 201);
  assertStatus(await putOrder(b, nB, jpOrder()), 201);
  const oA = await lookupOk(a.slug, nA, 'taro.yamada@example.jp');
  const oB = await lookupOk(b.slug, nB, 'taro.yamada@example.jp');
  const item = [{ line_id: '1', quantity: 1, reason: 'too_large', resolution: 'refund' }];
  const rA = await createReturn(oA.token, item);
  const rB = await createReturn(oB.token, item);

  assertProblem(await getReturn(rB.rma, { token: oA.token }), 404);
  assertProblem(await getReturn(rB.rma, { k: trackingKey(rA) }), 404);
  assertProblem(await api('GET', `/api/v1/returns/${rB.rma}/label.pdf`, { token: oA.token }), 404);
  assertProblem(await api('POST', `/api/v1/returns/${rB.rma}/cancel`, { body: {}, token: oA.token }), 404);
  const stillB = await getReturn(rB.rma, { token: oB.token });
  assertStatus(stillB, 200);
  assert.equal(stillB.json.status, 'label_issued');
  const slug = typeof stillB.json.merchant === 'string' ? stillB.json.merchant : stillB.json.merchant?.slug;
  assert.equal(slug, b.slug);
  assert.equal(stillB.json.merchant_name, b.name);
});

test('the portal answers each merchant\'s own name and currency', async () => {
  const us = newMerchant({ currency: 'USD' });
  const pa = await api('GET', `/api/v1/portal/${a.slug}`);
  const pu = await api('GET', `/api/v1/portal/${us.slug}`);
  assertStatus(pa, 200);
  assertStatus(pu, 200);
  assert.deepEqual(pick(pa.json.merchant, ['slug', 'name', 'currency']), { slug: a.slug, name: a.name, currency: 'JPY' });
  assert.deepEqual(pick(pu.json.merchant, ['slug', 'name', 'currency']), { slug: us.slug, name: us.name, currency: 'USD' });
});
