// Analytics for a range of local days (GET /api/v1/merchant/analytics, and the same with the
// merchant key at /api/v1/merchants/{merchant}/analytics): from a seeded set whose rates and
// amounts the test computes on its own — units sold and returned per product and SKU, reasons,
// resolution mix and money, resale, timing per warehouse — and days in the merchant's time zone.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  adminOk, analyticsFolded, api, approveOk, assertProblem, assertStatus, clerkOf, createReturn, inspectOk, jpOrder, lookupOk, markSold,
  merchantSession, newMerchant, newOrderNumber, putInventory, putOrder, returnFor, scanOk, sql, sqlString,
} from './lib.mjs';

const FEE = 10; // restocking fee %, on too_small / too_large / changed_mind refunds
const BONUS = 10; // store credit bonus %
const TEE = 4900;
const CAP = 3300;
let m;
let s;
let clerk;
const orders = [];
let analytics; // the session's answer for the default range
let soldPrice;

const pct = (amount, p) => Math.floor((amount * p) / 100);
const rate = (returned, sold) => Math.floor((returned * 10000) / sold) / 10000;
const ymd = (d) => d.toISOString().slice(0, 10);
const tokyoDay = (ms) => ymd(new Date(ms + 9 * 3600_000));

async function order(overrides = {}) {
  const number = newOrderNumber();
  const body = jpOrder(overrides);
  const res = await putOrder(m, number, body);
  assertStatus(res, 201);
  const found = await lookupOk(m.slug, number, body.email);
  const o = { number, body, token: found.token };
  orders.push(o);
  return o;
}

async function resolved(o, items, inspections) {
  const r = await createReturn(o.token, items);
  await scanOk(clerk, r.rma);
  let v;
  for (let i = 0; i < inspections.length; i++) v = await inspectOk(clerk, r.rma, r.items[i].item_id, inspections[i]);
  assert.equal(v.status, 'resolved');
  return v;
}

const NEW = (q = 1) => ({ received_quantity: q, grade: 'new', disposition: 'restock' });

before(async () => {
  m = newMerchant({ currency: 'JPY' });
  s = await merchantSession(m);
  clerk = await clerkOf(m);
  assertStatus(await s.api('PUT', '/api/v1/merchant/policy', { body: {
    timezone: 'Asia/Tokyo', restocking_fee_percent: FEE, store_credit_bonus_percent: BONUS } }), 200);
  assertStatus(await putInventory(m, [{ sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available: 5 }]), 200);
  // Three orders, each: 2 T-shirts (TEE-BLK-M), 1 final-sale sock, 1 cap — sold 6 / 3 / 3.
  const [o1, o2, o3] = [await order(), await order(), await order()];
  // 1: both T-shirts refunded for size (fee).
  await resolved(o1, [{ line_id: '1', quantity: 2, reason: 'too_small', resolution: 'refund' }], [NEW(2)]);
  // 2: a T-shirt on store credit (changed_mind; no fee on credit) and the cap refunded as
  //    defective (no fee), the cap graded good for resale.
  await resolved(o2, [
    { line_id: '1', quantity: 1, reason: 'changed_mind', resolution: 'store_credit', comment: '色が写真より暗い' },
    { line_id: '3', quantity: 1, reason: 'defective', resolution: 'refund', comment: 'つばの縫い目がほつれていた' },
  ], [NEW(), { received_quantity: 1, grade: 'good', disposition: 'resale' }]);
  // 3: a T-shirt exchanged for L.
  await resolved(o3, [{ line_id: '1', quantity: 1, reason: 'too_large', resolution: 'exchange', exchange_sku: 'TEE-BLK-L' }], [NEW()]);
  // 4: a return canceled: it counts nothing.
  const o4 = await order();
  const canceled = await createReturn(o4.token, [{ line_id: '3', quantity: 1, reason: 'other', resolution: 'refund' }]);
  assertStatus(await api('POST', `/api/v1/returns/${canceled.rma}/cancel`, { token: o4.token }), 200);
  // Order 1 re-pushed with 3 T-shirts: sold counts what the order says now.
  const again = { ...o1.body, lines: o1.body.lines.map((l) => (l.line_id === '1' ? { ...l, quantity: 3 } : l)) };
  assertStatus(await putOrder(m, o1.number, again), 200);
  // The cap's listing sells.
  const listings = (await s.api('GET', '/api/v1/merchant/listings?status=pending_review')).json.items;
  assert.equal(listings.length, 1);
  soldPrice = 1800;
  await approveOk(s, listings[0].id, { price: soldPrice });
  assertStatus(await markSold(m, listings[0].id), 200);

  await analyticsFolded(m); // the returns' deltas are kaeru-worker's, within about a second
  const res = await s.api('GET', '/api/v1/merchant/analytics');
  assertStatus(res, 200);
  analytics = res.json;
});

