// The events feed (merchant key): every change that matters outside writes its event in the same
// transaction, and a reader following `next` sees each event exactly once, in order.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  allListings, api, approveOk, assertProblem, assertStatus, clerkOf, createReturn, inspectOk, markSold,
  newMerchant, newWarehouse, openOrder, ownerOf, postReturn, rejectOk, returnFor, scanOk,
} from './lib.mjs';

let wh;
before(() => { wh = newWarehouse(); });

const feed = (m, query = '', { token = m.key, slug = m.slug } = {}) =>
  api('GET', `/api/v1/merchants/${encodeURIComponent(slug)}/events${query}`, { token });

/** Every event of m from the start, following next with pages of `limit`. */
async function allEvents(m, limit = 100) {
  const out = [];
  let after = '';
  for (let i = 0; i < 10000; i++) {
    const res = await feed(m, `?limit=${limit}${after ? `&after=${after}` : ''}`);
    assertStatus(res, 200);
    out.push(...res.json.events);
    if (res.json.events.length === 0) {
      assert.equal(res.json.next, after || res.json.next, 'an empty page keeps next');
      return out;
    }
    after = res.json.next;
  }
  throw new Error('feed never ended');
}

const types = (events, rma) => events.filter((e) => e.rma === rma).map((e) => e.type);

test('a return\'s life is in the feed, with what an integrator needs', async () => {
  const m = newMerchant({ warehouse: wh });
  const clerk = await clerkOf(m);
  const r = await returnFor(m, [
    { line_id: '1', quantity: 2, reason: 'too_small', resolution: 'refund' },
  ]);
  await scanOk(clerk, r.rma);
  await inspectOk(clerk, r.rma, r.items[0].item_id, { received_quantity: 2, grade: 'like_new', disposition: 'resale' });
  const events = await allEvents(m, 2);
  assert.deepEqual(types(events, r.rma),
    ['return.created', 'return.received', 'listing.drafted', 'listing.drafted', 'return.item_inspected',
      'return.resolved']);
  for (const e of events) {
    assert.equal(typeof e.id, 'string');
    assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
  const created = events.find((e) => e.type === 'return.created');
  assert.equal(created.data.rma, r.rma);
  assert.equal(created.data.currency, 'JPY');
  assert.deepEqual(created.data.items.map((i) => [i.sku, i.quantity, i.resolution]), [['TEE-BLK-M', 2, 'refund']]);
  const resolved = events.find((e) => e.type === 'return.resolved');
  assert.deepEqual(resolved.data.refund, { amount: 9800, currency: 'JPY', method: 'original_payment' });
  assert.deepEqual(resolved.data.store_credit, { amount: 0, bonus: 0, currency: 'JPY' });
  assert.equal(resolved.data.restocking_fee, 0);
  assert.deepEqual(resolved.data.exchanges, []);
  assert.deepEqual(resolved.data.items.map((i) => [i.sku, i.quantity, i.received_quantity]), [['TEE-BLK-M', 2, 2]]);
  const inspected = events.find((e) => e.type === 'return.item_inspected');
  assert.equal(inspected.data.item.sku, 'TEE-BLK-M');

  // The listings' review and sale follow in the same feed.
  const owner = await ownerOf(m);
  const [a, b] = (await allListings(owner)).filter((l) => l.rma === r.rma);
  await approveOk(owner, a.id, { price: 3000 });
  await rejectOk(owner, b.id);
  assertStatus(await markSold(m, a.id), 200);
  const later = (await allEvents(m)).slice(events.length);
  assert.deepEqual(later.map((e) => [e.type, e.listing_id]),
    [['listing.published', a.id], ['listing.rejected', b.id], ['listing.sold', a.id]]);
  assert.equal(later[0].data.price, 3000);
  assert.equal(later[2].data.status, 'sold');
});

test('no event without its change: refused, replayed and conflicting calls write none', async () => {
  const m = newMerchant({ warehouse: wh });
  const o = await openOrder(m);
  // The first item is fine, the second is not: the whole create rolls back.
  const bad = await postReturn(o.token, [
    { line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' },
    { line_id: '3', quantity: 99, reason: 'too_small', resolution: 'refund' },
  ]);
  assertProblem(bad, 422);
  assert.deepEqual(await allEvents(m), []);
  const items = [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }];
  const r = await createReturn(o.token, items, { idempotencyKey: 'k-1' });
  assertStatus(await postReturn(o.token, items, { idempotencyKey: 'k-1' }), [200, 201]); // replay
  const cancel = () => api('POST', `/api/v1/returns/${r.rma}/cancel`, { body: {}, token: o.token });
  const [c1, c2] = await Promise.all([cancel(), cancel()]);
  assertStatus(c1, 200);
  assertStatus(c2, 200);
  // Received, then a cancel that conflicts.
  const r2 = await createReturn(o.token, [{ line_id: '3', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  await scanOk(await clerkOf(m), r2.rma);
  assertStatus(await api('POST', `/api/v1/returns/${r2.rma}/cancel`, { body: {}, token: o.token }), 409);
  const events = await allEvents(m);
  assert.deepEqual(events.map((e) => [e.type, e.rma]), [
    ['return.created', r.rma], ['return.canceled', r.rma], ['return.created', r2.rma], ['return.received', r2.rma],
  ]);
});

test('small pages read while returns are made from several connections yield each event once', async () => {
  const m = newMerchant({ warehouse: wh });
  const orders = await Promise.all(Array.from({ length: 12 }, () => openOrder(m)));
  const seen = [];
  let after = '';
  let done = false;
  const reader = (async () => {
    for (;;) {
      const finished = done;
      const res = await feed(m, `?limit=2${after ? `&after=${after}` : ''}`);
      assertStatus(res, 200);
      seen.push(...res.json.events);
      after = res.json.next;
      if (res.json.events.length === 0 && finished) return;
    }
  })();
  // Four writers at a time, each its own connection.
  const rmas = [];
  for (let i = 0; i < orders.length; i += 4) {
    const batch = orders.slice(i, i + 4).map(async (o) => {
      const r = await createReturn(o.token, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
      rmas.push(r.rma);
      const c = await api('POST', `/api/v1/returns/${r.rma}/cancel`, { body: {}, token: o.token });
      assertStatus(c, 200);
    });
    await Promise.all(batch);
  }
  done = true;
  await reader;
  const ids = seen.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length, 'no event twice');
  assert.equal(seen.length, rmas.length * 2, 'every event');
  for (const rma of rmas) assert.deepEqual(types(seen, rma), ['return.created', 'return.canceled']);
  assert.deepEqual(seen.map((e) => e.seq), seen.map((_, i) => i + 1), 'in order, without gaps');
});

test('after and limit are checked; the feed is the key\'s own merchant\'s', async () => {
  const m = newMerchant({ warehouse: wh });
  const other = newMerchant({ warehouse: wh });
  for (const [q, field] of [['?after=abc', 'after'], ['?after=-1', 'after'], ['?after=01', 'after'],
    ['?limit=0', 'limit'], ['?limit=501', 'limit'], ['?limit=x', 'limit']]) {
    assertProblem(await feed(m, q), 422, field);
  }
  const empty = await feed(m, '?limit=500');
  assertStatus(empty, 200);
  assert.deepEqual(empty.json, { events: [], next: '0' });
  assertStatus(await feed(m, '?after=12345'), 200);
  assertProblem(await feed(m, '', { slug: other.slug }), 404);
  assertProblem(await feed(m, '', { token: 'nope' }), 401);
});
