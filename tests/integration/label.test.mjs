// The return label: a 4×6 in PDF whose barcodes scan as the RMA and whose text prints Japanese correctly.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  JP_ADDRESS, US_ADDRESS, adminOk, api, assertProblem, assertStatus, clerkOf, createReturn, getReturn,
  inspectOk, newMerchant, openOrder, scanOk, scratchDir, sql, sqlString, trackingKey,
} from './lib.mjs';

let jp;
let us;
let scratch;
before(() => {
  jp = newMerchant({ currency: 'JPY' });
  us = newMerchant({ currency: 'USD' });
  scratch = scratchDir();
});
after(() => scratch.cleanup());

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

/** Text for comparison: compatibility forms folded, all whitespace removed. */
const squash = (s) => s.normalize('NFKC').replace(/\s+/g, '');

/** Saves the PDF and reads it as a person and a scanner would: {text, barcodes:[{type,data}], pageSize}. */
function readLabel(pdf, name) {
  const file = scratch.write(`${name}.pdf`, pdf);
  const prefix = join(scratch.dir, name);
  const raster = run('pdftoppm', ['-r', '150', '-png', file, prefix]);
  assert.equal(raster.status, 0, `pdftoppm: ${raster.stderr}`);
  const pngs = readdirSync(scratch.dir).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'))
    .map((f) => join(scratch.dir, f));
  assert.ok(pngs.length >= 1, 'the PDF has a page');
  const barcodes = [];
  for (const png of pngs) {
    const z = run('zbarimg', ['-q', png]);
    for (const line of z.stdout.split('\n').filter(Boolean)) {
      const i = line.indexOf(':');
      barcodes.push({ type: line.slice(0, i), data: line.slice(i + 1) });
    }
  }
  const text = run('pdftotext', ['-enc', 'UTF-8', file, '-']);
  assert.equal(text.status, 0, `pdftotext: ${text.stderr}`);
  const info = run('pdfinfo', [file]).stdout;
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info);
  return { text: text.stdout, barcodes, pages: pngs.length,
    pageSize: size ? [Number(size[1]), Number(size[2])] : null };
}

/** GET a URL the API handed out (relative or absolute). */
function getUrl(url, opts) {
  const u = new URL(url, 'http://placeholder');
  return api('GET', u.pathname + u.search, opts);
}