test('products: sold and returned units, return rate, reasons; the worst first', () => {
  const a = analytics;
  assert.equal(a.currency, 'JPY');
  assert.equal(a.timezone, 'Asia/Tokyo');
  assert.equal(a.to, tokyoDay(Date.now()));
  const byId = Object.fromEntries(a.products.map((p) => [p.product_id, p]));
  // Sold: T-shirts 3 + 2 + 2 + 2 (order 4), socks 4, caps 4. Returned: T-shirts 2 + 1 + 1, caps 1.
  assert.deepEqual([byId.TEE.sold_units, byId.TEE.returned_units], [9, 4]);
  assert.deepEqual([byId.CAP.sold_units, byId.CAP.returned_units], [4, 1]);
  assert.deepEqual([byId.SOCK.sold_units, byId.SOCK.returned_units], [4, 0]);
  assert.equal(byId.TEE.return_rate, rate(4, 9));
  assert.equal(byId.CAP.return_rate, rate(1, 4));
  assert.equal(byId.SOCK.return_rate, 0);
  assert.deepEqual(byId.TEE.reasons, { too_small: 2, changed_mind: 1, too_large: 1 });
  assert.deepEqual(byId.CAP.reasons, { defective: 1 }, 'the canceled return counts nothing');
  assert.deepEqual(byId.TEE.comments.map((c) => [c.text, c.reason, c.sku]), [['色が写真より暗い', 'changed_mind', 'TEE-BLK-M']]);
  assert.deepEqual(byId.CAP.comments.map((c) => c.text), ['つばの縫い目がほつれていた']);
  assert.deepEqual(byId.SOCK.comments, []);
  assert.deepEqual(a.products.map((p) => p.product_id), ['TEE', 'CAP', 'SOCK']);
  assert.equal(byId.TEE.name, 'オーガニックTシャツ');
  const sku = byId.TEE.skus.find((x) => x.sku === 'TEE-BLK-M');
  assert.deepEqual([sku.sold_units, sku.returned_units], [9, 4]);
});

test('reasons, most first (ties in the reasons\' own order), and by week', () => {
  assert.deepEqual(analytics.reasons, [
    { reason: 'too_small', units: 2 },
    { reason: 'too_large', units: 1 },
    { reason: 'defective', units: 1 },
    { reason: 'changed_mind', units: 1 },
  ]);
  const weekly = analytics.reasons_weekly;
  assert.ok(weekly.length >= 1 && weekly.length <= 2, JSON.stringify(weekly));
  const sum = {};
  for (const w of weekly) {
    assert.equal(new Date(`${w.week}T00:00:00Z`).getUTCDay(), 1, 'weeks start on Monday');
    for (const [k, v] of Object.entries(w.reasons)) sum[k] = (sum[k] || 0) + v;
  }
  assert.deepEqual(sum, { too_small: 2, changed_mind: 1, defective: 1, too_large: 1 });
});

test('resolution mix, refunds against what credit and exchanges kept, fees', () => {
  const a = analytics;
  const refund = (2 * TEE - pct(2 * TEE, FEE)) + CAP;
  const credit = TEE + pct(TEE, BONUS);
  const exchange = TEE;
  assert.deepEqual(a.resolutions.refund, { items: 2, amount: refund });
  assert.deepEqual(a.resolutions.store_credit, { items: 1, amount: credit, bonus: pct(TEE, BONUS) });
  assert.deepEqual(a.resolutions.exchange, { items: 1, amount: exchange });
  assert.equal(a.refunds, refund);
  assert.equal(a.retained_revenue, credit + exchange);
  assert.equal(a.restocking_fees, pct(2 * TEE, FEE));
  assert.equal(a.resolved_returns, 3);
});

