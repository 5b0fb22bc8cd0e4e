// Photos: the warehouse's of an item and the customer's of a return, made into renditions without
// metadata (no EXIF, no GPS), upright, at fixed widths; served immutable and kept by nginx;
// oversize bodies and decompression bombs refused at bounded memory.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import {
  ROOT, allListings, api, approveOk, assertProblem, assertStatus, clerkOf, merchantSession, newMerchant, newWarehouse,
  returnFor, scanOk, scratchDir, sql,
} from './lib.mjs';

const STACK = process.env.KAERU_STACK || join(ROOT, 'var');

let wh;
let scratch;
before(() => {
  wh = newWarehouse();
  scratch = scratchDir();
});

/**
 * A phone-like JPEG: width×height pixels of noise (so each is distinct), EXIF orientation 6 (the
 * camera held upright: the stored pixels lie on their side) and a GPS position, made with libvips'
 * and exiftool's command-line tools.
 */
function phoneJpeg(width = 1200, height = 800, { orientation = 6 } = {}) {
  const name = `phone-${randomBytes(4).toString('hex')}.jpg`;
  const path = join(scratch.dir, name);
  execFileSync('vips', ['gaussnoise', path, String(width), String(height)]);
  execFileSync('exiftool', ['-q', '-overwrite_original', `-Orientation#=${orientation}`,
    '-GPSLatitude=35.6812', '-GPSLatitudeRef=N', '-GPSLongitude=139.7671', '-GPSLongitudeRef=E',
    '-Make=KaeruPhone', path]);
  const bytes = readFileSync(path);
  const tags = exif(bytes);
  assert.equal(tags.Orientation, orientation, 'the test photo carries its orientation');
  assert.ok(tags.GPSLatitude, 'the test photo carries a GPS position');
  return bytes;
}

/** The metadata exiftool finds in bytes (numbers as numbers). */
function exif(bytes) {
  const path = scratch.write(`x-${randomBytes(4).toString('hex')}`, bytes);
  return JSON.parse(execFileSync('exiftool', ['-j', '-n', path], { encoding: 'utf8' }))[0];
}

/** A PNG whose header says width×height, 1-bit grey, all zero rows: a few KB that would decode to
 * width×height pixels. */
