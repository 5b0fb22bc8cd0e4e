// Inspecting received items, and the automatic resolution when the last item is inspected:
// refunds minus restocking fees, store credit with its bonus, exchanges and restocked units.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  adminOk, assertProblem, assertStatus, eventsOf, getReturn, inspect, inspectOk, lineOf,
  newMerchant, newStaff, newWarehouse, openOrder, pick, putInventory, returnFor, scanOk, sql, sqlString,
  staffGetReturn, staffSession,
} from './lib.mjs';

let wh;
let m; // JPY, default policy (no restocking fee, 10 % store credit bonus)
let feeShop; // JPY, 10 % restocking fee
let clerk; // {email, password}
let s; // the clerk's session
before(async () => {
  wh = newWarehouse();
  m = newMerchant({ currency: 'JPY', warehouse: wh });
  feeShop = newMerchant({ currency: 'JPY', warehouse: wh });
  adminOk(['merchant', 'policy', '--slug', feeShop.slug, '--restocking-fee-percent', '10']);
  clerk = newStaff({ role: 'warehouse', warehouse: wh });
  s = await staffSession(clerk);
});

const item = (line_id, quantity, reason, resolution, more = {}) => ({ line_id, quantity, reason, resolution, ...more });
const GOOD = { grade: 'like_new', disposition: 'resale' };
const got = (received_quantity, more = {}) => ({ received_quantity, ...GOOD, ...more });
const MISSING = { received_quantity: 0 };

/** A return of `items` for a fresh order of `shop`, already scanned in. */
async function receivedReturn(shop, items, order) {
  const r = await returnFor(shop, items, { order });
  const v = await scanOk(s, r.rma);
  assert.equal(v.status, 'received');
  return r;
}

/** Inspects every item of r with the bodies in order; returns the last staff view. */
async function inspectAll(r, bodies) {
  let v;
  for (let i = 0; i < bodies.length; i++) v = await inspectOk(s, r.rma, r.items[i].item_id, bodies[i]);
  return v;
}

/** The money members of a refund object: refund is net of the fee, store_credit includes the bonus. */
const money = (x) => pick(x, ['amount', 'currency', 'method', 'refund', 'restocking_fee', 'store_credit',
  'store_credit_bonus']);

/** Asserts the resolved return's refund object and its single resolved event. */
function assertResolved(v, refund, { exchanges = [], missing = 0 } = {}) {
  assert.equal(v.status, 'resolved');
  assert.deepEqual(money(v.refund), refund, `refund of ${v.rma}`);
  assert.deepEqual(v.exchanges, exchanges);
  const resolved = eventsOf(v, 'resolved');
  assert.equal(resolved.length, 1, JSON.stringify(v.events));
  assert.equal(resolved[0].actor, 'kaeru');
  assert.deepEqual(
    pick(resolved[0].detail, ['currency', 'refund', 'restocking_fee', 'store_credit', 'store_credit_bonus',
      'exchanges', 'missing']),
    { currency: refund.currency, refund: refund.refund, restocking_fee: refund.restocking_fee,
      store_credit: refund.store_credit, store_credit_bonus: refund.store_credit_bonus, exchanges, missing });
}

/** The exchange options (skus) the customer of a fresh order of `shop` is offered for line 1. */
async function offeredTo(shop, order) {
  const o = await openOrder(shop, order);
  return lineOf(o.order, '1').exchange_options.map((x) => x.sku);
}

// ---------------------------------------------------------------------------------------------
// Validation and state

