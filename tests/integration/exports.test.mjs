// CSV exports of the console: GET /api/v1/merchant/returns.csv and /ledger.csv ?from=&to= (local
// days of the merchant's calendar, both inclusive). RFC 4180, streamed page by page; the money
// columns add up to the ledger; a return made at 23:30 in Tokyo counts on that Tokyo day.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  api, assertProblem, assertStatus, clerkOf, feedRecords, inspectOk, merchantSession, newMerchant,
  returnFor, scanOk, sql, sqlString,
} from './lib.mjs';

let m;
let s;
let clerk;
const made = []; // the returns made, resolved
const COMMENT = 'サイズが小さい, "とても" 小さい\n=1+1';

const ymd = (d) => d.toISOString().slice(0, 10);
const tokyoToday = () => ymd(new Date(Date.now() + 9 * 3600_000));
const csv = (what, query = '') => s.api('GET', `/api/v1/merchant/${what}.csv${query}`);

before(async () => {
  m = newMerchant({ currency: 'JPY' });
  s = await merchantSession(m);
  clerk = await clerkOf(m);
  assertStatus(await s.api('PUT', '/api/v1/merchant/policy', { body: { timezone: 'Asia/Tokyo', restocking_fee_percent: 10 } }), 200);
  const bodies = [
    [[{ line_id: '1', quantity: 2, reason: 'too_small', resolution: 'refund', comment: COMMENT }],
      [{ received_quantity: 2, grade: 'new', disposition: 'restock' }]],
    [[{ line_id: '1', quantity: 1, reason: 'defective', resolution: 'store_credit' },
      { line_id: '3', quantity: 1, reason: 'changed_mind', resolution: 'refund' }],
    [{ received_quantity: 1, grade: 'good', disposition: 'recycle' }, { received_quantity: 1, grade: 'new', disposition: 'restock' }]],
  ];
  for (const [items, inspections] of bodies) {
    const r = await returnFor(m, items);
    await scanOk(clerk, r.rma);
    let v;
    for (let i = 0; i < inspections.length; i++) v = await inspectOk(clerk, r.rma, r.items[i].item_id, inspections[i]);
    assert.equal(v.status, 'resolved');
    made.push(v);
  }
});

test('returns.csv: one row per item, quoted where it must be, money as the ledger has it', async () => {
  const today = tokyoToday();
  const res = await csv('returns', `?from=${today}&to=${today}`);
  assertStatus(res, 200);
  assert.match(res.headers['content-type'], /^text\/csv/);
  assert.match(res.headers['content-disposition'] || '', /attachment; filename=".*returns.*\.csv"/);
  assert.ok(res.text.endsWith('\r\n'), 'records end with CRLF');
  const { header, records } = feedRecords(res.text);
  assert.deepEqual(header.slice(0, 4), ['rma', 'created_at', 'created_date', 'status']);
  assert.equal(records.length, 3);
  const first = records.find((x) => x.rma === made[0].rma);
  assert.equal(first.comment, `サイズが小さい, "とても" 小さい\n=1+1`);
  assert.equal(first.created_date, today);
  assert.equal(first.status, 'resolved');
  assert.equal(first.quantity, '2');
  assert.equal(first.gross, '9800');
  assert.equal(first.restocking_fee, '980');
  assert.equal(first.amount, '8820');
  const ledger = sql(`SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE merchant_id =
    (SELECT id FROM merchants WHERE slug = ${sqlString(m.slug)})`)[0][0];
  assert.equal(records.reduce((sum, x) => sum + Number(x.amount || 0), 0), Number(ledger));
  // Oldest first.
  assert.deepEqual(records.map((x) => x.rma), [made[0].rma, made[1].rma, made[1].rma]);
});

test('ledger.csv: each entry, and its totals match the returns\' refunds and credit', async () => {
  const today = tokyoToday();
  const res = await csv('ledger', `?from=${today}&to=${today}`);
  assertStatus(res, 200);
  const { records } = feedRecords(res.text);
  assert.equal(records.length, 3);
  const refund = records.filter((x) => x.kind === 'refund').reduce((a, x) => a + Number(x.amount), 0);
  const credit = records.filter((x) => x.kind === 'store_credit').reduce((a, x) => a + Number(x.amount), 0);
  assert.equal(refund, made.reduce((a, v) => a + v.refund.refund, 0));
  assert.equal(credit, made.reduce((a, v) => a + v.refund.store_credit, 0));
  for (const x of records) {
    assert.equal(Number(x.gross) - Number(x.restocking_fee) + Number(x.bonus) - Number(x.withheld), Number(x.amount));
    assert.equal(x.currency, 'JPY');
  }
});

