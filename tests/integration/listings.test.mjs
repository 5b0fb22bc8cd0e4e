// Resale listings: drafts made by inspection with suggested prices, the merchant's review (approve,
// reject, bulk approve), the console's lists of listings and returns, and its summary.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  LISTING_KEYS, RFC3339_RE, adminOk, allListings, api, approve, approveOk, assertProblem, assertStatus, bulkApprove,
  clerkOf, eventsOf, getListing, idSet, inspect, inspectOk, jpOrder, markSold, merchantListings, merchantReturns,
  merchantSession, merchantSummary, newMerchant, newStaff, newWarehouse, ownerOf, pause, pick, reject, rejectOk,
  resaleListing, returnFor, scanOk, shopListings, staffGetReturn, staffSession, suffix, usOrder,
} from './lib.mjs';

let wh;
before(() => {
  wh = newWarehouse();
});

/** A fresh merchant in this file's warehouse. */
const shop = (currency = 'JPY') => newMerchant({ currency, warehouse: wh });

/** Order overrides whose first line (the T-shirt, or the US jacket) has these members. */
function firstLine(m, more) {
  const base = m.currency === 'USD' ? usOrder() : jpOrder();
  return { lines: [{ ...base.lines[0], ...more }, ...base.lines.slice(1)] };
}

/** Asserts a merchant-view listing has every documented member, and these values. */
function assertListing(l, expected) {
  for (const k of LISTING_KEYS) assert.ok(k in l, `listing member ${k} in ${JSON.stringify(l)}`);
  assert.deepEqual(pick(l, Object.keys(expected)), expected);
}

const ids = (items) => items.map((l) => String(l.id));

// ---------------------------------------------------------------------------------------------
// Drafts made by inspection

test('each arrived resale unit becomes a pending listing with the order line\'s product, grade and note', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const { listings, ret } = await resaleListing(m, { quantity: 2, grade: 'like_new', note: 'タグ付き、試着のみ' });
  assert.equal(listings.length, 2, 'two units arrived: two listings');
  assert.notEqual(String(listings[0].id), String(listings[1].id));
  for (const l of listings) {
    assertListing(l, {
      status: 'pending_review', title: 'オーガニックTシャツ', variant: 'Black / M', sku: 'TEE-BLK-M',
      product_id: 'TEE', category: 'tops', grade: 'like_new', condition_note: 'タグ付き、試着のみ',
      original_price: 4900, suggested_price: 3670, price: 3670, currency: 'JPY', rma: ret.rma,
      published_at: null, sold_at: null, reject_reason: null,
    });
    assert.match(l.created_at, RFC3339_RE);
    const one = await getListing(owner, l.id);
    assertStatus(one, 200);
    assert.deepEqual(one.json, l, 'the listing alone reads as it does in the list');
  }
});

test('only the units that arrived are listed; without a note the condition note is empty', async () => {
  const m = shop();
  const { listings } = await resaleListing(m, { quantity: 2, received: 1, grade: 'good' });
  assert.equal(listings.length, 1, 'one of two units arrived');
  assertListing(listings[0], { status: 'pending_review', grade: 'good', condition_note: '', suggested_price: 2940 });
});

test('JPY suggested prices follow the grade (4900: new 4410, like_new 3670, good 2940, fair 1960)', async () => {
  const m = shop();
  for (const [grade, price] of [['new', 4410], ['like_new', 3670], ['good', 2940], ['fair', 1960]]) {
    const { listings } = await resaleListing(m, { grade });
    assert.equal(listings.length, 1, grade);
    assert.deepEqual(pick(listings[0], ['grade', 'original_price', 'suggested_price', 'price', 'currency']),
      { grade, original_price: 4900, suggested_price: price, price, currency: 'JPY' }, grade);
  }
});

test('USD suggested prices round down to whole dollars (12999: new 11600, like_new 9700, good 7700, fair 5100)', async () => {
  const m = shop('USD');
  for (const [grade, price] of [['new', 11600], ['like_new', 9700], ['good', 7700], ['fair', 5100]]) {
    const { listings } = await resaleListing(m, { grade });
    assert.equal(listings.length, 1, grade);
    assertListing(listings[0], { title: 'Rain Jacket', variant: 'Green / S', sku: 'JKT-GRN-S', product_id: 'JKT',
      category: 'outerwear', grade, original_price: 12999, suggested_price: price, price, currency: 'USD' });
  }
});

test('a price that would round to nothing keeps its unrounded value (¥12 fair → ¥4; $1.50 fair → $0.60)', async () => {
  const jp = shop();
  const a = await resaleListing(jp, { grade: 'fair', order: firstLine(jp, { unit_price: 12 }) });
  assert.deepEqual(pick(a.listing, ['original_price', 'suggested_price', 'price']),
    { original_price: 12, suggested_price: 4, price: 4 });
  const us = shop('USD');
  const b = await resaleListing(us, { grade: 'fair', order: firstLine(us, { unit_price: 150 }) });
  assert.deepEqual(pick(b.listing, ['original_price', 'suggested_price', 'price']),
    { original_price: 150, suggested_price: 60, price: 60 });
  // $1.50 like_new: 112 rounds down to a whole dollar.
  const c = await resaleListing(us, { grade: 'like_new', order: firstLine(us, { unit_price: 150 }) });
  assert.equal(c.listing.suggested_price, 100);
});

