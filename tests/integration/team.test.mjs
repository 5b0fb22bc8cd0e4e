// A merchant's team in the console (issue 13): the owner lists, invites and removes console users;
// an invited member signs in with the one-time password the invitation answered; staff work in the
// console but never change the policy, the webhook or the team; a removed member's sessions stop
// at once; a shop keeps at least one owner; every change is an event naming who made it; any staff
// user changes their own password, which ends their other sessions.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  admin, api, assertProblem, assertStatus, clerkOf, login, merchantSession, newMerchant, newStaff, staffSession,
  suffix,
} from './lib.mjs';

const TEAM = '/api/v1/merchant/team';
const PASSWORD = '/api/v1/session/password';
let m;
let owner;
before(async () => {
  m = newMerchant({ currency: 'JPY' });
  owner = await merchantSession(m);
});

const email = (tag = 'member') => `${tag}-${suffix()}@sakura.example`;
const team = async (s) => {
  const res = await s.api('GET', TEAM);
  assertStatus(res, 200);
  return res.json.items;
};

/** Invites a member (asserting 201) and signs them in with the password the answer shows. */
async function invite(by, body) {
  const res = await by.api('POST', TEAM, { body });
  assertStatus(res, 201);
  assert.match(res.headers['cache-control'] || '', /no-store/, 'the one-time password is never cached');
  const session = await staffSession({ email: body.email.toLowerCase(), password: res.json.initial_password });
  return { res, member: res.json.member, password: res.json.initial_password, session };
}

/** The shop's events of one type since its first. */
async function eventsOf(shop, type) {
  const res = await api('GET', `/api/v1/merchants/${shop.slug}/events?limit=500`, { token: shop.key });
  assertStatus(res, 200);
  return res.json.events.filter((e) => e.type === type);
}

