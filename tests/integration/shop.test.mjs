// The public resale shop and its CSV feed (published listings only, never a customer's data), and
// sales marked with the merchant key: exactly once, gone from the shop at once.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  FEED_HEADER, JP_ADDRESS, RFC3339_RE, SHOP_ITEM_KEYS, allShopListings, api, approveOk, assertProblem, assertStatus,
  bulkApprove, clerkOf, facetCounts, feedRecords, getListing, idSet, inspectOk, markSold, merchantListings,
  newMerchant, newWarehouse, ownerOf, pause, pick, rejectOk, resaleListing, returnFor, scanOk, shopFeed,
  shopListings, sql, sqlString, suffix,
} from './lib.mjs';

/** A warehouse note with what a customer's parcel revealed: it must never reach the public. */
const INTERNAL_NOTE = '倉庫メモ: 購入者の住所ラベル付きで届いた 東京都港区';

let wh;
let m; // JPY: the catalog below
let cat; // {published: {name: listing}, pending, rejected, sold, customer: {email, name, line1, rma, orderNumber}}

const QUOTED_TITLE = 'Kaeru Tee, "Vintage" edition';
const CAP_NOTE = 'つばに小さな汚れ, 1か所\n"内側"にほつれ';
const line = (line_id, name, variant, category, unit_price, quantity, product_id, sku) => ({
  line_id, sku, product_id, name, variant, category, quantity, unit_price, final_sale: false });

before(async () => {
  wh = newWarehouse();
  m = newMerchant({ currency: 'JPY', warehouse: wh });
  const owner = await ownerOf(m);
  const clerk = await clerkOf(m);
  const customer = { email: `secret-buyer-${suffix()}@example.jp`, name: `秘密 花子${suffix(2)}`,
    line1: `かえる通り${suffix(2)}-7-7` };
  const r = await returnFor(m, [
    { line_id: '1', quantity: 4, reason: 'too_small', resolution: 'refund' },
    { line_id: '2', quantity: 1, reason: 'too_large', resolution: 'refund' },
    { line_id: '3', quantity: 2, reason: 'changed_mind', resolution: 'store_credit' },
    { line_id: '4', quantity: 1, reason: 'not_as_described', resolution: 'refund' },
  ], { order: {
    email: customer.email,
    shipping_address: { ...JP_ADDRESS, name: customer.name, line1: customer.line1 },
    lines: [
      line('1', 'オーガニックTシャツ', 'Black / M', 'tops', 4900, 4, 'TEE', 'TEE-BLK-M'),
      line('2', 'Organic Cotton TEE', 'White / L', 'tops', 3900, 1, 'OCT', 'OCT-WHT-L'),
      line('3', 'コットンキャップ', 'Red', 'hats', 3300, 2, 'CAP', 'CAP-RED'),
      line('4', QUOTED_TITLE, 'Green / S', 'tops', 5000, 1, 'KVT', 'KVT-GRN-S'),
    ],
  } });
  await scanOk(clerk, r.rma);
  const bodies = [
    // note is the warehouse's own (never public); public_note is what shoppers read.
    { received_quantity: 4, grade: 'like_new', disposition: 'resale', note: INTERNAL_NOTE, public_note: 'タグ付き' },
    { received_quantity: 1, grade: 'new', disposition: 'resale' },
    { received_quantity: 2, grade: 'good', disposition: 'resale', note: INTERNAL_NOTE, public_note: CAP_NOTE },
    { received_quantity: 1, grade: 'fair', disposition: 'resale', public_note: '色あせ' },
  ];
  for (let i = 0; i < bodies.length; i++) await inspectOk(clerk, r.rma, r.items[i].item_id, bodies[i]);
  const mine = (await merchantListings(owner, { status: 'pending_review' })).json.items
    .sort((x, y) => Number(x.id) - Number(y.id));
  const of = (sku) => mine.filter((l) => l.sku === sku);
  const [teeA, teeB, teeC, teeD] = of('TEE-BLK-M');
  const [oct] = of('OCT-WHT-L');
  const [capA, capB] = of('CAP-RED');
  const [kvt] = of('KVT-GRN-S');
  assert.ok(teeD && oct && capB && kvt, `eight listings made: ${JSON.stringify(mine.map((l) => l.sku))}`);

  const published = {
    teeA: await approveOk(owner, teeA.id), // 3670
    teeB: await approveOk(owner, teeB.id, { price: 3000 }),
    oct: await approveOk(owner, oct.id), // 3900 × 90 % = 3510
    capA: await approveOk(owner, capA.id), // 3300 × 60 % = 1980
  };
  const sold = await approveOk(owner, teeD.id, { price: 2500 });
  assertStatus(await markSold(m, sold.id), 200);
  const rejected = await rejectOk(owner, capB.id, '汚れが目立つ');
  await pause(1100); // the newest of all
  published.kvt = await approveOk(owner, kvt.id); // 5000 × 40 % = 2000
  cat = { published, pending: teeC, rejected, sold,
    customer: { ...customer, rma: r.rma, orderNumber: r.order.orderNumber } };
});

