// The webhook from the console: session twins of the merchant-key webhook routes
// (GET/PUT/DELETE /api/v1/merchant/webhook, GET …/deliveries, POST …/deliveries/{id}/retry) run
// the same code: the secret shows once when set or rotated, deliveries list their status, one can
// be retried, and only the session's own merchant is reached.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  api, assertProblem, assertStatus, clerkOf, merchantSession, newMerchant, returnFor,
} from './lib.mjs';

const HOOK = '/api/v1/merchant/webhook';

test('set, read, rotate, list and retry deliveries, remove — from a merchant session', async () => {
  const m = newMerchant({ currency: 'JPY' });
  const s = await merchantSession(m);
  assertProblem(await s.api('GET', HOOK), 404);
  const set = await s.api('PUT', HOOK, { body: { url: 'http://127.0.0.1:9/hook', events: ['return.*'] } });
  assertStatus(set, 200);
  assert.match(set.json.secret, /^[0-9a-f]{64}$/);
  const got = await s.api('GET', HOOK);
  assertStatus(got, 200);
  assert.equal(got.json.url, 'http://127.0.0.1:9/hook');
  assert.deepEqual(got.json.events, ['return.*']);
  assert.equal(got.json.secret, undefined, 'the secret is shown only when set or rotated');
  // The same webhook as the merchant key sees it.
  const byKey = await api('GET', `/api/v1/merchants/${m.slug}/webhook`, { token: m.key });
  assert.deepEqual(byKey.json, got.json);
  // Kept on a change of URL; new on rotation.
  const moved = await s.api('PUT', HOOK, { body: { url: 'http://127.0.0.1:9/other' } });
  assert.equal(moved.json.secret, undefined);
  const rotated = await s.api('PUT', HOOK, { body: { url: 'http://127.0.0.1:9/other', rotate_secret: true } });
  assert.match(rotated.json.secret, /^[0-9a-f]{64}$/);
  assert.notEqual(rotated.json.secret, set.json.secret);
  assertProblem(await s.api('PUT', HOOK, { body: { url: 'ftp://example.com/' } }), 422, 'url');

  await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  const list = await s.api('GET', `${HOOK}/deliveries`);
  assertStatus(list, 200);
  const d = list.json.items.find((x) => x.type === 'return.created');
  assert.ok(d, JSON.stringify(list.json));
  const retry = await s.api('POST', `${HOOK}/deliveries/${d.id}/retry`, { body: {} });
  assertStatus(retry, 202);
  assertProblem(await s.api('POST', `${HOOK}/deliveries/999999999/retry`, { body: {} }), 404);

  assertStatus(await s.api('DELETE', HOOK), 204);
  assertProblem(await s.api('GET', HOOK), 404);
});

test('another merchant\'s deliveries are not reached; a clerk and no session are refused', async () => {
  const a = newMerchant({ currency: 'JPY' });
  const sa = await merchantSession(a);
  assertStatus(await sa.api('PUT', HOOK, { body: { url: 'http://127.0.0.1:9/a' } }), 200);
  await returnFor(a, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  const [d] = (await sa.api('GET', `${HOOK}/deliveries`)).json.items;
  const sb = await merchantSession(newMerchant({ currency: 'JPY' }));
  assertProblem(await sb.api('POST', `${HOOK}/deliveries/${d.id}/retry`, { body: {} }), 404);
  assert.deepEqual((await sb.api('GET', `${HOOK}/deliveries`)).json.items, []);
  assertProblem(await sb.api('GET', HOOK), 404);
  const clerk = await clerkOf(a);
  assertProblem(await clerk.api('GET', HOOK), 403);
  assertProblem(await clerk.api('PUT', HOOK, { body: { url: 'http://127.0.0.1:9/x' } }), 403);
  assertProblem(await api('GET', HOOK), 401);
});
