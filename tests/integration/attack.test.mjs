// What an outside attacker tried, and what kaeru must do instead: each request costs a small
// multiple of its size in time and memory, and a hostile request gets a 4xx problem naming the
// field at fault while the process keeps serving everyone else.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ROOT, api, assertProblem, assertStatus, newClientAddress, newMerchant, newStaff, newWarehouse,
  staffSession,
} from './lib.mjs';

const STACK = process.env.KAERU_STACK || join(ROOT, 'var');

/** Resident memory of the stack's kaeru-fcgi, in MiB. */
function fcgiRssMiB() {
  const pid = readFileSync(join(STACK, 'run', 'kaeru-fcgi.pid'), 'utf8').trim();
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)[1]) / 1024;
}

/** A lookup body with a deep nest of arrays holding `width` zeros and, last, one huge number. */
function deepArrays(depth, width, huge) {
  const inner = `${'0,'.repeat(width)}${huge}`;
  return `{"merchant":"x","order_number":"1","email":"a@b.c","pad":${'['.repeat(depth)}${inner}${']'.repeat(depth)}}`;
}

/** The same with nested objects: {"a":{"a":…{"k0":0,…,"big":huge}…}}. */
function deepObjects(depth, width, huge) {
  const members = Array.from({ length: width }, (_, i) => `"k${i}":0`).join(',');
  const inner = `{${members},"big":${huge}}`;
  return `{"merchant":"x","order_number":"1","email":"a@b.c","pad":${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}}`;
}

const HUGE = '9'.repeat(20); // one past 64 bits, yet a finite double

test('a deep body with one huge integer is 422 naming it, quickly, and memory stays flat', async (t) => {
  const arrays = deepArrays(500, 75000, HUGE);
  const objects = deepObjects(500, 16000, HUGE);
  assert.ok(arrays.length > 140 * 1024 && objects.length > 140 * 1024);
  const arrayField = `pad${'[0]'.repeat(499)}[75000]`;
  const objectField = `pad${'.a'.repeat(500)}.big`;
  const send = (body) => api('POST', '/api/v1/lookup',
    { body, from: newClientAddress(), headers: { 'Content-Type': 'application/json' } });

  const before = fcgiRssMiB();
  for (let i = 0; i < 24; i++) {
    const [body, field] = i % 2 ? [objects, objectField] : [arrays, arrayField];
    await t.test(`request ${i + 1}`, async () => {
      const started = Date.now();
      const res = await send(body);
      const took = Date.now() - started;
      assertProblem(res, 422, field);
      assert.ok(res.json.errors.length <= 20, 'errors are capped');
      assert.ok(took < 1000, `answered in ${took} ms`);
    });
  }
  const grew = fcgiRssMiB() - before;
  // Under the test build's ASan this includes its 16 MiB quarantine and one request's peak
  // (~40 MiB in all); before the fix it was ~900 MiB, kept by the workers' arenas.
  assert.ok(grew < 64, `kaeru-fcgi grew by ${grew.toFixed(1)} MiB over 24 hostile requests`);
  assertStatus(await api('GET', '/api/v1/health'), 200);
});

test('a body of many huge numbers names at most 20 of them', async () => {
  const res = await api('POST', '/api/v1/lookup', { from: newClientAddress(),
    body: `{"merchant":"x","order_number":"1","email":"a@b.c","n":[${Array(5000).fill('1e999').join(',')}]}`,
    headers: { 'Content-Type': 'application/json' } });
  assertProblem(res, 422, 'n[0]');
  assert.equal(res.json.errors.length, 20);
});

test('a query parameter that is not percent-encoded UTF-8 is 422 naming it', async (t) => {
  const m = newMerchant({ currency: 'JPY' });
  const shop = `/api/v1/shop/${m.slug}/listings`;
  for (const query of ['q=%00', 'q=shirt%00', 'q=%zz', 'q=%', 'q=%ff', 'q=%C0%AF', 'q=%ED%A0%80',
    'q=%0D%0A', 'page=1&q=%E3%81', 'grade=A&q=%']) {
    await t.test(query, async () => assertProblem(await api('GET', `${shop}?${query}`), 422, 'q'));
  }
  for (const query of ['q=%E3%81%82', 'q=white+shirt', 'q=', 'q=100%25']) {
    await t.test(query, async () => assertStatus(await api('GET', `${shop}?${query}`), 200));
  }
});

test('of two kaeru_session cookies the live one counts, whichever comes first', async () => {
  const wh = newWarehouse();
  const s = await staffSession(newStaff({ role: 'warehouse', warehouse: wh }));
  const planted = 'A'.repeat(43); // well-formed, but no session: what another page could set
  for (const cookie of [`kaeru_session=${planted}; kaeru_session=${s.token}`,
    `kaeru_session=${s.token}; kaeru_session=${planted}`,
    `other=1; kaeru_session=${planted};kaeru_session=${s.token}`]) {
    const res = await api('GET', '/api/v1/session', { headers: { cookie } });
    assertStatus(res, 200);
    assert.equal(res.json.user.email, s.user.email);
  }
  assertProblem(await api('GET', '/api/v1/session',
    { headers: { cookie: `kaeru_session=${planted}; kaeru_session=${'B'.repeat(43)}` } }), 401);
});
