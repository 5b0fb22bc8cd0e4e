// Staff accounts and sessions: login, logout, idle expiry, roles, CSRF refusals, slowed-down guessing,
// and which returns a session may read.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  ORIGIN, api, assertProblem, assertStatus, eventsOf, getReturn, inspect, login, newClientAddress, newMerchant,
  newStaff, newWarehouse, returnFor, scan, sessionCookieLine, sessionWith, sql, sqlString, staffGetReturn,
  staffSession,
} from './lib.mjs';

let wh; // the warehouse of merchant m
let m;
let clerk; // warehouse staff of wh
before(() => {
  wh = newWarehouse();
  m = newMerchant({ currency: 'JPY', warehouse: wh });
  clerk = newStaff({ role: 'warehouse', warehouse: wh });
});

const REFUND = [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }];
const getSession = (s) => s.api('GET', '/api/v1/session');

/** The return as its customer sees it: still label_issued and never received. */
async function assertUntouched(r) {
  const seen = await getReturn(r.rma, { k: r.k });
  assertStatus(seen, 200);
  assert.equal(seen.json.status, 'label_issued', 'the refused request changed nothing');
  assert.equal(eventsOf(seen.json, 'received').length, 0, 'no received event');
}

test('login answers 200 with the user and an HttpOnly, SameSite=Strict session cookie', async () => {
  const res = await login(clerk.email, clerk.password);
  assertStatus(res, 200);
  const u = res.json.user;
  assert.ok(u && u.id !== undefined && u.id !== null, `user.id: ${JSON.stringify(res.json)}`);
  assert.deepEqual(
    { email: u.email, role: u.role, merchant: u.merchant, merchant_name: u.merchant_name,
      warehouse: u.warehouse, warehouse_name: u.warehouse_name },
    { email: clerk.email, role: 'warehouse', merchant: null, merchant_name: null,
      warehouse: wh.code, warehouse_name: wh.name });

  const line = sessionCookieLine(res);
  assert.ok(line, `kaeru_session cookie: ${JSON.stringify(res.headers['set-cookie'])}`);
  const [pair, ...attrs] = line.split(';').map((x) => x.trim());
  assert.ok(pair.length > 'kaeru_session='.length + 16, `a long session token: ${pair}`);
  const names = attrs.map((a) => a.split('=')[0].toLowerCase());
  assert.ok(attrs.some((a) => /^path=\/$/i.test(a)), `Path=/: ${line}`);
  assert.ok(names.includes('httponly'), `HttpOnly: ${line}`);
  assert.ok(attrs.some((a) => /^samesite=strict$/i.test(a)), `SameSite=Strict: ${line}`);
  assert.ok(!names.includes('secure'), `no Secure over plain http: ${line}`);
});

test('GET /session answers the logged-in user; the email matches case-insensitively', async () => {
  const s = await staffSession({ email: clerk.email.toUpperCase(), password: clerk.password });
  assert.equal(s.user.email, clerk.email, 'the stored, lower-case email');
  const res = await getSession(s);
  assertStatus(res, 200);
  assert.deepEqual(res.json.user, s.user);

  const owner = newStaff({ role: 'merchant', merchant: m });
  const ms = await staffSession(owner);
  assert.deepEqual(
    [ms.user.role, ms.user.merchant, ms.user.merchant_name, ms.user.warehouse],
    ['merchant', m.slug, m.name, null]);
  const boss = newStaff({ role: 'admin' });
  const as = await staffSession(boss);
  assert.deepEqual([as.user.role, as.user.merchant, as.user.warehouse], ['admin', null, null]);
});

test('a wrong password and an unknown email get the same 401, and no cookie', async () => {
  const from = newClientAddress();
  const wrong = await login(clerk.email, 'not-the-password', { from });
  const unknown = await login(`nobody-${Date.now()}@example.jp`, 'not-the-password', { from });
  const p = assertProblem(wrong, 401);
  assertProblem(unknown, 401);
  assert.equal(p.title, 'Wrong email or password');
  assert.deepEqual(unknown.json, wrong.json, 'the same body for both');
  assert.equal(sessionCookieLine(wrong), undefined);
  assert.equal(sessionCookieLine(unknown), undefined);
  // Those failures did not lock the clerk out.
  await staffSession(clerk, { from });
});

test('login without email or password is 422 naming the field', async () => {
  const from = newClientAddress();
  const post = (body) => api('POST', '/api/v1/session', { body, from });
  assertProblem(await post({ password: clerk.password }), 422, 'email');
  assertProblem(await post({ email: clerk.email }), 422, 'password');
  assertProblem(await post({ email: '', password: clerk.password }), 422, 'email');
  assertProblem(await post({ email: clerk.email, password: '' }), 422, 'password');
});

test('logout answers 204, clears the cookie and kills the session', async () => {
  const s = await staffSession(clerk);
  const other = await staffSession(clerk); // a second device stays logged in
  const res = await s.api('DELETE', '/api/v1/session');
  assertStatus(res, 204);
  const line = sessionCookieLine(res);
  assert.ok(line && /;\s*max-age=0\b/i.test(line), `the cookie is cleared: ${line}`);
  assertProblem(await getSession(s), 401);
  assertProblem(await scan(s, 'ABCDE-FGHJK'), 401);
  assertStatus(await getSession(other), 200);
  // Logging out without a session is fine too.
  assertStatus(await api('DELETE', '/api/v1/session'), 204);
});

