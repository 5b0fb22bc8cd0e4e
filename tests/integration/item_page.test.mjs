// The item page /shop/{merchant}/items/{id}: HTML rendered by kaeru-fcgi that parses cleanly, with
// the title, canonical URL, Open Graph / Twitter card tags (absolute og:image) and a JSON-LD Product
// whose Offer has the right price, currency, condition and availability — in JPY and USD; a sold
// item's page stays and says sold; the feed links to it with its photos.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  api, approveOk, assertStatus, clerkOf, feedRecords, inspectOk, markSold, newMerchant, newWarehouse, ownerOf,
  returnFor, scanOk, scratchDir, shopFeed, shopListings, sql,
} from './lib.mjs';

let wh;
let scratch;
before(() => {
  wh = newWarehouse();
  scratch = scratchDir();
});

// Parses HTML with Python's html.parser: elements must nest and close (void elements aside), and
// the head's facts come back as JSON.
const PARSE = `
import html.parser, json, sys
VOID = {'area','base','br','col','embed','hr','img','input','link','meta','source','track','wbr'}
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(convert_charrefs=True)
        s.stack, s.errors, s.meta, s.ld, s.title, s.canonical, s.ids, s.text = [], [], {}, [], None, None, {}, []
        s.in_title = s.in_ld = False
    def handle_starttag(s, tag, attrs):
        a = dict(attrs)
        if 'id' in a:
            if a['id'] in s.ids: s.errors.append('duplicate id ' + a['id'])
            s.ids[a['id']] = tag
        if tag == 'meta' and ('property' in a or 'name' in a):
            s.meta.setdefault(a.get('property') or a.get('name'), a.get('content'))
        if tag == 'link' and a.get('rel') == 'canonical': s.canonical = a.get('href')
        if tag == 'title': s.in_title = True; s.title = ''
        if tag == 'script' and a.get('type') == 'application/ld+json': s.in_ld = True; s.ld.append('')
        if tag not in VOID: s.stack.append(tag)
    def handle_startendtag(s, tag, attrs): s.handle_starttag(tag, attrs); 
    def handle_endtag(s, tag):
        if tag in VOID: return
        if not s.stack or s.stack[-1] != tag:
            s.errors.append('unexpected </%s> with open %s' % (tag, s.stack[-3:])); return
        s.stack.pop()
        if tag == 'title': s.in_title = False
        if tag == 'script': s.in_ld = False
    def handle_data(s, d):
        if s.in_title: s.title += d
        elif s.in_ld: s.ld[-1] += d
        else: s.text.append(d)
p = P(); p.feed(sys.stdin.read()); p.close()
if p.stack: p.errors.append('unclosed ' + str(p.stack))
print(json.dumps({'errors': p.errors, 'meta': p.meta, 'ld': [json.loads(x) for x in p.ld], 'title': p.title,
  'canonical': p.canonical, 'ids': p.ids, 'text': ' '.join(' '.join(p.text).split())}))
`;
function parseHtml(html) {
  return JSON.parse(execFileSync('python3', ['-c', PARSE], { input: html, encoding: 'utf8' }));
}

function jpeg(width, height) {
  const path = join(scratch.dir, `p-${randomBytes(4).toString('hex')}.jpg`);
  execFileSync('vips', ['gaussnoise', path, String(width), String(height)]);
  return readFileSync(path);
}