const pubIds = () => idSet(Object.values(cat.published).map((l) => l.id));
const idsOf = (items) => items.map((x) => String(x.id));
const shopOk = async (query, slug = m.slug) => {
  const res = await shopListings(slug, query);
  assertStatus(res, 200);
  return res.json;
};

// ---------------------------------------------------------------------------------------------
// Listings

test('the shop shows published listings only, with the merchant and what a shopper needs', async () => {
  const s = await shopOk();
  assert.deepEqual(pick(s.merchant, ['slug', 'name', 'currency']), { slug: m.slug, name: m.name, currency: 'JPY' });
  assert.deepEqual(pick(s, ['page', 'per_page', 'total']), { page: 1, per_page: 24, total: 5 });
  assert.deepEqual(idSet(idsOf(s.items)), pubIds());
  for (const gone of [cat.pending, cat.rejected, cat.sold]) {
    assert.ok(!idsOf(s.items).includes(String(gone.id)), `${gone.status} listing ${gone.id} is not in the shop`);
  }
  const tee = s.items.find((x) => String(x.id) === String(cat.published.teeB.id));
  for (const k of SHOP_ITEM_KEYS) assert.ok(k in tee, `shop item member ${k}`);
  assert.deepEqual(pick(tee, ['title', 'variant', 'grade', 'category', 'condition_note', 'price', 'original_price',
    'currency']), { title: 'オーガニックTシャツ', variant: 'Black / M', grade: 'like_new', category: 'tops',
    condition_note: 'タグ付き', price: 3000, original_price: 4900, currency: 'JPY' });
  assert.match(tee.published_at, RFC3339_RE);
  const cap = s.items.find((x) => String(x.id) === String(cat.published.capA.id));
  assert.deepEqual(pick(cap, ['price', 'condition_note']), { price: 1980, condition_note: CAP_NOTE });
});

test('filters by grade, variant and category match exactly', async () => {
  const p = cat.published;
  const cases = [
    [{ grade: 'like_new' }, [p.teeA, p.teeB]],
    [{ grade: 'new' }, [p.oct]],
    [{ grade: 'good' }, [p.capA]], // the rejected cap is not for sale
    [{ grade: 'fair' }, [p.kvt]],
    [{ variant: 'Black / M' }, [p.teeA, p.teeB]],
    [{ variant: 'Black' }, []],
    [{ category: 'hats' }, [p.capA]],
    [{ category: 'tops' }, [p.teeA, p.teeB, p.oct, p.kvt]],
    [{ category: 'tops', grade: 'fair' }, [p.kvt]],
    [{ category: 'shoes' }, []],
  ];
  for (const [query, expected] of cases) {
    const s = await shopOk(query);
    assert.deepEqual(idSet(idsOf(s.items)), idSet(expected.map((l) => l.id)), JSON.stringify(query));
    assert.equal(s.total, expected.length, JSON.stringify(query));
  }
});

test('q searches titles, case-insensitively, in Japanese too', async () => {
  const p = cat.published;
  const cases = [
    ['シャツ', [p.teeA, p.teeB]],
    ['tシャツ', [p.teeA, p.teeB]],
    ['オーガニック', [p.teeA, p.teeB]],
    ['cotton tee', [p.oct]],
    ['TEE', [p.oct, p.kvt]],
    ['"vintage"', [p.kvt]],
    ['キャップ', [p.capA]],
    ['ジャケット', []],
    ['%', []],
    ['_', []],
  ];
  for (const [q, expected] of cases) {
    const s = await shopOk({ q });
    assert.deepEqual(idSet(idsOf(s.items)), idSet(expected.map((l) => l.id)), `q=${q}`);
  }
});

