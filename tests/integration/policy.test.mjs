// The merchant's own policy in the console: GET/PUT /api/v1/merchant/policy, field-level 422s,
// the change as an event with who made it and before/after, lookups and new returns using it at
// once while a return already made settles under the policy it was made under.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  api, assertProblem, assertStatus, clerkOf, inspectOk, lookupOk, merchantSession, newMerchant,
  newOrder, newStaff, openOrder, postReturn, returnFor, scanOk, staffSession,
} from './lib.mjs';

const POLICY = '/api/v1/merchant/policy';
let m;
let owner;
before(async () => {
  m = newMerchant({ currency: 'JPY' });
  owner = await merchantSession(m);
});

const getPolicy = (s) => s.api('GET', POLICY);
const putPolicy = (s, body) => s.api('PUT', POLICY, { body });

function events(shop, after) {
  const q = after ? `?after=${encodeURIComponent(after)}&limit=500` : '?limit=500';
  return api('GET', `/api/v1/merchants/${encodeURIComponent(shop.slug)}/events${q}`, { token: shop.key });
}

test('GET answers every field of the policy, defaults for a new merchant', async () => {
  const res = await getPolicy(owner);
  assertStatus(res, 200);
  const p = res.json;
  assert.equal(p.window_days, 30);
  assert.equal(p.restocking_fee_percent, 0);
  assert.equal(p.store_credit_bonus_percent, 10);
  assert.equal(p.label_validity_days, 30);
  assert.deepEqual(p.resale_percent, { new: 90, like_new: 75, good: 60, fair: 40 });
  assert.equal(p.price_step, 10);
  assert.equal(p.price_floor_percent, 30);
  assert.equal(p.timezone, 'UTC');
  assert.equal(p.checkout_url, null);
  assert.equal(p.reasons.length, 9);
  assert.deepEqual([...p.fee_reasons].sort(), ['changed_mind', 'too_large', 'too_small']);
  assert.deepEqual(p.review_rules, { damaged: false, short_receipt: false, defective_new: false, amount_over: null });
});

test('only a merchant session reads or changes the policy', async () => {
  assertProblem(await api('GET', POLICY), 401);
  assertProblem(await api('PUT', POLICY, { body: { window_days: 10 } }), 401);
  const clerk = await staffSession(newStaff({ role: 'warehouse', warehouse: m.warehouse }));
  assertProblem(await putPolicy(clerk, { window_days: 10 }), 403);
  assertProblem(await getPolicy(clerk), 403);
});

test('every invalid field is a 422 naming it, and nothing is stored', async () => {
  const before = (await getPolicy(owner)).json;
  const cases = [
    [{ window_days: 0 }, 'window_days'],
    [{ window_days: 366 }, 'window_days'],
    [{ window_days: '30' }, 'window_days'],
    [{ window_days: 1.5 }, 'window_days'],
    [{ reasons: [] }, 'reasons'],
    [{ reasons: 'too_small' }, 'reasons'],
    [{ reasons: ['too_small', 'bored'] }, 'reasons[1]'],
    [{ fee_reasons: ['nope'] }, 'fee_reasons[0]'],
    [{ restocking_fee_percent: -1 }, 'restocking_fee_percent'],
    [{ restocking_fee_percent: 101 }, 'restocking_fee_percent'],
    [{ store_credit_bonus_percent: 101 }, 'store_credit_bonus_percent'],
    [{ label_validity_days: 0 }, 'label_validity_days'],
    [{ label_validity_days: 91 }, 'label_validity_days'],
    [{ resale_percent: 50 }, 'resale_percent'],
    [{ resale_percent: { new: 101 } }, 'resale_percent.new'],
    [{ resale_percent: { fair: -5 } }, 'resale_percent.fair'],
    [{ price_step: 0 }, 'price_step'],
    [{ price_floor_percent: 200 }, 'price_floor_percent'],
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
    [{ timezone: '' }, 'timezone'],
    [{ checkout_url: 'javascript:alert(1)' }, 'checkout_url'],
    [{ checkout_url: 'not a url' }, 'checkout_url'],
    [{ review_rules: true }, 'review_rules'],
    [{ review_rules: { damaged: 'yes' } }, 'review_rules.damaged'],
    [{ review_rules: { amount_over: -1 } }, 'review_rules.amount_over'],
  ];
  for (const [body, field] of cases) {
    const res = await putPolicy(owner, body);
    assertProblem(res, 422, field);
  }
  // Several bad fields at once: each is named.
  const p = assertProblem(await putPolicy(owner, { window_days: 0, timezone: 'Nowhere/Town', price_step: -3 }), 422);
  assert.deepEqual(p.errors.map((e) => e.field).sort(), ['price_step', 'timezone', 'window_days']);
  assert.deepEqual((await getPolicy(owner)).json, before);
});

