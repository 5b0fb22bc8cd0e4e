// Dates: order times past 2038 are kept exactly, times outside 2000–2100 are refused naming the field,
// and the return window is counted in the merchant's calendar days in its own time zone.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  admin, adminOk, api, assertProblem, assertStatus, createReturn, jpOrder, lineOf, lookupOk, newMerchant,
  newOrder, newOrderNumber, newWarehouse, pause, putOrder, sql, sqlString, suffix,
} from './lib.mjs';

const DAY = 86_400_000;

/** The local date YYYY-MM-DD of an instant (ms) in an IANA zone. */
function localDate(zone, ms = Date.now()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date(ms));
}

/** YYYY-MM-DD plus n calendar days. */
function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** RFC 3339 UTC, whole seconds. */
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** A merchant whose time zone is set with `merchant policy --timezone`. */
function merchantIn(zone, currency = 'JPY') {
  const m = newMerchant({ currency });
  adminOk(['merchant', 'policy', '--slug', m.slug, '--timezone', zone]);
  return m;
}

let tokyo;
let newYork;
before(() => {
  tokyo = merchantIn('Asia/Tokyo');
  newYork = merchantIn('America/New_York', 'USD');
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
    const res = await putOrder(tokyo, n, jpOrder({ placed_at: '2038-01-01T00:00:00Z', delivered_at: at }));
    assertStatus(res, 201);
    assert.equal(Date.parse(res.json.delivered_at), Date.parse(at), `answered ${res.json.delivered_at} for ${at}`);
    assert.equal(res.json.placed_at, '2038-01-01T00:00:00Z');
    assert.equal(storedTime(tokyo, n, 'delivered_at'), iso(Date.parse(at)).replace('T', ' ').replace('Z', ''));
    // And read back: a delivery in the future leaves the window open until its last local day.
    const found = await lookupOk(tokyo.slug, n, 'taro.yamada@example.jp');
    assert.equal(Date.parse(found.order.delivered_at), Date.parse(at));
    const tee = lineOf(found.order, '1');
    assert.equal(tee.eligible, true);
    assert.equal(tee.returnable_until, addDays(localDate('Asia/Tokyo', Date.parse(at)), 30));
  }
});

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
    const res = await putOrder(tokyo, n, jpOrder({ [field]: value }));
    const p = assertProblem(res, 422, field);
    assert.match(p.errors.find((e) => e.field === field).message, /2000-01-01.*2100-01-01/, `${field} ${value}`);
    assertProblem(await lookupRaw(n), 404);
  }
  // The edges themselves are inside.
  assertStatus(await putOrder(tokyo, newOrderNumber(), jpOrder({ placed_at: '2000-01-01T00:00:00Z',
    delivered_at: '2000-01-01T09:00:00+09:00' })), 201);
});

/** The raw lookup of an order number of tokyo's (for orders that must not exist). */
function lookupRaw(n) {
  return api('POST', '/api/v1/lookup', { body: { merchant: tokyo.slug, order_number: n, email: 'taro.yamada@example.jp' } });
}

test('returnable_until is the last day of the window on the merchant\'s calendar', async () => {
  // 15:30Z is already the next day in Tokyo; 02:30Z is still the day before in New York.
  const base = Math.floor(Date.now() / DAY) * DAY - 10 * DAY; // a UTC midnight
  const jpAt = base + 15.5 * 3_600_000;
  const usAt = base + 2.5 * 3_600_000;
  const jp = await newOrder(tokyo, { delivered_at: iso(jpAt), placed_at: iso(base - 3 * DAY) });
  const us = await newOrder(newYork, { delivered_at: iso(usAt), placed_at: iso(base - 3 * DAY) });
  const jpFound = await lookupOk(tokyo.slug, jp.orderNumber, jp.body.email);
  const usFound = await lookupOk(newYork.slug, us.orderNumber, us.body.email);
  assert.equal(localDate('Asia/Tokyo', jpAt), addDays(localDate('UTC', jpAt), 1), 'the Tokyo date is the next UTC day');
  assert.equal(lineOf(jpFound.order, '1').returnable_until, addDays(localDate('Asia/Tokyo', jpAt), 30));
  assert.equal(lineOf(jpFound.order, '3').returnable_until, addDays(localDate('Asia/Tokyo', jpAt), 30));
  assert.equal(lineOf(jpFound.order, '2').eligible, false, 'final sale');
  assert.equal(lineOf(jpFound.order, '2').returnable_until, undefined, 'only eligible lines have one');
  assert.equal(lineOf(usFound.order, 'A1').returnable_until, addDays(localDate('America/New_York', usAt), 30));
  assert.equal(localDate('America/New_York', usAt), addDays(localDate('UTC', usAt), -1), 'the New York date is the UTC day before');
  assert.equal(jpFound.policy.timezone, 'Asia/Tokyo');
  assert.equal(usFound.policy.timezone, 'America/New_York');
});