test('the merchant\'s own resale percentages and price step set the suggestion', async () => {
  const m = shop();
  adminOk(['merchant', 'policy', '--slug', m.slug, '--resale-percent-new', '95', '--resale-percent-like-new', '50',
    '--resale-percent-good', '55', '--resale-percent-fair', '30', '--price-step', '100']);
  // 4900 × 95 % = 4655 → 4600; × 50 % = 2450 → 2400; × 55 % = 2695 → 2600; × 30 % = 1470 → 1400.
  for (const [grade, price] of [['new', 4600], ['like_new', 2400], ['good', 2600], ['fair', 1400]]) {
    const { listing } = await resaleListing(m, { grade });
    assert.deepEqual(pick(listing, ['grade', 'suggested_price', 'price']), { grade, suggested_price: price, price });
  }
  // Another merchant keeps the defaults.
  const other = shop();
  assert.equal((await resaleListing(other, { grade: 'like_new' })).listing.suggested_price, 3670);
});

test('restock, refurbish, recycle, return_to_customer and missing units make no listing', async () => {
  const m = shop();
  for (const disposition of ['restock', 'refurbish', 'recycle', 'return_to_customer']) {
    const { listings, view } = await resaleListing(m, { grade: 'good', disposition });
    assert.equal(view.items[0].disposition, disposition);
    assert.deepEqual(listings, [], disposition);
  }
  const missing = await resaleListing(m, { received: 0, grade: null, disposition: null });
  assert.equal(missing.view.status, 'resolved');
  const owner = await ownerOf(m);
  assert.deepEqual(await allListings(owner), [], 'the merchant has no listings at all');
});

test('a damaged unit cannot be listed for resale (422 naming disposition), and nothing is listed', async () => {
  const m = shop();
  const clerk = await clerkOf(m);
  const r = await returnFor(m, [{ line_id: '1', quantity: 2, reason: 'damaged', resolution: 'refund' }]);
  await scanOk(clerk, r.rma);
  const p = assertProblem(await inspect(clerk, r.rma, r.items[0].item_id,
    { received_quantity: 2, grade: 'damaged', disposition: 'resale', note: '穴あき' }), 422, 'disposition');
  assert.ok(p.detail.length > 0);
  const v = (await staffGetReturn(clerk, r.rma)).json;
  assert.equal(v.items[0].status, 'pending');
  const owner = await ownerOf(m);
  assert.deepEqual(await allListings(owner), []);
  // Recycling it is fine, and still lists nothing.
  await inspectOk(clerk, r.rma, r.items[0].item_id, { received_quantity: 2, grade: 'damaged', disposition: 'recycle' });
  assert.deepEqual(await allListings(owner), []);
});

// ---------------------------------------------------------------------------------------------
// Review: approve, reject, bulk approve

test('the review queue is oldest first; all listings and published ones are newest first', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const made = [];
  for (const grade of ['good', 'like_new', 'fair']) {
    if (made.length) await pause(1100); // distinct creation times
    made.push((await resaleListing(m, { grade })).listing);
  }
  const [first, second, third] = ids(made);
  const queue = await merchantListings(owner, { status: 'pending_review' });
  assertStatus(queue, 200);
  assert.deepEqual(ids(queue.json.items), [first, second, third], 'the review queue starts with the oldest');
  const all = await merchantListings(owner);
  assert.deepEqual(ids(all.json.items), [third, second, first], 'all listings: newest first');

  await approveOk(owner, first);
  await pause(1100);
  await approveOk(owner, third);
  const published = await merchantListings(owner, { status: 'published' });
  assert.deepEqual(ids(published.json.items), [third, first]);
  assert.deepEqual(ids((await merchantListings(owner, { status: 'pending_review' })).json.items), [second]);
});

test('approving publishes at the suggested price; the same approval again answers 200 unchanged', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const { listing } = await resaleListing(m, { grade: 'like_new', note: '美品' });
  const res = await approve(owner, listing.id, {});
  assertStatus(res, 200);
  const pub = res.json;
  assertListing(pub, { id: listing.id, status: 'published', title: 'オーガニックTシャツ', price: 3670,
    suggested_price: 3670, original_price: 4900, condition_note: '美品', sold_at: null, reject_reason: null });
  assert.match(pub.published_at, RFC3339_RE);
  assert.deepEqual((await getListing(owner, listing.id)).json, pub);

  await pause(1100);
  const again = await approve(owner, listing.id, {});
  assertStatus(again, 200);
  assert.deepEqual(again.json, pub, 'a repeated approval changes nothing (not even published_at)');
  // A different approval, or a rejection, of a published listing is a conflict.
  assertProblem(await approve(owner, listing.id, { price: 3000 }), 409);
  assertProblem(await approve(owner, listing.id, { title: '別の名前' }), 409);
  assertProblem(await reject(owner, listing.id, { reason: '取り下げ' }), 409);
  assert.deepEqual((await getListing(owner, listing.id)).json, pub);
});

test('the merchant may approve at another price and title; the suggestion is kept for reference', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const { listing } = await resaleListing(m, { grade: 'like_new' });
  const body = { price: 3000, title: 'オーガニックTシャツ（試着のみ・美品）' };
  const pub = await approveOk(owner, listing.id, body);
  assertListing(pub, { status: 'published', price: 3000, title: body.title, suggested_price: 3670,
    original_price: 4900 });
  const again = await approve(owner, listing.id, body);
  assertStatus(again, 200);
  assert.deepEqual(again.json, pub);
  assertProblem(await approve(owner, listing.id, { ...body, price: 3100 }), 409);

  // The longest title (200 characters, Japanese) and the smallest price are fine.
  const { listing: other } = await resaleListing(m, { grade: 'good' });
  const long = await approveOk(owner, other.id, { price: 1, title: 'あ'.repeat(200) });
  assert.deepEqual(pick(long, ['status', 'price', 'title']), { status: 'published', price: 1, title: 'あ'.repeat(200) });
});

