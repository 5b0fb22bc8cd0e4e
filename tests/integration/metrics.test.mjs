// GET /api/v1/metrics: the process's counters of transactions run again, database failovers and
// shop snapshots built (whole or from the one before) with the time they took.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, assertStatus } from './lib.mjs';

test('GET /api/v1/metrics answers the retry, failover and shop snapshot counters as JSON integers', async () => {
  const res = await api('GET', '/api/v1/metrics');
  assertStatus(res, 200);
  assert.match(res.headers['content-type'] || '', /^application\/json\b/);
  assert.deepEqual(Object.keys(res.json).sort(), ['database_failovers', 'shop_builds_delta',
    'shop_builds_delta_microseconds', 'shop_builds_full', 'shop_builds_full_microseconds',
    'shop_last_build_microseconds', 'transactions_retried']);
  for (const v of Object.values(res.json)) assert.ok(Number.isInteger(v) && v >= 0, JSON.stringify(res.json));
});
