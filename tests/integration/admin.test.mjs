// kaeru-admin: the operator's CLI refuses bad input with a non-zero exit and imports orders line by line.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  WAREHOUSE_ADDRESS, admin, api, assertProblem, assertStatus, jpOrder, lineOf, lookup, lookupOk,
  newClientAddress, newMerchant, newOrderNumber, newWarehouse, pick, putOrder, scratchDir, suffix,
  usOrder,
} from './lib.mjs';

let scratch;
before(() => { scratch = scratchDir(); });
after(() => scratch.cleanup());

function assertRefused(r, what) {
  assert.notEqual(r.status, 0, `${what} should fail: ${r.stdout}`);
  assert.ok(r.stderr.trim().length > 0, `${what} says why on stderr`);
}

test('a warehouse code is unique and its address must be JSON', () => {
  const wh = newWarehouse();
  assertRefused(admin(['warehouse', 'create', '--code', wh.code, '--name', 'again',
    '--address-json', JSON.stringify(WAREHOUSE_ADDRESS)]), 'a duplicate warehouse code');
  assertRefused(admin(['warehouse', 'create', '--code', `X${suffix().toUpperCase()}`, '--name', 'broken',
    '--address-json', '{"name": "no end"']), 'an address that is not JSON');
});

test('merchant create refuses an unknown warehouse, a taken slug and an unknown currency', async () => {
  const m = newMerchant({ currency: 'JPY' });
  const slug = `t-${suffix()}`;
  assertRefused(admin(['merchant', 'create', '--slug', slug, '--name', 'No House', '--currency', 'JPY',
    '--warehouse', `NOPE${suffix().toUpperCase()}`]), 'an unknown warehouse');
  assertProblem(await api('GET', `/api/v1/portal/${slug}`), 404);

  const dup = admin(['merchant', 'create', '--slug', m.slug, '--name', 'Impostor', '--currency', 'USD',
    '--warehouse', m.warehouse.code]);
  assertRefused(dup, 'a duplicate slug');
  // The first merchant is untouched: same name and currency, and its key still works.
  const portal = await api('GET', `/api/v1/portal/${m.slug}`);
  assertStatus(portal, 200);
  assert.deepEqual(pick(portal.json.merchant, ['slug', 'name', 'currency']), { slug: m.slug, name: m.name, currency: 'JPY' });
  assertStatus(await putOrder(m, newOrderNumber(), jpOrder()), 201);

  // kaeru knows the minor units of the common ISO 4217 currencies (EUR included); a code it
  // cannot price in is refused rather than guessed.
  assertRefused(admin(['merchant', 'create', '--slug', `t-${suffix()}`, '--name', 'Nowhere', '--currency', 'XQZ',
    '--warehouse', m.warehouse.code]), 'an unsupported currency');
  assertRefused(admin(['merchant', 'create', '--slug', `t-${suffix()}`, '--name', 'Lower', '--currency', 'jpy',
    '--warehouse', m.warehouse.code]), 'a lower-case currency code');
});

test('each merchant gets its own key, printed alone on the last line', () => {
  const wh = newWarehouse();
  const one = newMerchant({ currency: 'JPY', warehouse: wh });
  const two = newMerchant({ currency: 'USD', warehouse: wh });
  assert.notEqual(one.key, two.key);
});

