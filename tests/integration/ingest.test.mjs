// Ingest: the shop system pushes orders and inventory with its merchant key.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  api, assertProblem, assertStatus, daysAgo, jpOrder, lineOf, lookup, lookupOk, newMerchant,
  newOrderNumber, optionsOf, putInventory, putOrder, usOrder,
} from './lib.mjs';

let jp; // JPY merchant
let us; // USD merchant
before(() => {
  jp = newMerchant({ currency: 'JPY' });
  us = newMerchant({ currency: 'USD' });
});

const sameInstant = (a, b, what) =>
  assert.equal(Date.parse(a), Date.parse(b), `${what}: ${a} is the instant ${b}`);

/** The stored order in a response equals what was sent. */
function assertStored(got, orderNumber, sent) {
  assert.equal(got.order_number, orderNumber);
  assert.equal(got.email, sent.email);
  assert.equal(got.currency, sent.currency);
  sameInstant(got.placed_at, sent.placed_at, 'placed_at');
  if (sent.delivered_at === null) assert.equal(got.delivered_at, null);
  else sameInstant(got.delivered_at, sent.delivered_at, 'delivered_at');
  assert.deepEqual(got.shipping_address, sent.shipping_address);
  assert.equal(got.lines.length, sent.lines.length);
  sent.lines.forEach((line, i) => {
    for (const [k, v] of Object.entries(line)) assert.deepEqual(got.lines[i][k], v, `lines[${i}].${k}`);
  });
}

test('PUT of a new order answers 201 with the stored order, a repeat answers 200', async () => {
  const n = newOrderNumber();
  const body = jpOrder();
  const first = await putOrder(jp, n, body);
  assertStatus(first, 201);
  assert.match(first.headers['content-type'] || '', /^application\/json\b/);
  assertStored(first.json, n, body);

  const again = await putOrder(jp, n, body);
  assertStatus(again, 200);
  assertStored(again.json, n, body);
});

test('a replaced order is what the customer then sees', async () => {
  const n = newOrderNumber();
  assertStatus(await putOrder(jp, n, jpOrder()), 201);
  const changed = jpOrder({
    email: 'hanako.sato@example.jp',
    lines: [{ line_id: '9', sku: 'DRESS-WHT-S', product_id: 'DRESS', name: 'リネンワンピース',
      variant: 'White / S', category: 'dresses', quantity: 1, unit_price: 12800, final_sale: false }],
  });
  const res = await putOrder(jp, n, changed);
  assertStatus(res, 200);
  assertStored(res.json, n, changed);

  const found = await lookupOk(jp.slug, n, 'hanako.sato@example.jp');
  assert.deepEqual(found.order.lines.map((l) => [l.line_id, l.sku, l.quantity, l.unit_price]),
    [['9', 'DRESS-WHT-S', 1, 12800]]);
  const old = await lookup(jp.slug, n, 'taro.yamada@example.jp');
  assertProblem(old, 404);
});

test('times with offsets and fractional seconds are stored as the same instants', async () => {
  const n = newOrderNumber();
  const body = jpOrder({ placed_at: '2026-01-02T18:30:00+09:00', delivered_at: '2026-01-05T09:15:30.250Z' });
  const res = await putOrder(jp, n, body);
  assertStatus(res, 201);
  sameInstant(res.json.placed_at, '2026-01-02T09:30:00Z', 'placed_at');
  assert.equal(Math.floor(Date.parse(res.json.delivered_at) / 1000), Date.parse('2026-01-05T09:15:30Z') / 1000);
  assert.match(res.json.placed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, 'RFC 3339 out');
});

test('an order not delivered yet (delivered_at null) is stored and shown as not returnable yet', async () => {
  const n = newOrderNumber();
  const body = jpOrder({ delivered_at: null });
  const res = await putOrder(jp, n, body);
  assertStatus(res, 201);
  assert.equal(res.json.delivered_at, null);
  const found = await lookupOk(jp.slug, n, body.email);
  assert.equal(found.order.delivered_at, null);
  for (const id of ['1', '3']) { // line 2 is final sale, which may be the reason given for it
    const line = lineOf(found.order, id);
    assert.equal(line.eligible, false, `line ${id}`);
    assert.equal(line.ineligible_reason, 'not_delivered', `line ${id}`);
  }
  assert.equal(lineOf(found.order, '2').eligible, false);
  // Delivery arrives by replacing the order: now the ordinary line is returnable.
  assertStatus(await putOrder(jp, n, { ...body, delivered_at: daysAgo(1) }), 200);
  const later = await lookupOk(jp.slug, n, body.email);
  assert.equal(lineOf(later.order, '1').eligible, true);
});

test('Japanese text and 4-byte characters survive the round trip byte for byte', async () => {
  const n = newOrderNumber();
  const body = jpOrder();
  body.shipping_address.name = '髙橋 𠮷子';      // IBM extension kanji and a non-BMP kanji
  body.lines[0].name = 'かえるTシャツ 🐸 限定';   // emoji: needs utf8mb4 end to end
  const res = await putOrder(jp, n, body);
  assertStatus(res, 201);
  assert.equal(res.json.shipping_address.name, '髙橋 𠮷子');
  assert.equal(res.json.lines[0].name, 'かえるTシャツ 🐸 限定');
  const found = await lookupOk(jp.slug, n, body.email);
  assert.equal(lineOf(found.order, '1').name, 'かえるTシャツ 🐸 限定');
});