test('invalid inspections are 422 naming the field, and record nothing', async () => {
  const r = await receivedReturn(m, [item('1', 2, 'too_small', 'refund')]);
  const id = r.items[0].item_id;
  const cases = [
    [{ ...GOOD, received_quantity: 3 }, 'received_quantity'], // more than returned
    [{ ...GOOD, received_quantity: -1 }, 'received_quantity'],
    [{ ...GOOD }, 'received_quantity'],
    [{ ...GOOD, received_quantity: null }, 'received_quantity'],
    [{ ...GOOD, received_quantity: 1.5 }, 'received_quantity'],
    [{ ...GOOD, received_quantity: '1' }, 'received_quantity'],
    [{ received_quantity: 1, disposition: 'resale' }, 'grade'],
    [{ received_quantity: 1, grade: 'like_new' }, 'disposition'],
    [{ received_quantity: 1, grade: 'mint', disposition: 'resale' }, 'grade'],
    [{ received_quantity: 1, grade: 'good', disposition: 'burn' }, 'disposition'],
    [{ received_quantity: 2, grade: 'damaged', disposition: 'resale' }, 'disposition'],
    [{ ...got(1), note: 'あ'.repeat(1001) }, 'note'],
  ];
  for (const [body, field] of cases) {
    assertProblem(await inspect(s, r.rma, id, body), 422, field);
  }
  const v = (await staffGetReturn(s, r.rma)).json;
  assert.equal(v.status, 'received');
  assert.equal(v.items[0].status, 'pending');
  assert.equal(eventsOf(v, 'inspected').length, 0);
});

test('a note of 1000 characters (Japanese too) is kept; damaged items may be recycled', async () => {
  const r = await receivedReturn(m, [item('1', 2, 'damaged', 'refund')]);
  const note = '袖に'.repeat(500);
  const v = await inspectOk(s, r.rma, r.items[0].item_id,
    { received_quantity: 2, grade: 'damaged', disposition: 'recycle', note });
  assert.deepEqual(pick(v.items[0], ['status', 'received_quantity', 'grade', 'disposition', 'note']),
    { status: 'inspected', received_quantity: 2, grade: 'damaged', disposition: 'recycle', note });
});

test('a parcel not yet scanned cannot be inspected (409)', async () => {
  const r = await returnFor(m, [item('1', 1, 'too_small', 'refund')]);
  assertProblem(await inspect(s, r.rma, r.items[0].item_id, got(1)), 409);
  const seen = await getReturn(r.rma, { k: r.k });
  assert.equal(seen.json.status, 'label_issued');
  assert.equal(seen.json.items[0].status, 'pending');
});

test('an unknown return or item, or an item of another return, is 404', async () => {
  const r = await receivedReturn(m, [item('1', 1, 'too_small', 'refund')]);
  const other = await receivedReturn(m, [item('3', 1, 'too_small', 'refund')]);
  assertProblem(await inspect(s, r.rma, '999999999', got(1)), 404);
  assertProblem(await inspect(s, r.rma, other.items[0].item_id, got(1)), 404);
  assertProblem(await inspect(s, 'ABCDE-FGHJK', r.items[0].item_id, got(1)), 404);
  // Another warehouse's clerk does not see this return at all.
  const stranger = await staffSession(newStaff({ role: 'warehouse', warehouse: newWarehouse() }));
  assertProblem(await inspect(stranger, r.rma, r.items[0].item_id, got(1)), 404);
  const v = (await staffGetReturn(s, other.rma)).json;
  assert.equal(v.items[0].status, 'pending', 'the other return\'s item was not touched');
  assert.equal((await staffGetReturn(s, r.rma)).json.items[0].status, 'pending');
});

test('each inspected item gets an inspected event; the return resolves with the last one', async () => {
  const r = await receivedReturn(m, [item('1', 2, 'too_small', 'refund'), item('3', 1, 'damaged', 'refund')]);
  const [tee, cap] = r.items;
  const v1 = await inspectOk(s, r.rma, tee.item_id, { ...got(2), note: 'タグ付き' });
  assert.equal(v1.status, 'received', 'one item is still pending');
  assert.equal(v1.refund, null);
  assert.deepEqual(pick(v1.items[0], ['status', 'received_quantity', 'grade', 'disposition', 'note']),
    { status: 'inspected', received_quantity: 2, grade: 'like_new', disposition: 'resale', note: 'タグ付き' });
  assert.equal(v1.items[1].status, 'pending');
  const ev = eventsOf(v1, 'inspected');
  assert.equal(ev.length, 1);
  assert.equal(ev[0].actor, `warehouse:${wh.code}`);
  assert.equal(ev[0].staff, clerk.email);
  assert.deepEqual(pick(ev[0].detail, ['sku', 'name', 'quantity', 'received_quantity', 'grade', 'disposition']),
    { sku: 'TEE-BLK-M', name: 'オーガニックTシャツ', quantity: 2, received_quantity: 2, grade: 'like_new',
      disposition: 'resale' });
  assert.equal(String(ev[0].detail.item_id), String(tee.item_id));
  assert.equal(eventsOf(v1, 'resolved').length, 0);

  const v2 = await inspectOk(s, r.rma, cap.item_id, { received_quantity: 1, grade: 'damaged', disposition: 'refurbish' });
  assert.equal(eventsOf(v2, 'inspected').length, 2);
  assertResolved(v2, { amount: 9800 + 3300, currency: 'JPY', method: 'refund', refund: 13100, restocking_fee: 0,
    store_credit: 0, store_credit_bonus: 0 });
});

