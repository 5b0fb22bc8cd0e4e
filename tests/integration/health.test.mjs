// Health and the routing edges every client meets first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, assertProblem, assertStatus } from './lib.mjs';

test('GET /api/v1/health answers 200 {"status":"ok"} as JSON', async () => {
  const res = await api('GET', '/api/v1/health');
  assertStatus(res, 200);
  assert.match(res.headers['content-type'] || '', /^application\/json\b/);
  assert.deepEqual(res.json, { status: 'ok' });
});

test('an unknown API route answers a 404 problem', async () => {
  const res = await api('GET', '/api/v1/no-such-thing');
  assertProblem(res, 404);
  const nested = await api('GET', '/api/v1/merchants/x/orders/1/nope');
  assertProblem(nested, 404);
});

test('a wrong method on a known path answers a 405 problem that says what is allowed', async () => {
  const res = await api('DELETE', '/api/v1/health');
  assertProblem(res, 405);
  // RFC 9110 §15.5.6: a 405 response carries Allow.
  assert.match(res.headers.allow || '', /\bGET\b/, 'Allow header lists GET');

  const lookupByGet = await api('GET', '/api/v1/lookup');
  assertProblem(lookupByGet, 405);
  assert.match(lookupByGet.headers.allow || '', /\bPOST\b/, 'Allow header lists POST');
});