test('sort by price, by price descending and newest first (the default)', async () => {
  const prices = (s) => s.items.map((x) => x.price);
  assert.deepEqual(prices(await shopOk({ sort: 'price' })), [1980, 2000, 3000, 3510, 3670]);
  assert.deepEqual(prices(await shopOk({ sort: '-price' })), [3670, 3510, 3000, 2000, 1980]);
  for (const s of [await shopOk({ sort: 'newest' }), await shopOk()]) {
    assert.equal(String(s.items[0].id), String(cat.published.kvt.id), 'the last published comes first');
    const times = s.items.map((x) => Date.parse(x.published_at));
    assert.deepEqual(times, [...times].sort((x, y) => y - x), 'published_at never increases down the list');
  }
  assert.deepEqual(prices(await shopOk({ sort: 'price', category: 'tops' })), [2000, 3000, 3510, 3670]);
});

test('filters, a title search and a sort together agree with the whole shop filtered, asked twice', async () => {
  const all = (await shopOk()).items;
  const price = (x) => x.price;
  const cases = [
    [{ category: 'tops', q: 'tee', sort: '-price' }, (x) => x.category === 'tops' && /tee/i.test(x.title)],
    [{ grade: 'like_new', variant: 'Black / M', sort: 'price' }, (x) => x.grade === 'like_new' && x.variant === 'Black / M'],
    [{ category: 'tops', grade: 'fair' }, (x) => x.category === 'tops' && x.grade === 'fair'],
    [{ q: 'シャツ', sort: 'price' }, (x) => x.title.includes('シャツ')],
    [{ variant: 'Red', category: 'tops' }, () => false],
  ];
  for (const [query, keep] of cases) {
    let expected = all.filter(keep);
    if (query.sort === 'price') expected = [...expected].sort((a, b) => price(a) - price(b) || a.id - b.id);
    if (query.sort === '-price') expected = [...expected].sort((a, b) => price(b) - price(a) || b.id - a.id);
    for (const round of [1, 2]) { // the second is answered from the kept matches
      const s = await shopOk(query);
      assert.deepEqual(idsOf(s.items), idsOf(expected), `${JSON.stringify(query)}, round ${round}`);
      assert.equal(s.total, expected.length, JSON.stringify(query));
    }
  }
});

test('bad sort or grade is 422 naming it; an unknown shop is 404', async () => {
  assertProblem(await shopListings(m.slug, { sort: 'cheapest' }), 422, 'sort');
  assertProblem(await shopListings(m.slug, { sort: 'price desc' }), 422, 'sort');
  assertProblem(await shopListings(m.slug, { grade: 'mint' }), 422, 'grade');
  assertProblem(await shopListings(`no-such-${suffix()}`), 404);
  assertProblem(await shopFeed(`no-such-${suffix()}`), 404);
});

test('facets count the published listings by grade, variant and category', async () => {
  const s = await shopOk();
  assert.deepEqual(facetCounts(s.facets.grades), { like_new: 2, new: 1, good: 1, fair: 1 });
  assert.deepEqual(facetCounts(s.facets.variants), { 'Black / M': 2, 'White / L': 1, Red: 1, 'Green / S': 1 });
  assert.deepEqual(facetCounts(s.facets.categories), { tops: 4, hats: 1 });
});

test('the shop pages by 24', async () => {
  const big = newMerchant({ currency: 'JPY', warehouse: wh });
  const owner = await ownerOf(big);
  const { listings } = await resaleListing(big, { quantity: 30, grade: 'good',
    order: { lines: [line('1', 'オーガニックTシャツ', 'Black / M', 'tops', 4900, 30, 'TEE', 'TEE-BLK-M')] } });
  assert.equal(listings.length, 30);
  const res = await bulkApprove(owner, listings.map((l) => l.id));
  assertStatus(res, 200);
  assert.equal(res.json.approved.length, 30);
  const pages = [];
  for (const page of [1, 2, 3]) {
    const s = await shopOk({ page }, big.slug);
    assert.deepEqual(pick(s, ['page', 'per_page', 'total']), { page, per_page: 24, total: 30 });
    pages.push(idsOf(s.items));
  }
  assert.deepEqual(pages.map((p) => p.length), [24, 6, 0]);
  // a title search pages the same way, its second page read off the matches the first kept
  const found = [];
  for (const page of [1, 2, 1]) {
    const s = await shopOk({ q: 'シャツ', page }, big.slug);
    assert.equal(s.total, 30);
    found.push(idsOf(s.items));
  }
  assert.deepEqual(found[0], pages[0], 'a search matching all pages like the shop');
  assert.deepEqual(found[1], pages[1]);
  assert.deepEqual(found[2], found[0], 'page 1 again, the same');
  assert.deepEqual(idSet([...pages[0], ...pages[1]]), idSet(listings.map((l) => l.id)));
  assert.equal((await allShopListings(big.slug)).length, 30);
  assert.deepEqual(facetCounts((await shopOk({ page: 2 }, big.slug)).facets.grades), { good: 30 });
});