test('resale: drafted, published, sold, recovered and its share of the original', () => {
  const r = analytics.resale;
  assert.deepEqual([r.drafted, r.published, r.sold], [1, 1, 1]);
  assert.equal(r.recovered, soldPrice);
  assert.equal(r.original_value, CAP);
  assert.equal(r.recovered_percent, Math.floor((soldPrice * 1000) / CAP) / 10);
  assert.equal(typeof r.days_to_sell, 'number');
});

test('resale: a withdrawn listing is no longer counted published; published again, it is', async () => {
  const shop = newMerchant({ currency: 'JPY' });
  const owner = await merchantSession(shop);
  const staff = await clerkOf(shop);
  const r = await returnFor(shop, [{ line_id: '3', quantity: 1, reason: 'changed_mind', resolution: 'refund' }]);
  await scanOk(staff, r.rma);
  await inspectOk(staff, r.rma, r.items[0].item_id, { received_quantity: 1, grade: 'good', disposition: 'resale' });
  const resale = async () => {
    await analyticsFolded(shop); // the drafts, counted with their resolution
    const { drafted, published, sold } = (await owner.api('GET', '/api/v1/merchant/analytics')).json.resale;
    return [drafted, published, sold];
  };
  assert.deepEqual(await resale(), [1, 0, 0]);
  const [listing] = (await owner.api('GET', '/api/v1/merchant/listings?status=pending_review')).json.items;
  await approveOk(owner, listing.id);
  assert.deepEqual(await resale(), [1, 1, 0]);
  assertStatus(await owner.api('POST', `/api/v1/merchant/listings/${listing.id}/withdraw`), 200);
  assert.deepEqual(await resale(), [1, 0, 0]);
  assertProblem(await owner.api('POST', `/api/v1/merchant/listings/${listing.id}/withdraw`), 409);
  assert.deepEqual(await resale(), [1, 0, 0], 'a refused withdrawal takes nothing back');
  await approveOk(owner, listing.id);
  assert.deepEqual(await resale(), [1, 1, 0]);
});

test('kaeru-admin analytics rebuild counts the same figures anew from the records', async () => {
  const keys = ['products', 'reasons', 'resolutions', 'refunds', 'retained_revenue', 'restocking_fees', 'resale', 'timing'];
  const before = (await s.api('GET', '/api/v1/merchant/analytics')).json;
  assert.equal(before.timing.warehouses.length, 1, 'counted as the returns were scanned and resolved');
  const merchant = `(SELECT id FROM merchants WHERE slug = ${sqlString(m.slug)})`;
  for (const table of ['analytics_product_days', 'analytics_resale_days', 'analytics_comments', 'analytics_timing_days']) {
    sql(`DELETE FROM ${table} WHERE merchant_id = ${merchant}`);
  }
  const emptied = (await s.api('GET', '/api/v1/merchant/analytics')).json;
  assert.deepEqual(emptied.products, [], 'the figures come from the aggregates');
  assert.deepEqual([emptied.resale.drafted, emptied.resale.sold, emptied.timing.warehouses], [0, 0, []]);
  const out = adminOk(['analytics', 'rebuild', '--merchant', m.slug]);
  assert.match(out, /rebuilt from 4 orders and 3 returns/);
  const after = (await s.api('GET', '/api/v1/merchant/analytics')).json;
  for (const k of keys) assert.deepEqual(after[k], before[k], k);
});