test('an invalid price or title is 422 naming it, and the listing stays pending', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const { listing } = await resaleListing(m, { grade: 'good' });
  const cases = [
    [{ price: 0 }, 'price'], [{ price: -100 }, 'price'], [{ price: 1.5 }, 'price'], [{ price: '3000' }, 'price'],
    [{ title: '' }, 'title'], [{ title: 'あ'.repeat(201) }, 'title'], [{ title: 5 }, 'title'],
  ];
  for (const [body, field] of cases) assertProblem(await approve(owner, listing.id, body), 422, field);
  const still = (await getListing(owner, listing.id)).json;
  assertListing(still, { status: 'pending_review', price: 2940, title: 'オーガニックTシャツ', published_at: null });
});

test('rejecting needs a reason (1..500 characters); the same rejection again answers 200', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const { listings } = await resaleListing(m, { quantity: 2, grade: 'fair' });
  const [l, l2] = listings;
  for (const body of [{}, { reason: '' }, { reason: null }, { reason: 'あ'.repeat(501) }]) {
    assertProblem(await reject(owner, l.id, body), 422, 'reason');
  }
  assert.equal((await getListing(owner, l.id)).json.status, 'pending_review');

  const res = await reject(owner, l.id, { reason: '写真と色が違う' });
  assertStatus(res, 200);
  assertListing(res.json, { id: l.id, status: 'rejected', reject_reason: '写真と色が違う', published_at: null });
  const again = await reject(owner, l.id, { reason: '写真と色が違う' });
  assertStatus(again, 200);
  assert.deepEqual(again.json, res.json);
  assertProblem(await reject(owner, l.id, { reason: '別の理由' }), 409);
  assertProblem(await approve(owner, l.id, {}), 409, undefined);
  assert.deepEqual((await getListing(owner, l.id)).json, res.json);

  const long = await rejectOk(owner, l2.id, 'い'.repeat(500));
  assert.equal(long.reject_reason, 'い'.repeat(500));
});

test('a sold listing can be neither approved nor rejected (409)', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const { listing } = await resaleListing(m, { grade: 'like_new' });
  await approveOk(owner, listing.id);
  assertStatus(await markSold(m, listing.id), 200);
  assertProblem(await approve(owner, listing.id, { price: 100 }), 409);
  assertProblem(await reject(owner, listing.id, { reason: '売り切れ' }), 409);
  assert.equal((await getListing(owner, listing.id)).json.status, 'sold');
});

test('bulk approval publishes this merchant\'s pending listings and skips every other id', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const { listings } = await resaleListing(m, { quantity: 5, grade: 'good', order: firstLine(m, { quantity: 5 }) });
  const [p1, p2, p3, rej, pub] = listings;
  await rejectOk(owner, rej.id);
  await approveOk(owner, pub.id, { price: 2000 });
  const stranger = shop();
  const { listing: theirs } = await resaleListing(stranger, { grade: 'good' });
  const unknown = 999999999;

  const res = await bulkApprove(owner, [p1.id, p2.id, rej.id, pub.id, theirs.id, unknown]);
  assertStatus(res, 200);
  assert.deepEqual(idSet(res.json.approved), idSet([p1.id, p2.id]));
  assert.deepEqual(idSet(res.json.skipped), idSet([rej.id, pub.id, theirs.id, unknown]));

  for (const l of [p1, p2]) {
    const now = (await getListing(owner, l.id)).json;
    assertListing(now, { status: 'published', price: 2940, suggested_price: 2940 });
    assert.match(now.published_at, RFC3339_RE);
  }
  assert.equal((await getListing(owner, p3.id)).json.status, 'pending_review', 'not asked for: still pending');
  assert.equal((await getListing(owner, rej.id)).json.status, 'rejected');
  assert.deepEqual(pick((await getListing(owner, pub.id)).json, ['status', 'price']), { status: 'published', price: 2000 });
  const theirOwner = await ownerOf(stranger);
  assert.equal((await getListing(theirOwner, theirs.id)).json.status, 'pending_review', 'another merchant\'s is untouched');

  // The same ids again: nothing left to approve.
  const again = await bulkApprove(owner, [p1.id, p2.id]);
  assertStatus(again, 200);
  assert.deepEqual(again.json.approved, []);
  assert.deepEqual(idSet(again.json.skipped), idSet([p1.id, p2.id]));
});

test('bulk approval takes 1 to 200 ids (422 naming ids otherwise)', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const { listing } = await resaleListing(m, { grade: 'good' });
  assertProblem(await bulkApprove(owner, []), 422, 'ids');
  assertProblem(await owner.api('POST', '/api/v1/merchant/listings/approve', { body: {} }), 422, 'ids');
  assertProblem(await owner.api('POST', '/api/v1/merchant/listings/approve', { body: { ids: 'all' } }), 422, 'ids');
  const tooMany = [listing.id, ...Array.from({ length: 200 }, (_, i) => 900000000 + i)];
  assertProblem(await bulkApprove(owner, tooMany), 422, 'ids');
  assert.equal((await getListing(owner, listing.id)).json.status, 'pending_review');
  const most = [listing.id, ...Array.from({ length: 199 }, (_, i) => 900000000 + i)];
  const res = await bulkApprove(owner, most);
  assertStatus(res, 200);
  assert.deepEqual(idSet(res.json.approved), idSet([listing.id]));
  assert.equal(res.json.skipped.length, 199);
});

// ---------------------------------------------------------------------------------------------
// Lists, pages and the console's access

