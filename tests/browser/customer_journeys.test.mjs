// The customer's return counted in interactions (issue 14), in headless Chromium on a phone-sized
// screen against the real stack: every click, fill and select goes through a counter.
// - From the shop's return link to holding the label: at most 6 interactions.
// - From the bare portal, typing the order number and e-mail: at most 9.
// Both journeys in Japanese and in English. Then no dead ends: Back, Forward and reload on each
// step; the line already returned leads to its return's tracking page; a forged link says so
// and shows the lookup, with no order data.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { launch } from './chromium.mjs';
import {
  BASE, RMA_RE, ROOT, api, assertStatus, daysAgo, jpOrder, newMerchant, newOrderNumber, putOrder, scratchDir, usOrder,
} from '../integration/lib.mjs';

const LINK_LIMIT = 6;
const BARE_LIMIT = 9;

const WORDS = {
  ja: {
    orderNumber: '注文番号', email: 'メールアドレス', find: '注文を検索', items: '返品する商品を選択',
    returnIt: 'この商品を返品する', reason: 'サイズが小さい', submit: '返品を申し込む', done: '返品を受け付けました',
    label: '返送ラベルをダウンロード（PDF）', shipBy: /までに発送してください/, lookup: 'ご注文を検索',
    held: /の状況を見る/, linkInvalid: 'この返品リンクは使用できません', linkExpired: 'この返品リンクは有効期限が切れています', another: '別の注文を検索', footer: 'kaeru による返品受付',
  },
  en: {
    orderNumber: 'Order number', email: 'Email address', find: 'Find my order', items: 'Choose items to return',
    returnIt: 'Return this item', reason: 'Too small', submit: 'Submit return', done: 'Your return is registered',
    label: 'Download label (PDF)', shipBy: /^Send the parcel by /, lookup: 'Find your order',
    held: /see its progress/, linkInvalid: 'This return link does not work', another: 'Look up another order', footer: 'Returns by kaeru',
  },
};

/** Clicks, fills and selects, each counted as one interaction. */
function counter(page) {
  const counted = { n: 0, log: [] };
  const wrap = (name, fn) => async (target, ...args) => {
    counted.n++;
    counted.log.push(`${name} ${typeof target === 'string' ? target : target.toString()}`);
    return typeof target === 'string' ? fn.call(page, target, ...args) : target[name](...args);
  };
  counted.click = wrap('click', page.click);
  counted.fill = wrap('fill', page.fill);
  counted.selectOption = wrap('selectOption', page.selectOption);
  return counted;
}

/** A merchant with one order: a T-shirt and a cap that can be returned, final-sale socks. */
async function shopWithOrder(currency) {
  const m = newMerchant({ currency });
  const orderNumber = newOrderNumber();
  const body = currency === 'JPY' ? jpOrder({ delivered_at: daysAgo(3) }) : usOrder({ delivered_at: daysAgo(3) });
  assertStatus(await putOrder(m, orderNumber, body), 201);
  return { m, orderNumber, body };
}

async function returnLink(m, orderNumber) {
  const res = await api('GET', `/api/v1/merchants/${m.slug}/orders/${encodeURIComponent(orderNumber)}/return-link`,
    { token: m.key });
  assertStatus(res, 200);
  return new URL(res.json.url).hash;
}

async function withPage(fn) {
  const browser = await launch();
  const errors = [];
  try {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
      locale: 'en-US', acceptDownloads: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => errors.push(e.message));
    await fn(page);
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await browser.close();
  }
}

/** The items step to the label in hand: pick the first line, a reason chip, submit, download. */
async function returnOneItem(page, c, w, scratch) {
  await page.getByRole('heading', { name: w.items }).waitFor();
  const card = page.locator('article').filter({ has: page.getByLabel(w.returnIt) }).first();
  await c.click(card.getByLabel(w.returnIt));
  await c.click(card.locator('label.chip').filter({ hasText: w.reason }));
  await c.click(page.getByRole('button', { name: w.submit }));
  await page.getByRole('heading', { name: w.done }).waitFor();
  const rma = (await page.locator('.rma').textContent()).trim();
  assert.match(rma, RMA_RE);
  // The done page shows the QR code, the ship-by day and the label, with no further step.
  await page.waitForFunction(() => document.querySelector('#qr')?.complete && document.querySelector('#qr').naturalWidth > 0);
  assert.match((await page.locator('#ship-by').textContent()).trim(), w.shipBy);
  const [download] = await Promise.all([page.waitForEvent('download'), c.click(page.getByRole('link', { name: w.label }))]);
  const pdf = readFileSync(await download.path());
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'the label is in hand');
  if (scratch) {
    const png = scratch.write('qr.png', await page.locator('#qr').screenshot());
    const z = spawnSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', png], { encoding: 'utf8' });
    assert.equal(z.stdout.trim(), `KAERU:${rma}`, 'the page\'s QR code reads the RMA');
  }
  return rma;
}

