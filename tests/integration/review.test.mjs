// Review holds: the merchant's rules keep inspected returns in needs_review until a person decides;
// POST /api/v1/merchant/returns/{rma}/decision resolves them with the same ledger, stock and
// listing effects as automatic resolution, the money as decided (exact in JPY and USD).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  api, assertProblem, assertStatus, clerkOf, eventsOf, getReturn, inspect, inspectOk, merchantSession,
  newMerchant, returnFor, scanOk, sql, sqlString,
} from './lib.mjs';

const setPolicy = async (s, body) => assertStatus(await s.api('PUT', '/api/v1/merchant/policy', { body }), 200);
const decide = (s, rma, body) => s.api('POST', `/api/v1/merchant/returns/${encodeURIComponent(rma)}/decision`, { body });

/** A merchant with a session and the given policy. */
async function shopWith(currency, policy) {
  const m = newMerchant({ currency });
  const s = await merchantSession(m);
  if (policy) await setPolicy(s, policy);
  return { m, s, clerk: await clerkOf(m) };
}

/** A received return of `items`, each inspected with the bodies in order; the last answer. */
async function inspected(shop, items, bodies) {
  const r = await returnFor(shop.m, items);
  await scanOk(shop.clerk, r.rma);
  let v;
  for (let i = 0; i < bodies.length; i++) v = await inspectOk(shop.clerk, r.rma, r.items[i].item_id, bodies[i]);
  return { r, v };
}

const ledgerOf = (rma) => sql(`SELECT l.kind, l.gross, l.restocking_fee, l.bonus, l.amount, l.withheld FROM ledger_entries l
  JOIN returns r ON r.id = l.return_id WHERE r.rma = ${sqlString(rma)} ORDER BY l.id`);

const DAMAGED = { received_quantity: 1, grade: 'damaged', disposition: 'recycle', note: '袖が破れている' };
const NEW = { received_quantity: 1, grade: 'new', disposition: 'restock' };

test('a damaged item on a changed-mind return is held, then decided at 50 % (JPY)', async () => {
  const shop = await shopWith('JPY', { review_rules: { damaged: true }, restocking_fee_percent: 10 });
  const { r, v } = await inspected(shop,
    [{ line_id: '1', quantity: 1, reason: 'changed_mind', resolution: 'refund' }], [DAMAGED]);
  assert.equal(v.status, 'needs_review');
  assert.equal(v.refund, null);
  const held = eventsOf(v, 'needs_review');
  assert.equal(held.length, 1);
  assert.deepEqual(held[0].detail.rules, ['damaged']);
  assert.deepEqual(ledgerOf(r.rma), [], 'nothing is owed while held');
  // The customer sees it being reviewed.
  const mine = await getReturn(r.rma, { k: r.k });
  assertStatus(mine, 200);
  assert.equal(mine.json.status, 'needs_review');
  // The console lists it.
  const list = await shop.s.api('GET', '/api/v1/merchant/returns?status=needs_review');
  assertStatus(list, 200);
  assert.deepEqual(list.json.items.map((x) => x.rma), [r.rma]);

  // ¥4,900 less the 10 % fee is 4410 owed; half of it is 2205.
  const res = await decide(shop.s, r.rma, { refund_percent: 50, note: '破損のため半額を返金します' });
  assertStatus(res, 200);
  const d = res.json;
  assert.equal(d.status, 'resolved');
  assert.equal(d.refund.refund, 2205);
  assert.equal(d.refund.amount, 2205);
  assert.equal(d.refund.restocking_fee, 490);
  const decided = eventsOf(d, 'decided');
  assert.equal(decided.length, 1);
  assert.equal(decided[0].detail.note, '破損のため半額を返金します');
  assert.equal(decided[0].detail.owed, 4410);
  assert.equal(decided[0].detail.paid, 2205);
  assert.equal(decided[0].detail.withheld, 2205);
  assert.equal(decided[0].detail.refund_percent, 50);
  assert.equal(decided[0].actor, `merchant:${shop.m.slug}`, 'the shop decided, not the warehouse');
  assert.equal(decided[0].staff, shop.s.user.email);
  assert.equal(eventsOf(d, 'resolved').length, 1);
  assert.deepEqual(ledgerOf(r.rma), [['refund', '4900', '490', '0', '2205', '2205']]);
  // The customer reads the note.
  const after = (await getReturn(r.rma, { k: r.k })).json;
  assert.equal(after.status, 'resolved');
  assert.equal(eventsOf(after, 'decided')[0].detail.note, '破損のため半額を返金します');
  // Once resolved, there is nothing to decide.
  assertProblem(await decide(shop.s, r.rma, { refund_percent: 100 }), 409);
});