test('listings come in pages of 50 with the total; each status lists its own', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const { listings } = await resaleListing(m, { quantity: 60, grade: 'good', order: firstLine(m, { quantity: 60 }) });
  assert.equal(listings.length, 60, 'sixty units arrived: sixty listings');

  const pages = [];
  for (const page of [1, 2, 3]) {
    const res = await merchantListings(owner, { status: 'pending_review', page });
    assertStatus(res, 200);
    assert.deepEqual(pick(res.json, ['page', 'per_page', 'total']), { page, per_page: 50, total: 60 });
    pages.push(res.json.items);
  }
  assert.deepEqual(pages.map((p) => p.length), [50, 10, 0]);
  const both = [...pages[0], ...pages[1]];
  const seen = ids(both);
  assert.equal(new Set(seen).size, 60, 'no listing on two pages');
  assert.deepEqual(idSet(seen), idSet(ids(listings)));
  const first = await merchantListings(owner, { status: 'pending_review' });
  assert.deepEqual(ids(first.json.items), ids(pages[0]), 'without page: the first page');
  assert.equal(first.json.page, 1);

  const res = await bulkApprove(owner, both.slice(0, 55).map((l) => l.id));
  assertStatus(res, 200);
  assert.equal(res.json.approved.length, 55);
  await rejectOk(owner, both[55].id);
  const counts = {};
  for (const status of ['pending_review', 'published', 'rejected', 'sold']) {
    const r = await merchantListings(owner, { status });
    assertStatus(r, 200);
    counts[status] = r.json.total;
    assert.ok(r.json.items.every((l) => l.status === status), `only ${status} listings`);
  }
  assert.deepEqual(counts, { pending_review: 4, published: 55, rejected: 1, sold: 0 });
  const all = await merchantListings(owner, { page: 2 });
  assert.deepEqual(pick(all.json, ['page', 'per_page', 'total']), { page: 2, per_page: 50, total: 60 });
  assert.equal(all.json.items.length, 10);
  assertProblem(await merchantListings(owner, { status: 'draft' }), 422, 'status');
});

/**
 * Walks a console list (get(query) → response) by its cursors from the first page: forwards with
 * after = next to the end, then back with before = prev to the start. Asserts each page against
 * the same list read by page number (the reference order), and returns the rows seen forwards.
 * between(i) runs after the i-th page is read (changes the list meanwhile: then back = false,
 * as the pages before are no longer the ones read).
 */
async function walkByCursor(get, query, key, { limit = 7, between = async () => {}, back = true } = {}) {
  const pages = [];
  let res = await get({ ...query, limit });
  for (let i = 0; ; i++) {
    assertStatus(res, 200);
    assert.ok(!('page' in res.json) || res.json.page === 1, 'a cursor\'s page has no number');
    assert.ok(res.json.items.length <= limit);
    pages.push(res);
    await between(i);
    if (res.json.next === null) break;
    assert.equal(typeof res.json.next, 'string', 'the cursor is an opaque string');
    assert.ok(pages.length < 100, 'the walk ends');
    res = await get({ ...query, limit, after: res.json.next });
  }
  assert.equal(pages[0].json.prev, null, 'nothing before the first page');
  const seen = pages.flatMap((p) => p.json.items.map(key));
  assert.equal(new Set(seen).size, seen.length, 'no row on two pages');
  // Back from the last page: each page before is the one the walk read forwards.
  for (let i = pages.length - 1; back && i > 0; i--) {
    assert.equal(typeof pages[i].json.prev, 'string', `page ${i + 1} has a previous page`);
    const back = await get({ ...query, limit, before: pages[i].json.prev });
    assertStatus(back, 200);
    assert.deepEqual(back.json.items.map(key), pages[i - 1].json.items.map(key), `page ${i} again, going back`);
    assert.equal(back.json.next, pages[i - 1].json.next, 'its next: the page it came back from');
    assert.equal(back.json.prev === null, i === 1, `only the first page has no previous (page ${i})`);
  }
  return seen;
}

/** Every row of a list read by page number, limit a page. */
async function walkByPage(get, query, key, limit = 7) {
  const out = [];
  for (let page = 1; page < 100; page++) {
    const res = await get({ ...query, limit, page });
    assertStatus(res, 200);
    assert.equal(res.json.page, page);
    out.push(...res.json.items.map(key));
    if (res.json.next === null) return out;
  }
  throw new Error('too many pages');
}

test('each listings tab walks by cursor (after/next, before/prev): every listing once, in order', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const { listings } = await resaleListing(m, { quantity: 30, grade: 'good', order: firstLine(m, { quantity: 30 }) });
  await pause(1100); // a second batch, a second later: rows of two creation times, ties within each
  const { listings: later } = await resaleListing(m, { quantity: 12, grade: 'good', order: firstLine(m, { quantity: 12 }) });
  const everyone = [...listings, ...later];
  assertStatus(await bulkApprove(owner, [...listings.slice(0, 10), ...later.slice(0, 5)].map((l) => l.id)), 200);
  await rejectOk(owner, listings[10].id);
  await rejectOk(owner, later[5].id);
  const get = (q) => merchantListings(owner, q);
  const id = (l) => String(l.id);
  const expect = {
    pending_review: 25, published: 15, rejected: 2, sold: 0, undefined: everyone.length,
  };
  for (const status of ['pending_review', 'published', 'rejected', 'sold', undefined]) {
    const seen = await walkByCursor(get, { status }, id);
    assert.equal(seen.length, expect[status], `${status ?? 'all'}: every listing`);
    assert.deepEqual(seen, await walkByPage(get, { status }, id), `${status ?? 'all'}: the order of the pages by number`);
  }
  // The review queue is oldest first, the others newest first: the second batch leads there.
  const queue = await walkByCursor(get, { status: 'pending_review' }, id);
  assert.deepEqual(queue, ids([...listings.slice(11), ...later.slice(6)]), 'the queue: oldest first');
  assert.deepEqual(await walkByCursor(get, {}, id), ids(everyone).reverse(), 'all: newest first');

  // Listings drafted while the merchant pages: none is seen twice, none of those there is missed.
  let added = [];
  const seen = await walkByCursor(get, {}, id, {
    back: false,
    between: async (i) => {
      if (i === 1) added = (await resaleListing(m, { quantity: 3, grade: 'good', order: firstLine(m, { quantity: 3 }) })).listings;
    },
  });
  assert.equal(added.length, 3);
  assert.equal(new Set(seen).size, seen.length);
  assert.deepEqual(idSet(seen), idSet(ids(everyone)), 'newer listings come above the cursor: the walk down does not meet them');
  const queueAfter = await walkByCursor(get, { status: 'pending_review' }, id, {
    back: false,
    between: async (i) => {
      if (i === 0) await approveOk(owner, queue[0]); // out of the queue behind the cursor
    },
  });
  assert.equal(new Set(queueAfter).size, queueAfter.length);
  assert.deepEqual(queueAfter, [...queue, ...ids(added)], 'the queue goes on after its cursor, the newest drafts last');
});