test('timing: median and p90 hours from label to scan and scan to resolution, per warehouse, in buckets', async () => {
  // As they happened: each scanned and resolved within the hour of the last, the first bucket.
  const [live] = (await s.api('GET', '/api/v1/merchant/analytics')).json.timing.warehouses;
  assert.equal(live.warehouse, m.warehouse.code);
  assert.deepEqual(live.label_to_scan_hours, { median: 1, p90: 1, count: 3 });
  assert.deepEqual(live.scan_to_resolution_hours, { median: 1, p90: 1, count: 3 });
  // Set the three resolved returns' times: label→scan 10, 20, 40 h; scan→resolution 1, 2, 3 h,
  // and count them anew from the records (as an operator would after changing them).
  const rmas = sql(`SELECT r.rma FROM returns r JOIN merchants m ON m.id = r.merchant_id
    WHERE m.slug = ${sqlString(m.slug)} AND r.status = 'resolved' ORDER BY r.id`).map((x) => x[0]);
  assert.equal(rmas.length, 3);
  const base = Date.now() - 5 * 86_400_000;
  const at = (ms) => `'${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}'`;
  [[10, 1], [20, 2], [40, 3]].forEach(([scanH, resolveH], i) => {
    const made = base + i * 3600_000;
    sql(`UPDATE returns SET created_at = ${at(made)}, received_at = ${at(made + scanH * 3600_000)},
      resolved_at = ${at(made + (scanH + resolveH) * 3600_000)} WHERE rma = ${sqlString(rmas[i])}`);
  });
  adminOk(['analytics', 'rebuild', '--merchant', m.slug]);
  const res = await s.api('GET', '/api/v1/merchant/analytics');
  const [w] = res.json.timing.warehouses;
  assert.equal(w.warehouse, m.warehouse.code);
  // Hourly buckets through the first day report the hour; 40 h falls in the bucket up to 48 h.
  assert.deepEqual(w.label_to_scan_hours, { median: 20, p90: 48, count: 3 });
  assert.deepEqual(w.scan_to_resolution_hours, { median: 2, p90: 3, count: 3 });
});

test('days are the merchant\'s: an order placed at 23:30 in Tokyo counts on that Tokyo day', async () => {
  const shop = newMerchant({ currency: 'JPY' });
  const owner = await merchantSession(shop);
  assertStatus(await owner.api('PUT', '/api/v1/merchant/policy', { body: { timezone: 'Asia/Tokyo' } }), 200);
  // 2026-03-09T14:30:00Z is 23:30 on the 9th in Tokyo; 15:00Z is midnight of the 10th.
  const body = (placed) => jpOrder({ placed_at: placed, delivered_at: '2026-03-12T00:00:00Z' });
  assertStatus(await putOrder(shop, 'late', body('2026-03-09T14:30:00Z')), 201);
  const tees = async (day) => {
    const res = await owner.api('GET', `/api/v1/merchant/analytics?from=${day}&to=${day}`);
    assertStatus(res, 200);
    return res.json.products.find((p) => p.product_id === 'TEE')?.sold_units ?? 0;
  };
  assert.equal(await tees('2026-03-09'), 2);
  assert.equal(await tees('2026-03-10'), 0);
  // Re-placed at midnight: it moves to the 10th, and the 9th counts nothing any more.
  assertStatus(await putOrder(shop, 'late', body('2026-03-09T15:00:00Z')), 200);
  assert.equal(await tees('2026-03-09'), 0);
  assert.equal(await tees('2026-03-10'), 2);
});

test('the merchant key reads the same figures; ranges are checked', async () => {
  const q = `?from=${analytics.from}&to=${analytics.to}`;
  const mine = await s.api('GET', `/api/v1/merchant/analytics${q}`);
  const byKey = await api('GET', `/api/v1/merchants/${m.slug}/analytics${q}`, { token: m.key });
  assertStatus(byKey, 200);
  assert.deepEqual(byKey.json, mine.json);
  assertProblem(await api('GET', `/api/v1/merchants/${m.slug}/analytics`, { token: 'nope' }), 401);
  assertProblem(await s.api('GET', '/api/v1/merchant/analytics?from=2026-02-31'), 422, 'from');
  assertProblem(await s.api('GET', '/api/v1/merchant/analytics?from=2026-03-02&to=2026-03-01'), 422, 'to');
  assertProblem(await s.api('GET', '/api/v1/merchant/analytics?from=2024-01-01&to=2026-01-01'), 422, 'to');
  assertProblem(await api('GET', '/api/v1/merchant/analytics'), 401);
  assertProblem(await clerk.api('GET', '/api/v1/merchant/analytics'), 403);
});