test('nothing of the customer reaches the shop or the feed', async () => {
  const c = cat.customer;
  const secrets = [c.email, c.name, c.name.split(' ')[0], c.line1, c.rma, c.rma.replace('-', ''), c.orderNumber,
    JP_ADDRESS.postal_code, JP_ADDRESS.phone];
  const answers = [
    await shopListings(m.slug), await shopListings(m.slug, { q: 'シャツ' }), await shopListings(m.slug, { sort: 'price' }),
    await shopListings(m.slug, { grade: 'good' }), await shopFeed(m.slug),
  ];
  for (const res of answers) {
    assertStatus(res, 200);
    for (const secret of secrets) {
      assert.ok(!res.text.includes(secret), `${secret} must not appear in ${res.text.slice(0, 300)}`);
    }
  }
  for (const item of answers[0].json.items) {
    for (const k of ['rma', 'order_number', 'email', 'customer_name', 'shipping_address', 'reject_reason']) {
      assert.ok(!(k in item), `no ${k} in a shop item`);
    }
  }
});

test('a listing approved with the merchant\'s own title and price is found by that title', async () => {
  const seller = newMerchant({ currency: 'JPY', warehouse: wh });
  const { listing } = await resaleListing(seller, { grade: 'good', note: '棚B2 検品者メモ', publicNote: '首回りに少し伸び' });
  const title = 'オーガニックTシャツ 黒 Mサイズ（ユーズド）';
  await approveOk(await ownerOf(seller), listing.id, { title, price: 2500 });
  const s = await shopOk({ q: 'ユーズド' }, seller.slug);
  assert.deepEqual(s.items.map((x) => pick(x, ['id', 'title', 'price', 'original_price', 'grade', 'condition_note'])),
    [{ id: listing.id, title, price: 2500, original_price: 4900, grade: 'good', condition_note: '首回りに少し伸び' }]);
  const { records } = feedRecords((await shopFeed(seller.slug)).text);
  assert.deepEqual(records.map((r) => [r.title, r.sale_price]), [[title, '2500 JPY']]);
});

// ---------------------------------------------------------------------------------------------
// CSV feed

test('feed.csv: one row per published listing, prices with the currency, RFC 4180 quoting', async () => {
  const res = await shopFeed(m.slug);
  assertStatus(res, 200);
  assert.match(res.headers['content-type'] || '', /^text\/csv;\s*charset=utf-8$/i);
  assert.ok(res.text.startsWith(`${FEED_HEADER.join(',')}\r\n`), `the header row, exactly, ending in CRLF: ${JSON.stringify(res.text.slice(0, 200))}`);
  const { header, records } = feedRecords(res.text);
  assert.deepEqual(header, FEED_HEADER);
  assert.deepEqual(idSet(records.map((r) => r.id)), pubIds(), 'published listings only, once each');
  const row = (l) => records.find((r) => r.id === String(l.id));
  const p = cat.published;
  const expect = [
    [p.teeA, 'オーガニックTシャツ', 'used', '4900 JPY', '3670 JPY', 'like_new'],
    [p.teeB, 'オーガニックTシャツ', 'used', '4900 JPY', '3000 JPY', 'like_new'],
    [p.oct, 'Organic Cotton TEE', 'new', '3900 JPY', '3510 JPY', 'new'],
    [p.capA, 'コットンキャップ', 'used', '3300 JPY', '1980 JPY', 'good'],
    [p.kvt, QUOTED_TITLE, 'used', '5000 JPY', '2000 JPY', 'fair'],
  ];
  for (const [l, title, condition, price, salePrice, grade] of expect) {
    const r = row(l);
    assert.deepEqual(pick(r, ['title', 'condition', 'price', 'sale_price', 'availability', 'grade']),
      { title, condition, price, sale_price: salePrice, availability: 'in stock', grade }, `row of ${l.id}`);
    // What a marketplace groups and filters by: the brand, the product, its size and type, and the note.
    assert.deepEqual(pick(r, ['description', 'brand', 'item_group_id', 'size', 'product_type']),
      { description: l.public_note, brand: m.name, item_group_id: l.product_id, size: l.variant,
        product_type: l.category }, `row of ${l.id}`);
    assert.match(r.link, /^https?:\/\/[^/]+/, 'an absolute link');
    assert.ok(r.link.endsWith(`/shop/${m.slug}/items/${l.id}`), `link is the item page: ${r.link}`);
    assert.equal(r.image_link, '', 'no photo: no image link');
  }
  assert.ok(res.text.includes('"Kaeru Tee, ""Vintage"" edition"'), 'comma and quotes are quoted and doubled');
  for (const gone of [cat.pending, cat.rejected, cat.sold]) assert.equal(row(gone), undefined);
});