test('a bad listings or returns cursor is refused naming after (or before), never another merchant\'s rows', async () => {
  const m = shop();
  const other = shop();
  const owner = await ownerOf(m);
  const { listing } = await resaleListing(m, { grade: 'good' });
  const { listing: theirs } = await resaleListing(other, { grade: 'good' });
  const item = [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }];
  const ret = await returnFor(m, item);
  await returnFor(other, item);
  await returnFor(other, item);
  const theirPage = await merchantReturns(await ownerOf(other), { limit: 1 });
  assertStatus(theirPage, 200);
  assert.equal(typeof theirPage.json.next, 'string');
  for (const [list, field, cursor] of [
    [merchantListings, 'after', 'abc'], [merchantListings, 'after', '-1'], [merchantListings, 'after', '0'],
    [merchantListings, 'after', '1.5'], [merchantListings, 'before', 'x'], [merchantListings, 'after', '99999999999'],
    [merchantListings, 'after', String(theirs.id)], [merchantListings, 'before', String(theirs.id)],
    [merchantReturns, 'after', 'abc'], [merchantReturns, 'before', '%'], [merchantReturns, 'after', '99999999999'],
    [merchantReturns, 'after', theirPage.json.next], [merchantReturns, 'before', theirPage.json.next],
  ]) {
    assertProblem(await list(owner, { [field]: cursor }), 422, field);
  }
  assertProblem(await merchantListings(owner, { after: String(listing.id), before: String(listing.id) }), 422, 'before');
  assertProblem(await merchantListings(owner, { after: String(listing.id), page: 2 }), 422, 'page');
  assertProblem(await merchantListings(owner, { limit: 51 }), 422, 'limit');
  const mine = await merchantReturns(owner, { limit: 1 });
  assertStatus(mine, 200);
  assert.deepEqual(mine.json.items.map((x) => x.rma), [ret.rma]);
  assert.deepEqual(pick(mine.json, ['prev', 'total']), { prev: null, total: 2 }, 'its listing\'s return and this one');
});

test('the returns list walks by cursor, of every status and all: each return once, newest first', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const clerk = await clerkOf(m);
  const item = [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }];
  const made = [];
  for (let i = 0; i < 9; i++) {
    made.push(await returnFor(m, item));
    if (i === 4) await pause(1100);
  }
  for (const r of made.slice(0, 4)) await scanOk(clerk, r.rma);
  const get = (q) => merchantReturns(owner, q);
  const rma = (x) => x.rma;
  const want = { label_issued: made.slice(4), received: made.slice(0, 4), resolved: [], all: made };
  for (const status of ['label_issued', 'received', 'resolved', undefined]) {
    const seen = await walkByCursor(get, { status }, rma, { limit: 2 });
    assert.deepEqual(seen, await walkByPage(get, { status }, rma, 2), `${status ?? 'all'}: the pages by number`);
    assert.deepEqual(seen, want[status ?? 'all'].map(rma).reverse(), `${status ?? 'all'}: each return, newest first`);
  }
  const all = made.map(rma).reverse();
  // A return made while the merchant pages comes above the cursor: not seen, nothing twice.
  let fresh;
  const seen = await walkByCursor(get, {}, rma, {
    limit: 2,
    back: false,
    between: async (i) => { if (i === 1) fresh = await returnFor(m, item); },
  });
  assert.deepEqual(seen, all);
  assert.ok(fresh && !seen.includes(fresh.rma));
  // The holds tab's list (status needs_review) walks the same way, empty here.
  const holds = await get({ status: 'needs_review', limit: 2 });
  assert.deepEqual(pick(holds.json, ['items', 'next', 'prev', 'total']), { items: [], next: null, prev: null, total: 0 });
});

test('the console API needs a merchant session: none is 401, warehouse and admin users 403', async () => {
  const m = shop();
  const { listing } = await resaleListing(m, { grade: 'good' });
  const calls = [
    ['GET', '/api/v1/merchant/listings'],
    ['GET', `/api/v1/merchant/listings/${listing.id}`],
    ['POST', `/api/v1/merchant/listings/${listing.id}/approve`, {}],
    ['POST', `/api/v1/merchant/listings/${listing.id}/reject`, { reason: 'x' }],
    ['POST', '/api/v1/merchant/listings/approve', { ids: [listing.id] }],
    ['GET', '/api/v1/merchant/returns'],
    ['GET', '/api/v1/merchant/summary'],
  ];
  const clerk = await clerkOf(m);
  const boss = await staffSession(newStaff({ role: 'admin' }));
  for (const [method, path, body] of calls) {
    assertProblem(await api(method, path, { body }), 401);
    assertProblem(await clerk.api(method, path, { body }), 403);
    assertProblem(await boss.api(method, path, { body }), 403);
  }
  // The merchant key is not a console credential either.
  assertProblem(await api('GET', '/api/v1/merchant/listings', { token: m.key }), 401);
  const owner = await ownerOf(m);
  assert.equal((await getListing(owner, listing.id)).json.status, 'pending_review');
});