for (const [lang, currency] of [['ja', 'JPY'], ['en', 'USD']]) {
  const w = WORDS[lang];

  test(`${lang}: from the shop's return link to the label in at most ${LINK_LIMIT} interactions`, { timeout: 120_000 }, async () => {
    const { m, orderNumber } = await shopWithOrder(currency);
    const hash = await returnLink(m, orderNumber);
    const scratch = scratchDir();
    try {
      await withPage(async (page) => {
        const c = counter(page);
        await page.goto(`${BASE}/returns/${m.slug}/?lang=${lang}${hash}`);
        await returnOneItem(page, c, w, scratch);
        assert.ok(c.n <= LINK_LIMIT, `${c.n} interactions from the link: ${c.log.join('; ')}`);
        assert.equal(new URL(page.url()).hash, '', 'the link\'s token leaves the address bar');
        assert.equal((await page.locator('.site-footer').textContent()).trim(), w.footer, 'the footer too');
        // Never a dead end: from the done page Back leads to the order, which offers another lookup.
        await page.goBack();
        await page.getByRole('heading', { name: w.items }).waitFor();
        await page.getByRole('button', { name: w.another }).waitFor();
      });
    } finally {
      scratch.cleanup();
    }
  });

  test(`${lang}: from the bare portal, typing, to the label in at most ${BARE_LIMIT} interactions`, { timeout: 120_000 }, async () => {
    const { m, orderNumber, body } = await shopWithOrder(currency);
    await withPage(async (page) => {
      const c = counter(page);
      await page.goto(`${BASE}/returns/${m.slug}/?lang=${lang}`);
      await page.getByRole('heading', { name: w.lookup }).waitFor();
      await c.fill(page.getByLabel(w.orderNumber), `#${orderNumber}`); // as printed on the receipt
      await c.fill(page.getByLabel(w.email), body.email);
      await c.click(page.getByRole('button', { name: w.find }));
      await returnOneItem(page, c, w);
      assert.ok(c.n <= BARE_LIMIT, `${c.n} interactions from the bare portal: ${c.log.join('; ')}`);
    });
  });
}

test('Back, Forward and reload keep every step; a returned line leads to its tracking page', { timeout: 120_000 }, async () => {
  const { m, orderNumber, body } = await shopWithOrder('JPY');
  const w = WORDS.ja;
  await withPage(async (page) => {
    await page.goto(`${BASE}/returns/${m.slug}/?lang=ja`);
    const heading = (name) => page.getByRole('heading', { level: 2, name }).waitFor();
    await heading(w.lookup);
    await page.getByLabel(w.orderNumber).fill(orderNumber);
    await page.getByLabel(w.email).fill(body.email);
    await page.getByRole('button', { name: w.find }).click();
    await heading(w.items);
    const tee = page.locator('article').filter({ hasText: 'オーガニックTシャツ' });
    await tee.getByLabel(w.returnIt).check();
    await tee.locator('label.chip').filter({ hasText: w.reason }).click();

    // The items step: a reload keeps it and the choices; Back is the lookup, Forward the items.
    await page.reload();
    await heading(w.items);
    assert.equal(await tee.getByLabel(w.returnIt).isChecked(), true, 'the choice survives a reload');
    assert.equal(await tee.getByRole('radio', { name: w.reason }).isChecked(), true);
    await page.goBack();
    await heading(w.lookup);
    await page.reload();
    await heading(w.lookup);
    await page.goForward();
    await heading(w.items);
    assert.equal(await tee.getByLabel(w.returnIt).isChecked(), true);

    await page.getByRole('button', { name: w.submit }).click();
    await heading(w.done);
    const rma = (await page.locator('.rma').textContent()).trim();
    // The done step: reload keeps it; Back shows the items with the T-shirt now in that return.
    await page.reload();
    await heading(w.done);
    assert.equal((await page.locator('.rma').textContent()).trim(), rma);
    await page.goBack();
    await heading(w.items);
    await page.goForward();
    await heading(w.done);
    assert.equal((await page.locator('.rma').textContent()).trim(), rma);
    await page.goBack();
    await heading(w.items);
    const held = tee.getByRole('link', { name: w.held });
    assert.match(await held.textContent(), new RegExp(rma));
    // No e-mail address is kept in the tab.
    const stored = await page.evaluate(() => JSON.stringify(Object.entries(sessionStorage)));
    assert.ok(!stored.includes(body.email), 'the e-mail is not stored');

    // A fresh lookup (another tab) also shows the line in its return; its link opens the tracking page.
    await held.click();
    await page.waitForURL(/\/r\/[^/?]+\?/);
    assert.equal(decodeURIComponent(new URL(page.url()).pathname.split('/')[2]), rma);
    await page.locator('#status').waitFor();
  });
});

test('a forged, foreign or expired return link shows the lookup with a clear message, and no order', { timeout: 60_000 }, async () => {
  const { m, orderNumber } = await shopWithOrder('JPY');
  const other = newMerchant();
  const hash = await returnLink(m, orderNumber);
  // The same link expired a minute ago, signed as the server signs (the test stack's secret).
  const [, mid, oid] = decodeURIComponent(hash.replace(/^#link=/, '')).split('.');
  const secret = Buffer.from(readFileSync(join(process.env.KAERU_STACK || join(ROOT, 'var'), 'secret'), 'utf8').trim(), 'hex');
  const head = `l1.${mid}.${oid}.${Math.floor(Date.now() / 1000) - 60}`;
  const expired = `#link=${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
  const w = WORDS.ja;
  await withPage(async (page) => {
    for (const [url, message] of [[`${BASE}/returns/${m.slug}/?lang=ja${hash}x`, w.linkInvalid],
      [`${BASE}/returns/${other.slug}/?lang=ja${hash}`, w.linkInvalid], [`${BASE}/returns/${m.slug}/?lang=ja${expired}`, w.linkExpired]]) {
      await page.goto(url);
      await page.getByRole('heading', { name: w.lookup }).waitFor();
      await page.getByRole('alert').filter({ hasText: message }).waitFor();
      assert.equal(await page.locator('article').count(), 0, 'no order lines');
      assert.equal(await page.getByText('オーガニックTシャツ').count(), 0);
    }
  });
});
