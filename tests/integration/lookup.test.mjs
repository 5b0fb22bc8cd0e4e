// Customer lookup: order number + email → the order's lines, what can be returned and why not, a token.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  REASONS, api, assertProblem, assertStatus, daysAgo, lineOf, lookup, lookupOk, newClientAddress,
  merchantSession, newMerchant, newOrder, optionsOf, pick, postReturn, putInventory,
} from './lib.mjs';

let m;
before(async () => {
  m = newMerchant({ currency: 'JPY' });
  assertStatus(await putInventory(m, [
    { sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available: 5 },
  ]), 200);
});

test('the portal shows the merchant and its default policy; an unknown merchant is 404', async () => {
  const res = await api('GET', `/api/v1/portal/${m.slug}`);
  assertStatus(res, 200);
  assert.deepEqual(pick(res.json.merchant, ['slug', 'name', 'currency']), { slug: m.slug, name: m.name, currency: 'JPY' });
  const p = res.json.policy;
  assert.equal(p.window_days, 30);
  assert.equal(p.store_credit_bonus_percent, 10);
  assert.equal(p.restocking_fee_percent, 0);
  assert.deepEqual([...p.reasons].sort(), [...REASONS].sort());
  assertProblem(await api('GET', `/api/v1/portal/${m.slug}-nobody`), 404);
});

// The lookup reads the merchant's columns it answers with in its own statement (db/orders.c)
// where the portal reads the whole merchant: a field read from the defaults instead of the
// merchant's row, or written by one answer and not the other, shows here.
test('a lookup shows the merchant and policy exactly as the portal does, for a policy of its own', async () => {
  const own = newMerchant({ currency: 'JPY' });
  const owner = await merchantSession(own);
  assertStatus(await owner.api('PUT', '/api/v1/merchant/policy', { body: {
    window_days: 45, label_validity_days: 9, restocking_fee_percent: 15, store_credit_bonus_percent: 7,
    price_step: 50, reasons: ['too_small', 'too_large', 'damaged', 'changed_mind'], fee_reasons: ['changed_mind'],
    resale_percent: { new: 80, like_new: 65, good: 45, fair: 25 }, timezone: 'Asia/Tokyo' } }), 200);
  const portal = await api('GET', `/api/v1/portal/${own.slug}`);
  assertStatus(portal, 200);
  const { orderNumber, body } = await newOrder(own);
  const found = await lookupOk(own.slug, orderNumber, body.email);
  assert.deepEqual(found.merchant, portal.json.merchant);
  assert.deepEqual(found.policy, portal.json.policy);
  assert.equal(found.policy.window_days, 45, 'the merchant\'s own window, not the default');
  assert.deepEqual(found.policy.fee_reasons, ['changed_mind']);
});

test('a lookup answers the token, the merchant, the lines with eligibility, and the policy', async () => {
  const { orderNumber, body } = await newOrder(m);
  const found = await lookupOk(m.slug, orderNumber, body.email);
  assert.equal(typeof found.token, 'string');
  assert.ok(found.token.length >= 16, 'a token worth signing');
  assert.deepEqual(pick(found.merchant, ['slug', 'name']), { slug: m.slug, name: m.name });
  assert.equal(found.order.order_number, orderNumber);
  assert.equal(found.order.currency, 'JPY');
  assert.equal(Date.parse(found.order.delivered_at), Date.parse(body.delivered_at));
  assert.equal(found.order.lines.length, 3);

  const tee = lineOf(found.order, '1');
  // Fields beyond the contract's are allowed ("extend it freely"); compare the documented ones.
  assert.deepEqual(pick(tee, ['line_id', 'sku', 'name', 'variant', 'quantity', 'returnable_quantity',
    'unit_price', 'eligible', 'ineligible_reason']),
  { line_id: '1', sku: 'TEE-BLK-M', name: 'オーガニックTシャツ', variant: 'Black / M', quantity: 2,
    returnable_quantity: 2, unit_price: 4900, eligible: true, ineligible_reason: null });
  assert.deepEqual(optionsOf(tee), [{ sku: 'TEE-BLK-L', variant: 'Black / L' }]);

  // The last day of the window on the merchant's calendar: UTC for a merchant given no time zone.
  const lastDay = new Date(Date.parse(body.delivered_at) + 30 * 86_400_000).toISOString().slice(0, 10);
  assert.equal(tee.returnable_until, lastDay);

  const sale = lineOf(found.order, '2');
  assert.equal(sale.eligible, false);
  assert.equal(sale.ineligible_reason, 'final_sale');
  assert.equal(sale.returnable_until, undefined, 'only eligible lines have a last day');

  assert.equal(lineOf(found.order, '3').eligible, true);
  assert.equal(found.policy.window_days, 30);
  assert.equal(found.policy.store_credit_bonus_percent, 10);
  assert.deepEqual([...found.policy.reasons].sort(), [...REASONS].sort());
  assert.equal(found.policy.timezone, 'UTC');
});