test('eight items of one return inspected at once: every one answers 200, and exactly one resolves it', async () => {
  // No lock is taken before an inspection's first write (it binds the revision it read): the
  // others find the return moved, take its row and read it again, however many race.
  const lines = Array.from({ length: 8 }, (_, i) => ({ line_id: `L${i}`, sku: `RACE-${i}`, product_id: 'RACE',
    name: `Item ${i}`, variant: `V${i}`, category: 'tops', quantity: 1, unit_price: 1000 + i, final_sale: false }));
  const r = await receivedReturn(m, lines.map((l) => item(l.line_id, 1, 'damaged', 'refund')), { lines });
  assert.equal(r.items.length, 8);
  const answers = await Promise.all(r.items.map((it) => inspectOk(s, r.rma, it.item_id, got(1))));
  assert.equal(answers.filter((v) => v.status === 'resolved').length, 1, answers.map((v) => v.status).join());
  const res = await staffGetReturn(s, r.rma);
  assertStatus(res, 200);
  assert.equal(res.json.status, 'resolved');
  assert.equal(eventsOf(res.json, 'inspected').length, 8);
  assert.equal(eventsOf(res.json, 'resolved').length, 1);
  assert.ok(res.json.items.every((it) => it.status === 'inspected'));
  const [[resolvedEvents]] = sql(`SELECT COUNT(*) FROM events WHERE rma = ${sqlString(r.rma)} AND type = 'return.resolved'`);
  assert.equal(Number(resolvedEvents), 1);
});

test('the staff view names the grades that may be resold; the resolution says what is missing and stores its totals', async () => {
  const r = await receivedReturn(feeShop, [item('1', 2, 'too_small', 'refund'), item('3', 1, 'defective', 'store_credit')]);
  const seen = (await staffGetReturn(s, r.rma)).json;
  assert.deepEqual(seen.resalable_grades, ['new', 'like_new', 'good', 'fair']);
  await inspectOk(s, r.rma, r.items[0].item_id, got(1));
  const v = await inspectOk(s, r.rma, r.items[1].item_id, MISSING);
  assertResolved(v, { amount: 4410, currency: 'JPY', method: 'refund', refund: 4410, restocking_fee: 490,
    store_credit: 0, store_credit_bonus: 0 }, { missing: 2 });
  assert.equal(v.refund.missing, 2);
  // Computed once, when it resolved, and kept with the return: later readers do not re-sum.
  assert.deepEqual(sql(`SELECT refund_total, restocking_fee_total, store_credit_total, bonus_total, missing_units
    FROM returns WHERE rma = ${sqlString(r.rma)}`), [['4410', '490', '0', '0', '2']]);
  assert.deepEqual((await staffGetReturn(s, r.rma)).json.refund, v.refund);
});