test('the largest valid values are accepted: 64-char number, 100 lines, 10000 units, 10^12, 255 chars', async () => {
  const n = `N${'0123456789'.repeat(7)}`.slice(0, 64);
  const long = 'あ'.repeat(255); // 255 characters, 765 bytes of UTF-8
  const lines = Array.from({ length: 100 }, (_, i) => ({
    line_id: String(i + 1), sku: `SKU-${i + 1}`, product_id: `P${i + 1}`, name: i === 0 ? long : `品目 ${i + 1}`,
    variant: 'One size', category: 'misc', quantity: i === 0 ? 10000 : 1,
    unit_price: i === 0 ? 1_000_000_000_000 : 0, final_sale: false,
  }));
  const body = jpOrder({ lines, shipping_address: { ...jpOrder().shipping_address, line1: long } });
  const res = await putOrder(jp, n, body);
  assertStatus(res, 201);
  assert.equal(res.json.order_number, n);
  assert.equal(res.json.lines.length, 100);
  assert.equal(res.json.lines[0].quantity, 10000);
  assert.equal(res.json.lines[0].unit_price, 1_000_000_000_000);
  assert.equal(res.json.lines[0].name, long);
  assert.equal(res.json.shipping_address.line1, long);
});

test('a USD merchant takes USD orders with prices in cents', async () => {
  const n = newOrderNumber();
  const body = usOrder();
  const res = await putOrder(us, n, body);
  assertStatus(res, 201);
  assertStored(res.json, n, body);
  const found = await lookupOk(us.slug, n, 'jane.doe@example.com');
  assert.equal(found.order.currency, 'USD');
  assert.equal(lineOf(found.order, 'A1').unit_price, 12999);
});

test('an order in another currency than the merchant\'s is refused naming currency', async () => {
  assertProblem(await putOrder(jp, newOrderNumber(), jpOrder({ currency: 'USD' })), 422, 'currency');
  assertProblem(await putOrder(us, newOrderNumber(), usOrder({ currency: 'JPY' })), 422, 'currency');
});

test('ingest without a key, with a wrong key, or with another merchant\'s key stores nothing', async () => {
  const n = newOrderNumber();
  const body = jpOrder();
  const path = `/api/v1/merchants/${jp.slug}/orders/${n}`;
  assertProblem(await api('PUT', path, { body }), 401);
  assertProblem(await api('PUT', path, { body, token: 'not-a-key' }), 401);
  assertProblem(await api('PUT', path, { body, token: `${jp.key.slice(0, -2)}xx` }), 401);
  assertProblem(await api('PUT', path, { body, headers: { Authorization: `Basic ${jp.key}` } }), 401);
  assertProblem(await putOrder(jp, n, body, { token: us.key }), 404);
  assertProblem(await lookup(jp.slug, n, body.email), 404);
  // The real key still works afterwards and creates (201, not 200: nothing was stored before).
  assertStatus(await putOrder(jp, n, body), 201);
});

test('inventory PUT answers 200 with each sku\'s available count', async () => {
  const items = [
    { sku: 'TEE-BLK-S', product_id: 'TEE', variant: 'Black / S', available: 0 },
    { sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available: 7 },
  ];
  const res = await putInventory(jp, items);
  assertStatus(res, 200);
  const got = Object.fromEntries(res.json.items.map((i) => [i.sku, i.available]));
  assert.deepEqual(got, { 'TEE-BLK-S': 0, 'TEE-BLK-L': 7 });

  // available is the shop's absolute count: a second PUT replaces, never adds.
  const again = await putInventory(jp, [{ ...items[1], available: 3 }]);
  assertStatus(again, 200);
  assert.equal(again.json.items.find((i) => i.sku === 'TEE-BLK-L').available, 3);

  assertProblem(await putInventory(jp, items, { token: 'wrong' }), 401);
  assertProblem(await putInventory(jp, items, { token: us.key }), 404);
});

test('the inventory count decides the exchange options a customer is offered', async () => {
  const m = newMerchant({ currency: 'JPY' });
  assertStatus(await putInventory(m, [
    { sku: 'TEE-BLK-M', product_id: 'TEE', variant: 'Black / M', available: 9 },
    { sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available: 2 },
    { sku: 'TEE-BLK-S', product_id: 'TEE', variant: 'Black / S', available: 0 },
    { sku: 'CAP-BLU', product_id: 'CAP', variant: 'Blue', available: 4 },
  ]), 200);
  const n = newOrderNumber();
  assertStatus(await putOrder(m, n, jpOrder()), 201);
  const found = await lookupOk(m.slug, n, 'taro.yamada@example.jp');
  const tee = lineOf(found.order, '1');
  assert.deepEqual(optionsOf(tee), [{ sku: 'TEE-BLK-L', variant: 'Black / L' }],
    'only another in-stock variant of the same product');
  assert.deepEqual(lineOf(found.order, '3').exchange_options.map((o) => o.sku), ['CAP-BLU']);

  assertStatus(await putInventory(m, [{ sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available: 0 },
    { sku: 'TEE-BLK-S', product_id: 'TEE', variant: 'Black / S', available: 1 }]), 200);
  const later = await lookupOk(m.slug, n, 'taro.yamada@example.jp');
  assert.deepEqual(optionsOf(lineOf(later.order, '1')), [{ sku: 'TEE-BLK-S', variant: 'Black / S' }]);
});