test('the team lists its console users; the owner is marked as the caller', async () => {
  const items = await team(owner);
  assert.equal(items.length, 1);
  const [me] = items;
  assert.equal(me.email, owner.user.email);
  assert.equal(me.role, 'merchant');
  assert.equal(me.you, true);
  assert.match(me.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(me.last_sign_in_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'signing in is remembered');
});

test('the owner invites staff: the one-time password signs them in, the event names the owner', async () => {
  const address = email('Staff');
  const { res, member, password, session } = await invite(owner,
    { email: address.toUpperCase(), name: '  佐藤 花子  ', role: 'merchant_staff' });
  assert.equal(res.headers.location, `${TEAM}/${member.id}`);
  assert.equal(member.email, address.toLowerCase(), 'kept as logins compare it');
  assert.equal(member.name, '佐藤 花子');
  assert.equal(member.role, 'merchant_staff');
  assert.equal(member.last_sign_in_at, null);
  assert.ok(password.length >= 16, 'a long random password');
  assert.equal(session.user.role, 'merchant_staff');
  assert.equal(session.user.merchant, m.slug);

  const listed = (await team(owner)).find((x) => x.id === member.id);
  assert.equal(listed.role, 'merchant_staff');
  assert.equal(listed.you, false);
  assert.ok(listed.last_sign_in_at, 'the member signed in');
  assert.equal((await team(session)).find((x) => x.you).id, member.id, 'staff read the team too');

  const [ev] = (await eventsOf(m, 'merchant.team_member_added')).filter((e) => e.data.member.id === member.id);
  assert.ok(ev, 'an event for the invitation');
  assert.equal(ev.data.by, owner.user.email);
  assert.equal(ev.data.user_id, owner.user.id);
  assert.deepEqual([ev.data.member.email, ev.data.member.role], [address.toLowerCase(), 'merchant_staff']);
  assert.ok(!JSON.stringify(ev).includes(password), 'the password is in no event');
});

test('an e-mail already used by a login is a 409 naming email, whoever holds it', async () => {
  const address = email();
  await invite(owner, { email: address, name: 'One', role: 'merchant_staff' });
  const before = (await team(owner)).length;
  assertProblem(await owner.api('POST', TEAM, { body: { email: ` ${address.toUpperCase()} `, name: 'Two', role: 'merchant' } }),
    409, 'email');
  const other = newStaff({ role: 'warehouse', warehouse: m.warehouse });
  assertProblem(await owner.api('POST', TEAM, { body: { email: other.email, name: 'Three', role: 'merchant_staff' } }),
    409, 'email');
  assert.equal((await team(owner)).length, before, 'nobody was added');
});

test('every invalid field is a 422 naming it, and nobody is added', async () => {
  const before = (await team(owner)).length;
  const ok = { email: email(), name: 'Valid Name', role: 'merchant_staff' };
  const cases = [
    [{ ...ok, email: undefined }, 'email'],
    [{ ...ok, email: 'not-an-address' }, 'email'],
    [{ ...ok, email: 42 }, 'email'],
    [{ ...ok, name: undefined }, 'name'],
    [{ ...ok, name: '   ' }, 'name'],
    [{ ...ok, name: 'x'.repeat(101) }, 'name'],
    [{ ...ok, role: undefined }, 'role'],
    [{ ...ok, role: 'admin' }, 'role'],
    [{ ...ok, role: 'warehouse' }, 'role'],
    [{ ...ok, role: 'owner' }, 'role'],
  ];
  for (const [body, field] of cases) {
    const p = assertProblem(await owner.api('POST', TEAM, { body }), 422, field);
    assert.deepEqual(p.errors.map((e) => e.field), [field], JSON.stringify(body));
  }
  const all = assertProblem(await owner.api('POST', TEAM, { body: {} }), 422);
  assert.deepEqual(all.errors.map((e) => e.field).sort(), ['email', 'name', 'role'], 'all three at once');
  assert.equal((await team(owner)).length, before);
});

test('staff work in the console but cannot change the policy, the webhook or the team', async () => {
  const { session: staff, member } = await invite(owner, { email: email(), name: 'Staff', role: 'merchant_staff' });
  const policy = (await owner.api('GET', '/api/v1/merchant/policy')).json;
  for (const [method, path, body] of [
    ['PUT', '/api/v1/merchant/policy', { window_days: 7 }],
    ['GET', '/api/v1/merchant/webhook'],
    ['PUT', '/api/v1/merchant/webhook', { url: 'http://127.0.0.1:9/thief' }],
    ['DELETE', '/api/v1/merchant/webhook'],
    ['GET', '/api/v1/merchant/webhook/deliveries'],
    ['POST', '/api/v1/merchant/webhook/deliveries/1/retry', {}],
    ['POST', TEAM, { email: email(), name: 'Friend', role: 'merchant' }],
    ['DELETE', `${TEAM}/${owner.user.id}`],
    ['DELETE', `${TEAM}/${member.id}`],
  ]) {
    const p = assertProblem(await staff.api(method, path, { body }), 403);
    assert.match(p.detail, /owner/i, `${method} ${path} says an owner can`);
  }
  assert.deepEqual((await owner.api('GET', '/api/v1/merchant/policy')).json, policy, 'the policy is unchanged');
  assert.equal((await team(owner)).filter((x) => x.role === 'merchant').length, 1);
  for (const path of ['/api/v1/merchant/summary', '/api/v1/merchant/returns', '/api/v1/merchant/returns?q=x',
    '/api/v1/merchant/listings', '/api/v1/merchant/policy', '/api/v1/merchant/analytics',
    '/api/v1/merchant/returns.csv', '/api/v1/merchant/ledger.csv', TEAM]) {
    assertStatus(await staff.api('GET', path), 200);
  }
  assertProblem(await staff.api('POST', '/api/v1/scan', { body: { code: 'AAAAA-AAAAA' } }), 403);
});

test('removing a member ends their sessions at once; they can be invited again', async () => {
  const address = email();
  const { member, password, session } = await invite(owner, { email: address, name: 'Leaving', role: 'merchant_staff' });
  const second = await staffSession({ email: address, password });
  assertStatus(await session.api('GET', '/api/v1/merchant/summary'), 200);

  assertStatus(await owner.api('DELETE', `${TEAM}/${member.id}`), 204);
  assertProblem(await session.api('GET', '/api/v1/merchant/summary'), 401);
  assertProblem(await second.api('GET', '/api/v1/session'), 401);
  assertProblem(await login(address, password), 401);
  assert.ok(!(await team(owner)).some((x) => x.id === member.id), 'no longer listed');
  assertProblem(await owner.api('DELETE', `${TEAM}/${member.id}`), 404, undefined);

  const [ev] = (await eventsOf(m, 'merchant.team_member_removed')).filter((e) => e.data.member.id === member.id);
  assert.equal(ev.data.by, owner.user.email);
  assert.equal(ev.data.member.email, address);

  const again = await invite(owner, { email: address, name: 'Back', role: 'merchant_staff' });
  assert.notEqual(again.member.id, member.id);
  assertStatus(await again.session.api('GET', '/api/v1/merchant/summary'), 200);
});

test('an owner cannot remove themself; of two owners removing each other, one stays', async () => {
  const shop = newMerchant({ currency: 'JPY' });
  const first = await merchantSession(shop);
  const p = assertProblem(await first.api('DELETE', `${TEAM}/${first.user.id}`), 409);
  assert.match(p.title, /yourself/);
  for (let round = 0; round < 3; round++) {
    const { session: second } = await invite(first, { email: email('owner'), name: 'Co-owner', role: 'merchant' });
    const owners = [first, second];
    // Each removes the other at once: exactly one removal happens, the other is refused — as the
    // last owner (409) or, when the removal came first, for its ended session (401).
    const answers = await Promise.all([
      first.api('DELETE', `${TEAM}/${second.user.id}`),
      second.api('DELETE', `${TEAM}/${first.user.id}`),
    ]);
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 204).length, 1, `one removal: ${statuses}`);
    const refused = answers.find((r) => r.status !== 204);
    assertProblem(refused, [409, 401]);
    if (refused.status === 409) assert.match(refused.json.title, /last owner/);
    const kept = owners[statuses.indexOf(204)]; // the one whose removal went through
    const left = await team(kept);
    assert.deepEqual(left.map((x) => [x.id, x.role]), [[kept.user.id, 'merchant']], 'one owner is left');
    if (kept !== first) break; // the first owner is gone: the rounds end
  }
});

