// Idempotency-Key on the shop system's sale and hold of a listing: a retry of a request that
// committed gets the first answer again (status and body), whatever happened since, and changes
// nothing more; the same key with another request is 409; one merchant's key is not another's.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  admin, api, approveOk, assertProblem, assertStatus, newMerchant, newWarehouse, ownerOf, pause,
  resaleListing, shopListings, sql, sqlString, suffix,
} from './lib.mjs';

let wh;
before(() => {
  wh = newWarehouse();
});

/** A published listing (JPY T-shirt) of a fresh merchant; {m, listing}. */
async function published(m = newMerchant({ warehouse: wh })) {
  const owner = await ownerOf(m);
  const { listing } = await resaleListing(m);
  return { m, listing: await approveOk(owner, listing.id) };
}

const listingPath = (m, id, what) => `/api/v1/merchants/${m.slug}/listings/${id}/${what}`;

/** POST …/sold or …/hold with the merchant's key, a body and (when given) an Idempotency-Key. */
function post(m, id, what, body, key) {
  return api('POST', listingPath(m, id, what),
    { token: m.key, body, headers: key === undefined ? {} : { 'Idempotency-Key': key } });
}

/** The merchant's events about one listing, oldest first. */
async function listingEvents(m, id) {
  const res = await api('GET', `/api/v1/merchants/${m.slug}/events?limit=500`, { token: m.key });
  assertStatus(res, 200);
  return res.json.events.filter((e) => String(e.listing_id) === String(id));
}

const countOf = (events, type) => events.filter((e) => e.type === type).length;
const newKey = () => `k-${suffix(8)}`;

/** The shop's view of a listing, or undefined when it does not show it. */
async function inShop(m, id) {
  const res = await shopListings(m.slug);
  assertStatus(res, 200);
  return res.json.items.find((x) => String(x.id) === String(id));
}

/** Asserts res replays first: the same status and body, marked as a replay. */
function assertReplay(res, first) {
  assert.equal(res.status, first.status, `replayed status: ${res.text}`);
  assert.equal(res.text, first.text, 'replayed body, byte for byte');
  assert.equal(res.headers['idempotent-replayed'], 'true');
}

test('sold twice under one key: the same 200 and body, sold once, one listing.sold event', async () => {
  const { m, listing } = await published();
  const key = newKey();
  const first = await post(m, listing.id, 'sold', {}, key);
  assertStatus(first, 200);
  assert.equal(first.json.status, 'sold');
  assert.equal(first.headers['idempotent-replayed'], undefined, 'the first answer is no replay');
  const again = await post(m, listing.id, 'sold', {}, key);
  assertReplay(again, first);
  assertProblem(await post(m, listing.id, 'sold', {}), 409); // without the key: already sold
  assert.equal(countOf(await listingEvents(m, listing.id), 'listing.sold'), 1);
  const [[soldAt]] = sql(`SELECT sold_at FROM listings WHERE id = ${Number(listing.id)}`);
  assert.ok(soldAt && soldAt !== 'NULL', 'sold_at set once');
});

test('eight concurrent sales under one key: each answers the one sale, one event', async () => {
  const { m, listing } = await published();
  const key = newKey();
  const all = await Promise.all(Array.from({ length: 8 }, () => post(m, listing.id, 'sold', {}, key)));
  for (const r of all) assertStatus(r, 200);
  assert.equal(new Set(all.map((r) => r.text)).size, 1, 'one answer for all');
  assert.equal(all.filter((r) => r.headers['idempotent-replayed'] === undefined).length, 1, 'one made the sale');
  assert.equal(countOf(await listingEvents(m, listing.id), 'listing.sold'), 1);
});

test('a retried sale after the listing changed still answers as the first did; a refusal is not kept', async () => {
  const { m, listing } = await published();
  // Held by a cart: a sale under key K without the hold is refused, and the refusal is not kept.
  const hold = await post(m, listing.id, 'hold', { minutes: 5 });
  assertStatus(hold, 200);
  const key = newKey();
  const refused = await post(m, listing.id, 'sold', {}, key);
  assertProblem(refused, 409);
  assert.equal(refused.json.title, 'Held by another cart');
  assertStatus(await api('DELETE', `${listingPath(m, listing.id, 'hold')}?hold_id=${hold.json.hold_id}`, { token: m.key }), 204);
  const first = await post(m, listing.id, 'sold', {}, key);
  assertStatus(first, 200); // decided afresh: now it sells
  assert.equal(first.headers['idempotent-replayed'], undefined);
  // The shop stops showing it; a retry a while later still answers the sale, not 409 "Already sold".
  assert.equal(await inShop(m, listing.id), undefined);
  await pause(1100);
  assertReplay(await post(m, listing.id, 'sold', {}, key), first);
  assert.equal(countOf(await listingEvents(m, listing.id), 'listing.sold'), 1);
});