test('lines come in the order the shop sent them, exchange options by variant then sku', async () => {
  const shop = newMerchant({ currency: 'JPY' });
  // SKUs, variants and line ids that sort otherwise than the answer must.
  assertStatus(await putInventory(shop, [
    { sku: 'A-1', product_id: 'SOCK', variant: 'Red', available: 2 },
    { sku: 'A-2', product_id: 'SOCK', variant: 'Blue', available: 2 },
    { sku: 'A-3', product_id: 'SOCK', variant: 'Blue', available: 2 },
    { sku: 'Z-9', product_id: 'SOCK', variant: 'Amber', available: 0 }, // none free: no option
  ]), 200);
  const line = (line_id, sku, variant) => ({ line_id, sku, product_id: 'SOCK', name: `Sock ${line_id}`,
    variant, category: 'socks', quantity: 1, unit_price: 500, final_sale: false });
  const lines = [line('z', 'A-1', 'Red'), line('b', 'A-2', 'Blue'), line('m', 'Z-9', 'Amber')];
  const { orderNumber, body } = await newOrder(shop, { lines });
  const found = await lookupOk(shop.slug, orderNumber, body.email);
  assert.deepEqual(found.order.lines.map((l) => l.line_id), ['z', 'b', 'm']);
  assert.deepEqual(optionsOf(lineOf(found.order, 'z')), [
    { sku: 'A-2', variant: 'Blue' }, { sku: 'A-3', variant: 'Blue' }]);
  assert.deepEqual(optionsOf(lineOf(found.order, 'b')), [
    { sku: 'A-3', variant: 'Blue' }, { sku: 'A-1', variant: 'Red' }]);
  assert.deepEqual(optionsOf(lineOf(found.order, 'm')), [
    { sku: 'A-2', variant: 'Blue' }, { sku: 'A-3', variant: 'Blue' }, { sku: 'A-1', variant: 'Red' }]);
  // exchange_variants shows every other variant, with its stock: out-of-stock Amber too.
  assert.deepEqual(lineOf(found.order, 'z').exchange_variants, [
    { sku: 'Z-9', variant: 'Amber', in_stock: false }, { sku: 'A-2', variant: 'Blue', in_stock: true },
    { sku: 'A-3', variant: 'Blue', in_stock: true }]);
  assert.deepEqual(lineOf(found.order, 'm').exchange_variants.map((v) => v.in_stock), [true, true, true]);
});

test('an order of many products, one of them on two lines, offers each line its variants once', async () => {
  const shop = newMerchant({ currency: 'JPY' });
  const products = Array.from({ length: 10 }, (_, i) => `P${i}`);
  assertStatus(await putInventory(shop, products.flatMap((p) => [
    { sku: `${p}-A`, product_id: p, variant: 'A', available: 1 },
    { sku: `${p}-B`, product_id: p, variant: 'B', available: 0 },
  ])), 200);
  for (const n of [3, 8, 9, 10]) {
    const lines = products.slice(0, n).map((p, i) => ({ line_id: `${i}`, sku: `${p}-B`, product_id: p,
      name: p, variant: 'B', category: 'c', quantity: 1, unit_price: 100, final_sale: false }));
    lines.push({ ...lines[0], line_id: 'again' }); // a product twice: its variants once
    const { orderNumber, body } = await newOrder(shop, { lines });
    const found = await lookupOk(shop.slug, orderNumber, body.email);
    for (const line of found.order.lines) {
      assert.deepEqual(optionsOf(line), [{ sku: `${line.product_id}-A`, variant: 'A' }], `${n} products`);
      assert.deepEqual(line.exchange_variants, [{ sku: `${line.product_id}-A`, variant: 'A', in_stock: true }]);
    }
  }
});