test('a change is stored, answered, and told as an event with who and before/after', async () => {
  const shop = newMerchant({ currency: 'USD' });
  const s = await merchantSession(shop);
  const start = (await events(shop)).json.next;
  const res = await putPolicy(s, {
    window_days: 14, restocking_fee_percent: 15, reasons: ['too_small', 'too_large', 'defective'],
    fee_reasons: ['too_small'], resale_percent: { like_new: 70 }, price_step: 500, timezone: 'America/New_York',
    checkout_url: 'https://shop.example.com/cart?add={sku}', review_rules: { damaged: true, amount_over: 20000 },
  });
  assertStatus(res, 200);
  const p = res.json;
  assert.equal(p.window_days, 14);
  assert.equal(p.restocking_fee_percent, 15);
  assert.deepEqual(p.reasons, ['too_small', 'too_large', 'defective']);
  assert.deepEqual(p.fee_reasons, ['too_small']);
  assert.deepEqual(p.resale_percent, { new: 90, like_new: 70, good: 60, fair: 40 }); // the rest kept
  assert.equal(p.price_step, 500);
  assert.equal(p.timezone, 'America/New_York');
  assert.equal(p.checkout_url, 'https://shop.example.com/cart?add={sku}');
  assert.deepEqual(p.review_rules, { damaged: true, short_receipt: false, defective_new: false, amount_over: 20000 });
  assert.deepEqual((await getPolicy(s)).json, p);

  const feed = await events(shop, start);
  assertStatus(feed, 200);
  const changed = feed.json.events.filter((e) => e.type === 'merchant.policy_changed');
  assert.equal(changed.length, 1);
  const d = changed[0].data;
  assert.equal(d.by, s.user.email);
  assert.equal(d.before.window_days, 30);
  assert.equal(d.after.window_days, 14);
  assert.equal(d.before.timezone, 'UTC');
  assert.equal(d.after.timezone, 'America/New_York');

  // The same PUT again changes nothing and tells nothing.
  const again = await putPolicy(s, { window_days: 14 });
  assertStatus(again, 200);
  const feed2 = await events(shop, feed.json.next);
  assert.equal(feed2.json.events.filter((e) => e.type === 'merchant.policy_changed').length, 0);

  // checkout_url null clears it.
  assert.equal((await putPolicy(s, { checkout_url: null })).json.checkout_url, null);
});

test('lookups offer the new reasons at once; a reason no longer offered is refused', async () => {
  const shop = newMerchant({ currency: 'JPY' });
  const s = await merchantSession(shop);
  const { orderNumber, body } = await newOrder(shop);
  assertStatus(await putPolicy(s, { reasons: ['too_small', 'defective'], window_days: 3 }), 200);
  const found = await lookupOk(shop.slug, orderNumber, body.email);
  assert.deepEqual(found.policy.reasons, ['too_small', 'defective']);
  assert.equal(found.policy.window_days, 3);
  // Delivered 5 days ago: the 3-day window has closed.
  assert.equal(found.order.lines.find((l) => l.line_id === '1').ineligible_reason, 'window_closed');
  assertStatus(await putPolicy(s, { window_days: 30 }), 200);
  const o = await openOrder(shop);
  assertProblem(await postReturn(o.token, [{ line_id: '1', quantity: 1, reason: 'changed_mind', resolution: 'refund' }]),
    422, 'items[0].reason');
  assertStatus(await postReturn(o.token, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]), 201);
});

test('a policy change applies to the next return, not to one already made', async () => {
  const shop = newMerchant({ currency: 'JPY' });
  const s = await merchantSession(shop);
  const clerk = await clerkOf(shop);
  const item = [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }];
  const openOne = await returnFor(shop, item); // made under no restocking fee
  assertStatus(await putPolicy(s, { restocking_fee_percent: 20 }), 200);
  const next = await returnFor(shop, item); // made under 20 %
  assert.equal(next.order.policy.restocking_fee_percent, 20);
  const settle = async (r) => {
    await scanOk(clerk, r.rma);
    return inspectOk(clerk, r.rma, r.items[0].item_id, { received_quantity: 1, grade: 'new', disposition: 'restock' });
  };
  const a = await settle(openOne);
  const b = await settle(next);
  assert.equal(a.status, 'resolved');
  assert.equal(a.refund.refund, 4900);
  assert.equal(a.refund.restocking_fee, 0);
  assert.equal(b.refund.refund, 3920);
  assert.equal(b.refund.restocking_fee, 980);
});
