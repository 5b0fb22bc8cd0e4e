// Creating returns: eligibility, quantities, exchanges with stock reservation, idempotency, races.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  RMA_RE, adminOk, allListings, api, assertProblem, assertStatus, clerkOf, createReturn, getReturn, inspectOk,
  lineOf, lookupOk, newMerchant, newOrder, openOrder, ownerOf, postReturn, putInventory, putOrder,
  scanOk, suffix, trackingKey,
} from './lib.mjs';

let m;
before(() => { m = newMerchant({ currency: 'JPY' }); });

const TEE = (sku, available) => ({ sku, product_id: 'TEE', variant: `Black / ${sku.split('-')[2]}`, available });
const refund = (line_id, quantity = 1) => ({ line_id, quantity, reason: 'too_small', comment: '少し小さかった', resolution: 'refund' });
const exchange = (line_id, exchange_sku, quantity = 1) =>
  ({ line_id, quantity, reason: 'too_small', resolution: 'exchange', exchange_sku });

/** The line as the customer now sees it. */
async function lineNow(o, lineId) {
  return lineOf((await lookupOk(m.slug, o.orderNumber, o.body.email)).order, lineId);
}

test('a refund return answers 201 with its RMA, label, tracking link and items', async () => {
  const o = await openOrder(m);
  const res = await postReturn(o.token, [refund('1')]);
  assertStatus(res, 201);
  const r = res.json;
  assert.match(r.rma, RMA_RE);
  assert.equal(r.status, 'label_issued');
  const k = trackingKey(r);
  assert.equal(new URL(r.tracking_url, 'http://x').pathname, `/r/${r.rma}`);
  const label = new URL(r.label_url, 'http://x');
  assert.equal(label.pathname, `/api/v1/returns/${r.rma}/label.pdf`);
  assert.equal(label.searchParams.get('k'), k);
  assert.equal(r.items.length, 1);
  const item = r.items[0];
  assert.ok(item.item_id !== undefined && item.item_id !== null, 'item_id');
  assert.deepEqual(
    { line_id: item.line_id, sku: item.sku, name: item.name, quantity: item.quantity, reason: item.reason,
      resolution: item.resolution, exchange_sku: item.exchange_sku },
    { line_id: '1', sku: 'TEE-BLK-M', name: 'オーガニックTシャツ', quantity: 1, reason: 'too_small',
      resolution: 'refund', exchange_sku: null });

  const line = await lineNow(o, '1');
  assert.equal(line.returnable_quantity, 1);
  assert.equal(line.eligible, true);
  // The tracking key reads the same return.
  const tracked = await getReturn(r.rma, { k });
  assertStatus(tracked, 200);
  assert.equal(tracked.json.rma, r.rma);
});

test('returning every unit makes the line already_returned; one more unit is refused', async () => {
  const o = await openOrder(m);
  await createReturn(o.token, [refund('1')]);
  await createReturn(o.token, [{ ...refund('1'), resolution: 'store_credit', reason: 'changed_mind' }]);
  const line = await lineNow(o, '1');
  assert.equal(line.returnable_quantity, 0);
  assert.equal(line.eligible, false);
  assert.equal(line.ineligible_reason, 'already_returned');
  const res = await postReturn(o.token, [refund('1')]);
  const p = assertProblem(res, 422);
  assert.ok(p.errors.some((e) => ['items[0].quantity', 'items[0].line_id'].includes(e.field)),
    `names items[0].quantity or items[0].line_id: ${JSON.stringify(p.errors)}`);
});

