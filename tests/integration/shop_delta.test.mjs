// The shop's snapshot built from the one before it and the listings changed since (fcgi/shop.c,
// migration 064) answers exactly what a snapshot read whole answers. A shop of a few hundred
// listings goes through a series of changes — publish, sell, hold, a price, a title, a photo
// added and the photos reordered, withdraw, a hold released and one run out, a facet value
// coming and going — and after each one every answer of the shop (its pages in each order, each
// facet value's page, title searches, the shop's page and feed, item pages) is taken twice:
// as built from the snapshot before (kaeru-fcgi's log says "delta"), then after every listing
// was stamped anew, which is more change than a delta takes, so the shop is read whole
// ("full read"). The two must be equal, and agree with the listings table.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ROOT, allListings, allShopListings, api, approveOk, assertStatus, bulkApprove, clerkOf, inspectOk, markSold,
  newMerchant, ownerOf, pause, resaleListing, returnFor, scanOk, scratchDir, shopFeed, shopListings, sql, sqlString,
} from './lib.mjs';

const LOG = join(process.env.KAERU_STACK || join(ROOT, 'var'), 'log', 'kaeru-fcgi.log');
const PUBLISHED = 240;
const PENDING = 12;
const SOLD = 30;

let m;
let mid;
let owner;
let clerk;
let photoItem; // {rma, itemId, listings: [id, id]}: two units sharing the item's photos
let pending; // ids of listings waiting for review, oldest first
let published; // ids of some published listings, for the changes below
let scratch;
const watched = new Set(); // listings whose item pages are compared

/** The last snapshot kaeru-fcgi built of m's shop: {version, kind: 'delta' | 'full read'}. */
function lastBuild() {
  const re = new RegExp(`^kaeru-fcgi: shop of merchant ${mid} at version (\\d+): (delta|full read)`);
  const lines = readFileSync(LOG, 'utf8').split('\n').filter((l) => re.test(l));
  assert.ok(lines.length > 0, `kaeru-fcgi logged no snapshot of merchant ${mid}`);
  const [, version, kind] = re.exec(lines[lines.length - 1]);
  return { version: Number(version), kind };
}

const shopVersion = () => Number(sql(`SELECT version FROM shop_versions WHERE merchant_id = ${mid}`)[0][0]);

/** Stamps every listing of m with a new version, as one change: the next snapshot is read whole. */
function stampAll() {
  sql(`BEGIN;
    UPDATE shop_versions SET version = version + 1 WHERE merchant_id = ${mid};
    UPDATE listings SET shop_version = (SELECT version FROM shop_versions WHERE merchant_id = ${mid})
      WHERE merchant_id = ${mid};
    COMMIT;`);
}

/** An HTML page's status and text (a withdrawn listing's item page is 404). */
async function page(path) {
  const res = await api('GET', path);
  return `${res.status} ${res.text}`;
}

/** Everything a shopper can read of m's shop, the first request building the snapshot. */
async function answers() {
  const first = await shopListings(m.slug);
  assertStatus(first, 200);
  const out = { facets: first.json.facets, sold_count: first.json.sold_count, total: first.json.total };
  for (const sort of ['newest', 'price', '-price']) out[sort] = await allShopListings(m.slug, { sort });
  out.pages = {};
  for (const [param, kind] of [['grade', 'grades'], ['variant', 'variants'], ['category', 'categories']]) {
    for (const { value } of first.json.facets[kind]) {
      for (const sort of ['newest', '-price']) {
        const res = await shopListings(m.slug, { [param]: value, sort });
        assertStatus(res, 200);
        out.pages[`${param}=${value}&sort=${sort}`] = { total: res.json.total, ids: res.json.items.map((l) => l.id) };
      }
    }
  }
  out.tee = await allShopListings(m.slug, { q: 'TEE' });
  out.cap = await allShopListings(m.slug, { q: 'cap', grade: 'good', sort: 'price' });
  out.feed = (await shopFeed(m.slug)).text;
  out.page = await page(`/shop/${m.slug}/`);
  assert.match(out.page, /^200 /);
  out.items = {};
  for (const id of [...watched].sort()) out.items[id] = await page(`/shop/${m.slug}/items/${id}`);
  return out;
}