test('a comment a spreadsheet would run as a formula starts with an apostrophe', async () => {
  const r = await returnFor(m, [{ line_id: '3', quantity: 1, reason: 'other', resolution: 'refund', comment: '=HYPERLINK("x")' }]);
  const today = tokyoToday();
  const { records } = feedRecords((await csv('returns', `?from=${today}&to=${today}`)).text);
  assert.equal(records.find((x) => x.rma === r.rma).comment, '\'=HYPERLINK("x")');
  sql(`UPDATE returns SET created_at = created_at - INTERVAL 400 DAY WHERE rma = ${sqlString(r.rma)}`);
});

test('a return made at 23:30 in Tokyo counts on that Tokyo day, not the next', async () => {
  const r = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'too_large', resolution: 'refund' }]);
  // 2026-03-09T14:30:00Z is 23:30 on 2026-03-09 in Tokyo (and 2026-03-09 in UTC too, but the
  // next instant to check is 15:00Z = 00:00 on the 10th in Tokyo).
  sql(`UPDATE returns SET created_at = '2026-03-09 14:30:00' WHERE rma = ${sqlString(r.rma)}`);
  const on = (day) => csv('returns', `?from=${day}&to=${day}`).then((res) => feedRecords(res.text).records.map((x) => x.rma));
  assert.deepEqual(await on('2026-03-09'), [r.rma]);
  assert.deepEqual(await on('2026-03-10'), []);
  sql(`UPDATE returns SET created_at = '2026-03-09 15:00:00' WHERE rma = ${sqlString(r.rma)}`);
  assert.deepEqual(await on('2026-03-09'), []);
  assert.deepEqual(await on('2026-03-10'), [r.rma]);
});

test('an export of more than a page streams every row once, in order', async () => {
  const r = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'too_large', resolution: 'refund' }]);
  sql(`UPDATE returns SET created_at = '2025-01-15 03:00:00' WHERE rma = ${sqlString(r.rma)}`);
  // 1200 more items on the same return (as an operator's import might make), so rows share a
  // created_at across page boundaries.
  sql(`INSERT INTO return_items (return_id, order_line_id, sku, product_id, name, variant, category, unit_price,
      quantity, reason, resolution)
    SELECT i.return_id, i.order_line_id, CONCAT('BULK-', s.seq), i.product_id, i.name, i.variant, i.category,
      i.unit_price, 1, 'other', 'refund'
    FROM return_items i JOIN returns r ON r.id = i.return_id JOIN seq_1_to_1200 s
    WHERE r.rma = ${sqlString(r.rma)}`);
  const res = await csv('returns', '?from=2025-01-15&to=2025-01-15');
  assertStatus(res, 200);
  const { records } = feedRecords(res.text);
  assert.equal(records.length, 1201);
  assert.equal(res.headers['content-length'], undefined, 'streamed: the length is not known up front');
  const skus = records.map((x) => x.sku);
  assert.equal(new Set(skus).size, 1201, 'no row twice');
  assert.equal(skus[0], 'TEE-BLK-M');
  assert.equal(skus[1200], 'BULK-1200');
});

test('bad ranges are 422 naming the field; only a merchant session exports', async () => {
  for (const what of ['returns', 'ledger']) {
    assertProblem(await csv(what, '?from=2026-13-01&to=2026-12-01'), 422, 'from');
    assertProblem(await csv(what, '?from=2026-02-30'), 422, 'from');
    assertProblem(await csv(what, '?from=2026-01-01&to=yesterday'), 422, 'to');
    assertProblem(await csv(what, '?from=2026-02-01&to=2026-01-01'), 422, 'to');
    assertProblem(await csv(what, '?from=2000-01-01&to=2026-01-01'), 422, 'to');
    assertProblem(await api('GET', `/api/v1/merchant/${what}.csv`), 401);
  }
  const clerkRes = await clerk.api('GET', '/api/v1/merchant/returns.csv');
  assertProblem(clerkRes, 403);
  // Another merchant sees none of these rows.
  const other = await merchantSession(newMerchant({ currency: 'JPY' }));
  const mine = feedRecords((await other.api('GET', `/api/v1/merchant/returns.csv?from=2025-01-01&to=${tokyoToday()}`)).text);
  assert.equal(mine.records.length, 0);
});
