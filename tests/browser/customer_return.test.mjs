// A customer's whole return, in headless Chromium on a phone-sized screen, against the real stack
// (nginx + kaeru-fcgi + MariaDB at KAERU_URL; kaeru-admin at KAERU_ADMIN):
// open the Japanese portal, fail one lookup, find the order, return one T-shirt for another size,
// get the RMA, download the label and scan both barcodes, follow the tracking link, read the status
// and timeline in Japanese, cancel through the tracking page, switch to English.
//
// Screenshots of each step go to $KAERU_SCREENSHOTS when it is set.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { launch } from './chromium.mjs';
import {
  BASE, RMA_RE, assertStatus, daysAgo, getReturn, jpOrder, newMerchant, newOrderNumber, putInventory,
  putOrder, scratchDir,
} from '../integration/lib.mjs';

const SHOTS = process.env.KAERU_SCREENSHOTS || '';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

/** Rasterises the PDF and returns what zbarimg reads with only one symbology enabled. */
function scanLabel(dir, pdfPath) {
  const raster = run('pdftoppm', ['-r', '150', '-png', pdfPath, join(dir, 'label')]);
  assert.equal(raster.status, 0, `pdftoppm: ${raster.stderr}`);
  const pngs = readdirSync(dir).filter((f) => /^label-\d+\.png$/.test(f)).map((f) => join(dir, f));
  assert.ok(pngs.length >= 1, 'the label PDF has a page');
  const read = (symbology) => pngs.flatMap((png) => {
    const z = run('zbarimg', ['--raw', '-q', '-Sdisable', `-S${symbology}.enable`, png]);
    return z.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  });
  return { code128: read('code128'), qr: read('qrcode') };
}

