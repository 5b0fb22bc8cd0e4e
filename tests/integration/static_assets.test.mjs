// Speed on a phone (issue 14): the pages and their assets go out gzip-compressed to a browser
// that asks for it (and plain to one that does not); each page links its scripts and styles by
// content-hashed names (tools/web_assets.sh) that browsers may keep a year, while the page itself
// is revalidated on every visit, so a deploy reaches everyone at once.
// Over node:http, so the bytes on the wire are seen as they are (fetch would inflate them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { BASE } from './lib.mjs';

const PAGES = ['/', '/returns/sakura/', '/r/ABCDE-FGHJK', '/scan/', '/console/', '/shop/sakura/'];

/* GET path with the given headers; resolves {status, headers, body: Buffer} as sent. */
function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(`${BASE}${path}`, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const GZIP = { 'Accept-Encoding': 'gzip, deflate, br' };

/* The same-origin asset URLs a page's HTML links (href/src under /assets/). */
function assetsOf(html) {
  return [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
}

test('each page links its assets by content-hashed names', async () => {
  for (const page of PAGES) {
    const res = await get(page);
    assert.equal(res.status, 200, page);
    const urls = assetsOf(res.body.toString('utf8'));
    assert.ok(urls.length > 0, `${page} links assets`);
    for (const url of urls) assert.match(url, /^\/assets\/[A-Za-z0-9_-]+\.[0-9a-f]{8}\.(js|css)$/, `${page} links ${url}`);
  }
});

test('a hashed asset answers 200 with a year of immutable caching, and its name is its content hash', async () => {
  const seen = new Set();
  for (const page of PAGES) {
    for (const url of assetsOf((await get(page)).body.toString('utf8'))) {
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await get(url);
      assert.equal(res.status, 200, url);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', `${url} keeps the security headers`);
      assert.ok(res.headers['content-security-policy'], `${url} keeps the security headers`);
      const hash = createHash('sha256').update(res.body).digest('hex').slice(0, 8);
      assert.equal(url.match(/\.([0-9a-f]{8})\.\w+$/)[1], hash, `${url}: the name is the hash of what it serves`);
      // The modules a script imports are hashed too (a change in one renames the scripts above it).
      for (const m of res.body.toString('utf8').matchAll(/from '\.\/([^']+)'/g)) {
        assert.match(m[1], /\.[0-9a-f]{8}\.js$/, `${url} imports ${m[1]}`);
        const dep = await get(`/assets/${m[1]}`);
        assert.equal(dep.status, 200, `${url} imports ${m[1]}`);
      }
    }
  }
  assert.ok(seen.size >= 5, `assets seen: ${[...seen]}`);
});

test('the pages are revalidated on every visit, never kept long', async () => {
  for (const page of PAGES) {
    const res = await get(page, GZIP);
    assert.equal(res.status, 200, page);
    assert.equal(res.headers['cache-control'], 'no-cache', page);
    assert.equal(res.headers.expires, undefined, page);
  }
});

test('html, js and css are gzip-compressed when the client accepts gzip, and plain when not', async () => {
  const page = (await get('/returns/sakura/')).body.toString('utf8');
  const [css] = assetsOf(page).filter((u) => u.endsWith('.css'));
  const js = page.match(/<script type="module" src="([^"]+)"/)[1];
  const imported = (await get(js)).body.toString('utf8').match(/from '\.\/([^']+)'/)[1];
  for (const path of ['/returns/sakura/', '/scan/', css, js, `/assets/${imported}`, '/assets/portal.js']) {
    const plain = await get(path);
    assert.equal(plain.status, 200, path);
    assert.equal(plain.headers['content-encoding'], undefined, `${path} without Accept-Encoding is plain`);
    const zipped = await get(path, GZIP);
    assert.equal(zipped.status, 200, path);
    assert.equal(zipped.headers['content-encoding'], 'gzip', `${path} with Accept-Encoding: gzip`);
    assert.match(zipped.headers.vary || '', /Accept-Encoding/i, path);
    assert.ok(zipped.body.length < plain.body.length, `${path}: ${zipped.body.length} bytes compressed of ${plain.body.length}`);
    assert.deepEqual(gunzipSync(zipped.body), plain.body, `${path} inflates to the plain answer`);
    assert.equal(zipped.headers['content-type'], plain.headers['content-type'], path);
  }
});

test('unhashed asset names still answer, cached briefly', async () => {
  const res = await get('/assets/portal.js');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /javascript/);
  assert.match(res.headers['cache-control'] || '', /max-age=3600\b/);
  assert.doesNotMatch(res.headers['cache-control'] || '', /immutable/);
});

test('a small API answer is not compressed (gzip_min_length 1024)', async () => {
  const res = await get('/api/v1/health', GZIP);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-encoding'], undefined, 'under 1 KB is not worth compressing');
  assert.equal(JSON.parse(res.body.toString('utf8')).status, 'ok');
});