test('console changes from another site are refused (403) and change nothing', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const { listing } = await resaleListing(m, { grade: 'good' });
  const evil = { origin: 'http://evil.example' };
  const cross = { 'sec-fetch-site': 'cross-site' };
  for (const headers of [evil, cross]) {
    assertProblem(await owner.api('POST', `/api/v1/merchant/listings/${listing.id}/approve`, { body: {}, headers }), 403);
    assertProblem(await owner.api('POST', `/api/v1/merchant/listings/${listing.id}/reject`,
      { body: { reason: 'x' }, headers }), 403);
    assertProblem(await owner.api('POST', '/api/v1/merchant/listings/approve', { body: { ids: [listing.id] }, headers }), 403);
  }
  assertProblem(await owner.api('POST', `/api/v1/merchant/listings/${listing.id}/approve`,
    { body: '{}', headers: { 'content-type': 'text/plain' } }), 415);
  assert.equal((await getListing(owner, listing.id)).json.status, 'pending_review');
});

test('an unknown listing id is 404', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  assertProblem(await getListing(owner, 999999999), 404);
  assertProblem(await approve(owner, 999999999, {}), 404);
  assertProblem(await reject(owner, 999999999, { reason: 'x' }), 404);
  assertProblem(await getListing(owner, 'abc'), 404);
});

// ---------------------------------------------------------------------------------------------
// The returns list

test('the returns list: newest first, counts, refund amounts once resolved, status filter', async () => {
  const m = shop();
  const owner = await merchantSession(m);
  const clerk = await clerkOf(m);
  const email = (who) => `${who}-${suffix()}@example.jp`;
  const waiting = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }],
    { order: { email: email('waiting') } });
  await pause(1100);
  const arrived = await returnFor(m, [{ line_id: '3', quantity: 1, reason: 'changed_mind', resolution: 'refund' }],
    { order: { email: email('arrived') } });
  await scanOk(clerk, arrived.rma);
  await pause(1100);
  const done = await returnFor(m, [
    { line_id: '1', quantity: 2, reason: 'not_as_described', resolution: 'refund' },
    { line_id: '3', quantity: 1, reason: 'changed_mind', resolution: 'store_credit' },
  ], { order: { email: email('done') } });
  await scanOk(clerk, done.rma);
  await inspectOk(clerk, done.rma, done.items[0].item_id, { received_quantity: 2, grade: 'good', disposition: 'resale' });
  await inspectOk(clerk, done.rma, done.items[1].item_id, { received_quantity: 1, grade: 'new', disposition: 'restock' });

  const res = await merchantReturns(owner);
  assertStatus(res, 200);
  assert.deepEqual(pick(res.json, ['page', 'per_page', 'total']), { page: 1, per_page: 50, total: 3 });
  assert.deepEqual(res.json.items.map((x) => x.rma), [done.rma, arrived.rma, waiting.rma]);
  const [d, a, w] = res.json.items;
  // 2 × 4900 refunded + 3300 store credit with its 10 % bonus.
  assert.deepEqual(pick(d, ['rma', 'status', 'order_number', 'customer_name', 'email', 'items', 'refund_amount',
    'currency']), { rma: done.rma, status: 'resolved', order_number: done.order.orderNumber,
    customer_name: '山田 太郎', email: done.order.body.email, items: 2, refund_amount: 9800 + 3630, currency: 'JPY' });
  assert.deepEqual(pick(a, ['status', 'items', 'refund_amount']), { status: 'received', items: 1, refund_amount: null });
  assert.deepEqual(pick(w, ['status', 'items', 'refund_amount', 'order_number']),
    { status: 'label_issued', items: 1, refund_amount: null, order_number: waiting.order.orderNumber });
  for (const x of res.json.items) {
    assert.match(x.created_at, RFC3339_RE);
    assert.match(x.updated_at, RFC3339_RE);
  }

  const only = async (query) => {
    const r = await merchantReturns(owner, query);
    assertStatus(r, 200);
    assert.equal(r.json.total, r.json.items.length);
    return r.json.items.map((x) => x.rma);
  };
  assert.deepEqual(await only({ status: 'received' }), [arrived.rma]);
  assert.deepEqual(await only({ status: 'resolved' }), [done.rma]);
  assert.deepEqual(await only({ status: 'label_issued' }), [waiting.rma]);
  assert.deepEqual(await only({ status: 'canceled' }), []);
  assertProblem(await merchantReturns(owner, { status: 'lost' }), 422, 'status');
});