function assertLabelResponse(res) {
  assertStatus(res, 200);
  assert.match(res.headers['content-type'] || '', /^application\/pdf\b/);
  assert.equal(res.raw.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(res.raw.length < 30 * 1024, `label is ${res.raw.length} bytes, under 30 KB`);
}

function assertScansAs(label, rma) {
  const code128 = label.barcodes.filter((b) => b.type === 'CODE-128').map((b) => b.data);
  const qr = label.barcodes.filter((b) => b.type === 'QR-Code').map((b) => b.data);
  assert.ok(code128.length >= 1 && code128.every((d) => d === rma),
    `a Code 128 reading exactly the RMA: ${JSON.stringify(label.barcodes)}`);
  assert.ok(qr.length >= 1 && qr.every((d) => d.includes(rma)), `a QR code containing the RMA: ${JSON.stringify(qr)}`);
}

test('a Japanese customer\'s label scans as the RMA and prints name, address and warehouse', async () => {
  const o = await openOrder(jp);
  const r = await createReturn(o.token, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  const res = await getUrl(r.label_url);
  assertLabelResponse(res);
  const label = readLabel(res.raw, 'jp');
  assert.equal(label.pages, 1, 'one label, one page');
  assert.ok(label.pageSize, 'pdfinfo reads a page size');
  assert.deepEqual([...label.pageSize].sort((a, b) => a - b), [288, 432], '4 × 6 in');
  assertScansAs(label, r.rma);

  const text = squash(label.text);
  for (const part of [JP_ADDRESS.name, JP_ADDRESS.postal_code, JP_ADDRESS.region, JP_ADDRESS.city,
    JP_ADDRESS.line1, JP_ADDRESS.line2, jp.warehouse.name]) {
    assert.ok(text.includes(squash(part)), `label text has ${part}:\n${label.text}`);
  }
  assert.ok(text.includes(r.rma), 'the RMA is printed in words too');
});

test('a US customer\'s label prints Latin text and scans the same way', async () => {
  const o = await openOrder(us);
  const r = await createReturn(o.token, [{ line_id: 'A2', quantity: 2, reason: 'changed_mind', resolution: 'store_credit' }]);
  const res = await getUrl(r.label_url);
  assertLabelResponse(res);
  const label = readLabel(res.raw, 'us');
  assertScansAs(label, r.rma);
  const text = squash(label.text);
  for (const part of [US_ADDRESS.name, US_ADDRESS.line1, US_ADDRESS.city, us.warehouse.name]) {
    assert.ok(text.includes(squash(part)), `label text has ${part}:\n${label.text}`);
  }
});

test('the label needs the tracking key or the order token', async () => {
  const o = await openOrder(jp);
  const r = await createReturn(o.token, [{ line_id: '3', quantity: 1, reason: 'damaged', resolution: 'refund' }]);
  const path = `/api/v1/returns/${r.rma}/label.pdf`;
  assertLabelResponse(await api('GET', path, { token: o.token }));
  assertLabelResponse(await api('GET', `${path}?k=${encodeURIComponent(trackingKey(r))}`));
  assertProblem(await api('GET', path), 401);
  assertProblem(await api('GET', `${path}?k=wrong-key`), 404);
  const other = await openOrder(jp);
  assertProblem(await api('GET', path, { token: other.token }), 404);
});

test('a canceled return\'s label is 410 for every credential, and the return says its label is void', async () => {
  const o = await openOrder(jp);
  const r = await createReturn(o.token, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  const k = trackingKey(r);
  assert.equal(r.label_state, 'usable');
  assertLabelResponse(await getUrl(r.label_url));
  assertStatus(await api('POST', `/api/v1/returns/${r.rma}/cancel`, { body: {}, token: o.token }), 200);
  for (const res of [await getUrl(r.label_url), await api('GET', `/api/v1/returns/${r.rma}/label.pdf`, { token: o.token })]) {
    const p = assertProblem(res, 410);
    assert.equal(p.rma, r.rma);
    assert.equal(p.return_status, 'canceled');
    assert.equal(p.type, 'https://kaeru.dev/problems/gone');
    assert.match(p.detail, /canceled/);
  }
  const tracked = await getReturn(r.rma, { k });
  assert.equal(tracked.json.label_state, 'void');
  // Staff get the same answer.
  const clerk = await clerkOf(jp);
  assertProblem(await clerk.api('GET', `/api/v1/returns/${r.rma}/label.pdf`), 410);
});

test('a received and then a resolved return\'s label stays downloadable', async () => {
  const o = await openOrder(jp);
  const r = await createReturn(o.token, [{ line_id: '3', quantity: 1, reason: 'damaged', resolution: 'refund' }]);
  const clerk = await clerkOf(jp);
  const v = await scanOk(clerk, r.rma);
  assert.equal(v.label_state, 'used');
  assertLabelResponse(await getUrl(r.label_url));
  const done = await inspectOk(clerk, r.rma, r.items[0].item_id, { received_quantity: 1, grade: 'good', disposition: 'restock' });
  assert.equal(done.status, 'resolved');
  assertLabelResponse(await getUrl(r.label_url));
});

/** The dates YYYY-MM-DD a label prints. */
const datesOn = (label) => label.text.match(/\d{4}-\d\d-\d\d/g) || [];

test('the label prints the day the return was made on the merchant\'s calendar', async () => {
  // The same UTC instants are another day in Tokyo, in New York, and in UTC.
  const cases = [
    { zone: 'Asia/Tokyo', currency: 'JPY', line: '1', createdUtc: '2026-11-21 16:30:00', date: '2026-11-22' },
    { zone: 'Asia/Tokyo', currency: 'JPY', line: '1', createdUtc: '2026-11-21 14:59:59', date: '2026-11-21' },
    { zone: 'America/New_York', currency: 'USD', line: 'A1', createdUtc: '2026-11-22 03:00:00', date: '2026-11-21' },
    { zone: 'America/New_York', currency: 'USD', line: 'A1', createdUtc: '2026-07-01 04:00:00', date: '2026-07-01' },
    { zone: null, currency: 'JPY', line: '1', createdUtc: '2026-11-21 16:30:00', date: '2026-11-21' },
  ];
  const shops = new Map();
  for (const c of cases) {
    if (!shops.has(c.zone)) {
      const m = newMerchant({ currency: c.currency });
      if (c.zone) adminOk(['merchant', 'policy', '--slug', m.slug, '--timezone', c.zone]);
      shops.set(c.zone, m);
    }
    const o = await openOrder(shops.get(c.zone));
    const r = await createReturn(o.token, [{ line_id: c.line, quantity: 1, reason: 'too_small', resolution: 'refund' }]);
    sql(`UPDATE returns SET created_at = ${sqlString(c.createdUtc)} WHERE rma = ${sqlString(r.rma)}`);
    const res = await getUrl(r.label_url);
    assertLabelResponse(res);
    const label = readLabel(res.raw, `date-${r.rma}`);
    assert.deepEqual(datesOn(label), [c.date], `${c.createdUtc}Z in ${c.zone || 'UTC'}:\n${label.text}`);
  }
});