function pngBomb(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const row = Math.ceil(width / 8) + 1;
  const rows = Buffer.alloc(row * Math.min(height, 2000)); // enough to be a real stream's start
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** A received return of one item of a fresh merchant; {m, ret, clerk, itemId}. */
async function received(reason = 'damaged') {
  const m = await newMerchant({ warehouse: wh });
  const clerk = await clerkOf(m);
  const ret = await returnFor(m, [{ line_id: '1', quantity: 1, reason, resolution: 'refund' }]);
  await scanOk(clerk, ret.rma);
  return { m, ret, clerk, itemId: ret.items[0].item_id };
}

function itemPhoto(clerk, rma, itemId, bytes, type = 'image/jpeg') {
  return clerk.api('POST', `/api/v1/returns/${rma}/items/${itemId}/photos`,
    { body: bytes, headers: { 'content-type': type } });
}

function customerPhoto(token, rma, bytes, type = 'image/jpeg') {
  return api('POST', `/api/v1/returns/${rma}/photos`, { body: bytes, token, headers: { 'content-type': type } });
}

/** GET of a URL as bytes, with its status and headers. */
async function fetchBytes(path, headers = {}) {
  const res = await fetch(new URL(path, process.env.KAERU_URL || 'http://127.0.0.1:8080'), { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The width and height of JPEG or WebP bytes, by libvips' vipsheader. */
function dimensions(bytes) {
  const path = scratch.write(`d-${randomBytes(4).toString('hex')}`, bytes);
  const out = execFileSync('vipsheader', ['-a', path], { encoding: 'utf8' });
  return { width: Number(/^width: (\d+)/m.exec(out)[1]), height: Number(/^height: (\d+)/m.exec(out)[1]) };
}

test('a phone photo with GPS and orientation 6 is served upright, at the declared widths, with no metadata', async () => {
  const { ret, clerk, itemId } = await received();
  const res = await itemPhoto(clerk, ret.rma, itemId, phoneJpeg(1200, 800));
  assertStatus(res, 201);
  const p = res.json;
  assert.ok(p.id, 'the photo has an id');
  // Stored on its side 1200×800; upright it is 800 wide and 1200 high: renditions 400 and 800.
  assert.equal(p.width, 800, 'the largest rendition is the upright width');
  assert.equal(p.height, 1200, 'upright: width and height swapped');
  const m = /^\/media\/([0-9a-f]{64})-800\.jpg$/.exec(p.url);
  assert.ok(m, `the url names the rendition: ${p.url}`);
  for (const [width, height] of [[400, 600], [800, 1200]]) {
    for (const ext of ['jpg', 'webp']) {
      const got = await fetchBytes(`/media/${m[1]}-${width}.${ext}`);
      assert.equal(got.status, 200, `${width}.${ext} is served`);
      assert.equal(got.headers.get('content-type'), ext === 'jpg' ? 'image/jpeg' : 'image/webp');
      assert.deepEqual(dimensions(got.bytes), { width, height }, `${width}.${ext} is upright at its width`);
      const tags = exif(got.bytes);
      for (const k of Object.keys(tags)) {
        assert.ok(!/^GPS/.test(k), `no GPS tag (${k}) in ${width}.${ext}`);
      }
      assert.equal(tags.Orientation, undefined, 'no orientation left to apply');
      assert.equal(tags.Make, undefined, 'no camera make: no EXIF at all');
      assert.ok(!got.bytes.includes(Buffer.from('Exif\0')), 'no EXIF block in the bytes');
    }
  }
  assert.equal((await fetchBytes(`/media/${m[1]}-1600.jpg`)).status, 404, 'never upscaled to 1600');
});

test('renditions are immutable: long cache, an ETag, 304 on If-None-Match, and nginx keeps them', async () => {
  const { ret, clerk, itemId } = await received();
  const p = (await itemPhoto(clerk, ret.rma, itemId, phoneJpeg(600, 500, { orientation: 1 }))).json;
  assert.equal(p.width, 600, 'narrower than 400-800-1600 steps: its own width too');
  const first = await fetchBytes(p.url);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const etag = first.headers.get('etag');
  assert.ok(etag, 'an ETag');
  const again = await fetchBytes(p.url, { 'if-none-match': etag });
  assert.equal(again.status, 304, 'If-None-Match with the ETag: 304');
  assert.equal(again.bytes.length, 0);
  // Gone from MariaDB, still served: repeat views are answered by nginx alone.
  const hash = /\/media\/([0-9a-f]{64})-/.exec(p.url)[1];
  sql(`DELETE FROM media_renditions WHERE hash = '${hash}' AND width = 600 AND format = 'jpg'`);
  const cached = await fetchBytes(p.url);
  assert.equal(cached.status, 200, 'served from nginx\'s cache');
  assert.deepEqual(cached.bytes, first.bytes);
});

test('unknown renditions and malformed names are 404', async () => {
  assert.equal((await fetchBytes(`/media/${'a'.repeat(64)}-400.jpg`)).status, 404);
  assert.equal((await fetchBytes('/media/../../etc/passwd')).status, 404);
  assert.equal((await fetchBytes(`/media/${'a'.repeat(64)}-400.gif`)).status, 404);
});

test('bodies over 10 MB are 413; what is not an image is 415 or 422 naming body', async () => {
  const { ret, clerk, itemId } = await received();
  const big = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(12 * 1024 * 1024 - 4)]);
  assertProblem(await itemPhoto(clerk, ret.rma, itemId, big), 413);
  const over = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(10 * 1024 * 1024 + 1 - 4)]);
  assertProblem(await itemPhoto(clerk, ret.rma, itemId, over), 413);
  assertProblem(await itemPhoto(clerk, ret.rma, itemId, Buffer.from('GIF89a....'), 'image/gif'), 415);
  assertProblem(await itemPhoto(clerk, ret.rma, itemId, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), 422, 'body');
  assertProblem(await itemPhoto(clerk, ret.rma, itemId, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])), 422, 'body');
});

/** kaeru-fcgi's resident memory in kB. */
function fcgiRss() {
  const pid = readFileSync(join(STACK, 'run', 'kaeru-fcgi.pid'), 'utf8').trim();
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

test('a decompression bomb (20000×20000 and 50000×50000 PNG, a few KB) is 422, fast, without the process growing', async () => {
  const { ret, clerk, itemId } = await received();
  const before = fcgiRss();
  for (const side of [20000, 50000]) {
    const bomb = pngBomb(side, side);
    assert.ok(bomb.length < 200_000, `the bomb is small (${bomb.length} bytes)`);
    const t0 = Date.now();
    const res = await itemPhoto(clerk, ret.rma, itemId, bomb, 'image/png');
    assertProblem(res, 422, 'body');
    assert.match(res.json.errors[0].message, /megapixels/);
    assert.ok(Date.now() - t0 < 3000, `refused in ${Date.now() - t0} ms`);
  }
  const after = fcgiRss();
  // 400 megapixels would be hundreds of MB decoded; refusing from the header costs next to nothing.
  assert.ok(after - before < 64 * 1024, `kaeru-fcgi grew by ${after - before} kB`);
});

test('a PNG with transparency is taken; photos need a received parcel and the warehouse', async () => {
  const m = await newMerchant({ warehouse: wh });
  const clerk = await clerkOf(m);
  const ret = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'damaged', resolution: 'refund' }]);
  const pngPath = join(scratch.dir, `clear-${randomBytes(4).toString('hex')}.png`);
  execFileSync('vips', ['black', pngPath, '300', '200', '--bands', '4']);
  const png = readFileSync(pngPath);
  assertProblem(await itemPhoto(clerk, ret.rma, ret.items[0].item_id, png, 'image/png'), 409);
  await scanOk(clerk, ret.rma);
  const res = await itemPhoto(clerk, ret.rma, ret.items[0].item_id, png, 'image/png');
  assertStatus(res, 201);
  assert.equal(res.json.width, 300);
  assertProblem(await api('POST', `/api/v1/returns/${ret.rma}/items/${ret.items[0].item_id}/photos`,
    { body: png, headers: { 'content-type': 'image/png' } }), 401);
  assertProblem(await itemPhoto(clerk, ret.rma, '999999999', png, 'image/png'), 404);
});