test('the shop re-sending an order (say, with a new delivery time) keeps its returns', async () => {
  const o = await openOrder(m);
  const r = await createReturn(o.token, [refund('1')]);
  const resent = await api('PUT', `/api/v1/merchants/${m.slug}/orders/${o.orderNumber}`,
    { body: { ...o.body, delivered_at: o.body.placed_at }, token: m.key });
  assertStatus(resent, 200);
  assert.equal((await lineNow(o, '1')).returnable_quantity, 1, 'the returned unit is still counted');
  const tracked = await getReturn(r.rma, { token: o.token });
  assertStatus(tracked, 200);
  assert.deepEqual(tracked.json.items.map((i) => [i.line_id, i.sku, i.quantity]), [['1', 'TEE-BLK-M', 1]]);
  await createReturn(o.token, [refund('1')]);
  assertProblem(await postReturn(o.token, [refund('1')]), 422);
});

test('a re-pushed order with a new price and sku never changes an open return: refund, listing and restock keep what was bought', async () => {
  const o = await openOrder(m);
  const r = await createReturn(o.token, [refund('1', 2), { ...refund('3'), reason: 'defective' }]);
  const lines = o.body.lines.map((l) => (l.line_id === '1'
    ? { ...l, sku: 'TEE-BLK-M-2027', product_id: 'TEE-2027', name: '新しいTシャツ', category: 'new-tops', unit_price: 9900 }
    : l.line_id === '3' ? { ...l, unit_price: 100 } : l));
  assertStatus(await putOrder(m, o.orderNumber, { ...o.body, lines }), 200);
  const tracked = (await getReturn(r.rma, { token: o.token })).json;
  assert.deepEqual(tracked.items.map((i) => [i.sku, i.name, i.unit_price]),
    [['TEE-BLK-M', 'オーガニックTシャツ', 4900], ['CAP-RED', 'コットンキャップ', 3300]]);

  const clerk = await clerkOf(m);
  await scanOk(clerk, r.rma);
  await inspectOk(clerk, r.rma, r.items[0].item_id, { received_quantity: 2, grade: 'new', disposition: 'resale' });
  const v = await inspectOk(clerk, r.rma, r.items[1].item_id, { received_quantity: 1, grade: 'good', disposition: 'restock' });
  assert.equal(v.status, 'resolved');
  assert.equal(v.refund.refund, 2 * 4900 + 3300, 'refunded at the price paid');
  assert.equal(v.refund.amount, 2 * 4900 + 3300);
  const listings = (await allListings(await ownerOf(m))).filter((l) => l.rma === r.rma);
  assert.equal(listings.length, 2);
  for (const l of listings) {
    assert.deepEqual([l.sku, l.product_id, l.title, l.category, l.original_price, l.suggested_price],
      ['TEE-BLK-M', 'TEE', 'オーガニックTシャツ', 'tops', 4900, 4410]);
  }
});

test('lowering a line below the units being returned is 409 naming the line; down to them is fine', async () => {
  const o = await openOrder(m); // line 1: 2 units
  await createReturn(o.token, [refund('1', 2)]);
  const withQty = (q) => ({ ...o.body, lines: o.body.lines.map((l) => (l.line_id === '1' ? { ...l, quantity: q } : l)) });
  const p = assertProblem(await putOrder(m, o.orderNumber, withQty(1)), 409);
  assert.equal(p.line_id, '1');
  assert.match(p.detail, /Line 1\b/);
  assert.equal((await lineNow(o, '1')).quantity, 2, 'the refused push changed nothing');
  assertStatus(await putOrder(m, o.orderNumber, withQty(2)), 200);
  assertStatus(await putOrder(m, o.orderNumber, withQty(3)), 200);
  assert.equal((await lineNow(o, '1')).returnable_quantity, 1);
});

