// Dates: order times past 2038 are kept exactly, and times outside 2000–2100 are refused naming the field.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  adminOk, api, assertProblem, assertStatus, createReturn, jpOrder, lookupOk, newMerchant, newOrder,
  newOrderNumber, putOrder, sql, sqlString,
} from './lib.mjs';

/** RFC 3339 UTC, whole seconds. */
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

let shop;
before(() => {
  shop = newMerchant({ currency: 'JPY' });
});

/** The stored DATETIME of an order's column, as MariaDB prints it (UTC). */
function storedTime(m, orderNumber, column) {
  const rows = sql(`SELECT o.${column} FROM orders o JOIN merchants m ON m.id = o.merchant_id`
    + ` WHERE m.slug = ${sqlString(m.slug)} AND o.order_number = ${sqlString(orderNumber)}`);
  return rows[0][0];
}

test('a delivered_at past 2038-01-19T03:14:07Z is answered 201 and stored as that instant', async () => {
  for (const at of ['2038-01-19T03:14:08Z', '2038-01-19T12:14:08+09:00', '2099-12-31T23:59:59Z']) {
    const n = newOrderNumber();
    const res = await putOrder(shop, n, jpOrder({ placed_at: '2038-01-01T00:00:00Z', delivered_at: at }));
    assertStatus(res, 201);
    assert.equal(Date.parse(res.json.delivered_at), Date.parse(at), `answered ${res.json.delivered_at} for ${at}`);
    assert.equal(res.json.placed_at, '2038-01-01T00:00:00Z');
    assert.equal(storedTime(shop, n, 'delivered_at'), iso(Date.parse(at)).replace('T', ' ').replace('Z', ''));
    // And read back: a delivery in the future leaves the window open.
    const found = await lookupOk(shop.slug, n, 'taro.yamada@example.jp');
    assert.equal(Date.parse(found.order.delivered_at), Date.parse(at));
    assert.equal(found.order.lines.find((l) => l.line_id === '1').eligible, true);
  }
});

/** The raw lookup of an order number of the shop's (for orders that must not exist). */
function lookupRaw(n) {
  return api('POST', '/api/v1/lookup', { body: { merchant: shop.slug, order_number: n, email: 'taro.yamada@example.jp' } });
}

test('times before 2000, before 1970 with an offset, and from 2100 are 422 naming the field', async () => {
  const cases = [
    ['delivered_at', '1970-01-01T00:30:00+01:00'], // was 201 with delivered_at stored as NULL
    ['delivered_at', '1969-07-20T20:17:40Z'],
    ['delivered_at', '1999-12-31T23:59:59Z'],
    ['delivered_at', '2100-01-01T00:00:00Z'],
    ['delivered_at', '9999-12-31T23:59:59Z'],
    ['placed_at', '2100-01-01T09:00:00+09:00'], // 2100-01-01T00:00:00Z
    ['placed_at', '1900-01-01T00:00:00Z'],
  ];
  for (const [field, value] of cases) {
    const n = newOrderNumber();
    const res = await putOrder(shop, n, jpOrder({ [field]: value }));
    const p = assertProblem(res, 422, field);
    assert.match(p.errors.find((e) => e.field === field).message, /2000-01-01.*2100-01-01/, `${field} ${value}`);
    assertProblem(await lookupRaw(n), 404);
  }
  // The edges themselves are inside.
  assertStatus(await putOrder(shop, newOrderNumber(), jpOrder({ placed_at: '2000-01-01T00:00:00Z',
    delivered_at: '2000-01-01T09:00:00+09:00' })), 201);
});

test('the longest label validity is stored exactly: expires_at = created_at + 3650 days', async () => {
  const m = newMerchant({ currency: 'USD' });
  adminOk(['merchant', 'policy', '--slug', m.slug, '--label-validity-days', '3650']);
  const o = await newOrder(m);
  const found = await lookupOk(m.slug, o.orderNumber, o.body.email);
  const ret = await createReturn(found.token, [{ line_id: 'A1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  const [[days, seconds]] = sql('SELECT TIMESTAMPDIFF(DAY, created_at, expires_at),'
    + ` TIMESTAMPDIFF(SECOND, created_at, expires_at) FROM returns WHERE rma = ${sqlString(ret.rma)}`);
  assert.ok(Math.abs(Number(seconds) - 3650 * 86_400) <= 2, `${days} days (${seconds} s)`);
  // Read back through the return's row (the label and tracking read it with the same columns).
  const res = await api('GET', `/api/v1/returns/${ret.rma}`, { token: found.token });
  assertStatus(res, 200);
  assert.equal(res.json.status, 'label_issued');
});
