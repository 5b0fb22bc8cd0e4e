// Guessing orders is slowed down: 10 failed lookups from one client address within 10 minutes, then 429.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  api, assertProblem, assertStatus, lookup, newClientAddress, newMerchant, newOrder, sql,
} from './lib.mjs';

let m;
let known; // {orderNumber, body}
before(async () => {
  m = newMerchant({ currency: 'JPY' });
  known = await newOrder(m);
});

test('after 10 failed lookups the 11th is 429 with Retry-After, even with the right data', async () => {
  const guesser = newClientAddress();
  for (let i = 0; i < 10; i++) {
    const res = await lookup(m.slug, known.orderNumber, `guess${i}@example.jp`, { from: guesser });
    assertProblem(res, 404);
  }
  const res = await lookup(m.slug, known.orderNumber, known.body.email, { from: guesser });
  assertProblem(res, 429);
  const retry = res.headers['retry-after'];
  assert.match(retry || '', /^\d+$/, `Retry-After in seconds: ${retry}`);
  assert.ok(Number(retry) > 0 && Number(retry) <= 600, `0 < Retry-After ≤ 600: ${retry}`);
  assert.ok(!('token' in res.json), 'no token leaks with the 429');

  // Another address is unaffected.
  const other = await lookup(m.slug, known.orderNumber, known.body.email, { from: newClientAddress() });
  assertStatus(other, 200);
  // The guesser stays blocked.
  assertProblem(await lookup(m.slug, known.orderNumber, known.body.email, { from: guesser }), 429);
});

test('a forged X-Forwarded-For does not give a guesser fresh addresses', async () => {
  const guesser = newClientAddress();
  const forged = (i) => ({ 'X-Forwarded-For': `203.0.113.${i + 1}`, 'X-Real-IP': `198.51.100.${i + 1}` });
  for (let i = 0; i < 10; i++) {
    const res = await api('POST', '/api/v1/lookup', { from: guesser, headers: forged(i),
      body: { merchant: m.slug, order_number: known.orderNumber, email: `forged${i}@example.jp` } });
    assertProblem(res, 404);
  }
  const res = await api('POST', '/api/v1/lookup', { from: guesser, headers: forged(99),
    body: { merchant: m.slug, order_number: known.orderNumber, email: known.body.email } });
  assertProblem(res, 429);
});

test('failures count per address across merchants and orders', async () => {
  const guesser = newClientAddress();
  const m2 = newMerchant({ currency: 'USD' });
  const usKnown = await newOrder(m2);
  for (let i = 0; i < 10; i++) {
    // Alternate merchants, unknown order numbers and wrong emails.
    const res = i % 2 === 0
      ? await lookup(m.slug, `NO-SUCH-${i}`, known.body.email, { from: guesser })
      : await lookup(m2.slug, usKnown.orderNumber, `x${i}@example.com`, { from: guesser });
    assertProblem(res, 404);
  }
  assertProblem(await lookup(m2.slug, usKnown.orderNumber, usKnown.body.email, { from: guesser }), 429);
});

test('successful lookups are never limited, and fewer than 10 failures are not either', async () => {
  const customer = newClientAddress();
  for (let i = 0; i < 9; i++) {
    assertProblem(await lookup(m.slug, known.orderNumber, `typo${i}@example.jp`, { from: customer }), 404);
  }
  for (let i = 0; i < 15; i++) {
    assertStatus(await lookup(m.slug, known.orderNumber, known.body.email, { from: customer }), 200);
  }
});

test('40 parallel failing lookups: no more than 10 are evaluated, the rest are 429', async () => {
  const guesser = newClientAddress();
  const answers = await Promise.all(Array.from({ length: 40 },
    (_, i) => lookup(m.slug, known.orderNumber, `parallel${i}@example.jp`, { from: guesser })));
  const evaluated = answers.filter((res) => res.status !== 429);
  for (const res of evaluated) assertProblem(res, 404);
  for (const res of answers.filter((x) => x.status === 429)) assertProblem(res, 429);
  assert.ok(evaluated.length <= 10, `${evaluated.length} of 40 parallel failing lookups were evaluated`);
  assertProblem(await lookup(m.slug, known.orderNumber, known.body.email, { from: guesser }), 429);
});

test('parallel lookups of customers behind one address all succeed, even after 9 failures', async () => {
  const shared = newClientAddress();
  const all = () => Promise.all(Array.from({ length: 24 },
    () => lookup(m.slug, known.orderNumber, known.body.email, { from: shared })));
  for (const res of await all()) assertStatus(res, 200);
  for (let i = 0; i < 9; i++) {
    assertProblem(await lookup(m.slug, known.orderNumber, `nat${i}@example.jp`, { from: shared }), 404);
  }
  // One more failure would reach the limit: they are decided one at a time, none refused.
  for (const res of await all()) assertStatus(res, 200);
  assertProblem(await lookup(m.slug, known.orderNumber, 'nat9@example.jp', { from: shared }), 404);
  assertProblem(await lookup(m.slug, known.orderNumber, known.body.email, { from: shared }), 429);
});

test('failures counted elsewhere (another host, an earlier process) hold the limit too', async () => {
  const guesser = newClientAddress();
  // Another host of the cluster counted 8 failures of this address in the database.
  sql(`INSERT INTO throttles (kind, subject, started, attempts, failures, last_failed)
    VALUES ('lookup', '${guesser}', NOW(3) - INTERVAL 100 SECOND, 8, 8, NOW(3))`);
  const answers = await Promise.all(Array.from({ length: 10 },
    (_, i) => lookup(m.slug, known.orderNumber, `elsewhere${i}@example.jp`, { from: guesser })));
  const evaluated = answers.filter((res) => res.status !== 429);
  for (const res of evaluated) assertProblem(res, 404);
  assert.ok(evaluated.length <= 2, `${evaluated.length} guesses evaluated after 8 failures elsewhere`);
  const res = await lookup(m.slug, known.orderNumber, known.body.email, { from: guesser });
  assertProblem(res, 429);
  const retry = Number(res.headers['retry-after']);
  assert.ok(retry > 0 && retry <= 500, `Retry-After counts from the window's start: ${retry}`);
  // A window that has ended counts nothing.
  const stale = newClientAddress();
  sql(`INSERT INTO throttles (kind, subject, started, attempts, failures, last_failed)
    VALUES ('lookup', '${stale}', NOW(3) - INTERVAL 700 SECOND, 10, 10, NOW(3) - INTERVAL 650 SECOND)`);
  assertStatus(await lookup(m.slug, known.orderNumber, known.body.email, { from: stale }), 200);
});