test('names, variants and skus come back as the shop wrote them: quotes, backslashes, tabs, emoji', async () => {
  const shop = newMerchant({ currency: 'JPY' });
  const odd = 'Say "hi" \\ back/slash\t💚 かえる';
  assertStatus(await putInventory(shop, [
    { sku: 'Q-"1"', product_id: 'Q\\P', variant: odd, available: 1 },
    { sku: 'Q-2', product_id: 'Q\\P', variant: 'plain', available: 0 },
  ]), 200);
  const lines = [{ line_id: 'l"1', sku: 'Q-2', product_id: 'Q\\P', name: odd, variant: 'plain',
    category: 'odd', quantity: 1, unit_price: 500, final_sale: false }];
  const { orderNumber, body } = await newOrder(shop, { lines });
  const found = await lookupOk(shop.slug, orderNumber, body.email);
  const line = lineOf(found.order, 'l"1');
  assert.deepEqual(pick(line, ['sku', 'product_id', 'name']), { sku: 'Q-2', product_id: 'Q\\P', name: odd });
  assert.deepEqual(line.exchange_variants, [{ sku: 'Q-"1"', variant: odd, in_stock: true }]);
  assert.deepEqual(optionsOf(line), [{ sku: 'Q-"1"', variant: odd }]);
});