test('feed.csv in USD writes dollars and cents ("129.99 USD", "97.00 USD", "0.05 USD")', async () => {
  const us = newMerchant({ currency: 'USD', warehouse: wh });
  const owner = await ownerOf(us);
  const { listings } = await resaleListing(us, { quantity: 1, grade: 'like_new' });
  const cheap = await resaleListing(us, { grade: 'fair' });
  await approveOk(owner, listings[0].id);
  await approveOk(owner, cheap.listing.id, { price: 5 });
  const res = await shopFeed(us.slug);
  assertStatus(res, 200);
  const { records } = feedRecords(res.text);
  const row = (id) => records.find((r) => r.id === String(id));
  assert.deepEqual(pick(row(listings[0].id), ['title', 'condition', 'price', 'sale_price']),
    { title: 'Rain Jacket', condition: 'used', price: '129.99 USD', sale_price: '97.00 USD' });
  assert.deepEqual(pick(row(cheap.listing.id), ['price', 'sale_price']), { price: '129.99 USD', sale_price: '0.05 USD' });
  assert.equal(records.length, 2);
  const s = await shopOk({}, us.slug);
  assert.deepEqual(pick(s.merchant, ['slug', 'currency']), { slug: us.slug, currency: 'USD' });
  assert.deepEqual(s.items.map((x) => [x.price, x.original_price, x.currency]).sort(),
    [[5, 12999, 'USD'], [9700, 12999, 'USD']]);
});

test('feed.csv of a shop of 2,500 listings (a body of megabytes, streamed) is whole: every listing once, newest first, as the shop shows it', async () => {
  const big = newMerchant({ currency: 'JPY', warehouse: wh });
  const owner = await ownerOf(big);
  const { listing } = await resaleListing(big, { grade: 'good', publicNote: '元の出品' });
  await approveOk(owner, listing.id);
  // Copies of the one listing made through the API: titles that need quoting now and then,
  // public notes of up to 1.2 KB with line breaks, so that rows and quoted fields fall across
  // the stream's buffers. A new shop version makes the shop read them.
  sql(`INSERT INTO listings (merchant_id, return_id, return_item_id, unit, status, title, variant, sku,
         product_id, category, grade, condition_note, public_note, currency, original_price, suggested_price,
         price, created_at, published_at)
       SELECT l.merchant_id, l.return_id, l.return_item_id, l.unit + s.seq, 'published',
         CONCAT(l.title, ' #', s.seq, IF(s.seq % 7 = 0, ', "Vintage" edition', '')), l.variant, l.sku,
         l.product_id, l.category, l.grade, l.condition_note,
         CONCAT(REPEAT('かえる', s.seq % 137), IF(s.seq % 5 = 0, '\r\n2行目, "引用"', '')), l.currency,
         l.original_price, l.suggested_price, l.price + s.seq, l.created_at, l.published_at + INTERVAL s.seq SECOND
       FROM listings l JOIN seq_1_to_2499 s WHERE l.id = ${Number(listing.id)};
       UPDATE shop_versions SET version = version + 1
       WHERE merchant_id = (SELECT id FROM merchants WHERE slug = ${sqlString(big.slug)})`);
  const res = await shopFeed(big.slug);
  assertStatus(res, 200);
  assert.equal(res.headers['content-length'], undefined, 'streamed: its length is not known before its last row');
  assert.ok(Buffer.byteLength(res.text) > 1_000_000, `a body of megabytes: ${Buffer.byteLength(res.text)} bytes`);
  assert.ok(res.text.endsWith('\r\n'), 'the last record is whole');
  const { header, records } = feedRecords(res.text);
  assert.deepEqual(header, FEED_HEADER);
  const shown = await allShopListings(big.slug);
  assert.equal(shown.length, 2500);
  assert.deepEqual(records.map((r) => r.id), shown.map((l) => String(l.id)), 'every listing once, in the shop\'s order');
  for (let i = 0; i < shown.length; i++) {
    const l = shown[i];
    assert.deepEqual(pick(records[i], ['title', 'description', 'sale_price', 'grade']),
      { title: l.title, description: l.condition_note, sale_price: `${l.price} JPY`, grade: l.grade }, `row ${i}`);
  }
  assert.ok(res.text.includes(`"${shown.find((l) => l.title.endsWith('edition')).title.replaceAll('"', '""')}"`),
    'a title with a comma and quotes, quoted and doubled');
});