test('the same inspection again answers 200 and writes nothing; a different one is 409', async () => {
  const r = await receivedReturn(m, [item('1', 2, 'too_small', 'refund'), item('3', 1, 'changed_mind', 'store_credit')]);
  const [tee, cap] = r.items;
  const body = { ...got(2), note: '確認済み' };
  const first = await inspectOk(s, r.rma, tee.item_id, body);
  const again = await inspectOk(s, r.rma, tee.item_id, body);
  assert.deepEqual(again.events, first.events);
  assert.deepEqual(again.items, first.items);
  assertProblem(await inspect(s, r.rma, tee.item_id, got(1)), 409);
  assertProblem(await inspect(s, r.rma, tee.item_id, { ...body, grade: 'good' }), 409);

  // Once resolved, the same answer again is still harmless; a change is not.
  const resolved = await inspectOk(s, r.rma, cap.item_id, got(1));
  assert.equal(resolved.status, 'resolved');
  const repeat = await inspectOk(s, r.rma, cap.item_id, got(1));
  assert.deepEqual(repeat.events, resolved.events);
  assert.deepEqual(repeat.refund, resolved.refund);
  assertProblem(await inspect(s, r.rma, cap.item_id, MISSING), 409);
  assert.deepEqual((await staffGetReturn(s, r.rma)).json.events, resolved.events);
});

// ---------------------------------------------------------------------------------------------
// Money

test('JPY refund for too_small: the 10 % restocking fee is kept (9800 → fee 980, refund 8820)', async () => {
  const r = await receivedReturn(feeShop, [item('1', 2, 'too_small', 'refund')]);
  const v = await inspectAll(r, [got(2)]);
  const refund = { amount: 8820, currency: 'JPY', method: 'refund', refund: 8820, restocking_fee: 980,
    store_credit: 0, store_credit_bonus: 0 };
  assertResolved(v, refund);

  // The customer sees each step and the amounts on the tracking view.
  const t = (await getReturn(r.rma, { k: r.k })).json;
  assert.equal(t.status, 'resolved');
  assert.deepEqual(t.events.map((e) => e.type), ['created', 'received', 'inspected', 'resolved']);
  assert.deepEqual(money(t.refund), refund);
  assert.equal(eventsOf(t, 'resolved')[0].detail.refund, 8820);
  assert.equal(eventsOf(t, 'resolved')[0].detail.restocking_fee, 980);
  assert.equal(eventsOf(t, 'inspected')[0].detail.received_quantity, 2);
  for (const e of t.events) assert.ok(!('staff' in e), `no staff member in ${JSON.stringify(e)}`);
  assert.deepEqual(pick(t.items[0], ['status', 'received_quantity', 'grade', 'disposition']),
    { status: 'inspected', received_quantity: 2, grade: 'like_new', disposition: 'resale' });
});

test('too_large and changed_mind carry the fee; not_as_described, damaged and the like do not', async () => {
  const cases = [['too_large', 490], ['changed_mind', 490], ['not_as_described', 0], ['damaged', 0],
    ['defective', 0], ['wrong_item', 0], ['arrived_late', 0], ['other', 0]];
  for (const [reason, fee] of cases) {
    const r = await receivedReturn(feeShop, [item('1', 1, reason, 'refund')]);
    const v = await inspectAll(r, [got(1)]);
    assertResolved(v, { amount: 4900 - fee, currency: 'JPY', method: 'refund', refund: 4900 - fee,
      restocking_fee: fee, store_credit: 0, store_credit_bonus: 0 });
  }
});

test('store credit gets the 10 % bonus and never a restocking fee (3300 → 3630)', async () => {
  const r = await receivedReturn(feeShop, [item('3', 1, 'changed_mind', 'store_credit')]);
  assertResolved(await inspectAll(r, [got(1)]), { amount: 3630, currency: 'JPY', method: 'store_credit',
    refund: 0, restocking_fee: 0, store_credit: 3630, store_credit_bonus: 330 });
});

test('a refund and a store credit in one return resolve as mixed', async () => {
  const r = await receivedReturn(feeShop, [item('1', 1, 'too_large', 'refund'), item('3', 1, 'too_small', 'store_credit')]);
  assertResolved(await inspectAll(r, [got(1), got(1)]), { amount: 4410 + 3630, currency: 'JPY',
    method: 'mixed', refund: 4410, restocking_fee: 490, store_credit: 3630, store_credit_bonus: 330 });
});

