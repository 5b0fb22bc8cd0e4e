// GET /api/v1/metrics: the process's counters of transactions run again and database failovers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, assertStatus } from './lib.mjs';

test('GET /api/v1/metrics answers the retry and failover counters as JSON integers', async () => {
  const res = await api('GET', '/api/v1/metrics');
  assertStatus(res, 200);
  assert.match(res.headers['content-type'] || '', /^application\/json\b/);
  assert.deepEqual(Object.keys(res.json).sort(), ['database_failovers', 'transactions_retried']);
  for (const v of Object.values(res.json)) assert.ok(Number.isInteger(v) && v >= 0, JSON.stringify(res.json));
});