test('the customer adds up to 5 photos to a damaged return with the order token; not to a changed-mind one', async () => {
  const m = await newMerchant({ warehouse: wh });
  const ret = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'defective', resolution: 'refund' }]);
  const token = ret.order.token;
  for (let i = 0; i < 5; i++) {
    const res = await customerPhoto(token, ret.rma, phoneJpeg(500, 400));
    assertStatus(res, 201);
  }
  assertProblem(await customerPhoto(token, ret.rma, phoneJpeg(500, 400)), 409);
  assertProblem(await customerPhoto(undefined, ret.rma, phoneJpeg(500, 400)), 401);
  const other = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'changed_mind', resolution: 'refund' }]);
  assertProblem(await customerPhoto(other.order.token, other.rma, phoneJpeg(500, 400)), 409);
  assertProblem(await customerPhoto(token, other.rma, phoneJpeg(500, 400)), 404);
});

test('the return shows staff and the merchant each item\'s photos and the customer\'s; the shop never the customer\'s', async () => {
  const m = await newMerchant({ warehouse: wh });
  const clerk = await clerkOf(m);
  const ret = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'damaged', resolution: 'refund' }]);
  const mine = await customerPhoto(ret.order.token, ret.rma, phoneJpeg(500, 400));
  assertStatus(mine, 201);
  const view = await scanOk(clerk, ret.rma);
  assert.deepEqual(view.customer_photos.map((p) => p.url), [mine.json.url], 'the scan shows the customer\'s photo');
  assert.deepEqual(view.items[0].photos, []);
  const itemId = ret.items[0].item_id;
  const taken = await itemPhoto(clerk, ret.rma, itemId, phoneJpeg(640, 480, { orientation: 1 }));
  assertStatus(taken, 201);
  const again = await clerk.api('GET', `/api/v1/returns/${ret.rma}`);
  assertStatus(again, 200);
  assert.deepEqual(again.json.items[0].photos.map((p) => p.id), [taken.json.id], 'the item keeps its photo');
  const owner = await merchantSession(m);
  const seen = await owner.api('GET', `/api/v1/returns/${ret.rma}`);
  assert.deepEqual(seen.json.customer_photos.map((p) => p.id), [mine.json.id], 'the merchant sees the customer\'s photo');
  const inspected = await clerk.api('POST', `/api/v1/returns/${ret.rma}/items/${itemId}/inspection`,
    { body: { received_quantity: 1, grade: 'fair', disposition: 'resale', public_note: '角にすれ' } });
  assertStatus(inspected, 200);
  const listing = (await allListings(owner)).find((l) => l.rma === ret.rma);
  assert.deepEqual(listing.photos.map((p) => p.url), [taken.json.url], 'the listing carries the item\'s photo only');
  await approveOk(owner, listing.id);
  const shopText = (await api('GET', `/api/v1/shop/${m.slug}/listings`)).text;
  assert.ok(!shopText.includes(mine.json.url.slice(7, 71)), 'the customer\'s photo is never in the shop');
});

test('an iPhone\'s HEIC photo is taken and served as JPEG and WebP', async () => {
  const { ret, clerk, itemId } = await received();
  const src = join(scratch.dir, `heic-${randomBytes(4).toString('hex')}.jpg`);
  const heic = src.replace(/\.jpg$/, '.heic');
  execFileSync('vips', ['gaussnoise', src, '900', '600']);
  execFileSync('vips', ['copy', src, heic]);
  const res = await itemPhoto(clerk, ret.rma, itemId, readFileSync(heic), 'image/heic');
  assertStatus(res, 201);
  assert.deepEqual([res.json.width, res.json.height], [900, 600]);
  const got = await fetchBytes(res.json.url);
  assert.equal(got.status, 200);
  assert.deepEqual(dimensions(got.bytes), { width: 900, height: 600 });
  assert.equal((await fetchBytes(res.json.url.replace(/\.jpg$/, '.webp'))).status, 200);
});