test('a retried hold gets the same hold_id and held_until, even after the hold was released; it holds once', async () => {
  const { m, listing } = await published();
  const key = newKey();
  const first = await post(m, listing.id, 'hold', { minutes: 7 }, key);
  assertStatus(first, 200);
  assert.match(first.json.hold_id, /^[0-9a-f]{32}$/);
  assertReplay(await post(m, listing.id, 'hold', { minutes: 7 }, key), first);
  // Key order and spacing do not make another request.
  assertReplay(await api('POST', listingPath(m, listing.id, 'hold'), {
    token: m.key, body: '{ "minutes" : 7 }', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
  }), first);
  assert.equal((await inShop(m, listing.id)).held_until, first.json.held_until);
  assertStatus(await api('DELETE', `${listingPath(m, listing.id, 'hold')}?hold_id=${first.json.hold_id}`, { token: m.key }), 204);
  assert.equal((await inShop(m, listing.id)).held_until, null, 'released');
  assertReplay(await post(m, listing.id, 'hold', { minutes: 7 }, key), first);
  assert.equal((await inShop(m, listing.id)).held_until, null, 'the replay held nothing');
  // The held_until answered is the first hold's; the hold it names sells the listing while held.
  const other = await post(m, listing.id, 'hold', { minutes: 3 }, newKey());
  assertStatus(other, 200);
  assert.notEqual(other.json.hold_id, first.json.hold_id);
  const sold = await post(m, listing.id, 'sold', { hold_id: other.json.hold_id }, newKey());
  assertStatus(sold, 200);
  assertReplay(await post(m, listing.id, 'hold', { minutes: 7 }, key), first);
  const events = await listingEvents(m, listing.id);
  assert.equal(countOf(events, 'listing.held'), 2, 'two holds: the keyed one once, and the other');
});

test('concurrent holds under one key: one hold, every answer names it', async () => {
  const { m, listing } = await published();
  const key = newKey();
  const all = await Promise.all(Array.from({ length: 8 }, () => post(m, listing.id, 'hold', { minutes: 4 }, key)));
  for (const r of all) assertStatus(r, 200);
  assert.equal(new Set(all.map((r) => r.json.hold_id)).size, 1, `one hold_id: ${all.map((r) => r.text)}`);
  assert.equal(countOf(await listingEvents(m, listing.id), 'listing.held'), 1);
});

test('the same key with another request is 409 "Idempotency-Key reused" and changes nothing', async () => {
  const { m, listing } = await published();
  const { listing: second } = await published(m);
  const key = newKey();
  const first = await post(m, listing.id, 'hold', { minutes: 5 }, key);
  assertStatus(first, 200);
  const reused = [
    await post(m, listing.id, 'hold', { minutes: 6 }, key), // another body
    await post(m, second.id, 'hold', { minutes: 5 }, key), // another listing
    await post(m, listing.id, 'sold', { hold_id: first.json.hold_id }, key), // another route
  ];
  for (const r of reused) {
    const p = assertProblem(r, 409);
    assert.equal(p.title, 'Idempotency-Key reused');
    assert.equal(r.headers['idempotent-replayed'], undefined);
  }
  assert.equal((await inShop(m, second.id)).held_until, null, 'the other listing is not held');
  assert.equal((await inShop(m, listing.id)).held_until, first.json.held_until, 'the listing is not sold');
  const events = await listingEvents(m, listing.id);
  assert.equal(countOf(events, 'listing.held'), 1);
  assert.equal(countOf(events, 'listing.sold'), 0);
  assertReplay(await post(m, listing.id, 'hold', { minutes: 5 }, key), first); // still the first's
});

test('keys are each merchant\'s own: another merchant\'s same key is another key', async () => {
  const a = await published();
  const b = await published();
  const key = newKey();
  const soldA = await post(a.m, a.listing.id, 'sold', {}, key);
  assertStatus(soldA, 200);
  const soldB = await post(b.m, b.listing.id, 'sold', {}, key);
  assertStatus(soldB, 200);
  assert.equal(soldB.headers['idempotent-replayed'], undefined, 'not a replay of a\'s answer');
  assert.equal(String(soldB.json.id), String(b.listing.id));
  assert.notEqual(soldB.text, soldA.text);
  assert.equal(countOf(await listingEvents(b.m, b.listing.id), 'listing.sold'), 1);
  // Under a's key, b's path is another merchant's listing: 404 as always, a's answer never.
  const cross = await api('POST', listingPath(b.m, b.listing.id, 'sold'),
    { token: a.m.key, body: {}, headers: { 'Idempotency-Key': key } });
  assertProblem(cross, 404);
});

test('a malformed Idempotency-Key is 422 naming it, and nothing is sold', async () => {
  const { m, listing } = await published();
  for (const key of ['x'.repeat(256), 'two words', 'a/b']) {
    assertProblem(await post(m, listing.id, 'sold', {}, key), 422, 'Idempotency-Key');
    assertProblem(await post(m, listing.id, 'hold', {}, key), 422, 'Idempotency-Key');
  }
  assert.ok(await inShop(m, listing.id), 'still for sale');
});

test('answers are kept a day: the maintenance forgets older ones, and the key is new again', async () => {
  const { m, listing } = await published();
  const key = newKey();
  const first = await post(m, listing.id, 'hold', { minutes: 5 }, key);
  assertStatus(first, 200);
  sql(`UPDATE idempotency_keys SET created_at = UTC_TIMESTAMP() - INTERVAL 25 HOUR
       WHERE idempotency_key = ${sqlString(key)}`);
  // This run, or kaeru-worker's own maintenance meanwhile, forgets it (another test's run may
  // hold the maintenance lease: then it skips the round).
  for (let attempt = 0; ; attempt++) {
    const r = admin(['maintenance']);
    assert.ok(r.status === 0 || /another host/.test(r.stderr), `maintenance failed: ${r.stderr}${r.stdout}`);
    const [[kept]] = sql(`SELECT COUNT(*) FROM idempotency_keys WHERE idempotency_key = ${sqlString(key)}`);
    if (Number(kept) === 0) break;
    assert.ok(attempt < 20, 'the day-old answer is still kept after 20 maintenance runs');
    await pause(500);
  }
  const after = await post(m, listing.id, 'hold', { minutes: 5 }, key);
  assertProblem(after, 409); // decided afresh: the first hold still has it
  assert.equal(after.json.title, 'Held by another cart');
});