test('a signed-out session neither scans nor inspects, and learns nothing of the return', async () => {
  const r = await returnFor(m, REFUND);
  const s = await staffSession(clerk);
  assertStatus(await s.api('DELETE', '/api/v1/session'), 204);
  const real = await scan(s, r.rma);
  const unknown = await scan(s, 'ABCDE-FGHJK');
  assertProblem(real, 401);
  assertProblem(unknown, 401);
  assert.deepEqual(real.json, unknown.json, 'the same answer whether the return exists or not');
  assert.ok(!real.text.includes(r.rma), 'the answer does not name the return');
  await assertUntouched(r);

  const live = await staffSession(clerk);
  assertStatus(await scan(live, r.rma), 200);
  const body = { received_quantity: 1, grade: 'new', disposition: 'restock' };
  const refused = await inspect(s, r.rma, r.items[0].item_id, body);
  assertProblem(refused, 401);
  assert.deepEqual(refused.json, unknown.json);
  // A bad body is not told to it either: the session comes first.
  assertProblem(await inspect(s, r.rma, r.items[0].item_id, { grade: 'mint' }), 401);
  assertProblem(await scan(s, 42), 401);
  const v = (await staffGetReturn(live, r.rma)).json;
  assert.equal(v.items[0].status, 'pending', 'the item was not inspected');
  assert.equal(eventsOf(v, 'inspected').length, 0);
});

test('a session unused for 8 hours is dead', async () => {
  const idle = newStaff({ role: 'warehouse', warehouse: wh });
  const s = await staffSession(idle);
  assertStatus(await getSession(s), 200);
  sql(`UPDATE sessions SET last_seen_at = NOW() - INTERVAL 9 HOUR
       WHERE user_id = (SELECT id FROM users WHERE email = ${sqlString(idle.email)})`);
  assertProblem(await getSession(s), 401);
  assertProblem(await scan(s, 'ABCDE-FGHJK'), 401);
  // Logging in again works.
  assertStatus(await getSession(await staffSession(idle)), 200);
});

test('staff endpoints without a session, or with a forged one, answer 401', async () => {
  const r = await returnFor(m, REFUND);
  assertProblem(await api('GET', '/api/v1/session'), 401);
  assertProblem(await api('POST', '/api/v1/scan', { body: { code: r.rma } }), 401);
  assertProblem(await api('POST', `/api/v1/returns/${r.rma}/items/${r.items[0].item_id}/inspection`,
    { body: { received_quantity: 1, grade: 'new', disposition: 'restock' } }), 401);
  const forged = sessionWith('x'.repeat(43));
  assertProblem(await getSession(forged), 401);
  assertProblem(await scan(forged, r.rma), 401);
  await assertUntouched(r);
});

test('a merchant user may not scan or inspect (403); an admin may scan', async () => {
  const r = await returnFor(m, REFUND);
  const owner = await staffSession(newStaff({ role: 'merchant', merchant: m }));
  assertProblem(await scan(owner, r.rma), 403);
  assertProblem(await owner.api('POST', `/api/v1/returns/${r.rma}/items/${r.items[0].item_id}/inspection`,
    { body: { received_quantity: 1, grade: 'new', disposition: 'restock' } }), 403);
  await assertUntouched(r);

  const boss = await staffSession(newStaff({ role: 'admin' }));
  const res = await scan(boss, r.rma);
  assertStatus(res, 200);
  assert.equal(res.json.first_scan, true);
  assert.equal(res.json.status, 'received');
});

test('CSRF: a foreign Origin or a cross-site fetch is refused with 403 and changes nothing', async () => {
  const r = await returnFor(m, REFUND);
  const s = await staffSession(clerk);
  for (const headers of [
    { Origin: 'https://evil.example' },
    { Origin: 'null' },
    { Origin: ORIGIN.replace('127.0.0.1', 'localhost') }, // same machine, another origin
    { 'Sec-Fetch-Site': 'cross-site' },
  ]) {
    assertProblem(await scan(s, r.rma, { headers }), 403);
  }
  await assertUntouched(r);
  // Logging out from a foreign page is refused as well; the session lives on.
  assertProblem(await s.api('DELETE', '/api/v1/session', { headers: { Origin: 'https://evil.example' } }), 403);
  assertStatus(await getSession(s), 200);
  // A login form posted from a foreign page is refused.
  const foreign = await login(clerk.email, clerk.password, { headers: { Origin: 'https://evil.example' } });
  assertProblem(foreign, 403);
  assert.equal(sessionCookieLine(foreign), undefined);

  // The server's own pages are welcome.
  const ok = await scan(s, r.rma, { headers: { Origin: ORIGIN, 'Sec-Fetch-Site': 'same-origin' } });
  assertStatus(ok, 200);
  assert.equal(ok.json.first_scan, true);
});