/** What the listings table says the shop holds: ids newest first and by price, prices, titles,
 * holds, photo counts, and how many were sold. */
function truth() {
  const rows = sql(`SELECT l.id, l.price, l.title, l.held_until > CURRENT_TIMESTAMP,
      (SELECT COUNT(*) FROM return_photos p WHERE p.return_item_id = l.return_item_id AND p.source = 'warehouse')
    FROM listings l WHERE l.merchant_id = ${mid} AND l.status = 'published' ORDER BY l.published_at DESC, l.id DESC`);
  const byPrice = [...rows].sort((x, y) => Number(x[1]) - Number(y[1]) || Number(x[0]) - Number(y[0]));
  const [[sold]] = sql(`SELECT COUNT(*) FROM listings WHERE merchant_id = ${mid} AND status = 'sold'`);
  return {
    newest: rows.map((r) => String(r[0])),
    price: byPrice.map((r) => String(r[0])),
    items: Object.fromEntries(rows.map((r) => [String(r[0]),
      { price: Number(r[1]), title: r[2], held: r[3] === '1', photos: Number(r[4]) }])),
    sold: Number(sold),
  };
}

/** Where two answers first differ: a path and both values, or null when they are equal. */
function difference(x, y, path = '') {
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) {
    return x === y ? null : { path, delta: x, whole: y };
  }
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
    const d = difference(x[k], y[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

/** After a change: the shop built from the snapshot before equals the shop read whole and the table. */
async function same(what) {
  const delta = await answers();
  const built = lastBuild();
  assert.equal(built.kind, 'delta', `${what}: the snapshot was built from the one before`);
  assert.equal(built.version, shopVersion(), `${what}: the snapshot of the shop's version`);
  stampAll();
  const whole = await answers();
  assert.deepEqual(lastBuild(), { version: shopVersion(), kind: 'full read' }, `${what}: then read whole`);
  const d = difference(delta, whole);
  assert.equal(d, null, `${what}: built from the snapshot before, the shop answers as read whole, but at ${
    d?.path}:\n${JSON.stringify(d?.delta)?.slice(0, 2000)}\nread whole:\n${JSON.stringify(d?.whole)?.slice(0, 2000)}`);
  const t = truth();
  const ids = (items) => items.map((l) => String(l.id));
  assert.deepEqual(ids(delta.newest), t.newest, `${what}: newest first`);
  assert.deepEqual(ids(delta.price), t.price, `${what}: by price`);
  assert.deepEqual(ids(delta['-price']), [...t.price].reverse(), `${what}: by price, descending`);
  assert.equal(delta.sold_count, t.sold, `${what}: sold`);
  assert.equal(delta.total, t.newest.length, `${what}: total`);
  for (const l of delta.newest) {
    assert.deepEqual({ price: l.price, title: l.title, held: l.held_until !== null, photos: l.photos.length },
      t.items[String(l.id)], `${what}: listing ${l.id}`);
  }
  return delta;
}

function photoBytes(width) {
  const path = join(scratch.dir, `${width}.jpg`);
  execFileSync('vips', ['gaussnoise', path, String(width), '300']);
  return readFileSync(path);
}

async function addPhoto(width) {
  const res = await clerk.api('POST', `/api/v1/returns/${photoItem.rma}/items/${photoItem.itemId}/photos`,
    { body: photoBytes(width), headers: { 'content-type': 'image/jpeg' } });
  assertStatus(res, 201);
  return res.json;
}

const hold = (id, minutes = 5) => api('POST', `/api/v1/merchants/${m.slug}/listings/${id}/hold`,
  { token: m.key, body: { minutes } });
const patch = (id, body) => owner.api('PATCH', `/api/v1/merchant/listings/${id}`, { body });

after(() => scratch.cleanup());

before(async () => {
  scratch = scratchDir();
  m = newMerchant({ currency: 'JPY' });
  [[mid]] = sql(`SELECT id FROM merchants WHERE slug = ${sqlString(m.slug)}`);
  owner = await ownerOf(m);
  clerk = await clerkOf(m);
  // The item that the shop's other listings are copies of.
  const base = await resaleListing(m, { grade: 'good', publicNote: '元の出品' });
  await approveOk(owner, base.listing.id);
  // Two units of one item with two photos taken before grading: a photo changes both listings.
  const ret = await returnFor(m, [{ line_id: '1', quantity: 2, reason: 'too_small', resolution: 'refund' }]);
  await scanOk(clerk, ret.rma);
  photoItem = { rma: ret.rma, itemId: ret.items[0].item_id };
  await addPhoto(500);
  await addPhoto(600);
  await inspectOk(clerk, ret.rma, photoItem.itemId, { received_quantity: 2, grade: 'like_new', disposition: 'resale' });
  photoItem.listings = (await allListings(owner)).filter((l) => l.rma === ret.rma).map((l) => l.id).sort();
  for (const id of photoItem.listings) await approveOk(owner, id);
  // Copies of the base listing in SQL, as one change of the shop (a new version stamping them):
  // published ones over a few facet values, titles and prices, some sold, some waiting for
  // review — these in a category no published listing has.
  const copies = (status, from, count, category) => `
    INSERT INTO listings (merchant_id, return_id, return_item_id, unit, status, title, variant, sku,
      product_id, category, grade, condition_note, public_note, currency, original_price, suggested_price,
      price, created_at, published_at, sold_at)
    SELECT l.merchant_id, l.return_id, l.return_item_id, l.unit + ${from} + s.seq, '${status}',
      CONCAT(ELT(1 + s.seq % 4, 'Organic Tee', 'Cotton Cap', 'Rain Jacket', 'Linen tee'), ' #', s.seq),
      ELT(1 + s.seq % 5, 'Black / M', 'White / L', 'Red', '', 'Navy'), l.sku, l.product_id, ${category},
      ELT(1 + s.seq % 4, 'new', 'like_new', 'good', 'fair'), l.condition_note, CONCAT('メモ ', s.seq),
      l.currency, l.original_price, l.suggested_price, 1000 + (s.seq * 37) % 3000, l.created_at,
      ${status === 'pending_review' ? 'NULL' : 'l.published_at - INTERVAL s.seq MINUTE'},
      ${status === 'sold' ? 'l.published_at' : 'NULL'}
    FROM listings l JOIN seq_1_to_${count} s WHERE l.id = ${Number(base.listing.id)};`;
  sql(`BEGIN;
    ${copies('published', 0, PUBLISHED, "ELT(1 + seq % 3, 'tops', 'hats', '')")}
    ${copies('sold', PUBLISHED, SOLD, "'tops'")}
    ${copies('pending_review', PUBLISHED + SOLD, PENDING, "'bags'")}
    UPDATE shop_versions SET version = version + 1 WHERE merchant_id = ${mid};
    UPDATE listings SET shop_version = (SELECT version FROM shop_versions WHERE merchant_id = ${mid})
      WHERE merchant_id = ${mid};
    COMMIT;`);
  pending = sql(`SELECT id FROM listings WHERE merchant_id = ${mid} AND status = 'pending_review' ORDER BY id`)
    .map((r) => String(r[0]));
  published = sql(`SELECT id FROM listings WHERE merchant_id = ${mid} AND status = 'published'
    AND return_item_id <> ${Number(photoItem.itemId)} ORDER BY price DESC, id LIMIT 20`).map((r) => String(r[0]));
  assert.equal(pending.length, PENDING);
  const first = await shopListings(m.slug);
  assertStatus(first, 200);
  assert.equal(first.json.total, PUBLISHED + 3);
  assert.equal(lastBuild().kind, 'full read', 'the first snapshot is read whole');
});

test('after each change, the shop built from the snapshot before answers exactly as the shop read whole', async () => {
  // Published: one alone, two at once (in one second: newest first by id), one of a category
  // ("bags") no published listing had.
  await approveOk(owner, pending[0]);
  assertStatus(await bulkApprove(owner, [Number(pending[1]), Number(pending[2])]), 200);
  pending.slice(0, 3).forEach((id) => watched.add(id));
  let shop = await same('three published');
  assert.deepEqual(shop.newest.slice(0, 3).map((l) => String(l.id)), [pending[2], pending[1], pending[0]]);
  assert.ok(shop.facets.categories.some((f) => f.value === 'bags' && f.count === 3), JSON.stringify(shop.facets));

  // Sold: out of the shop, its sold count up.
  assertStatus(await markSold(m, published[0]), 200);
  assertStatus(await markSold(m, pending[0]), 200);
  published.slice(0, 1).forEach((id) => watched.add(id));
  shop = await same('two sold');
  assert.equal(shop.sold_count, SOLD + 2);

  // Held by a cart: shown with its hold's end.
  const held = await hold(published[1]);
  assertStatus(held, 200);
  watched.add(published[1]);
  shop = await same('one held');
  assert.ok(shop.newest.find((l) => String(l.id) === published[1]).held_until);

  // A new price (the most expensive becomes the cheapest) and a new title (found by "tee").
  assertStatus(await patch(published[2], { price: 500, confirm_low_price: true }), 200);
  assertStatus(await patch(published[3], { title: 'Vintage TEE, washed' }), 200);
  watched.add(published[2]).add(published[3]);
  shop = await same('a price and a title changed');
  assert.equal(String(shop.price[0].id), published[2]);
  assert.ok(shop.tee.some((l) => String(l.id) === published[3]));

  // A photo added to an item of two published units: both listings show it.
  await addPhoto(700);
  photoItem.listings.forEach((id) => watched.add(id));
  shop = await same('a photo added');
  for (const id of photoItem.listings) {
    assert.deepEqual(shop.newest.find((l) => l.id === id).photos.map((p) => p.width), [500, 600, 700]);
  }

  // The photos reordered through one listing: both show the new order.
  const ids = (await (await owner.api('GET', `/api/v1/merchant/listings/${photoItem.listings[0]}`)).json).photos
    .map((p) => p.id);
  assertStatus(await patch(photoItem.listings[0], { photo_order: [ids[2], ids[0], ids[1]] }), 200);
  shop = await same('the photos reordered');
  for (const id of photoItem.listings) {
    assert.deepEqual(shop.newest.find((l) => l.id === id).photos.map((p) => p.width), [700, 500, 600]);
  }

  // Withdrawn: the last "bags" listings leave, and with them the facet value.
  for (const id of [pending[1], pending[2]]) {
    assertStatus(await owner.api('POST', `/api/v1/merchant/listings/${id}/withdraw`, { body: {} }), 200);
  }
  shop = await same('withdrawn');
  assert.ok(!shop.facets.categories.some((f) => f.value === 'bags'), JSON.stringify(shop.facets));

  // The hold released.
  assertStatus(await api('DELETE', `/api/v1/merchants/${m.slug}/listings/${published[1]}/hold`,
    { token: m.key, body: { hold_id: held.json.hold_id } }), 204);
  shop = await same('hold released');
  assert.equal(shop.newest.find((l) => String(l.id) === published[1]).held_until, null);

  // A hold that runs out changes no version: the next snapshot, built for another change from
  // one that showed the hold, shows it ended, as a whole read would. A hold of three seconds (the
  // API's least is a minute), written as a hold is, with a new version stamping the listing.
  const brief = Number(published[4]);
  watched.add(published[4]);
  sql(`BEGIN;
    UPDATE shop_versions SET version = version + 1 WHERE merchant_id = ${mid};
    UPDATE listings SET hold_id = REPEAT('a', 32), held_until = CURRENT_TIMESTAMP + INTERVAL 3 SECOND,
      shop_version = (SELECT version FROM shop_versions WHERE merchant_id = ${mid}) WHERE id = ${brief};
    COMMIT;`);
  const heldBriefly = (await allShopListings(m.slug)).find((l) => l.id === brief);
  assert.notEqual(heldBriefly.held_until, null, 'the hold shows while it lasts');
  assert.equal(lastBuild().kind, 'delta');
  while (sql(`SELECT held_until < CURRENT_TIMESTAMP FROM listings WHERE id = ${brief}`)[0][0] !== '1') await pause(250);
  assertStatus(await markSold(m, published[5]), 200);
  shop = await same('a hold ran out, another sold');
  assert.equal(shop.newest.find((l) => l.id === brief).held_until, null);
});