test('a short parcel: money follows what arrived, the rest is counted missing', async () => {
  const r = await receivedReturn(feeShop, [item('1', 2, 'too_small', 'refund'), item('3', 1, 'changed_mind', 'store_credit')]);
  const v = await inspectAll(r, [got(1), MISSING]);
  assertResolved(v, { amount: 4410, currency: 'JPY', method: 'refund', refund: 4410, restocking_fee: 490,
    store_credit: 0, store_credit_bonus: 0 }, { missing: 2 });
  assert.deepEqual(v.items.map((i) => [i.status, i.received_quantity]), [['inspected', 1], ['inspected', 0]]);
  assert.equal(v.items[1].grade, null);
  assert.equal(v.items[1].disposition, null);
});

test('an empty parcel resolves with nothing to pay', async () => {
  const r = await receivedReturn(m, [item('1', 2, 'too_small', 'refund')]);
  const v = await inspectAll(r, [{ received_quantity: 0, grade: null, disposition: null, note: '空の箱' }]);
  assertResolved(v, { amount: 0, currency: 'JPY', method: 'none', refund: 0, restocking_fee: 0, store_credit: 0,
    store_credit_bonus: 0 }, { missing: 2 });
  assert.equal(eventsOf(v, 'inspected')[0].detail.received_quantity, 0);
});

test('USD keeps cents and rounds fees and bonuses down (12999 with 15 % → fee 1949, refund 11050)', async () => {
  const us = newMerchant({ currency: 'USD', warehouse: wh });
  adminOk(['merchant', 'policy', '--slug', us.slug, '--restocking-fee-percent', '15']);
  // A1: one 129.99 jacket refunded; A2: 3 × 19.99 belts for store credit, two arrive:
  // 3998 + floor(399.8) = 4397.
  const r = await receivedReturn(us, [item('A1', 1, 'too_small', 'refund'), item('A2', 3, 'too_large', 'store_credit')]);
  const v = await inspectAll(r, [got(1, { grade: 'new', disposition: 'restock' }), got(2)]);
  const refund = { amount: 11050 + 4397, currency: 'USD', method: 'mixed', refund: 11050, restocking_fee: 1949,
    store_credit: 4397, store_credit_bonus: 399 };
  assertResolved(v, refund, { missing: 1 });
  const t = (await getReturn(r.rma, { k: r.k })).json;
  assert.equal(t.currency, 'USD');
  assert.deepEqual(money(t.refund), refund);
});

test('the merchant\'s store credit bonus applies (25 % of 9800 = 2450)', async () => {
  const shop = newMerchant({ currency: 'JPY', warehouse: wh });
  adminOk(['merchant', 'policy', '--slug', shop.slug, '--store-credit-bonus-percent', '25']);
  const r = await receivedReturn(shop, [item('1', 2, 'changed_mind', 'store_credit')]);
  assertResolved(await inspectAll(r, [got(2)]), { amount: 12250, currency: 'JPY', method: 'store_credit',
    refund: 0, restocking_fee: 0, store_credit: 12250, store_credit_bonus: 2450 });
});

// ---------------------------------------------------------------------------------------------
// Exchanges and inventory

const TEE = (size, available) => ({ sku: `TEE-BLK-${size}`, product_id: 'TEE', variant: `Black / ${size}`, available });
/** An order line for one black T-shirt in L. */
const LINE_L = { line_id: '1', sku: 'TEE-BLK-L', product_id: 'TEE', name: 'オーガニックTシャツ',
  variant: 'Black / L', category: 'tops', quantity: 1, unit_price: 4900, final_sale: false };

test('an arrived exchange commits its reserved unit to the replacement: the last unit stays gone', async () => {
  const shop = newMerchant({ currency: 'JPY', warehouse: wh });
  assertStatus(await putInventory(shop, [TEE('L', 1), TEE('S', 3)]), 200);
  const r = await receivedReturn(shop, [item('1', 1, 'too_small', 'exchange', { exchange_sku: 'TEE-BLK-L' })]);
  assert.deepEqual(await offeredTo(shop), ['TEE-BLK-S'], 'the reserved last L is not offered');

  const v = await inspectAll(r, [got(1)]);
  assertResolved(v, { amount: 0, currency: 'JPY', method: 'none', refund: 0, restocking_fee: 0, store_credit: 0,
    store_credit_bonus: 0 }, { exchanges: [{ sku: 'TEE-BLK-L', variant: 'Black / L', quantity: 1 }] });
  // The unit left with the replacement shipment: still not offered to anyone else.
  assert.deepEqual(await offeredTo(shop), ['TEE-BLK-S']);
  const t = (await getReturn(r.rma, { k: r.k })).json;
  assert.deepEqual(t.exchanges, [{ sku: 'TEE-BLK-L', variant: 'Black / L', quantity: 1 }]);
});

