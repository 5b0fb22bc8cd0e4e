// Tenant isolation, proven by walking every merchant endpoint with a second merchant's session and key:
// merchant B never reads or changes merchant A's returns, listings, orders or inventory, and probing
// A's ids answers 404 (never 403, never A's data). Each row is also sent against B's own data, which
// must succeed — so a 404 in the walk is tenancy, not a mistyped path.
//
// A new merchant endpoint is one new row in ROWS (the coverage test reads fcgi/router.c and fails
// for a merchant route that has none).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  ROOT, allListings, api, approveOk, assertProblem, assertStatus, idSet, jpOrder, lineOf, lookupOk, markSold,
  merchantReturns, merchantSession, merchantSummary, newMerchant, newOrderNumber, putInventory, putOrder,
  resaleListing, returnFor, searchable, shopListings, staffGetReturn, suffix,
} from './lib.mjs';

let A;
let B;
let aS; // A's merchant session
let bS; // B's merchant session
let ta; // A's data, the target of the walk
let tb; // B's own data, the control

/**
 * Makes a merchant's data: an order (unique product name, email and customer) with a return of
 * `units` T-shirts, inspected for resale; a second return still waiting for its parcel; inventory.
 * Returns the target object the rows use.
 */
async function tenant(m, session, units, tag) {
  const title = `${tag}専用 リネンシャツ ${suffix()}`;
  const email = `${tag}-buyer-${suffix()}@example.jp`;
  const customerName = `${tag}顧客 ${suffix(2)}`;
  const base = jpOrder();
  const order = {
    email,
    shipping_address: { ...base.shipping_address, name: customerName },
    lines: [{ ...base.lines[0], name: title, quantity: units }, ...base.lines.slice(1)],
  };
  const { listings, ret } = await resaleListing(m, { quantity: units, grade: 'like_new', order });
  assert.equal(listings.length, units);
  const waiting = await returnFor(m, [{ line_id: '3', quantity: 1, reason: 'too_small', resolution: 'refund' }],
    { order: { email } });
  assertStatus(await putInventory(m, [{ sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available: 3 }]), 200);
  await searchable(session, [ret]); // its search terms, written by kaeru-worker behind the create
  return { m, session, title, email, customerName, listings, rma: ret.rma, orderNumber: ret.order.orderNumber,
    orderBody: ret.order.body, labelRma: waiting.rma, stockOrder: waiting.order.orderNumber };
}

before(async () => {
  A = newMerchant({ currency: 'JPY' });
  B = newMerchant({ currency: 'JPY' }); // a warehouse of its own
  aS = await merchantSession(A);
  bS = await merchantSession(B);

  await webhookFor(A);
  await webhookFor(B);
  ta = await tenant(A, aS, 3, 'A');
  ta.deliveryId = await deliveryOf(A);
  const [a1, a2, a3] = ta.listings;
  const pub = await approveOk(aS, a2.id);
  await approveOk(aS, a3.id, { price: 3500 });
  assertStatus(await markSold(A, a3.id), 200);
  Object.assign(ta, { pending: a1, approvePending: a1, rejectPending: a1, bulkPending: a1, published: pub,
    soldPublished: pub });

  ta.member = await teamMember(aS, 'A');
  tb = await tenant(B, bS, 6, 'B');
  tb.member = await teamMember(bS, 'B');
  tb.deliveryId = await deliveryOf(B);
  const [b1, b2, b3, b4, b5, b6] = tb.listings;
  Object.assign(tb, { pending: b1, approvePending: b2, rejectPending: b3, bulkPending: b4,
    published: await approveOk(bS, b5.id), soldPublished: await approveOk(bS, b6.id) });
});

/** B's credentials: every row is sent with these. */
const creds = () => ({ session: bS, key: B.key, slug: B.slug });

/** Asserts 404 (not 403) and that none of A's customer or product data is in the answer. */
function notFound(res, t) {
  assertProblem(res, 404);
  for (const secret of [t.title, t.email, t.customerName]) {
    assert.ok(!res.text.includes(secret), `${secret} must not appear in ${res.text.slice(0, 300)}`);
  }
}