test('the returns list finds a return by RMA (any case, no hyphen), order number or email (any case)', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const mk = (who) => returnFor(m, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }],
    { order: { email: `${who}-${suffix()}@example.jp` } });
  const one = await mk('hanako');
  const two = await mk('jiro');
  const find = async (q, status) => {
    const r = await merchantReturns(owner, { q, status });
    assertStatus(r, 200);
    assert.equal(r.json.total, r.json.items.length);
    return r.json.items.map((x) => x.rma);
  };
  assert.deepEqual(await find(one.rma), [one.rma]);
  assert.deepEqual(await find(one.rma.toLowerCase().replace('-', '')), [one.rma]);
  assert.deepEqual(await find(two.rma.toLowerCase()), [two.rma]);
  assert.deepEqual(await find(two.order.orderNumber), [two.rma]);
  assert.deepEqual(await find(one.order.body.email.toUpperCase()), [one.rma]);
  assert.deepEqual(await find(two.order.body.email), [two.rma]);
  assert.deepEqual(await find('nobody@example.jp'), []);
  assert.deepEqual(await find(one.rma, 'resolved'), [], 'q and status together');
  assert.deepEqual(await find(one.rma, 'label_issued'), [one.rma]);

  // The return opens with its timeline for the merchant.
  const t = await staffGetReturn(owner, one.rma);
  assertStatus(t, 200);
  assert.deepEqual(eventsOf(t.json, 'created').length, 1);
});

// ---------------------------------------------------------------------------------------------
// Summary