test('an exchange that never arrived releases its reservation', async () => {
  const shop = newMerchant({ currency: 'JPY', warehouse: wh });
  assertStatus(await putInventory(shop, [TEE('L', 1)]), 200);
  const r = await receivedReturn(shop, [item('1', 1, 'too_small', 'exchange', { exchange_sku: 'TEE-BLK-L' })]);
  assert.deepEqual(await offeredTo(shop), []);
  const v = await inspectAll(r, [MISSING]);
  assertResolved(v, { amount: 0, currency: 'JPY', method: 'none', refund: 0, restocking_fee: 0, store_credit: 0,
    store_credit_bonus: 0 }, { missing: 1 });
  assert.deepEqual(await offeredTo(shop), ['TEE-BLK-L'], 'the unit is offered again');
});

test('of two reserved exchange units one arrives: one is shipped, the other released', async () => {
  const shop = newMerchant({ currency: 'JPY', warehouse: wh });
  assertStatus(await putInventory(shop, [TEE('L', 2)]), 200);
  const r = await receivedReturn(shop, [item('1', 2, 'too_small', 'exchange', { exchange_sku: 'TEE-BLK-L' })]);
  assert.deepEqual(await offeredTo(shop), []);
  const v = await inspectAll(r, [got(1)]);
  assertResolved(v, { amount: 0, currency: 'JPY', method: 'none', refund: 0, restocking_fee: 0, store_credit: 0,
    store_credit_bonus: 0 }, { exchanges: [{ sku: 'TEE-BLK-L', variant: 'Black / L', quantity: 1 }], missing: 1 });
  // 2 on the shelf − 1 shipped = 1 left, no longer reserved: offered, and exactly one more fits.
  assert.deepEqual(await offeredTo(shop), ['TEE-BLK-L']);
  await returnFor(shop, [item('1', 1, 'too_small', 'exchange', { exchange_sku: 'TEE-BLK-L' })]);
  assert.deepEqual(await offeredTo(shop), []);
});

test('restocked units go back into inventory; other dispositions do not', async () => {
  const shop = newMerchant({ currency: 'JPY', warehouse: wh });
  assertStatus(await putInventory(shop, [TEE('M', 0), TEE('L', 0)]), 200);
  // A customer who bought an L would like an M: none in stock.
  const wantsM = () => offeredTo(shop, { lines: [LINE_L] });
  assert.deepEqual(await wantsM(), []);

  const recycled = await receivedReturn(shop, [item('1', 1, 'damaged', 'refund')]);
  await inspectAll(recycled, [{ received_quantity: 1, grade: 'damaged', disposition: 'recycle' }]);
  assert.deepEqual(await wantsM(), [], 'a recycled unit is not for sale');

  const restocked = await receivedReturn(shop, [item('1', 2, 'changed_mind', 'refund')]);
  const v = await inspectAll(restocked, [got(2, { grade: 'new', disposition: 'restock' })]);
  assert.equal(v.status, 'resolved');
  assert.deepEqual(await wantsM(), ['TEE-BLK-M'], 'the restocked M is offered');
  // Exactly two were restocked: two exchanges into M fit, a third does not.
  const a = await returnFor(shop, [item('1', 1, 'too_large', 'exchange', { exchange_sku: 'TEE-BLK-M' })],
    { order: { lines: [LINE_L] } });
  assert.equal(a.items[0].exchange_sku, 'TEE-BLK-M');
  await returnFor(shop, [item('1', 1, 'too_large', 'exchange', { exchange_sku: 'TEE-BLK-M' })],
    { order: { lines: [LINE_L] } });
  assert.deepEqual(await wantsM(), []);
});
