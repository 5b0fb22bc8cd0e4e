// Return links: the shop asks for a signed link to an order's returns (merchant key); the portal
// exchanges it for the order (POST /lookup {merchant, link}) without number or e-mail. A link is
// good for its order and merchant only, for 30 days; tampered, foreign and expired links are
// refused with a problem naming "link", and a forged one counts against the lookup throttle.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ROOT, api, assertProblem, assertStatus, lineOf, newClientAddress, newMerchant, newOrder,
} from './lib.mjs';

const linkOf = (m, orderNumber, { token = m.key } = {}) =>
  api('GET', `/api/v1/merchants/${m.slug}/orders/${encodeURIComponent(orderNumber)}/return-link`, { token });
const byLink = (slug, link, { from = newClientAddress() } = {}) =>
  api('POST', '/api/v1/lookup', { body: { merchant: slug, link }, from });
const tokenOf = (url) => decodeURIComponent(new URL(url).hash.replace(/^#link=/, ''));

test('a return link opens the order at once: same answer as a lookup, valid 30 days', async () => {
  const m = newMerchant();
  const { orderNumber } = await newOrder(m);
  const res = await linkOf(m, orderNumber);
  assertStatus(res, 200);
  const url = new URL(res.json.url);
  assert.equal(url.pathname, `/returns/${m.slug}/`, 'the link opens the merchant\'s portal');
  assert.match(url.hash, /^#link=/, 'the token rides in the fragment, never sent to a server');
  const days = (Date.parse(res.json.expires_at) - Date.now()) / 86_400_000;
  assert.ok(days > 29.9 && days <= 30, `expires in 30 days: ${res.json.expires_at}`);

  const found = await byLink(m.slug, tokenOf(res.json.url));
  assertStatus(found, 200);
  assert.equal(found.json.order.order_number, orderNumber);
  assert.equal(typeof found.json.token, 'string');
  assert.equal(lineOf(found.json.order, '1').eligible, true);
  assert.equal(found.json.merchant.slug, m.slug);
  assert.equal(found.json.policy.window_days, 30);
});

test('only the merchant\'s key gets a link, only for its own orders', async () => {
  const m = newMerchant();
  const other = newMerchant();
  const { orderNumber } = await newOrder(m);
  assertProblem(await linkOf(m, orderNumber, { token: other.key }), 404);
  assertProblem(await linkOf(m, orderNumber, { token: 'kk_nobody' }), 401);
  assertProblem(await linkOf(m, orderNumber, { token: null }), 401);
  assertProblem(await linkOf(m, `${orderNumber}-none`), 404);
  // The other merchant's own order number is not this merchant's.
  const theirs = await newOrder(other);
  assertProblem(await linkOf(m, theirs.orderNumber), 404);
});

test('a tampered link, or one used on another merchant\'s portal, is refused and shows nothing', async () => {
  const m = newMerchant();
  const other = newMerchant();
  const a = await newOrder(m);
  const b = await newOrder(m);
  const link = tokenOf((await linkOf(m, a.orderNumber)).json.url);
  const [, mid, oid, exp, mac] = link.split('.');
  const bId = tokenOf((await linkOf(m, b.orderNumber)).json.url).split('.')[2];
  const forgeries = {
    'another order, same signature': `l1.${mid}.${bId}.${exp}.${mac}`,
    'a later expiry': `l1.${mid}.${oid}.${Number(exp) + 86_400}.${mac}`,
    'a flipped signature': `l1.${mid}.${oid}.${exp}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BA' : 'AA'}`,
    'no signature': `l1.${mid}.${oid}.${exp}`,
    'an order token': 'o1.1.99999999999.AAAA',
    'garbage': 'hello',
  };
  for (const [what, forged] of Object.entries(forgeries)) {
    const res = await byLink(m.slug, forged);
    const p = assertProblem(res, 404, 'link');
    assert.equal(p.title, 'Return link not valid', what);
    assert.equal(res.json.order, undefined, `${what}: no order data`);
    assert.equal(res.json.token, undefined, `${what}: no token`);
  }
  // A genuine link on another merchant's portal.
  const foreign = await byLink(other.slug, link);
  assertProblem(foreign, 404, 'link');
  assert.equal(foreign.json.order, undefined);
});

test('an expired link says it expired (410), and gives nothing', async () => {
  const m = newMerchant();
  const { orderNumber } = await newOrder(m);
  const [, mid, oid] = tokenOf((await linkOf(m, orderNumber)).json.url).split('.');
  const stack = process.env.KAERU_STACK || join(ROOT, 'var');
  const secret = Buffer.from(readFileSync(join(stack, 'secret'), 'utf8').trim(), 'hex');
  const head = `l1.${mid}.${oid}.${Math.floor(Date.now() / 1000) - 60}`;
  const mac = createHmac('sha256', secret).update(head).digest('base64url');
  // The signing scheme is what the server uses: the same head signed now-plus-an-hour works.
  const fresh = `l1.${mid}.${oid}.${Math.floor(Date.now() / 1000) + 3600}`;
  assertStatus(await byLink(m.slug, `${fresh}.${createHmac('sha256', secret).update(fresh).digest('base64url')}`), 200);
  const res = await byLink(m.slug, `${head}.${mac}`);
  const p = assertProblem(res, 410, 'link');
  assert.match(p.detail, /expired/);
  assert.equal(res.json.order, undefined);
});

test('forged links count against the lookup throttle; genuine ones do not', async () => {
  const m = newMerchant();
  const { orderNumber } = await newOrder(m);
  const link = tokenOf((await linkOf(m, orderNumber)).json.url);
  const from = newClientAddress();
  for (let i = 0; i < 3; i++) assertStatus(await byLink(m.slug, link, { from }), 200);
  for (let i = 0; i < 10; i++) assertProblem(await byLink(m.slug, `${link}x`, { from }), 404);
  const limited = await byLink(m.slug, link, { from });
  assertProblem(limited, 429);
  assert.ok(Number(limited.headers['retry-after']) > 0);
});

test('a link body is checked like any other: merchant required, link a string', async () => {
  assertProblem(await api('POST', '/api/v1/lookup', { body: { link: 'x' }, from: newClientAddress() }), 422, 'merchant');
  assertProblem(await api('POST', '/api/v1/lookup', { body: { merchant: 'x', link: 5 }, from: newClientAddress() }), 422, 'link');
});