test('lookup says which reasons carry the fee and what store credit pays per quantity, as settlement will', async () => {
  const us = newMerchant({ currency: 'USD' });
  const plain = await openOrder(us);
  assert.deepEqual(plain.policy.fee_reasons, [], 'no fee, no fee reasons');
  adminOk(['merchant', 'policy', '--slug', us.slug, '--restocking-fee-percent', '10', '--store-credit-bonus-percent', '10']);
  const o = await openOrder(us);
  assert.deepEqual([...o.policy.fee_reasons].sort(), ['changed_mind', 'too_large', 'too_small']);
  // A2: 3 belts at $19.99; 10 % bonus rounds down on the whole amount, not per unit.
  assert.deepEqual(lineOf(o.order, 'A2').store_credit_amounts, [2198, 4397, 6596]);
  assert.deepEqual(lineOf(o.order, 'A1').store_credit_amounts, [14298]);
  const r = await createReturn(o.token, [{ line_id: 'A2', quantity: 2, reason: 'changed_mind', resolution: 'store_credit' }]);
  const clerk = await clerkOf(us);
  await scanOk(clerk, r.rma);
  const v = await inspectOk(clerk, r.rma, r.items[0].item_id, { received_quantity: 2, grade: 'new', disposition: 'restock' });
  assert.equal(v.refund.store_credit, 4397, 'the quote is what the customer gets');
  const after = await lookupOk(us.slug, o.orderNumber, o.body.email);
  assert.deepEqual(lineOf(after.order, 'A2').store_credit_amounts, [2198], 'quotes follow the units still returnable');
});

test('several items in one return keep their order, reasons and resolutions', async () => {
  const o = await openOrder(m);
  const r = await createReturn(o.token, [
    { line_id: '3', quantity: 1, reason: 'damaged', resolution: 'store_credit' },
    { line_id: '1', quantity: 2, reason: 'too_large', resolution: 'refund' },
  ]);
  assert.deepEqual(r.items.map((i) => [i.line_id, i.sku, i.quantity, i.reason, i.resolution]),
    [['3', 'CAP-RED', 1, 'damaged', 'store_credit'], ['1', 'TEE-BLK-M', 2, 'too_large', 'refund']]);
  assert.equal(new Set(r.items.map((i) => String(i.item_id))).size, 2, 'distinct item ids');
});

test('refused requests name the item at fault and create nothing', async () => {
  const o = await openOrder(m);
  const cases = [
    [[refund('1', 3)], 'items[0].quantity'],                       // more than bought
    [[refund('1', 0)], 'items[0].quantity'],
    [[refund('3'), refund('2')], 'items[1].line_id'],              // final sale
    [[refund('3'), refund('nope')], 'items[1].line_id'],           // unknown line
    [[], 'items'],
    [[{ ...refund('1'), reason: 'bored' }], 'items[0].reason'],
    [[{ ...refund('1'), resolution: 'cash' }], 'items[0].resolution'],
  ];
  for (const [items, field] of cases) {
    assertProblem(await postReturn(o.token, items), 422, field);
  }
  // The same line twice in one request, even when both together would fit, is refused.
  assertProblem(await postReturn(o.token, [refund('1'), refund('1')]), 422);
  const after = await lookupOk(m.slug, o.orderNumber, o.body.email);
  assert.equal(lineOf(after.order, '1').returnable_quantity, 2);
  assert.equal(lineOf(after.order, '3').returnable_quantity, 1);
});

test('an exchange must name another in-stock variant of the same product', async () => {
  assertStatus(await putInventory(m, [TEE('TEE-BLK-L', 3), TEE('TEE-BLK-S', 0),
    { sku: 'CAP-BLU', product_id: 'CAP', variant: 'Blue', available: 5 }]), 200);
  const o = await openOrder(m);
  const bad = [
    { line_id: '1', quantity: 1, reason: 'too_small', resolution: 'exchange' }, // no exchange_sku
    exchange('1', 'TEE-BLK-M'), // the same sku
    exchange('1', 'CAP-BLU'), // another product
    exchange('1', 'TEE-BLK-S'), // out of stock
    exchange('1', 'TEE-PINK-XXL'), // unknown
  ];
  for (const item of bad) {
    assertProblem(await postReturn(o.token, [item]), 422, 'items[0].exchange_sku');
  }
  const r = await createReturn(o.token, [exchange('1', 'TEE-BLK-L', 2)]);
  assert.equal(r.items[0].resolution, 'exchange');
  assert.equal(r.items[0].exchange_sku, 'TEE-BLK-L');
  assert.equal(r.items[0].quantity, 2);
});