test('a shop with nothing published answers an empty list and a feed of just the header', async () => {
  const quiet = newMerchant({ currency: 'JPY', warehouse: wh });
  await resaleListing(quiet, { grade: 'good' }); // pending only
  const s = await shopOk({}, quiet.slug);
  assert.deepEqual(pick(s, ['items', 'total', 'page', 'per_page']), { items: [], total: 0, page: 1, per_page: 24 });
  const res = await shopFeed(quiet.slug);
  assertStatus(res, 200);
  const { header, records } = feedRecords(res.text);
  assert.deepEqual(header, FEED_HEADER);
  assert.deepEqual(records, []);
});

test('a listing is in the shop as soon as it is approved, also right after the shop was read', async () => {
  const seller = newMerchant({ currency: 'JPY', warehouse: wh });
  const owner = await ownerOf(seller);
  const { listings } = await resaleListing(seller, { quantity: 4, grade: 'good',
    order: { lines: [line('1', 'オーガニックTシャツ', 'Black / M', 'tops', 4900, 4, 'TEE', 'TEE-BLK-M')] } });
  const [first, second, ...rest] = listings;
  await approveOk(owner, first.id);
  for (let i = 0; i < 3; i++) assert.equal((await shopOk({}, seller.slug)).total, 1); // read, read again
  await approveOk(owner, second.id, { price: 1234 });
  let s = await shopOk({ sort: 'price' }, seller.slug);
  assert.deepEqual(s.items.map((x) => [String(x.id), x.price]), [[String(second.id), 1234], [String(first.id), 2940]]);
  assert.deepEqual(facetCounts(s.facets.grades), { good: 2 });
  assertStatus(await bulkApprove(owner, rest.map((l) => l.id)), 200);
  s = await shopOk({}, seller.slug);
  assert.equal(s.total, 4, 'a bulk approval shows at once too');
  assert.deepEqual(idSet(idsOf(s.items)), idSet(listings.map((l) => l.id)));
  assert.equal(feedRecords((await shopFeed(seller.slug)).text).records.length, 4);
});

// ---------------------------------------------------------------------------------------------
// Sales

test('marking a listing sold: 200 once, then 409; it leaves the shop and the feed at once', async () => {
  const seller = newMerchant({ currency: 'JPY', warehouse: wh });
  const owner = await ownerOf(seller);
  const { listings } = await resaleListing(seller, { quantity: 2, grade: 'like_new' });
  const [l, keep] = listings;
  await approveOk(owner, l.id);
  await approveOk(owner, keep.id);
  assert.equal((await shopOk({}, seller.slug)).total, 2);
  assert.equal((await shopOk({}, seller.slug)).sold_count, 0, 'nothing sold yet');

  const res = await markSold(seller, l.id);
  assertStatus(res, 200);
  assert.deepEqual(pick(res.json, ['id', 'status', 'price']), { id: l.id, status: 'sold', price: 3670 });
  assert.match(res.json.sold_at, RFC3339_RE);
  assertProblem(await markSold(seller, l.id), 409);

  const s = await shopOk({}, seller.slug);
  assert.deepEqual(idsOf(s.items), [String(keep.id)], 'only the unsold listing is for sale');
  assert.equal(s.total, 1);
  assert.equal(s.sold_count, 1, 'the shop counts the item that found a new owner');
  assert.deepEqual(facetCounts(s.facets.grades), { like_new: 1 });
  const { records } = feedRecords((await shopFeed(seller.slug)).text);
  assert.deepEqual(records.map((r) => r.id), [String(keep.id)]);
  const seen = (await getListing(owner, l.id)).json;
  assert.deepEqual(pick(seen, ['status', 'sold_at']), { status: 'sold', sold_at: res.json.sold_at });
  assert.deepEqual((await merchantListings(owner, { status: 'sold' })).json.items.map((x) => String(x.id)), [String(l.id)]);
});