test('the window stays open through its last local day, whatever the hour of delivery', async () => {
  // Away from Tokyo's midnight, so that "today" does not change under the test.
  const secondsIntoTokyoDay = Math.floor(Date.now() / 1000 + 9 * 3600) % 86_400;
  if (secondsIntoTokyoDay < 60) await pause((61 - secondsIntoTokyoDay) * 1000);
  if (secondsIntoTokyoDay > 86_400 - 30) await pause((86_400 - secondsIntoTokyoDay + 61) * 1000);
  const today = localDate('Asia/Tokyo');
  const tokyoMidnight = (date) => Date.parse(`${date}T00:00:00+09:00`);
  // Delivered in the first minute of day today-30: open all day today (an instant rule closed it
  // 30 × 24 hours after delivery, in the first minute of today).
  const lastDay = await newOrder(tokyo, { delivered_at: iso(tokyoMidnight(addDays(today, -30)) + 30_000),
    placed_at: iso(tokyoMidnight(addDays(today, -35))) });
  const open = await lookupOk(tokyo.slug, lastDay.orderNumber, lastDay.body.email);
  const tee = lineOf(open.order, '1');
  assert.equal(tee.eligible, true, JSON.stringify(tee));
  assert.equal(tee.returnable_until, today);
  const ret = await createReturn(open.token, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  assert.equal(ret.status, 'label_issued');
  // Delivered in the last minute of day today-31: closed since the start of today.
  const dayAfter = await newOrder(tokyo, { delivered_at: iso(tokyoMidnight(addDays(today, -30)) - 30_000),
    placed_at: iso(tokyoMidnight(addDays(today, -35))) });
  const closed = await lookupOk(tokyo.slug, dayAfter.orderNumber, dayAfter.body.email);
  assert.equal(lineOf(closed.order, '1').eligible, false);
  assert.equal(lineOf(closed.order, '1').ineligible_reason, 'window_closed');
});

test('kaeru-admin takes a merchant\'s time zone from the zone database, UTC when none is given', async () => {
  const wh = newWarehouse();
  const slug = `t-${suffix()}`;
  const bad = admin(['merchant', 'create', '--slug', slug, '--name', 'Nowhere', '--currency', 'USD',
    '--warehouse', wh.code, '--timezone', 'Mars/Olympus_Mons']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--timezone/);
  assertProblem(await api('GET', `/api/v1/portal/${slug}`), 404);

  adminOk(['merchant', 'create', '--slug', slug, '--name', 'Maple NY', '--currency', 'USD',
    '--warehouse', wh.code, '--timezone', 'America/New_York']);
  let portal = await api('GET', `/api/v1/portal/${slug}`);
  assertStatus(portal, 200);
  assert.equal(portal.json.policy.timezone, 'America/New_York');

  const refused = admin(['merchant', 'policy', '--slug', slug, '--timezone', 'EST5EDT ', '--window-days', '9']);
  assert.notEqual(refused.status, 0);
  portal = await api('GET', `/api/v1/portal/${slug}`);
  assert.equal(portal.json.policy.timezone, 'America/New_York', 'unchanged');
  assert.equal(portal.json.policy.window_days, 30, 'nothing of a refused change is stored');

  const plain = newMerchant({ currency: 'JPY' });
  assert.equal((await api('GET', `/api/v1/portal/${plain.slug}`)).json.policy.timezone, 'UTC');
  adminOk(['merchant', 'policy', '--slug', plain.slug, '--window-days', '14']);
  assert.equal((await api('GET', `/api/v1/portal/${plain.slug}`)).json.policy.timezone, 'UTC', 'kept by other changes');
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
  assert.equal(res.json.merchant_timezone, 'UTC');
});

test('the tracking view names the merchant\'s time zone for its dates', async () => {
  const o = await newOrder(tokyo);
  const found = await lookupOk(tokyo.slug, o.orderNumber, o.body.email);
  const ret = await createReturn(found.token, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  const res = await api('GET', `/api/v1/returns/${ret.rma}`, { token: found.token });
  assertStatus(res, 200);
  assert.equal(res.json.merchant_timezone, 'Asia/Tokyo');
});