/** Asserts a list answer (200) holds none of A's records, and returns its items. */
function listWithout(res, t, key, values) {
  assertStatus(res, 200);
  const got = res.json.items.map((x) => String(x[key]));
  for (const v of values) assert.ok(!got.includes(String(v)), `${key} ${v} of another merchant is listed`);
  for (const secret of [t.title, t.email, t.customerName]) assert.ok(!res.text.includes(secret), secret);
  return res.json.items;
}

const listingsOf = (t) => t.listings.map((l) => l.id);

/**
 * The walk. Each row: route (as fcgi/router.c spells it), what it tries, send(c, t) with B's
 * credentials c against target t, and checks: foreign(res, t) when t is A's (default: 404 without A's
 * data), own(res, t) when t is B's own (default: the status in ownStatus, 200 unless given).
 */
const ROWS = [
  { route: 'GET /api/v1/merchant/listings/*', what: 'read a pending listing',
    send: (c, t) => c.session.api('GET', `/api/v1/merchant/listings/${t.pending.id}`) },
  { route: 'GET /api/v1/merchant/listings/*', what: 'read a published listing',
    send: (c, t) => c.session.api('GET', `/api/v1/merchant/listings/${t.published.id}`) },
  { route: 'POST /api/v1/merchant/listings/*/approve', what: 'approve a pending listing',
    send: (c, t) => c.session.api('POST', `/api/v1/merchant/listings/${t.approvePending.id}/approve`, { body: {} }) },
  { route: 'POST /api/v1/merchant/listings/*/approve', what: 'approve a pending listing at ¥1 with a new title',
    send: (c, t) => c.session.api('POST', `/api/v1/merchant/listings/${t.approvePending.id}/approve`,
      { body: { price: 1, title: '乗っ取り' } }), ownStatus: [200, 409] },
  { route: 'POST /api/v1/merchant/listings/*/approve', what: 'approve a published listing again',
    send: (c, t) => c.session.api('POST', `/api/v1/merchant/listings/${t.published.id}/approve`, { body: {} }) },
  { route: 'POST /api/v1/merchant/listings/*/reject', what: 'reject a pending listing',
    send: (c, t) => c.session.api('POST', `/api/v1/merchant/listings/${t.rejectPending.id}/reject`,
      { body: { reason: '他店の出品' } }) },
  { route: 'POST /api/v1/merchant/listings/*/reject', what: 'reject a published listing',
    send: (c, t) => c.session.api('POST', `/api/v1/merchant/listings/${t.published.id}/reject`,
      { body: { reason: '他店の出品' } }), ownStatus: 409 },
  { route: 'POST /api/v1/merchant/listings/approve', what: 'bulk-approve listings',
    send: (c, t) => c.session.api('POST', '/api/v1/merchant/listings/approve',
      { body: { ids: [t.bulkPending.id, t.published.id] } }),
    foreign: (res, t) => {
      assertStatus(res, 200);
      assert.deepEqual(res.json.approved, []);
      assert.deepEqual(idSet(res.json.skipped), idSet([t.bulkPending.id, t.published.id]));
    },
    own: (res, t) => {
      assertStatus(res, 200);
      assert.deepEqual(idSet(res.json.approved), idSet([t.bulkPending.id]));
    } },
  ...[undefined, 'pending_review', 'published', 'rejected', 'sold'].map((status) => ({
    route: 'GET /api/v1/merchant/listings', what: `list listings (status ${status ?? 'any'})`,
    send: (c) => c.session.api('GET', `/api/v1/merchant/listings${status ? `?status=${status}` : ''}`),
    foreign: (res, t) => listWithout(res, t, 'id', listingsOf(t)),
    own: (res) => assertStatus(res, 200),
  })),
  ...[['the RMA', (t) => t.rma], ['the RMA in lower case without its hyphen', (t) => t.rma.toLowerCase().replace('-', '')],
    ['the order number', (t) => t.orderNumber], ['the email in upper case', (t) => t.email.toUpperCase()],
    ['part of the RMA', (t) => t.rma.replace('-', '').slice(2, 7)], ['the customer\'s name', (t) => t.customerName],
    ['the product name', (t) => t.title]]
    .map(([how, q]) => ({
      route: 'GET /api/v1/merchant/returns', what: `search returns by ${how}`,
      send: (c, t) => merchantReturns(c.session, { q: q(t) }),
      foreign: (res, t) => {
        assert.deepEqual(listWithout(res, t, 'rma', [t.rma, t.labelRma]), []);
        assert.equal(res.json.total, 0);
      },
      own: (res, t) => {
        assertStatus(res, 200);
        assert.ok(res.json.items.some((x) => x.rma === t.rma), `finds the own return by ${how}`);
      },
    })),
  { route: 'GET /api/v1/merchant/returns', what: 'list returns',
    send: (c) => merchantReturns(c.session),
    foreign: (res, t) => listWithout(res, t, 'rma', [t.rma, t.labelRma]),
    own: (res, t) => assert.ok(res.json.items.some((x) => x.rma === t.rma)) },
  { route: 'GET /api/v1/merchant/summary', what: 'read the summary',
    send: (c) => merchantSummary(c.session),
    foreign: (res) => {
      // Only B's: 2 returns, 6 listings (4 pending, 2 published), nothing sold yet.
      assertStatus(res, 200);
      assert.equal(res.json.merchant.slug, B.slug);
      const sum = (o) => Object.values(o || {}).reduce((x, y) => x + y, 0);
      assert.equal(sum(res.json.returns), 2);
      assert.equal(sum(res.json.listings), 6);
      assert.equal(res.json.listings.pending_review, 4);
      assert.equal(res.json.listings.published, 2);
      assert.equal(res.json.listings.sold ?? 0, 0);
      assert.equal(res.json.recovered, 0);
    },
    own: (res) => assert.equal(res.json.merchant.slug, B.slug) },
  { route: 'GET /api/v1/returns/*', what: 'open a return and its timeline',
    send: (c, t) => c.session.api('GET', `/api/v1/returns/${t.rma}`) },
  { route: 'GET /api/v1/returns/*/label.pdf', what: 'print a return label',
    send: (c, t) => c.session.api('GET', `/api/v1/returns/${t.labelRma}/label.pdf`) },
  { route: 'PUT /api/v1/merchants/*/orders/*', what: 'replace an order (email changed)',
    send: (c, t) => putOrder({ slug: t.m.slug }, t.orderNumber, { ...t.orderBody, email: 'thief@example.jp' },
      { token: c.key }), ownStatus: [200, 409] },
  { route: 'PUT /api/v1/merchants/*/orders/*', what: 'create an order',
    send: (c, t) => putOrder({ slug: t.m.slug }, `X-${t.orderNumber}`, jpOrder(), { token: c.key }), ownStatus: 201 },
  { route: 'PUT /api/v1/merchants/*/inventory', what: 'replace inventory',
    send: (c, t) => putInventory({ slug: t.m.slug },
      [{ sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available: 0 }], { token: c.key }) },
  { route: 'POST /api/v1/merchants/*/listings/*/sold', what: 'mark a listing sold under its merchant\'s slug',
    send: (c, t) => markSold({ slug: t.m.slug }, t.soldPublished.id, { token: c.key }) },
  { route: 'POST /api/v1/merchants/*/listings/*/sold', what: 'mark a listing sold under the key\'s own slug',
    send: (c, t) => markSold({ slug: c.slug }, t.soldPublished.id, { token: c.key }), ownStatus: [200, 409] },
  { route: 'GET /api/v1/merchants/*/events', what: 'read the events feed',
    send: (c, t) => keyApi(c, 'GET', `/api/v1/merchants/${t.m.slug}/events`),
    own: (res) => { assertStatus(res, 200); assert.ok(res.json.events.every((e) => e.rma !== ta.rma)); } },
  { route: 'GET /api/v1/merchants/*/webhook', what: 'read the webhook',
    send: (c, t) => keyApi(c, 'GET', `/api/v1/merchants/${t.m.slug}/webhook`) },
  { route: 'PUT /api/v1/merchants/*/webhook', what: 'point the webhook elsewhere',
    send: (c, t) => keyApi(c, 'PUT', `/api/v1/merchants/${t.m.slug}/webhook`,
      { url: 'http://127.0.0.1:9/thief', rotate_secret: true }) },
  { route: 'GET /api/v1/merchants/*/webhook/deliveries', what: 'list webhook deliveries',
    send: (c, t) => keyApi(c, 'GET', `/api/v1/merchants/${t.m.slug}/webhook/deliveries`) },
  { route: 'POST /api/v1/merchants/*/webhook/deliveries/*/retry', what: 'retry a delivery under its merchant\'s slug',
    send: (c, t) => keyApi(c, 'POST', `/api/v1/merchants/${t.m.slug}/webhook/deliveries/${t.deliveryId}/retry`, {}),
    ownStatus: 202 },
  { route: 'POST /api/v1/merchants/*/webhook/deliveries/*/retry', what: 'retry a delivery under the key\'s own slug',
    send: (c, t) => keyApi(c, 'POST', `/api/v1/merchants/${c.slug}/webhook/deliveries/${t.deliveryId}/retry`, {}),
    ownStatus: 202 },
  { route: 'GET /api/v1/merchants/*/returns', what: 'list returns changed since a time',
    send: (c, t) => keyApi(c, 'GET', `/api/v1/merchants/${t.m.slug}/returns`),
    own: (res) => listWithout(res, ta, 'rma', [ta.rma, ta.labelRma]) },
  { route: 'GET /api/v1/merchants/*/returns', what: 'search returns with the key under its merchant\'s slug',
    send: (c, t) => keyApi(c, 'GET', `/api/v1/merchants/${t.m.slug}/returns?q=${encodeURIComponent(t.customerName)}`),
    own: (res, t) => { assertStatus(res, 200); assert.ok(res.json.items.some((x) => x.rma === t.rma)); } },
  { route: 'GET /api/v1/merchants/*/returns', what: 'search returns with the key under the key\'s own slug',
    send: (c, t) => keyApi(c, 'GET', `/api/v1/merchants/${c.slug}/returns?q=${encodeURIComponent(t.rma)}`),
    foreign: (res, t) => {
      assert.deepEqual(listWithout(res, t, 'rma', [t.rma, t.labelRma]), []);
      assert.equal(res.json.total, 0);
    },
    own: (res, t) => { assertStatus(res, 200); assert.deepEqual(res.json.items.map((x) => x.rma), [t.rma]); } },
  { route: 'GET /api/v1/merchants/*/returns/*', what: 'read a return whole under its merchant\'s slug',
    send: (c, t) => keyApi(c, 'GET', `/api/v1/merchants/${t.m.slug}/returns/${t.rma}`) },
  { route: 'GET /api/v1/merchants/*/returns/*', what: 'read a return whole under the key\'s own slug',
    send: (c, t) => keyApi(c, 'GET', `/api/v1/merchants/${c.slug}/returns/${t.rma}`) },
  { route: 'POST /api/v1/merchants/*/returns/*/refund-paid', what: 'acknowledge a refund under the key\'s own slug',
    send: (c, t) => keyApi(c, 'POST', `/api/v1/merchants/${c.slug}/returns/${t.rma}/refund-paid`,
      { amount: 1, reference: 'iso-1' }) },
  { route: 'POST /api/v1/merchants/*/returns/*/refund-paid', what: 'acknowledge a refund under its merchant\'s slug',
    send: (c, t) => keyApi(c, 'POST', `/api/v1/merchants/${t.m.slug}/returns/${t.rma}/refund-paid`,
      { amount: 1, reference: 'iso-1' }) },
  { route: 'POST /api/v1/merchants/*/returns/*/exchange-shipped', what: 'acknowledge a shipment',
    send: (c, t) => keyApi(c, 'POST', `/api/v1/merchants/${c.slug}/returns/${t.rma}/exchange-shipped`,
      { carrier: 'thief', tracking_number: '1' }), ownStatus: 409 },
  { route: 'GET /api/v1/merchants/*/orders/*/return-link', what: 'get a return link under its merchant\'s slug',
    send: (c, t) => keyApi(c, 'GET', `/api/v1/merchants/${t.m.slug}/orders/${encodeURIComponent(t.orderNumber)}/return-link`) },
  { route: 'GET /api/v1/merchants/*/orders/*/return-link', what: 'get a return link under the key\'s own slug',
    send: (c, t) => keyApi(c, 'GET', `/api/v1/merchants/${c.slug}/orders/${encodeURIComponent(t.orderNumber)}/return-link`),
    ownStatus: 200 },
  // the merchant's policy and review holds (issue 13): a session only ever reaches its own merchant
  { route: 'GET /api/v1/merchant/policy', what: 'read the policy',
    send: (c) => c.session.api('GET', '/api/v1/merchant/policy'),
    foreign: (res) => { assertStatus(res, 200); assert.equal(res.json.window_days, 30); },
    own: (res) => assertStatus(res, 200) },
  { route: 'PUT /api/v1/merchant/policy', what: 'change the policy (its own: A\'s stays as it was)',
    send: (c) => c.session.api('PUT', '/api/v1/merchant/policy', { body: { window_days: 30 } }),
    foreign: (res) => assertStatus(res, 200), own: (res) => assertStatus(res, 200) },
  { route: 'POST /api/v1/merchant/returns/*/decision', what: 'decide a return',
    send: (c, t) => c.session.api('POST', `/api/v1/merchant/returns/${t.rma}/decision`, { body: { refund_percent: 0 } }),
    ownStatus: 409 },
  ...['returns', 'ledger'].map((what) => ({
    route: `GET /api/v1/merchant/${what}.csv`, what: `export the ${what} as CSV`,
    send: (c) => c.session.api('GET', `/api/v1/merchant/${what}.csv?from=2020-01-01`),
    foreign: (res, t) => {
      assertStatus(res, 200);
      for (const secret of [t.rma, t.labelRma, t.email, t.title]) assert.ok(!res.text.includes(secret), secret);
    },
    own: (res, t) => { assertStatus(res, 200); assert.ok(res.text.includes(t.rma)); },
  })),
  { route: 'GET /api/v1/merchant/analytics', what: 'read the analytics',
    send: (c) => c.session.api('GET', '/api/v1/merchant/analytics'),
    foreign: (res, t) => {
      assertStatus(res, 200);
      for (const secret of [t.title, t.rma]) assert.ok(!res.text.includes(secret), secret);
    },
    own: (res, t) => { assertStatus(res, 200); assert.ok(res.text.includes(t.title)); } },
  { route: 'GET /api/v1/merchants/*/analytics', what: 'read the analytics with the key',
    send: (c, t) => keyApi(c, 'GET', `/api/v1/merchants/${t.m.slug}/analytics`) },
  // the webhook from the console (session twins): the session's own merchant only
  { route: 'GET /api/v1/merchant/webhook', what: 'read the webhook from the console',
    send: (c) => c.session.api('GET', '/api/v1/merchant/webhook'),
    foreign: (res) => { assertStatus(res, 200); assert.equal(res.json.secret, undefined); },
    own: (res) => assertStatus(res, 200) },
  { route: 'GET /api/v1/merchant/webhook/deliveries', what: 'list deliveries from the console',
    send: (c) => c.session.api('GET', '/api/v1/merchant/webhook/deliveries'),
    foreign: (res, t) => {
      assertStatus(res, 200);
      assert.ok(res.json.items.every((x) => String(x.id) !== String(t.deliveryId)), 'A\'s delivery is not listed');
    },
    own: (res, t) => { assertStatus(res, 200); assert.ok(res.json.items.some((x) => String(x.id) === String(t.deliveryId))); } },
  { route: 'POST /api/v1/merchant/webhook/deliveries/*/retry', what: 'retry a delivery from the console',
    send: (c, t) => c.session.api('POST', `/api/v1/merchant/webhook/deliveries/${t.deliveryId}/retry`, { body: {} }),
    ownStatus: 202 },
  { route: 'PUT /api/v1/merchant/webhook', what: 'set the webhook from the console (its own)',
    send: (c) => c.session.api('PUT', '/api/v1/merchant/webhook', { body: { url: 'http://127.0.0.1:9/hook' } }),
    foreign: (res) => assertStatus(res, 200), own: (res) => assertStatus(res, 200) },
  { route: 'DELETE /api/v1/merchant/webhook', what: 'remove the webhook from the console (its own; set again after)',
    send: async (c) => {
      const res = await c.session.api('DELETE', '/api/v1/merchant/webhook');
      assertStatus(await c.session.api('PUT', '/api/v1/merchant/webhook', { body: { url: 'http://127.0.0.1:9/hook' } }), 200);
      return res;
    },
    foreign: (res) => assertStatus(res, 204), own: (res) => assertStatus(res, 204) },
  { route: 'DELETE /api/v1/merchants/*/webhook', what: 'remove the webhook',
    send: (c, t) => keyApi(c, 'DELETE', `/api/v1/merchants/${t.m.slug}/webhook`), ownStatus: 204 },
  { route: 'POST /api/v1/merchants/*/listings/*/hold', what: 'hold a published listing under its merchant\'s slug',
    send: (c, t) => keyApi(c, 'POST', `/api/v1/merchants/${t.m.slug}/listings/${t.published.id}/hold`, { minutes: 5 }) },
  { route: 'POST /api/v1/merchants/*/listings/*/hold', what: 'hold a published listing under the key\'s own slug',
    send: (c, t) => keyApi(c, 'POST', `/api/v1/merchants/${c.slug}/listings/${t.published.id}/hold`, { minutes: 5 }),
    ownStatus: 409 },
  { route: 'DELETE /api/v1/merchants/*/listings/*/hold', what: 'release a hold',
    send: (c, t) => keyApi(c, 'DELETE', `/api/v1/merchants/${c.slug}/listings/${t.published.id}/hold`), ownStatus: 204 },
  // the merchant's team: listed, invited into and removed from the session's own merchant only
  { route: 'GET /api/v1/merchant/team', what: 'list the team',
    send: (c) => c.session.api('GET', '/api/v1/merchant/team'),
    foreign: (res, t) => {
      assertStatus(res, 200);
      for (const secret of [t.member.email, t.session.user.email]) assert.ok(!res.text.includes(secret), secret);
    },
    own: (res, t) => { assertStatus(res, 200); assert.ok(res.json.items.some((x) => x.id === t.member.id)); } },
  { route: 'POST /api/v1/merchant/team', what: 'invite a member (into its own team: A\'s stays as it was)',
    send: (c) => c.session.api('POST', '/api/v1/merchant/team',
      { body: { email: `invited-${suffix()}@example.jp`, name: '招待', role: 'merchant_staff' } }),
    foreign: (res) => assertStatus(res, 201), own: (res) => assertStatus(res, 201) },
  { route: 'DELETE /api/v1/merchant/team/*', what: 'remove a team member',
    send: (c, t) => c.session.api('DELETE', `/api/v1/merchant/team/${t.member.id}`), ownStatus: 204 },
  { route: 'PATCH /api/v1/merchant/listings/*', what: 'edit a published listing\'s price and title',
    send: (c, t) => c.session.api('PATCH', `/api/v1/merchant/listings/${t.published.id}`,
      { body: { price: 1, title: '乗っ取り', confirm_low_price: true } }) },
  { route: 'POST /api/v1/merchant/listings/*/withdraw', what: 'withdraw a published listing',
    send: (c, t) => c.session.api('POST', `/api/v1/merchant/listings/${t.published.id}/withdraw`, { body: {} }) },
  { route: 'POST /api/v1/merchant/listings/*/restore', what: 'restore a rejected listing',
    send: (c, t) => c.session.api('POST', `/api/v1/merchant/listings/${t.rejectPending.id}/restore`, { body: {} }) },
];