test('only a published listing can be sold (409 for pending and rejected)', async () => {
  const seller = newMerchant({ currency: 'JPY', warehouse: wh });
  const owner = await ownerOf(seller);
  const { listings } = await resaleListing(seller, { quantity: 2, grade: 'good' });
  const [pending, rejected] = listings;
  await rejectOk(owner, rejected.id);
  assertProblem(await markSold(seller, pending.id), 409);
  assertProblem(await markSold(seller, rejected.id), 409);
  assert.equal((await getListing(owner, pending.id)).json.status, 'pending_review');
  assert.equal((await getListing(owner, rejected.id)).json.status, 'rejected');
});

test('of 10 racing sold calls exactly one succeeds; the rest are 409', async () => {
  const seller = newMerchant({ currency: 'JPY', warehouse: wh });
  const owner = await ownerOf(seller);
  const { listing } = await resaleListing(seller, { grade: 'new' });
  await approveOk(owner, listing.id);
  const answers = await Promise.all(Array.from({ length: 10 }, () => markSold(seller, listing.id)));
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 409, 409, 409, 409, 409, 409, 409, 409, 409], answers.map((r) => r.text).join('\n'));
  for (const r of answers.filter((x) => x.status === 409)) assertProblem(r, 409);
  const seen = (await getListing(owner, listing.id)).json;
  assert.equal(seen.status, 'sold');
  assert.equal((await shopOk({}, seller.slug)).total, 0);
});

test('the sold call needs the merchant\'s own key, slug and listing (401 without a key, else 404)', async () => {
  const seller = newMerchant({ currency: 'JPY', warehouse: wh });
  const rival = newMerchant({ currency: 'JPY', warehouse: wh });
  const owner = await ownerOf(seller);
  const { listing } = await resaleListing(seller, { grade: 'like_new' });
  await approveOk(owner, listing.id);
  const { listing: theirs } = await resaleListing(rival, { grade: 'like_new' });
  await approveOk(await ownerOf(rival), theirs.id);

  const path = `/api/v1/merchants/${seller.slug}/listings/${listing.id}/sold`;
  assertProblem(await api('POST', path, { body: {} }), 401);
  assertProblem(await api('POST', path, { body: {}, token: 'not-a-key' }), 401);
  // The rival's key on the seller's slug, and on its own slug with the seller's listing.
  assertProblem(await markSold(seller, listing.id, { token: rival.key }), 404);
  assertProblem(await markSold(rival, listing.id), 404);
  // The seller's key on the rival's slug, even for the rival's own listing.
  assertProblem(await markSold(rival, theirs.id, { token: seller.key }), 404);
  assertProblem(await markSold(seller, 999999999), 404);
  // A merchant session is not the storefront's credential.
  assertProblem(await owner.api('POST', path, { body: {} }), 401);

  assert.equal((await getListing(owner, listing.id)).json.status, 'published');
  assert.equal((await getListing(await ownerOf(rival), theirs.id)).json.status, 'published');
  assert.equal((await shopOk({}, seller.slug)).total, 1);
  assertStatus(await markSold(seller, listing.id), 200);
});

test('the inspection\'s internal note never reaches the shop or the feed; the merchant sees both notes', async () => {
  const shopJson = JSON.stringify(await allShopListings(m.slug));
  assert.ok(!shopJson.includes('倉庫メモ'), 'no internal note in the shop');
  const feed = await shopFeed(m.slug);
  assert.ok(!feed.text.includes('倉庫メモ'), 'no internal note in the feed');
  const owner = await ownerOf(m);
  const teeA = (await getListing(owner, cat.published.teeA.id)).json;
  assert.equal(teeA.condition_note, INTERNAL_NOTE, 'the merchant sees the internal note');
  assert.equal(teeA.public_note, 'タグ付き', 'and the public one');
});