test('the summary counts the merchant\'s returns and listings and the money recovered by sales', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  await returnFor(m, [{ line_id: '3', quantity: 1, reason: 'too_small', resolution: 'refund' }]); // label_issued
  const arrived = await returnFor(m, [{ line_id: '3', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  await scanOk(await clerkOf(m), arrived.rma);
  const { listings } = await resaleListing(m, { quantity: 5, grade: 'like_new', order: firstLine(m, { quantity: 5 }) });
  const [a, b, c, d] = listings;
  await approveOk(owner, a.id);
  await approveOk(owner, b.id, { price: 3000 });
  await approveOk(owner, c.id);
  await rejectOk(owner, d.id);
  assertStatus(await markSold(m, a.id), 200);
  assertStatus(await markSold(m, b.id), 200);

  const res = await merchantSummary(owner);
  assertStatus(res, 200);
  const s = res.json;
  assert.deepEqual(pick(s.merchant, ['slug', 'name', 'currency']), { slug: m.slug, name: m.name, currency: 'JPY' });
  const count = (map, k) => map?.[k] ?? 0;
  assert.deepEqual(['label_issued', 'received', 'resolved', 'canceled', 'expired'].map((k) => count(s.returns, k)),
    [1, 1, 1, 0, 0]);
  assert.deepEqual(['pending_review', 'published', 'rejected', 'sold'].map((k) => count(s.listings, k)), [1, 1, 1, 2]);
  assert.equal(s.recovered, 3670 + 3000);

  const empty = (await merchantSummary(await merchantSession(shop('USD')))).json;
  assert.equal(empty.merchant.currency, 'USD');
  assert.equal(empty.recovered, 0);
  assert.ok(Object.values(empty.listings).every((n) => n === 0));
  assert.ok(Object.values(empty.returns).every((n) => n === 0));
});

// ---------------------------------------------------------------------------------------------
// Listings the merchant fixes, and the shop's holds

/** m's events of a listing, oldest first. */
async function listingEvents(m, id) {
  const res = await api('GET', `/api/v1/merchants/${m.slug}/events?limit=500`, { token: m.key });
  assertStatus(res, 200);
  return res.json.events.filter((e) => String(e.listing_id) === String(id));
}

/** A published listing (JPY T-shirt, original ¥4,900) of a fresh merchant; {m, owner, listing}. */
async function published(price) {
  const m = shop();
  const owner = await ownerOf(m);
  const { listing } = await resaleListing(m, { publicNote: 'タグ付き' });
  return { m, owner, listing: await approveOk(owner, listing.id, price === undefined ? {} : { price }) };
}

const patch = (owner, id, body) => owner.api('PATCH', `/api/v1/merchant/listings/${id}`, { body });

test('a mistaken price is fixed in one step: PATCH price, title and public note; the shop shows it at once; an event names who', async () => {
  const { m, owner, listing } = await published(1990);
  const res = await patch(owner, listing.id, { price: 3490, title: 'オーガニックTシャツ（黒）', public_note: '試着のみ' });
  assertStatus(res, 200);
  assert.deepEqual(pick(res.json, ['status', 'price', 'title', 'public_note']),
    { status: 'published', price: 3490, title: 'オーガニックTシャツ（黒）', public_note: '試着のみ' });
  const inShop = (await shopListings(m.slug)).json.items.find((x) => String(x.id) === String(listing.id));
  assert.deepEqual(pick(inShop, ['price', 'title', 'condition_note']), { price: 3490, title: 'オーガニックTシャツ（黒）', condition_note: '試着のみ' });
  const ev = (await listingEvents(m, listing.id)).filter((e) => e.type === 'listing.updated');
  assert.equal(ev.length, 1);
  assert.match(ev[0].data.by, /@/, 'the event names the merchant user');
  assert.deepEqual(ev[0].data.changes.price, { from: 1990, to: 3490 });
});

test('a price below 30% of the original needs confirm_low_price: 422 naming price, then 200', async () => {
  const { owner, listing } = await published();
  assertProblem(await patch(owner, listing.id, { price: 1 }), 422, 'price');
  assertProblem(await patch(owner, listing.id, { price: 1469 }), 422, 'price'); // 4900 × 30% = 1470
  assertStatus(await patch(owner, listing.id, { price: 1470 }), 200);
  const ok = await patch(owner, listing.id, { price: 100, confirm_low_price: true });
  assertStatus(ok, 200);
  assert.equal(ok.json.price, 100);
  assertProblem(await patch(owner, listing.id, { price: 0 }), 422, 'price');
  assertProblem(await patch(owner, listing.id, { title: '   ' }), 422, 'title');
  assertProblem(await patch(owner, 99999999, { price: 2000 }), 404);
});

test('the merchant\'s own price floor above 30% guards edits too (50%: 2449 needs confirming, 2450 does not)', async () => {
  const { owner, listing } = await published();
  assertStatus(await owner.api('PUT', '/api/v1/merchant/policy', { body: { price_floor_percent: 50 } }), 200);
  const low = await patch(owner, listing.id, { price: 2449 });
  assertProblem(low, 422, 'price');
  assert.match(low.json.errors[0].message, /below 50% of the original price \(4900\)/);
  assertStatus(await patch(owner, listing.id, { price: 2450 }), 200);
  assertStatus(await patch(owner, listing.id, { price: 2449, confirm_low_price: true }), 200);
});

test('withdraw takes a published listing out of the shop at once; restore brings a rejected one back to review', async () => {
  const { m, owner, listing } = await published();
  const w = await owner.api('POST', `/api/v1/merchant/listings/${listing.id}/withdraw`, { body: {} });
  assertStatus(w, 200);
  assert.equal(w.json.status, 'pending_review');
  assert.ok(!(await shopListings(m.slug)).json.items.some((x) => String(x.id) === String(listing.id)), 'gone from the shop');
  assertProblem(await owner.api('POST', `/api/v1/merchant/listings/${listing.id}/withdraw`, { body: {} }), 409);
  assertProblem(await owner.api('POST', `/api/v1/merchant/listings/${listing.id}/restore`, { body: {} }), 409);
  await rejectOk(owner, listing.id);
  const back = await owner.api('POST', `/api/v1/merchant/listings/${listing.id}/restore`, { body: {} });
  assertStatus(back, 200);
  assert.deepEqual(pick(back.json, ['status', 'reject_reason']), { status: 'pending_review', reject_reason: null });
  const types = (await listingEvents(m, listing.id)).map((e) => e.type);
  assert.deepEqual(types.slice(-4), ['listing.published', 'listing.withdrawn', 'listing.rejected', 'listing.restored']);
});

test('holds: of 10 parallel holds one wins; the shop shows it held; only that hold sells it; released, another may hold', async () => {
  const { m, listing } = await published();
  const hold = (minutes = 5) => api('POST', `/api/v1/merchants/${m.slug}/listings/${listing.id}/hold`, { token: m.key, body: { minutes } });
  const all = await Promise.all(Array.from({ length: 10 }, () => hold()));
  const won = all.filter((r) => r.status === 200);
  assert.equal(won.length, 1, `one hold wins: ${all.map((r) => r.status)}`);
  for (const r of all.filter((x) => x.status !== 200)) assertProblem(r, 409);
  const { hold_id: holdId, held_until: heldUntil } = won[0].json;
  assert.match(holdId, /^[0-9a-f]{32}$/);
  assert.ok(Date.parse(heldUntil) > Date.now() + 3 * 60_000, heldUntil);
  const inShop = (await shopListings(m.slug)).json.items.find((x) => String(x.id) === String(listing.id));
  assert.equal(inShop.held_until, heldUntil, 'the shop shows it is in someone\'s cart');
  assert.ok((await api('GET', `/shop/${m.slug}/items/${listing.id}`)).text.includes('id="item-held"'), 'so does its item page');
  assertProblem(await markSold(m, listing.id), 409); // another cart cannot sell it
  assertProblem(await api('POST', `/api/v1/merchants/${m.slug}/listings/${listing.id}/sold`,
    { token: m.key, body: { hold_id: 'f'.repeat(32) } }), 409);
  assertStatus(await api('DELETE', `/api/v1/merchants/${m.slug}/listings/${listing.id}/hold?hold_id=${holdId}`, { token: m.key }), 204);
  const again = await hold(1);
  assertStatus(again, 200);
  const sold = await api('POST', `/api/v1/merchants/${m.slug}/listings/${listing.id}/sold`,
    { token: m.key, body: { hold_id: again.json.hold_id } });
  assertStatus(sold, 200);
  assert.equal(sold.json.status, 'sold', 'sold after hold works');
  assertProblem(await hold(), 409);
  assertProblem(await hold(61), 422, 'minutes');
  const types = (await listingEvents(m, listing.id)).map((e) => e.type);
  for (const t of ['listing.held', 'listing.released', 'listing.sold']) assert.ok(types.includes(t), `${t} in ${types}`);
});

test('photo_order reorders the item\'s photos; a wrong list is 422 naming photo_order', async () => {
  const m = shop();
  const owner = await ownerOf(m);
  const clerk = await clerkOf(m);
  const ret = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  await scanOk(clerk, ret.rma);
  const itemId = ret.items[0].item_id;
  const dir = mkdtempSync(join(tmpdir(), 'kaeru-photo-'));
  for (const w of [500, 600]) {
    const p = join(dir, `${w}.jpg`);
    execFileSync('vips', ['gaussnoise', p, String(w), '400']);
    assertStatus(await clerk.api('POST', `/api/v1/returns/${ret.rma}/items/${itemId}/photos`,
      { body: readFileSync(p), headers: { 'content-type': 'image/jpeg' } }), 201);
  }
  await inspectOk(clerk, ret.rma, itemId, { received_quantity: 1, grade: 'good', disposition: 'resale' });
  const l = (await allListings(owner)).find((x) => x.rma === ret.rma);
  assert.deepEqual(l.photos.map((p) => p.width), [500, 600]);
  const ids = l.photos.map((p) => p.id);
  const res = await patch(owner, l.id, { photo_order: [ids[1], ids[0]] });
  assertStatus(res, 200);
  assert.deepEqual(res.json.photos.map((p) => p.width), [600, 500]);
  assertProblem(await patch(owner, l.id, { photo_order: [ids[0]] }), 422, 'photo_order');
  assertProblem(await patch(owner, l.id, { photo_order: [ids[0], ids[0]] }), 422, 'photo_order');
});