test('an exchange reserves its units until the return is canceled', async () => {
  const shop = newMerchant({ currency: 'JPY' });
  assertStatus(await putInventory(shop, [TEE('TEE-BLK-L', 1)]), 200);
  const first = await openOrder(shop);
  const second = await openOrder(shop);
  assert.deepEqual(lineOf(second.order, '1').exchange_options.map((x) => x.sku), ['TEE-BLK-L']);

  const r = await createReturn(first.token, [exchange('1', 'TEE-BLK-L')]);
  // The last unit is now promised to the first customer.
  assertProblem(await postReturn(second.token, [exchange('1', 'TEE-BLK-L')]), 422, 'items[0].exchange_sku');
  const seen = await lookupOk(shop.slug, second.orderNumber, second.body.email);
  assert.deepEqual(lineOf(seen.order, '1').exchange_options, [], 'a reserved last unit is not offered');

  // The shop re-sends its absolute count (the unit has not left its shelf): still reserved.
  assertStatus(await putInventory(shop, [TEE('TEE-BLK-L', 1)]), 200);
  assertProblem(await postReturn(second.token, [exchange('1', 'TEE-BLK-L')]), 422, 'items[0].exchange_sku');

  // Canceling releases it.
  const canceled = await postReturnCancel(first.token, r.rma);
  assertStatus(canceled, 200);
  const r2 = await createReturn(second.token, [exchange('1', 'TEE-BLK-L')]);
  assert.equal(r2.items[0].exchange_sku, 'TEE-BLK-L');

  // With two on the shelf and one reserved, an exchange of two units does not fit, of one does.
  assertStatus(await putInventory(shop, [TEE('TEE-BLK-L', 2)]), 200);
  const third = await openOrder(shop);
  assertProblem(await postReturn(third.token, [exchange('1', 'TEE-BLK-L', 2)]), 422, 'items[0].exchange_sku');
  await createReturn(third.token, [exchange('1', 'TEE-BLK-L', 1)]);
});

function postReturnCancel(token, rma) {
  return api('POST', `/api/v1/returns/${rma}/cancel`, { body: {}, token });
}

test('the same Idempotency-Key and body give the same RMA; another body gets 409', async () => {
  const o = await openOrder(m);
  const key = `idem-${suffix(8)}`;
  const items = [refund('1')];
  const a = await postReturn(o.token, items, { idempotencyKey: key });
  assertStatus(a, 201);
  const b = await postReturn(o.token, items, { idempotencyKey: key });
  assertStatus(b, [200, 201]);
  assert.equal(b.json.rma, a.json.rma);
  assertProblem(await postReturn(o.token, [refund('3')], { idempotencyKey: key }), 409);
  assert.equal((await lineNow(o, '1')).returnable_quantity, 1, 'one unit returned, once');
  assert.equal((await lineNow(o, '3')).returnable_quantity, 1);

  // Another order using the same key string gets its own return, never the first order's.
  const other = await openOrder(m);
  const c = await postReturn(other.token, items, { idempotencyKey: key });
  if (c.status < 300) assert.notEqual(c.json.rma, a.json.rma, 'an idempotency key never crosses orders');
  else assert.ok(c.status < 500, `no 5xx: ${c.status}`);
});

test('20 concurrent POSTs with one Idempotency-Key make one return', async () => {
  const o = await openOrder(m);
  const key = `race-${suffix(8)}`;
  const answers = await Promise.all(Array.from({ length: 20 },
    () => postReturn(o.token, [refund('1')], { idempotencyKey: key })));
  for (const res of answers) assertStatus(res, [200, 201]);
  const rmas = new Set(answers.map((res) => res.json.rma));
  assert.equal(rmas.size, 1, `one RMA, got ${[...rmas]}`);
  assert.match([...rmas][0], RMA_RE);
  assert.equal((await lineNow(o, '1')).returnable_quantity, 1, 'the unit was returned once');
});

