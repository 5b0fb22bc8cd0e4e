// GET /api/v1/metrics: the process's counters of transactions run again, database failovers,
// statements sent to MariaDB and shop snapshots built (whole or from the one before) with the time
// they took.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, assertStatus } from './lib.mjs';

test('GET /api/v1/metrics answers the retry, failover, statement and shop snapshot counters as JSON integers', async () => {
  const res = await api('GET', '/api/v1/metrics');
  assertStatus(res, 200);
  assert.match(res.headers['content-type'] || '', /^application\/json\b/);
  assert.deepEqual(Object.keys(res.json).sort(), ['database_failovers', 'database_statements',
    'shop_builds_delta', 'shop_builds_delta_microseconds', 'shop_builds_full', 'shop_builds_full_microseconds',
    'shop_last_build_microseconds', 'transactions_retried']);
  for (const v of Object.values(res.json)) assert.ok(Number.isInteger(v) && v >= 0, JSON.stringify(res.json));
});

test('database_statements counts what a request sends: a lookup of an unknown shop sends three', async () => {
  // The lookup (no merchant: no row), the client's failed lookups alone, and the failure
  // written; answering metrics sends none. Other tests' requests may land in between: the least
  // of several tries.
  const statements = async () => (await api('GET', '/api/v1/metrics')).json.database_statements;
  let least = Infinity;
  for (let i = 0; i < 5; i++) {
    const before = await statements();
    const res = await api('POST', '/api/v1/lookup', { body: { merchant: `no-such-shop-${i}`, order_number: 'X-1', email: 'x@example.jp' } });
    assertStatus(res, 404);
    least = Math.min(least, (await statements()) - before);
  }
  assert.equal(least, 3, 'the lookup, the failures of the address, the failure written');
});