/** A published listing of merchant m with two warehouse photos and a public note; {listing, photos, ret}. */
async function publishedWithPhotos(m, { price, grade = 'like_new', publicNote = '試着のみ <b>タグ付き</b>' } = {}) {
  const clerk = await clerkOf(m);
  const line = m.currency === 'USD' ? 'A1' : '1';
  const ret = await returnFor(m, [{ line_id: line, quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  await scanOk(clerk, ret.rma);
  const itemId = ret.items[0].item_id;
  const photos = [];
  for (const [w, h] of [[1000, 1300], [900, 600]]) {
    const res = await clerk.api('POST', `/api/v1/returns/${ret.rma}/items/${itemId}/photos`,
      { body: jpeg(w, h), headers: { 'content-type': 'image/jpeg' } });
    assertStatus(res, 201);
    photos.push(res.json);
  }
  await inspectOk(clerk, ret.rma, itemId, { received_quantity: 1, grade, disposition: 'resale', note: '社内メモ 棚C', public_note: publicNote });
  const owner = await ownerOf(m);
  const pending = (await owner.api('GET', '/api/v1/merchant/listings?status=pending_review')).json.items
    .filter((l) => l.rma === ret.rma);
  assert.equal(pending.length, 1);
  assert.deepEqual(pending[0].photos.map((p) => p.url), photos.map((p) => p.url), 'the item\'s photos travel into its listing');
  const listing = await approveOk(owner, pending[0].id, price === undefined ? {} : { price });
  return { listing, photos, ret };
}

function page(m, id, headers = {}) {
  return api('GET', `/shop/${m.slug}/items/${id}`, { headers });
}

test('a JPY item page: well-formed HTML with title, canonical, Open Graph, Twitter card and JSON-LD Product', async () => {
  const m = await newMerchant({ warehouse: wh });
  const { listing, photos } = await publishedWithPhotos(m, { price: 3500 });
  const res = await page(m, listing.id);
  assertStatus(res, 200);
  assert.match(res.headers['content-type'], /^text\/html; charset=utf-8$/);
  const doc = parseHtml(res.text);
  assert.deepEqual(doc.errors, [], 'the page parses cleanly');
  const url = doc.canonical;
  assert.match(url, new RegExp(`^https?://[^/]+/shop/${m.slug}/items/${listing.id}$`), 'an absolute canonical URL');
  assert.ok(doc.title.includes('オーガニックTシャツ') && doc.title.includes(m.name), doc.title);
  assert.ok(doc.meta.description.includes('¥3,500'), doc.meta.description);
  assert.equal(doc.meta['og:type'], 'product');
  assert.equal(doc.meta['og:url'], url);
  assert.equal(doc.meta['og:title'], 'オーガニックTシャツ — Black / M');
  assert.equal(doc.meta['product:price:amount'], '3500');
  assert.equal(doc.meta['product:price:currency'], 'JPY');
  assert.equal(doc.meta['twitter:card'], 'summary_large_image');
  const ogImage = doc.meta['og:image'];
  assert.match(ogImage, /^https?:\/\/[^/]+\/media\/[0-9a-f]{64}-1000\.jpg$/, 'og:image is absolute, the first photo');
  assert.ok(ogImage.endsWith(photos[0].url));
  const img = await fetch(ogImage.replace(/^https?:\/\/[^/]+/, process.env.KAERU_URL || 'http://127.0.0.1:8080'));
  assert.equal(img.status, 200, 'og:image is served');
  assert.equal(doc.ld.length, 1);
  const ld = doc.ld[0];
  assert.equal(ld['@type'], 'Product');
  assert.equal(ld.name, 'オーガニックTシャツ — Black / M');
  assert.equal(ld.image.length, 2);
  assert.deepEqual(ld.offers, {
    '@type': 'Offer', url, price: '3500', priceCurrency: 'JPY', itemCondition: 'https://schema.org/UsedCondition',
    availability: 'https://schema.org/InStock', seller: { '@type': 'Organization', name: m.name },
  });
  // What a shopper reads: grade in plain words, the public note (escaped, never the internal one),
  // the price beside the original and the saving, where and when it was inspected, shipping.
  assert.ok(doc.text.includes('Like new') && doc.text.includes('no visible wear'), doc.text);
  assert.ok(doc.text.includes('試着のみ <b>タグ付き</b>'), 'the public note, as text');
  assert.ok(!res.text.includes('<b>タグ付き</b>'), 'markup in a note is escaped');
  assert.ok(!res.text.includes('社内メモ'), 'the internal note never');
  assert.ok(doc.text.includes('¥3,500') && doc.text.includes('¥4,900') && doc.text.includes('You save ¥1,400 (28%)'), doc.text);
  assert.ok(/Inspected by hand at .+ on \d{4}-\d\d-\d\d\./.test(doc.text), doc.text);
  for (const id of ['share-copy', 'item-photos', 'item-title', 'item-price', 'item-grade']) assert.ok(doc.ids[id], `#${id}`);
  for (const host of ['social-plugins.line.me', 'twitter.com/intent/tweet', 'facebook.com/sharer']) {
    assert.ok(res.text.includes(host), `a ${host} share link`);
  }
  assert.ok(res.text.includes(encodeURIComponent(url)), 'share links carry the page URL');
});

test('a USD item page: decimal price, USD, New condition; Japanese when asked', async () => {
  const m = await newMerchant({ warehouse: wh, currency: 'USD' });
  const { listing } = await publishedWithPhotos(m, { grade: 'new', price: 1999, publicNote: 'Sealed' });
  const doc = parseHtml((await page(m, listing.id)).text);
  assert.deepEqual(doc.errors, []);
  assert.equal(doc.meta['product:price:amount'], '19.99');
  assert.equal(doc.meta['product:price:currency'], 'USD');
  assert.equal(doc.ld[0].offers.price, '19.99');
  assert.equal(doc.ld[0].offers.priceCurrency, 'USD');
  assert.equal(doc.ld[0].offers.itemCondition, 'https://schema.org/NewCondition');
  assert.ok(doc.text.includes('$19.99'), doc.text);
  const ja = parseHtml((await page(m, listing.id, { 'accept-language': 'ja,en;q=0.5' })).text);
  assert.deepEqual(ja.errors, []);
  assert.ok(ja.text.includes('新品'), ja.text);
});

test('a sold item\'s page stays and says sold; unknown, pending and other shops\' items are 404', async () => {
  const m = await newMerchant({ warehouse: wh });
  const { listing } = await publishedWithPhotos(m);
  assertStatus(await markSold(m, listing.id), 200);
  const res = await page(m, listing.id);
  assertStatus(res, 200);
  const doc = parseHtml(res.text);
  assert.ok(doc.ids['item-sold'], 'a sold notice');
  assert.equal(doc.ld[0].offers.availability, 'https://schema.org/SoldOut');
  assert.equal((await page(m, 99999999)).status, 404);
  const other = await newMerchant({ warehouse: wh });
  assert.equal((await page(other, listing.id)).status, 404, 'another shop does not show it');
  assert.equal((await api('GET', `/shop/no-such-shop-${randomBytes(3).toString('hex')}/items/1`)).status, 404);
});

test('shop listings and the feed carry the photos; the feed links to the item page', async () => {
  const m = await newMerchant({ warehouse: wh });
  const { listing, photos } = await publishedWithPhotos(m);
  const s = (await shopListings(m.slug)).json;
  assert.deepEqual(s.items[0].photos.map((p) => p.url), photos.map((p) => p.url));
  assert.equal(s.items[0].condition_note, '試着のみ <b>タグ付き</b>', 'the shop reads the public note');
  const { records } = feedRecords((await shopFeed(m.slug)).text);
  const row = records.find((r) => r.id === String(listing.id));
  assert.ok(row.link.endsWith(`/shop/${m.slug}/items/${listing.id}`), row.link);
  assert.match(row.image_link, /^https?:\/\/[^/]+\/media\/[0-9a-f]{64}-1000\.jpg$/);
  assert.match(row.additional_image_link, /^https?:\/\/[^/]+\/media\/[0-9a-f]{64}-900\.jpg$/);
  assert.equal(row.description, '試着のみ <b>タグ付き</b>');
});

test('the shop\'s own page carries its Open Graph tags: name, what it has, a photo; unknown shops get the plain page', async () => {
  const m = await newMerchant({ warehouse: wh });
  const { listing } = await publishedWithPhotos(m);
  assertStatus(await markSold(m, listing.id), 200);
  await publishedWithPhotos(m);
  const res = await api('GET', `/shop/${m.slug}/`);
  assertStatus(res, 200);
  assert.match(res.headers['content-type'], /^text\/html/);
  const doc = parseHtml(res.text);
  assert.deepEqual(doc.errors, [], 'the page parses cleanly');
  assert.match(res.text, /\/assets\/shop(\.[0-9a-f]{8})?\.js"/, 'the same page as before, with its script');
  assert.equal(doc.meta['og:type'], 'website');
  assert.ok(doc.meta['og:title'].includes(m.name), doc.meta['og:title']);
  assert.equal(doc.meta['og:description'], '1 inspected item for sale; 1 found a new owner here.');
  assert.match(doc.meta['og:url'], new RegExp(`^https?://[^/]+/shop/${m.slug}/$`));
  assert.match(doc.meta['og:image'], /^https?:\/\/[^/]+\/media\/[0-9a-f]{64}-1000\.jpg$/);
  const unknown = await api('GET', `/shop/no-such-${randomBytes(3).toString('hex')}/`);
  assertStatus(unknown, 200);
  assert.equal(parseHtml(unknown.text).meta['og:title'], undefined, 'no tags for a shop that is not there');
});

test('Buy goes to the merchant\'s checkout with the listing, its sku and price filled in; none while held or sold, or without a template', async () => {
  const m = await newMerchant({ warehouse: wh });
  const { listing } = await publishedWithPhotos(m, { price: 3200 });
  const buyHref = async () => {
    const res = await page(m, listing.id);
    assertStatus(res, 200);
    const doc = parseHtml(res.text);
    assert.deepEqual(doc.errors, []);
    const a = /<a [^>]*id="item-buy"[^>]*href="([^"]*)"/.exec(res.text);
    return a ? a[1].replace(/&amp;/g, '&') : null;
  };
  assert.equal(await buyHref(), null, 'no checkout template: no Buy button');
  const owner = await ownerOf(m);
  const template = 'https://shop.example/cart/add?listing={listing_id}&sku={sku}&price={price}&src=kaeru';
  assertStatus(await owner.api('PUT', '/api/v1/merchant/policy', { body: { checkout_url: template } }), 200);
  assert.equal(await buyHref(),
    `https://shop.example/cart/add?listing=${listing.id}&sku=${encodeURIComponent(listing.sku)}&price=3200&src=kaeru`);
  const hold = await api('POST', `/api/v1/merchants/${m.slug}/listings/${listing.id}/hold`, { token: m.key, body: { minutes: 5 } });
  assertStatus(hold, 200);
  assert.equal(await buyHref(), null, 'held in someone\'s cart: no Buy for others');
  assertStatus(await api('DELETE', `/api/v1/merchants/${m.slug}/listings/${listing.id}/hold`, { token: m.key, body: { hold_id: hold.json.hold_id } }), 204);
  assert.ok(await buyHref(), 'released: Buy again');
  assertStatus(await markSold(m, listing.id), 200);
  assert.equal(await buyHref(), null, 'sold: no Buy');
});

test('"inspected on" is the day on the merchant\'s calendar (16:30 UTC is the next day in Tokyo)', async () => {
  const m = await newMerchant({ warehouse: wh });
  const { listing } = await publishedWithPhotos(m);
  const owner = await ownerOf(m);
  assertStatus(await owner.api('PUT', '/api/v1/merchant/policy', { body: { timezone: 'Asia/Tokyo' } }), 200);
  sql(`UPDATE listings SET created_at = '2026-11-21 16:30:00' WHERE id = ${Number(listing.id)}`);
  const doc = parseHtml((await page(m, listing.id)).text);
  assert.match(doc.text, / on 2026-11-22\./, doc.text);
});