test('another merchant\'s owner neither lists nor removes this team', async () => {
  const { member } = await invite(owner, { email: email(), name: 'Mine', role: 'merchant_staff' });
  const stranger = await merchantSession(newMerchant({ currency: 'JPY' }));
  const theirs = await team(stranger);
  assert.deepEqual(theirs.map((x) => x.email), [stranger.user.email]);
  assertProblem(await stranger.api('DELETE', `${TEAM}/${member.id}`), 404);
  assertProblem(await stranger.api('DELETE', `${TEAM}/${owner.user.id}`), 404);
  assert.ok((await team(owner)).some((x) => x.id === member.id), 'still on the team');
  const clerk = await clerkOf(m);
  assertProblem(await clerk.api('GET', TEAM), 403);
  assertProblem(await api('GET', TEAM), 401);
  assertProblem(await owner.api('DELETE', `${TEAM}/abc`), 404);
});

test('a staff user changes their own password: checked, at least 8 characters, other sessions end', async () => {
  const address = email();
  const { password, session } = await invite(owner, { email: address, name: 'Changer', role: 'merchant_staff' });
  const other = await staffSession({ email: address, password });
  const fresh = `neu-${suffix(6)}`;

  assertProblem(await session.api('POST', PASSWORD, { body: { current_password: 'wrong-one', new_password: fresh } }),
    422, 'current_password');
  assertProblem(await session.api('POST', PASSWORD, { body: { current_password: password, new_password: 'short' } }),
    422, 'new_password');
  assertProblem(await session.api('POST', PASSWORD, { body: { current_password: password, new_password: password } }),
    422, 'new_password');
  const missing = assertProblem(await session.api('POST', PASSWORD, { body: {} }), 422);
  assert.deepEqual(missing.errors.map((e) => e.field).sort(), ['current_password', 'new_password']);
  assertStatus(await other.api('GET', '/api/v1/session'), 200, 'nothing changed yet');

  assertStatus(await session.api('POST', PASSWORD, { body: { current_password: password, new_password: fresh } }), 204);
  assertStatus(await session.api('GET', '/api/v1/merchant/summary'), 200, 'this session goes on');
  assertProblem(await other.api('GET', '/api/v1/session'), 401);
  assertProblem(await login(address, password), 401);
  assertStatus(await login(address, fresh), 200);
  assertProblem(await api('POST', PASSWORD, { body: { current_password: fresh, new_password: `${fresh}x` } }), 401);
});

test('warehouse staff change their password too', async () => {
  const clerk = newStaff({ role: 'warehouse', warehouse: m.warehouse });
  const s = await staffSession(clerk);
  const fresh = `lager-${suffix(6)}`;
  assertStatus(await s.api('POST', PASSWORD, { body: { current_password: clerk.password, new_password: fresh } }), 204);
  assertStatus(await login(clerk.email, fresh), 200);
});

test('kaeru-admin makes a staff login too (as the demo\'s clerk), and needs the merchant for it', async () => {
  const made = newStaff({ role: 'merchant_staff', merchant: m });
  const s = await staffSession(made);
  assert.equal(s.user.role, 'merchant_staff');
  assert.equal(s.user.merchant, m.slug);
  assert.ok((await team(owner)).some((x) => x.email === made.email && x.name === null && x.role === 'merchant_staff'));
  assertProblem(await s.api('PUT', '/api/v1/merchant/policy', { body: { window_days: 7 } }), 403);
  const r = admin(['user', 'create', '--email', email(), '--role', 'merchant_staff'], { input: 'long-enough-1\n' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr + r.stdout, /--merchant/);
});