test('concurrent returns without a key never return more units than were bought', async () => {
  const o = await openOrder(m);
  const answers = await Promise.all(Array.from({ length: 10 }, () => postReturn(o.token, [refund('1')])));
  const created = answers.filter((res) => res.status === 201);
  for (const res of answers.filter((x) => x.status !== 201)) assertProblem(res, 422);
  assert.equal(created.length, 2, `two units, two returns: ${answers.map((x) => x.status)}`);
  assert.equal(new Set(created.map((res) => res.json.rma)).size, 2);
  assert.equal((await lineNow(o, '1')).returnable_quantity, 0);
});

test('five customers racing for the last unit: exactly one exchange gets it', async () => {
  const shop = newMerchant({ currency: 'JPY' });
  assertStatus(await putInventory(shop, [TEE('TEE-BLK-L', 1)]), 200);
  const orders = [];
  for (let i = 0; i < 5; i++) orders.push(await openOrder(shop));
  const answers = await Promise.all(orders.map((o) => postReturn(o.token, [exchange('1', 'TEE-BLK-L')])));
  const won = answers.filter((res) => res.status === 201);
  assert.equal(won.length, 1, `statuses ${answers.map((x) => x.status)}`);
  for (const res of answers.filter((x) => x.status !== 201)) assertProblem(res, 422, 'items[0].exchange_sku');
});

test('RMA codes are distinct and readable (no 0, O, 1, I)', async () => {
  const rmas = new Set();
  for (let i = 0; i < 8; i++) {
    const { orderNumber, body } = await newOrder(m);
    const { token } = await lookupOk(m.slug, orderNumber, body.email);
    const r = await createReturn(token, [refund('1', 2), refund('3')]);
    assert.match(r.rma, RMA_RE);
    rmas.add(r.rma);
  }
  assert.equal(rmas.size, 8);
});

test('a new return tells its ship-by day (the label\'s last, merchant\'s calendar) and its QR code as an image', async () => {
  const tokyo = newMerchant({ currency: 'JPY' });
  adminOk(['merchant', 'policy', '--slug', tokyo.slug, '--timezone', 'Asia/Tokyo']);
  const o = await openOrder(tokyo);
  const r = (await createReturn(o.token, [refund('1')]));
  const validity = (await api('GET', `/api/v1/portal/${tokyo.slug}`)).json.policy.label_validity_days;
  const tokyoDay = (ms) => new Date(ms + 9 * 3_600_000).toISOString().slice(0, 10);
  assert.equal(r.ship_by, tokyoDay(Date.parse(r.label_expires_at)));
  const days = (Date.parse(r.label_expires_at) - Date.parse(r.created_at)) / 86_400_000;
  assert.ok(Math.abs(days - validity) < 0.01, `the label lasts ${validity} days: ${days}`);

  const qr = new URL(r.qr_url);
  assert.equal(qr.pathname, `/api/v1/returns/${r.rma}/qr.svg`);
  const res = await api('GET', qr.pathname + qr.search);
  assertStatus(res, 200);
  assert.match(res.headers['content-type'], /^image\/svg\+xml/);
  assert.match(res.text, /^<svg [^>]*viewBox="0 0 [\d.]+ [\d.]+"/);
  assert.match(res.text, /<path fill="#000" d="M[\d. ]+h/);
  assertProblem(await api('GET', qr.pathname), 401);
  assertProblem(await api('GET', `${qr.pathname}?k=wrong${trackingKey(r)}`), 404);

  assertStatus(await api('POST', `/api/v1/returns/${r.rma}/cancel`, { body: {}, token: o.token }), 200);
  assertProblem(await api('GET', qr.pathname + qr.search), 410);
  const canceled = await getReturn(r.rma, { k: trackingKey(r) });
  assert.equal(canceled.json.ship_by, undefined, 'a canceled return has no ship-by day');
  assert.equal(canceled.json.qr_url, undefined);
});