test('CSRF: a cookie-carried POST that is not JSON is refused with 415 and changes nothing', async () => {
  const r = await returnFor(m, REFUND);
  const s = await staffSession(clerk);
  const body = JSON.stringify({ code: r.rma });
  assertProblem(await s.api('POST', '/api/v1/scan', { body, headers: { 'Content-Type': 'text/plain' } }), 415);
  assertProblem(await s.api('POST', '/api/v1/scan',
    { body: `code=${r.rma}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415);
  assertProblem(await s.api('POST', '/api/v1/scan',
    { body: `--b\r\nContent-Disposition: form-data; name="code"\r\n\r\n${r.rma}\r\n--b--\r\n`,
      headers: { 'Content-Type': 'multipart/form-data; boundary=b' } }), 415);
  assertProblem(await s.api('POST', '/api/v1/scan', { headers: { 'Content-Type': null } }), 415); // empty, no type
  assertProblem(await s.api('POST', `/api/v1/returns/${r.rma}/items/${r.items[0].item_id}/inspection`,
    { body: '{"received_quantity":1,"grade":"new","disposition":"restock"}',
      headers: { 'Content-Type': 'text/plain' } }), 415);
  await assertUntouched(r);
});

test('5 wrong passwords slow the account down: 429 with Retry-After, even for the right password', async () => {
  const victim = newStaff({ role: 'warehouse', warehouse: wh });
  const from = newClientAddress();
  for (let i = 0; i < 5; i++) assertProblem(await login(victim.email, `guess-${i}-wrong`, { from }), 401);
  const res = await login(victim.email, victim.password, { from });
  assertProblem(res, 429);
  const retry = res.headers['retry-after'];
  assert.match(retry || '', /^\d+$/, `Retry-After in seconds: ${retry}`);
  assert.ok(Number(retry) > 0 && Number(retry) <= 900, `0 < Retry-After ≤ 900: ${retry}`);
  assert.equal(sessionCookieLine(res), undefined, 'no session with the 429');
  // The account is slowed down from anywhere, and with any email spelling.
  assertProblem(await login(victim.email.toUpperCase(), victim.password, { from: newClientAddress() }), 429);
  // Other accounts from the same address are unaffected.
  await staffSession(clerk, { from });
});

test('64 parallel wrong passwords: no more than the 5 free ones are checked, the rest are 429', async () => {
  const victim = newStaff({ role: 'warehouse', warehouse: wh });
  const from = newClientAddress();
  const answers = await Promise.all(Array.from({ length: 64 },
    (_, i) => login(victim.email, `parallel-guess-${i}`, { from })));
  const checked = answers.filter((res) => res.status !== 429);
  for (const res of checked) assertProblem(res, 401);
  for (const res of answers.filter((x) => x.status === 429)) {
    assertProblem(res, 429);
    assert.match(res.headers['retry-after'] || '', /^\d+$/, 'Retry-After in seconds');
  }
  assert.ok(checked.length <= 5, `${checked.length} of 64 parallel guesses had their password checked`);
  assertProblem(await login(victim.email, victim.password, { from: newClientAddress() }), 429);
});

test('a successful login clears the account\'s failures', async () => {
  const typist = newStaff({ role: 'warehouse', warehouse: wh });
  const from = newClientAddress();
  for (let i = 0; i < 4; i++) assertProblem(await login(typist.email, `typo-${i}`, { from }), 401);
  await staffSession(typist, { from });
  for (let i = 0; i < 4; i++) assertProblem(await login(typist.email, `typo-again-${i}`, { from }), 401);
  await staffSession(typist, { from });
});

test('20 failures from one address slow that address down; another address logs in fine', async () => {
  const guesser = newClientAddress();
  for (let i = 0; i < 20; i++) {
    assertProblem(await login(`guess-${i}-${Date.now()}@example.jp`, 'password123', { from: guesser }), 401);
  }
  const res = await login(clerk.email, clerk.password, { from: guesser });
  assertProblem(res, 429);
  assert.match(res.headers['retry-after'] || '', /^\d+$/, 'Retry-After in seconds');
  assert.equal(sessionCookieLine(res), undefined);
  await staffSession(clerk, { from: newClientAddress() });
});

test('a session reads a return only when its warehouse, merchant or admin role allows it', async () => {
  const r = await returnFor(m, REFUND);
  const read = async (staff) => staffGetReturn(await staffSession(staff), r.rma);

  const own = await read(clerk);
  assertStatus(own, 200);
  assert.equal(own.json.rma, r.rma);
  assert.equal(own.json.warehouse, wh.code);
  assert.equal(own.json.customer_name, r.order.body.shipping_address.name);
  assertStatus(await read(newStaff({ role: 'merchant', merchant: m })), 200);
  assertStatus(await read(newStaff({ role: 'admin' })), 200);

  const elsewhere = newWarehouse();
  assertProblem(await read(newStaff({ role: 'warehouse', warehouse: elsewhere })), 404);
  const otherShop = newMerchant({ currency: 'JPY', warehouse: wh }); // even one sharing the warehouse
  assertProblem(await read(newStaff({ role: 'merchant', merchant: otherShop })), 404);
});