/** A staff member invited into the team of the owner's session. */
async function teamMember(owner, tag) {
  const res = await owner.api('POST', '/api/v1/merchant/team',
    { body: { email: `${tag.toLowerCase()}-staff-${suffix()}@example.jp`, name: `${tag}スタッフ`, role: 'merchant_staff' } });
  assertStatus(res, 201);
  return res.json.member;
}

/** A merchant-key call with B's key. */
function keyApi(c, method, path, body) {
  return api(method, path, { token: c.key, body });
}

/** Points m's webhook at a closed loopback port, so its events get deliveries. */
async function webhookFor(m) {
  const res = await api('PUT', `/api/v1/merchants/${m.slug}/webhook`, { token: m.key, body: { url: 'http://127.0.0.1:9/hook' } });
  assertStatus(res, 200);
}

/** The id of one of m's webhook deliveries. */
async function deliveryOf(m) {
  const res = await api('GET', `/api/v1/merchants/${m.slug}/webhook/deliveries`, { token: m.key });
  assertStatus(res, 200);
  assert.ok(res.json.items.length > 0, 'a delivery');
  return res.json.items[0].id;
}

/** Everything of A that B's walk could have touched, as A and the public see it. */
async function snapshot() {
  const found = await lookupOk(A.slug, ta.orderNumber, ta.email);
  const other = await lookupOk(A.slug, ta.stockOrder, ta.email); // its T-shirt line may be exchanged
  return {
    listings: await allListings(aS),
    returns: (await merchantReturns(aS)).json,
    summary: (await merchantSummary(aS)).json,
    ret: (await staffGetReturn(aS, ta.rma)).json,
    label: (await staffGetReturn(aS, ta.labelRma)).json,
    order: found.order,
    stock: lineOf(other.order, '1').exchange_options,
    shop: (await shopListings(A.slug)).json,
    events: (await api('GET', `/api/v1/merchants/${A.slug}/events`, { token: A.key })).json,
    webhook: (await api('GET', `/api/v1/merchants/${A.slug}/webhook`, { token: A.key })).json,
    whole: (await api('GET', `/api/v1/merchants/${A.slug}/returns/${ta.rma}`, { token: A.key })).json,
    policy: (await aS.api('GET', '/api/v1/merchant/policy')).json,
    team: (await aS.api('GET', '/api/v1/merchant/team')).json,
  };
}