test('a customer returns a T-shirt for another size, scans the label, tracks and cancels it', { timeout: 240_000 }, async () => {
  // ---- the merchant, its order and its stock
  const merchant = newMerchant({ currency: 'JPY' });
  const orderNumber = newOrderNumber();
  const order = jpOrder({ delivered_at: daysAgo(4), placed_at: daysAgo(7) });
  assertStatus(await putOrder(merchant, orderNumber, order), 201);
  assertStatus(await putInventory(merchant, [
    { sku: 'TEE-BLK-M', product_id: 'TEE', variant: 'Black / M', available: 2 },
    { sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available: 3 },
    { sku: 'TEE-BLK-S', product_id: 'TEE', variant: 'Black / S', available: 0 },
    { sku: 'CAP-RED', product_id: 'CAP', variant: 'Red', available: 5 },
  ]), 200);

  const scratch = scratchDir();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  const pageErrors = [];
  const submissions = [];
  let page;
  try {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
      locale: 'en-US', // the page must follow ?lang=ja, not the browser
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/returns') submissions.push(r.headers());
    });
    const shot = async (name) => {
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `customer-${name}.png`), fullPage: true });
    };

    // ---- 1. the portal, in Japanese because of ?lang=ja
    await page.goto(`${BASE}/returns/${encodeURIComponent(merchant.slug)}/?lang=ja`);
    await assert.doesNotReject(page.getByRole('heading', { level: 1, name: merchant.name }).waitFor());
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ja');
    await page.getByRole('heading', { name: 'ご注文を検索' }).waitFor();
    await shot('1-lookup');

    // A wrong email: an inline, announced error (404, or 429 when this address failed too often lately).
    await page.getByLabel('注文番号').fill(orderNumber);
    await page.getByLabel('メールアドレス').fill('someone.else@example.jp');
    await page.getByRole('button', { name: '注文を検索' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /見つかりませんでした|試行回数が多すぎます/ });
    await alert.waitFor();
    await shot('1-lookup-error');

    await page.getByLabel('メールアドレス').fill(order.email.toUpperCase());
    await page.getByRole('button', { name: '注文を検索' }).click();
    await page.getByRole('heading', { name: '返品する商品を選択' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), '返品する商品を選択',
      'focus moves to the new step heading');

    // ---- 2. items: the final-sale line is greyed with its reason; choose the T-shirt
    const sale = page.locator('article').filter({ hasText: 'ソックス 3足組' });
    await sale.getByText('返品不可のセール品です').waitFor();
    assert.equal(await sale.getByRole('checkbox').count(), 0, 'a final-sale line has no checkbox');

    const tee = page.locator('article').filter({ hasText: 'オーガニックTシャツ' });
    await tee.getByLabel('この商品を返品する').check();
    await tee.getByLabel('返品する数量').selectOption('1');
    await tee.locator('label.chip').filter({ hasText: 'サイズが小さい' }).click();
    await tee.getByText(/ストアクレジット [¥￥]5,390/).waitFor(); // 4,900 × 1 × 110%; ja-JP writes ￥
    await tee.getByLabel('別のサイズ・色に交換').check();
    const exchange = tee.getByLabel('交換後のサイズ・色');
    const variants = await exchange.locator('option').allTextContents();
    assert.ok(variants.includes('Black / L'), `exchange options list Black / L: ${variants}`);
    // What exists but cannot be had now is shown, disabled, and says so.
    const soldOut = exchange.locator('option', { hasText: 'Black / S（在庫切れ）' });
    assert.equal(await soldOut.count(), 1, `the out-of-stock variant is listed: ${variants}`);
    assert.equal(await soldOut.isDisabled(), true, 'and cannot be chosen');
    await exchange.selectOption('TEE-BLK-L');
    // ---- 3. the review is on the same step, above the submit button
    const summary = page.locator('#summary');
    await summary.getByRole('heading', { name: '返品内容の確認' }).waitFor();
    await summary.getByText('Black / L に交換').waitFor();
    await summary.getByText('サイズが小さい').waitFor();
    await shot('2-items');
    await page.getByRole('button', { name: '返品を申し込む' }).click();

    await page.getByRole('heading', { name: '返品を受け付けました' }).waitFor();
    const rma = (await page.locator('.rma').textContent()).trim();
    assert.match(rma, RMA_RE, 'the RMA code is shown large on the confirmation');
    assert.equal(submissions.length, 1, 'one submission');
    assert.match(submissions[0]['idempotency-key'] || '', UUID_RE, 'the submission carries an Idempotency-Key');
    await shot('3-done');

    // ---- the done page shows the QR code itself (it decodes to the RMA), and the ship-by day
    const qr = page.locator('#qr');
    await qr.waitFor();
    await page.waitForFunction(() => document.querySelector('#qr')?.complete && document.querySelector('#qr').naturalWidth > 0);
    const qrPng = scratch.write('qr.png', await qr.screenshot());
    const qrRead = run('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', qrPng]);
    assert.equal(qrRead.stdout.trim(), `KAERU:${rma}`, `the page's QR code reads the RMA: ${qrRead.stderr}`);
    assert.match(await page.locator('#ship-by').textContent(), /\d{4}年\d{1,2}月\d{1,2}日までに発送してください/);

    // ---- the label: a PDF whose Code 128 is exactly the RMA and whose QR contains it
    const labelLink = page.getByRole('link', { name: '返送ラベルをダウンロード（PDF）' });
    const labelUrl = new URL(await labelLink.getAttribute('href'), page.url()).href;
    const labelRes = await page.request.get(labelUrl);
    assert.equal(labelRes.status(), 200, `label download ${labelUrl}`);
    assert.match(labelRes.headers()['content-type'] || '', /^application\/pdf/);
    const pdf = await labelRes.body();
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const codes = scanLabel(scratch.dir, scratch.write('label.pdf', pdf));
    assert.deepEqual(codes.code128, [rma], `the Code 128 reads exactly the RMA: ${JSON.stringify(codes)}`);
    assert.ok(codes.qr.length >= 1 && codes.qr.every((q) => q.includes(rma)),
      `the QR code contains the RMA: ${JSON.stringify(codes)}`);

    // ---- 4. tracking page, still in Japanese
    await page.getByRole('link', { name: '返品状況を確認' }).click();
    await page.waitForURL(/\/r\/[^/?]+\?/);
    const url = new URL(page.url());
    assert.equal(decodeURIComponent(url.pathname.split('/')[2]), rma);
    const k = url.searchParams.get('k');
    assert.ok(k, 'the tracking link carries the tracking key');
    const status = page.locator('#status');
    await status.waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ja');
    assert.equal((await status.textContent()).trim(), 'ラベル発行済み');
    await page.locator('[aria-current="step"]').filter({ hasText: 'ラベル発行済み' }).waitFor();
    const timeline = page.locator('#timeline');
    await timeline.getByText('返品受付').waitFor();
    assert.ok(/\d{4}年\d{1,2}月\d{1,2}日/.test(await timeline.textContent()), 'event times are Japanese dates');
    await page.getByRole('link', { name: '返送ラベルをダウンロード（PDF）' }).waitFor();
    // The tracking page shows the ship-by day and the QR code too, while the label is usable.
    await page.locator('#qr').waitFor();
    assert.match(await page.locator('#ship-by').textContent(), /までに発送してください/);
    await page.getByText('Black / L に交換').or(page.getByText('TEE-BLK-L に交換')).first().waitFor();
    await shot('4-tracking');

    // ---- 5. cancel from the tracking page: the email proves the order
    await page.getByRole('button', { name: '返品をキャンセル' }).click();
    await page.getByLabel('メールアドレス').fill(order.email);
    await shot('5-cancel');
    await page.getByRole('button', { name: 'キャンセルを確定' }).click();
    await page.locator('.status-card--canceled').waitFor();
    assert.equal((await status.textContent()).trim(), 'キャンセル済み');
    await timeline.getByText('返品キャンセル').waitFor();
    assert.equal(await page.getByRole('link', { name: '返送ラベルをダウンロード（PDF）' }).count(), 0,
      'no label once canceled');
    assert.equal(await page.getByRole('button', { name: '返品をキャンセル' }).count(), 0);
    assert.equal(await page.locator('#qr').count(), 0, 'no QR code once canceled');
    await shot('5-canceled');

    const stored = await getReturn(rma, { k });
    assertStatus(stored, 200);
    assert.equal(stored.json.status, 'canceled');
    assert.ok(stored.json.events.some((e) => e.type === 'canceled'), 'a canceled event is recorded');

    // ---- 6. the language toggle switches the page and <html lang>
    await page.getByRole('button', { name: 'English' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal((await status.textContent()).trim(), 'Canceled');
    await timeline.getByText('Return created').waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('kaeru.lang')), 'en', 'the choice is remembered');
    await shot('6-english');

    assert.deepEqual(pageErrors, [], 'no script errors');
  } catch (err) {
    if (SHOTS) await page?.screenshot({ path: join(SHOTS, 'customer-failure.png'), fullPage: true }).catch(() => {});
    throw err;
  } finally {
    await browser.close();
    scratch.cleanup();
  }
});
