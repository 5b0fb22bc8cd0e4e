// Following a return (tracking) and canceling it.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  RMA_RE, api, assertProblem, assertStatus, createReturn, getReturn, lineOf, lookupOk, newMerchant,
  openOrder, trackingKey,
} from './lib.mjs';

let m;
before(() => { m = newMerchant({ currency: 'JPY' }); });

const ITEMS = [{ line_id: '1', quantity: 2, reason: 'too_small', comment: 'サイズ違い', resolution: 'refund' }];
const cancel = (rma, opts) => api('POST', `/api/v1/returns/${rma}/cancel`, { body: {}, ...opts });
const count = (events, type) => events.filter((e) => e.type === type).length;

function assertMerchant(ret) {
  // "merchant" is documented without a shape: the slug, or an object carrying it.
  const slug = typeof ret.merchant === 'string' ? ret.merchant : ret.merchant?.slug;
  assert.equal(slug, m.slug);
  assert.equal(ret.merchant_name, m.name);
}

test('a new return reads the same with the order token and the tracking key', async () => {
  const o = await openOrder(m);
  const before = Date.now();
  const r = await createReturn(o.token, ITEMS);
  const viaToken = await getReturn(r.rma, { token: o.token });
  assertStatus(viaToken, 200);
  const viaKey = await getReturn(r.rma, { k: trackingKey(r) });
  assertStatus(viaKey, 200);
  assert.deepEqual(viaKey.json, viaToken.json);

  const t = viaToken.json;
  assert.equal(t.rma, r.rma);
  assert.match(t.rma, RMA_RE);
  assertMerchant(t);
  assert.equal(t.order_number, o.orderNumber);
  assert.equal(t.currency, 'JPY');
  assert.equal(t.status, 'label_issued');
  assert.ok(Math.abs(Date.parse(t.created_at) - before) < 5 * 60_000, `created_at ${t.created_at} is now`);
  assert.equal(new URL(t.label_url, 'http://x').pathname, `/api/v1/returns/${r.rma}/label.pdf`);
  assert.equal(t.refund, null, 'no refund before inspection');
  assert.equal(t.items.length, 1);
  const item = t.items[0];
  assert.deepEqual(
    [item.line_id, item.sku, item.name, item.quantity, item.reason, item.resolution, item.exchange_sku],
    ['1', 'TEE-BLK-M', 'オーガニックTシャツ', 2, 'too_small', 'refund', null]);
  assert.equal(String(item.item_id), String(r.items[0].item_id));
  assert.equal(item.grade, null);
  assert.equal(item.disposition, null);
  assert.ok('received_quantity' in item && !item.received_quantity, `nothing received yet: ${item.received_quantity}`);

  assert.equal(count(t.events, 'created'), 1, JSON.stringify(t.events));
  const created = t.events.find((e) => e.type === 'created');
  assert.equal(created.actor, 'customer');
  assert.ok(!Number.isNaN(Date.parse(created.at)), `event time ${created.at}`);
  assert.ok('detail' in created);
});

test('reading a return needs a credential that fits it', async () => {
  const o = await openOrder(m);
  const r = await createReturn(o.token, ITEMS);
  assertProblem(await getReturn(r.rma), 401);
  assertProblem(await getReturn(r.rma, { k: 'not-the-key' }), 404);
  assertProblem(await getReturn(r.rma, { k: '' }), [401, 404]); // an empty key is no key or a wrong one
  const other = await openOrder(m);
  const theirs = await createReturn(other.token, [{ line_id: '3', quantity: 1, reason: 'damaged', resolution: 'refund' }]);
  // A token of order A on a return of order B, and a key of one return on another: 404.
  assertProblem(await getReturn(theirs.rma, { token: o.token }), 404);
  assertProblem(await getReturn(theirs.rma, { k: trackingKey(r) }), 404);
  assertProblem(await getReturn('ABCDE-FGHJK', { token: o.token }), 404);
  assertProblem(await getReturn(r.rma, { token: 'garbage' }), 401);
});

test('cancel: 200 canceled with an event, again 200 unchanged, units returnable again', async () => {
  const o = await openOrder(m);
  const r = await createReturn(o.token, ITEMS);
  assert.equal(lineOf((await lookupOk(m.slug, o.orderNumber, o.body.email)).order, '1').returnable_quantity, 0);

  const first = await cancel(r.rma, { token: o.token });
  assertStatus(first, 200);
  assert.equal(first.json.rma, r.rma);
  assert.equal(first.json.status, 'canceled');
  assert.equal(count(first.json.events, 'canceled'), 1);
  const ev = first.json.events.find((e) => e.type === 'canceled');
  assert.equal(ev.actor, 'customer');
  const times = first.json.events.map((e) => Date.parse(e.at));
  assert.deepEqual(times, [...times].sort((a, b) => a - b), 'events in time order');

  const again = await cancel(r.rma, { token: o.token });
  assertStatus(again, 200);
  assert.equal(again.json.status, 'canceled');
  assert.equal(count(again.json.events, 'canceled'), 1, 'still one canceled event');
  assert.deepEqual(again.json.events, first.json.events);

  const tracked = await getReturn(r.rma, { k: trackingKey(r) });
  assertStatus(tracked, 200);
  assert.equal(tracked.json.status, 'canceled');
  assert.deepEqual(tracked.json.events.map((e) => e.type), first.json.events.map((e) => e.type));

  const line = lineOf((await lookupOk(m.slug, o.orderNumber, o.body.email)).order, '1');
  assert.equal(line.returnable_quantity, 2);
  assert.equal(line.eligible, true);
  // And they can be returned anew.
  const r2 = await createReturn(o.token, ITEMS);
  assert.notEqual(r2.rma, r.rma);
});

test('cancel needs the order token of that order', async () => {
  const o = await openOrder(m);
  const r = await createReturn(o.token, ITEMS);
  const k = trackingKey(r);
  assertProblem(await api('POST', `/api/v1/returns/${r.rma}/cancel?k=${encodeURIComponent(k)}`, { body: {} }), 401);
  assertProblem(await cancel(r.rma), 401);
  assertProblem(await cancel(r.rma, { token: 'garbage' }), 401);
  const other = await openOrder(m);
  assertProblem(await cancel(r.rma, { token: other.token }), 404);
  assertProblem(await cancel('ABCDE-FGHJK', { token: o.token }), 404);

  const still = await getReturn(r.rma, { k });
  assertStatus(still, 200);
  assert.equal(still.json.status, 'label_issued', 'the refused cancels changed nothing');
  assert.equal(count(still.json.events, 'canceled'), 0);
});

test('the tracking link handed to the customer opens a page', async () => {
  const o = await openOrder(m);
  const r = await createReturn(o.token, ITEMS);
  const u = new URL(r.tracking_url, 'http://placeholder');
  const page = await api('GET', u.pathname + u.search);
  assertStatus(page, 200);
  assert.match(page.headers['content-type'] || '', /^text\/html\b/);
});