test('an amount decision in USD is exact, spread over the items in their order', async () => {
  const shop = await shopWith('USD', { review_rules: { amount_over: 10000 } });
  // Jacket $129.99 refund + 3 belts $19.99 on store credit (+10 % bonus: 6596): 19595 owed.
  const { r, v } = await inspected(shop, [
    { line_id: 'A1', quantity: 1, reason: 'defective', resolution: 'refund' },
    { line_id: 'A2', quantity: 3, reason: 'too_large', resolution: 'store_credit' },
  ], [NEW, { received_quantity: 3, grade: 'like_new', disposition: 'restock' }]);
  assert.equal(v.status, 'needs_review');
  assert.deepEqual(eventsOf(v, 'needs_review')[0].detail.rules, ['amount_over']);
  assertProblem(await decide(shop.s, r.rma, { amount: 19596 }), 422, 'amount');
  const res = await decide(shop.s, r.rma, { amount: 15000, note: 'Partial: one belt was worn.' });
  assertStatus(res, 200);
  assert.equal(res.json.refund.refund, 12999);
  assert.equal(res.json.refund.store_credit, 2001);
  assert.equal(res.json.refund.amount, 15000);
  assert.equal(res.json.refund.currency, 'USD');
  // Restocked as automatic resolution would: 3 belts and the jacket back on the shelf.
  const stock = sql(`SELECT sku, available FROM inventory i JOIN merchants m ON m.id = i.merchant_id
    WHERE m.slug = ${sqlString(shop.m.slug)} ORDER BY sku`);
  assert.deepEqual(stock, [['BELT-BRN', '3'], ['JKT-GRN-S', '1']]);
});

test('no refund at all is a decision too; the rules that do not trip let returns resolve', async () => {
  const shop = await shopWith('JPY', { review_rules: { short_receipt: true, defective_new: true } });
  const item = (reason) => [{ line_id: '1', quantity: 2, reason, resolution: 'refund' }];
  const full = await inspected(shop, item('too_small'), [{ ...NEW, received_quantity: 2 }]);
  assert.equal(full.v.status, 'resolved');
  const short = await inspected(shop, item('too_small'), [NEW]);
  assert.equal(short.v.status, 'needs_review');
  assert.deepEqual(eventsOf(short.v, 'needs_review')[0].detail.rules, ['short_receipt']);
  const res = await decide(shop.s, short.r.rma, { refund_percent: 0, note: '届いていません' });
  assertStatus(res, 200);
  assert.equal(res.json.refund.amount, 0);
  const fake = await inspected(shop, item('defective'), [{ ...NEW, received_quantity: 2 }]);
  assert.equal(fake.v.status, 'needs_review');
  assert.deepEqual(eventsOf(fake.v, 'needs_review')[0].detail.rules, ['defective_new']);
});

test('bad decisions are refused naming the field; other merchants and states are refused', async () => {
  const shop = await shopWith('JPY', { review_rules: { damaged: true } });
  const { r } = await inspected(shop, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }], [DAMAGED]);
  assertProblem(await decide(shop.s, r.rma, {}), 422, 'refund_percent');
  assertProblem(await decide(shop.s, r.rma, { refund_percent: 50, amount: 100 }), 422, 'amount');
  assertProblem(await decide(shop.s, r.rma, { refund_percent: 101 }), 422, 'refund_percent');
  assertProblem(await decide(shop.s, r.rma, { refund_percent: '50' }), 422, 'refund_percent');
  assertProblem(await decide(shop.s, r.rma, { amount: -1 }), 422, 'amount');
  assertProblem(await decide(shop.s, r.rma, { refund_percent: 50, note: 7 }), 422, 'note');
  // Another merchant's session does not see it; a warehouse clerk may not decide.
  const other = await shopWith('JPY');
  assertProblem(await decide(other.s, r.rma, { refund_percent: 100 }), 404);
  assertProblem(await decide(shop.clerk, r.rma, { refund_percent: 100 }), 403);
  assertProblem(await api('POST', `/api/v1/merchant/returns/${r.rma}/decision`, { body: { refund_percent: 1 } }), 401);
  assertProblem(await decide(shop.s, 'ZZZZZ-ZZZZZ', { refund_percent: 100 }), 404);
  // A return still being inspected (received) is not held: 409.
  const open = await returnFor(shop.m, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  await scanOk(shop.clerk, open.rma);
  assertProblem(await decide(shop.s, open.rma, { refund_percent: 100 }), 409);
  // A held return takes no more inspections of other values.
  assertProblem(await inspect(shop.clerk, r.rma, r.items[0].item_id, NEW), 409);
  // Still held, and a full decision pays what automatic resolution would have.
  const res = await decide(shop.s, r.rma, { refund_percent: 100 });
  assertStatus(res, 200);
  assert.equal(res.json.refund.refund, 4900);
});