test('every merchant route of the server has a row in the walk', () => {
  const router = readFileSync(join(ROOT, 'fcgi/router.c'), 'utf8');
  const routes = [...router.matchAll(/\{\s*METHOD_([A-Z]+)\s*,\s*"(\/api\/v1\/merchants?\/[^"]*)"/g)]
    .map(([, method, p]) => `${method} ${p}`);
  assert.ok(routes.length >= 7, `merchant routes found in fcgi/router.c: ${routes.join(', ')}`);
  const covered = new Set(ROWS.map((r) => r.route));
  for (const r of routes) assert.ok(covered.has(r), `no isolation row for ${r}`);
});

test('B\'s session and key reach nothing of A: 404 for every id, lists and counts of B\'s own only', async () => {
  const before = await snapshot();
  const c = creds();
  for (const row of ROWS) {
    const res = await row.send(c, ta);
    try {
      (row.foreign || notFound)(res, ta);
    } catch (e) {
      e.message = `${row.route} — B tries to ${row.what} of A: ${e.message}`;
      throw e;
    }
  }
  assert.deepEqual(await snapshot(), before, 'A\'s data is exactly as it was');

  // And plainly: A's listings keep their states and prices, A's order and stock are A's.
  const now = Object.fromEntries((await allListings(aS)).map((l) => [String(l.id), l]));
  const [a1, a2, a3] = ta.listings.map((l) => now[String(l.id)]);
  assert.deepEqual([a1.status, a1.price, a1.title], ['pending_review', 3670, ta.title]);
  assert.deepEqual([a2.status, a2.price, a2.sold_at], ['published', 3670, null]);
  assert.deepEqual([a3.status, a3.price], ['sold', 3500]);
  const order = (await lookupOk(A.slug, ta.stockOrder, ta.email)).order;
  assert.deepEqual(lineOf(order, '1').exchange_options.map((o) => o.sku), ['TEE-BLK-L'], 'A\'s stock of L is still 3');
  assert.equal((await merchantSummary(aS)).json.recovered, 3500);
});

test('the same rows against B\'s own data succeed: the walk\'s 404s are tenancy, not wrong paths', async () => {
  const before = await snapshot();
  const c = creds();
  for (const row of ROWS) {
    const res = await row.send(c, tb);
    try {
      if (row.own) row.own(res, tb);
      else assertStatus(res, row.ownStatus ?? 200);
    } catch (e) {
      e.message = `${row.route} — B tries to ${row.what} of its own: ${e.message}`;
      throw e;
    }
  }
  assert.deepEqual(await snapshot(), before, 'B working on its own data leaves A\'s alone');
});

test('A\'s key on A\'s slug still works afterwards (a fresh order is A\'s alone)', async () => {
  const n = newOrderNumber();
  assertStatus(await putOrder(A, n, jpOrder({ email: ta.email })), 201);
  assertProblem(await api('PUT', `/api/v1/merchants/${A.slug}/orders/${n}`, { body: jpOrder(), token: B.key }), 404);
  assert.equal((await lookupOk(A.slug, n, ta.email)).order.order_number, n);
});

test('each public shop shows its own merchant\'s listings only', async () => {
  const shopB = await shopListings(B.slug);
  listWithout(shopB, ta, 'id', listingsOf(ta));
  assert.equal(shopB.json.merchant.slug, B.slug);
  const shopA = await shopListings(A.slug);
  listWithout(shopA, tb, 'id', listingsOf(tb));
  assert.deepEqual(shopA.json.items.map((x) => String(x.id)), [String(ta.published.id)]);
});