test('user create reads the password from stdin and checks its merchant', () => {
  const m = newMerchant({ currency: 'JPY' });
  const email = `staff-${suffix()}@example.jp`;
  const ok = admin(['user', 'create', '--email', email, '--role', 'merchant', '--merchant', m.slug],
    { input: 'correct horse battery staple\n' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.ok(!ok.stdout.includes('correct horse'), 'the password is not echoed');
  assertRefused(admin(['user', 'create', '--email', email, '--role', 'merchant', '--merchant', m.slug],
    { input: 'another password 123\n' }), 'a duplicate email');
  assertRefused(admin(['user', 'create', '--email', `x-${suffix()}@example.jp`, '--role', 'merchant',
    '--merchant', `t-${suffix()}`], { input: 'some password 123\n' }), 'an unknown merchant');
  assertRefused(admin(['user', 'create', '--email', `x-${suffix()}@example.jp`, '--role', 'janitor'],
    { input: 'some password 123\n' }), 'an unknown role');
});

/** A JSONL line: an order body plus its order_number. */
const jsonl = (orderNumber, body) => JSON.stringify({ order_number: orderNumber, ...body });

test('orders import makes orders the customer can look up', async () => {
  const m = newMerchant({ currency: 'USD' });
  const numbers = [newOrderNumber(), newOrderNumber(), newOrderNumber()];
  const bodies = [
    usOrder(),
    usOrder({ email: 'sam.lee@example.com', lines: [{ ...usOrder().lines[1], line_id: 'B9', quantity: 1 }] }),
    usOrder({ delivered_at: null }),
  ];
  const file = scratch.write('good.jsonl', `${numbers.map((n, i) => jsonl(n, bodies[i])).join('\n')}\n`);
  const r = admin(['orders', 'import', '--merchant', m.slug, file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\b3\b/, `the summary counts 3 orders: ${r.stdout}`);

  const first = await lookupOk(m.slug, numbers[0], 'jane.doe@example.com');
  assert.equal(lineOf(first.order, 'A1').unit_price, 12999);
  assert.equal(lineOf(first.order, 'A2').returnable_quantity, 3);
  const second = await lookupOk(m.slug, numbers[1], 'sam.lee@example.com');
  assert.deepEqual(second.order.lines.map((l) => l.line_id), ['B9']);
  const third = await lookupOk(m.slug, numbers[2], 'jane.doe@example.com');
  assert.equal(lineOf(third.order, 'A1').ineligible_reason, 'not_delivered');

  // Importing the same file again replaces, it does not fail or double.
  const again = admin(['orders', 'import', '--merchant', m.slug, file]);
  assert.equal(again.status, 0, again.stderr);
  const same = await lookupOk(m.slug, numbers[0], 'jane.doe@example.com');
  assert.equal(same.order.lines.length, 2);
});

test('a bad line is reported by its number and nothing of it is stored', async () => {
  const m = newMerchant({ currency: 'JPY' });
  const [n1, n2, n3, n4] = [newOrderNumber(), newOrderNumber(), newOrderNumber(), newOrderNumber()];
  const badQuantity = structuredClone(jpOrder());
  badQuantity.lines[2].quantity = '2';
  const file = scratch.write('bad.jsonl', [
    jsonl(n1, jpOrder()),
    jsonl(n2, badQuantity), // line 2: the order itself is fine but for its last line's quantity
    `{"order_number": "${n3}", "email": `, // line 3: not JSON
    jsonl(n4, jpOrder({ currency: 'USD' })), // line 4: the wrong currency
  ].join('\n'));
  const r = admin(['orders', 'import', '--merchant', m.slug, file]);
  assert.notEqual(r.status, 0, `a file with bad lines exits non-zero: ${r.stdout}`);
  const said = r.stdout + r.stderr;
  for (const line of [2, 3, 4]) {
    assert.match(said, new RegExp(`(line\\s*${line}\\b|:${line}:)`, 'i'), `line ${line} is named: ${said}`);
  }
  assert.doesNotMatch(said, /(line\s*1\b|:1:)/i, `line 1 is fine: ${said}`);
  const from = newClientAddress();
  for (const n of [n2, n3, n4]) {
    assertProblem(await lookup(m.slug, n, 'taro.yamada@example.jp', { from }), 404);
  }
});

test('orders import refuses an unknown merchant and a missing file', () => {
  const file = scratch.write('one.jsonl', `${jsonl(newOrderNumber(), jpOrder())}\n`);
  assertRefused(admin(['orders', 'import', '--merchant', `t-${suffix()}`, file]), 'an unknown merchant');
  const m = newMerchant({ currency: 'JPY' });
  assertRefused(admin(['orders', 'import', '--merchant', m.slug, `${file}.missing`]), 'a missing file');
});