test('the return window: delivered 29 days ago is open, 31 days ago is closed', async () => {
  const open = await newOrder(m, { delivered_at: daysAgo(29), placed_at: daysAgo(33) });
  const openFound = await lookupOk(m.slug, open.orderNumber, open.body.email);
  assert.equal(lineOf(openFound.order, '1').eligible, true);

  const closed = await newOrder(m, { delivered_at: daysAgo(31), placed_at: daysAgo(35) });
  const closedFound = await lookupOk(m.slug, closed.orderNumber, closed.body.email);
  for (const id of ['1', '3']) {
    const line = lineOf(closedFound.order, id);
    assert.equal(line.eligible, false, `line ${id}`);
    assert.equal(line.ineligible_reason, 'window_closed', `line ${id}`);
  }
  // A closed window still shows the order; returning from it is refused.
  const res = await postReturn(closedFound.token,
    [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  assertProblem(res, 422, 'items[0].line_id');
});

test('the email matches case-insensitively and without surrounding spaces', async () => {
  const { orderNumber } = await newOrder(m, { email: 'Taro.Yamada@Example.jp' });
  for (const email of ['taro.yamada@example.jp', 'TARO.YAMADA@EXAMPLE.JP', '  taro.yamada@example.jp\t']) {
    const found = await lookupOk(m.slug, orderNumber, email);
    assert.equal(found.order.order_number, orderNumber, JSON.stringify(email));
  }
});

test('a wrong email and a wrong order number get the very same 404', async () => {
  const { orderNumber, body } = await newOrder(m);
  const from = newClientAddress(); // these failures count against this address only
  const wrongEmail = await lookup(m.slug, orderNumber, 'someone.else@example.jp', { from });
  const wrongOrder = await lookup(m.slug, `${orderNumber}9`, body.email, { from });
  assertProblem(wrongEmail, 404);
  assertProblem(wrongOrder, 404);
  assert.deepEqual(wrongEmail.json, wrongOrder.json, 'the body does not tell which part was wrong');
  assert.equal(wrongEmail.headers['content-type'], wrongOrder.headers['content-type']);
  assert.ok(!('token' in wrongEmail.json));
  // The email's near misses are not matches.
  assertProblem(await lookup(m.slug, orderNumber, 'taro.yamada@example.j', { from }), 404);
  assertProblem(await lookup(`${m.slug}x`, orderNumber, body.email, { from }), 404);
});

test('the order token is required, signed and for orders only', async () => {
  const { orderNumber, body } = await newOrder(m);
  const { token } = await lookupOk(m.slug, orderNumber, body.email);
  const items = [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }];

  assertProblem(await postReturn(undefined, items), 401);
  assertProblem(await postReturn('garbage', items), 401);
  assertProblem(await postReturn(m.key, items), 401);
  // One character changed in the middle of the token breaks its signature.
  const i = Math.floor(token.length * 0.75);
  const tampered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
  assertProblem(await postReturn(tampered, items), 401);

  // Nothing was created by the refused attempts.
  const after = await lookupOk(m.slug, orderNumber, body.email);
  assert.equal(lineOf(after.order, '1').returnable_quantity, 2);
  // The genuine token works.
  assertStatus(await postReturn(token, items), 201);
});

test('lookup needs its three fields; a non-JSON body is 415', async () => {
  const { orderNumber, body } = await newOrder(m);
  const full = { merchant: m.slug, order_number: orderNumber, email: body.email };
  const from = newClientAddress();
  for (const field of ['merchant', 'order_number', 'email']) {
    const { [field]: _gone, ...rest } = full;
    assertProblem(await api('POST', '/api/v1/lookup', { body: rest, from }), 422, field);
  }
  assertProblem(await api('POST', '/api/v1/lookup', { body: { ...full, email: 42 }, from }), 422, 'email');
  const form = `merchant=${m.slug}&order_number=${orderNumber}&email=${encodeURIComponent(body.email)}`;
  assertProblem(await api('POST', '/api/v1/lookup',
    { body: form, from, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415);
  // Parameters on the JSON media type are fine.
  const withCharset = await api('POST', '/api/v1/lookup',
    { body: JSON.stringify(full), headers: { 'Content-Type': 'application/json; charset=utf-8' } });
  assertStatus(withCharset, 200);
});

test('order numbers are found as shops print them: a leading # and blanks are dropped', async () => {
  const { orderNumber, body } = await newOrder(m);
  for (const typed of [`#${orderNumber}`, `  ${orderNumber} `, `# ${orderNumber}`, `＃${orderNumber}`, `\t#${orderNumber}\n`]) {
    const found = await lookupOk(m.slug, typed, body.email);
    assert.equal(found.order.order_number, orderNumber, JSON.stringify(typed));
  }
  const from = newClientAddress();
  assertProblem(await lookup(m.slug, ' # ', body.email, { from }), 422, 'order_number');
  assertProblem(await lookup(m.slug, `##${orderNumber}`, body.email, { from }), 404);
});

test('a line already in a return leads to that return\'s tracking page; canceled returns do not', async () => {
  const { orderNumber, body } = await newOrder(m);
  const { token } = await lookupOk(m.slug, orderNumber, body.email);
  const items = (line_id, quantity) => [{ line_id, quantity, reason: 'too_small', resolution: 'refund' }];
  const first = await postReturn(token, items('1', 2));
  assertStatus(first, 201);
  const second = await postReturn(token, items('3', 1));
  assertStatus(second, 201);
  assertStatus(await api('POST', `/api/v1/returns/${second.json.rma}/cancel`, { body: {}, token }), 200);

  const found = await lookupOk(m.slug, orderNumber, body.email);
  const tee = lineOf(found.order, '1');
  assert.equal(tee.eligible, false);
  assert.equal(tee.ineligible_reason, 'already_returned');
  assert.deepEqual(tee.returns.map((r) => r.rma), [first.json.rma]);
  assert.equal(tee.returns[0].status, 'label_issued');
  assert.equal(tee.returns[0].tracking_url, first.json.tracking_url, 'the same tracking page the return shows');
  const opened = await api('GET', new URL(tee.returns[0].tracking_url).pathname.replace(/^\/r\//, '/api/v1/returns/')
    + new URL(tee.returns[0].tracking_url).search);
  assertStatus(opened, 200);
  assert.equal(opened.json.rma, first.json.rma);
  assert.deepEqual(lineOf(found.order, '3').returns, [], 'a canceled return holds nothing');
  assert.deepEqual(lineOf(found.order, '2').returns, []);
});

test('an undelivered order says so per line, with no last day', async () => {
  const { orderNumber, body } = await newOrder(m, { delivered_at: undefined });
  const found = await lookupOk(m.slug, orderNumber, body.email);
  assert.equal(found.order.delivered_at, null);
  const tee = lineOf(found.order, '1');
  assert.equal(tee.eligible, false);
  assert.equal(tee.ineligible_reason, 'not_delivered');
  assert.equal(tee.returnable_until, undefined);
});

// The lookup reads an order whole in one statement, a row per line, per return of it and per
// variant of its product: each return and each variant must still come once, in order.
test('a line in two returns, and its product on another line: each return and each variant once', async () => {
  const shop = newMerchant({ currency: 'JPY' });
  assertStatus(await putInventory(shop, [
    { sku: 'TEE-S', product_id: 'TEE', variant: 'S', available: 3 },
    { sku: 'TEE-M', product_id: 'TEE', variant: 'M', available: 2 },
    { sku: 'TEE-L', product_id: 'TEE', variant: 'L', available: 0 },
  ]), 200);
  const line = (line_id, sku, variant, quantity) => ({ line_id, sku, product_id: 'TEE', name: 'Tee',
    variant, category: 'tops', quantity, unit_price: 2000, final_sale: false });
  const { orderNumber, body } = await newOrder(shop, { lines: [line('a', 'TEE-S', 'S', 3), line('b', 'TEE-L', 'L', 1)] });
  const { token } = await lookupOk(shop.slug, orderNumber, body.email);
  const one = [{ line_id: 'a', quantity: 1, reason: 'too_small', resolution: 'refund' }];
  const first = await postReturn(token, one);
  assertStatus(first, 201);
  const second = await postReturn(token, one);
  assertStatus(second, 201);
  const third = await postReturn(token, [{ line_id: 'b', quantity: 1, reason: 'too_large',
    resolution: 'exchange', exchange_sku: 'TEE-M' }]); // reserves one of the two TEE-M
  assertStatus(third, 201);

  const found = await lookupOk(shop.slug, orderNumber, body.email);
  const a = lineOf(found.order, 'a');
  assert.equal(a.returnable_quantity, 1);
  assert.deepEqual(a.returns.map((r) => r.rma), [first.json.rma, second.json.rma], 'oldest first, each once');
  assert.deepEqual(a.exchange_variants, [
    { sku: 'TEE-L', variant: 'L', in_stock: false }, { sku: 'TEE-M', variant: 'M', in_stock: true }]);
  assert.deepEqual(optionsOf(a), [{ sku: 'TEE-M', variant: 'M' }]);
  const b = lineOf(found.order, 'b');
  assert.equal(b.ineligible_reason, 'already_returned');
  assert.deepEqual(b.returns.map((r) => r.rma), [third.json.rma]);
  assert.deepEqual(b.exchange_variants, []);

  // The other TEE-M goes to a third return of line a: none is free any more.
  assertStatus(await postReturn(token, [{ line_id: 'a', quantity: 1, reason: 'too_small',
    resolution: 'exchange', exchange_sku: 'TEE-M' }]), 201);
  const again = await lookupOk(shop.slug, orderNumber, body.email);
  assert.equal(lineOf(again.order, 'a').returns.length, 3);
  assert.deepEqual(lineOf(again.order, 'a').exchange_variants, [], 'nothing left to return: no variants');
});

// Variants are read only for lines that may be returned; the window is the merchant's calendar's,
// so a zone 14 hours ahead keeps a line delivered 30 days and some hours ago open or closes it by
// its local days: wherever core finds a line eligible, its exchange options are there.
test('at the end of the window in a far time zone, an eligible line still offers its variants', async () => {
  const shop = newMerchant({ currency: 'JPY' });
  const owner = await merchantSession(shop);
  const zone = 'Pacific/Kiritimati';
  assertStatus(await owner.api('PUT', '/api/v1/merchant/policy', { body: {
    window_days: 30, label_validity_days: 14, restocking_fee_percent: 0, store_credit_bonus_percent: 10,
    price_step: 100, reasons: REASONS, fee_reasons: [],
    resale_percent: { new: 80, like_new: 65, good: 45, fair: 25 }, timezone: zone } }), 200);
  assertStatus(await putInventory(shop, [
    { sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available: 2 }]), 200);
  const localDay = (ms) => Date.parse(new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(ms)));
  let eligible = 0;
  for (const hours of [-1, 1, 7, 13, 19, 23, 30, 47]) { // -1: always open
    const delivered = Date.now() - 30 * 86_400_000 - hours * 3_600_000;
    const { orderNumber, body } = await newOrder(shop, {
      delivered_at: new Date(delivered).toISOString().replace(/\.\d+Z$/, 'Z'), placed_at: daysAgo(40) });
    const found = await lookupOk(shop.slug, orderNumber, body.email);
    const tee = lineOf(found.order, '1');
    const open = (localDay(Date.now()) - localDay(delivered)) / 86_400_000 <= 30;
    assert.equal(tee.eligible, open, `delivered 30 days and ${hours} h ago`);
    assert.deepEqual(optionsOf(tee), open ? [{ sku: 'TEE-BLK-L', variant: 'Black / L' }] : [],
      `delivered 30 days and ${hours} h ago`);
    eligible += open;
  }
  assert.ok(eligible > 0, 'some line at the end of its window was still open');
});
