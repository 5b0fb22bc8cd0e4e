// The console's search box, in headless Chromium against the real stack: the owner finds a return
// by the customer's name typed in katakana (stored in hiragana) and another by four characters of
// its RMA, is told what to type when the box holds only punctuation, and a reload of the address
// (in Japanese) shows the same search.
//
// Screenshots of each step go to $KAERU_SCREENSHOTS when it is set.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { launch } from './chromium.mjs';
import {
  BASE, JP_ADDRESS, jpOrder, newMerchant, newStaff, returnFor, searchable, staffSession,
} from '../integration/lib.mjs';

const SHOTS = process.env.KAERU_SCREENSHOTS || '';
const one = [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }];

test('the owner searches returns by a kana name and part of an RMA', { timeout: 180_000 }, async () => {
  const merchant = newMerchant({ currency: 'JPY' });
  const ownerUser = newStaff({ role: 'merchant', merchant });
  const taro = await returnFor(merchant, one, { order: { shipping_address: { ...JP_ADDRESS } } });
  const base = jpOrder();
  const hanako = await returnFor(merchant, one, { order: {
    shipping_address: { ...JP_ADDRESS, name: 'やまだ はなこ' },
    lines: [{ ...base.lines[0], name: 'リネンワンピース' }, ...base.lines.slice(1)] } });

  // An order whose number holds taro's whole: a whole number typed finds its own order only.
  const longer = await returnFor(merchant, one, { order: { order_number: `${taro.order.orderNumber}9` } });
  // kaeru-worker writes their search terms behind the creates.
  await searchable(await staffSession(ownerUser), [taro, hanako, longer]);

  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  const pageErrors = [];
  try {
    const ctx = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: 'en-US' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const shot = async (name) => {
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `console-search-${name}.png`), fullPage: true });
    };
    const rows = () => page.locator('#returns-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.id));
    const searchFor = async (q) => {
      await page.locator('#returns-q').fill(q);
      await page.locator('#returns-search').click();
    };

    await page.goto(`${BASE}/console/?lang=en`);
    await page.getByLabel('Email').fill(ownerUser.email);
    await page.getByLabel('Password').fill(ownerUser.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('tab', { name: /Returns/ }).click();
    await page.locator(`#return-${taro.rma}`).waitFor();

    // ---- 1. the name in katakana finds the customer written in hiragana, and only her
    await searchFor('ハナコ');
    await page.locator('#returns-found', { hasText: '1 return found.' }).waitFor();
    assert.deepEqual(await rows(), [`return-${hanako.rma}`]);
    assert.equal(new URL(page.url()).searchParams.get('q'), 'ハナコ');
    await shot('01-kana');

    // ---- 2. four characters of an RMA, typed in lower case
    await searchFor(taro.rma.replace('-', '').slice(2, 6).toLowerCase());
    await page.locator(`#return-${taro.rma}`).waitFor();
    assert.ok((await rows()).includes(`return-${taro.rma}`));

    // ---- 3. nothing to search for: the box says what to type, no stale rows
    await searchFor('・・・');
    await page.getByText('Type part of an RMA, an order number, a SKU, a name or a product to search for.').waitFor();
    assert.equal(await page.locator('#returns-table').count(), 0);
    await shot('02-nothing');

    // ---- 4. the address keeps the search: reloaded in Japanese, the product name's part finds it
    await page.goto(`${BASE}/console/?lang=ja&tab=returns&q=${encodeURIComponent('ワンピ')}`);
    await page.locator(`#return-${hanako.rma}`).waitFor();
    assert.deepEqual(await rows(), [`return-${hanako.rma}`]);
    assert.match(await page.locator('#returns-q-hint').textContent(), /お客様のお名前/);
    await page.locator('#returns-found', { hasText: '1件の返品が見つかりました。' }).waitFor();
    await shot('03-ja');

    // ---- 5. on a phone, in Japanese: a whole order number is that order; part of it, both
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${BASE}/console/?lang=ja&tab=returns&q=${encodeURIComponent(taro.order.orderNumber)}`);
    await page.locator(`#return-${taro.rma}`).waitFor();
    await page.locator('#returns-found', { hasText: '1件の返品が見つかりました。' }).waitFor();
    assert.deepEqual(await rows(), [`return-${taro.rma}`]);
    await shot('04-ja-phone-order-number');
    await searchFor(taro.order.orderNumber.slice(0, -2));
    await page.locator(`#return-${longer.rma}`).waitFor();
    assert.deepEqual((await rows()).sort(), [`return-${longer.rma}`, `return-${taro.rma}`].sort());
    // and in English the same whole number
    await page.goto(`${BASE}/console/?lang=en&tab=returns&q=${encodeURIComponent(`${taro.order.orderNumber}9`)}`);
    await page.locator('#returns-found', { hasText: '1 return found.' }).waitFor();
    assert.deepEqual(await rows(), [`return-${longer.rma}`]);
    await shot('05-en-phone-order-number');
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
  }
});
