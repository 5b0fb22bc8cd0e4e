// Resale, from a graded return to a sale, in headless Chromium against the real stack (nginx +
// kaeru-fcgi + MariaDB at KAERU_URL; kaeru-admin at KAERU_ADMIN):
// two returns are scanned and inspected for resale through the API, so four listings wait for
// review. A warehouse account is turned away from /console/; the merchant logs in on a tablet-sized
// screen, sees each listing with its grade, note and suggested price, publishes the T-shirt at a price
// of its own (after a price the page refuses), rejects one with a reason (after an empty one), meets
// the 409 of a listing approved elsewhere next to that listing, bulk-approves the last, finds them
// under Published and Rejected, searches the returns by RMA and opens the timeline. On a phone, the
// public shop shows the T-shirt with its badge, note and prices; grade filter, title search, sort,
// back button and #listing-<id> links work; once the storefront marks it sold it leaves the shop and
// the console counts the money recovered.
//
// Screenshots of each step go to $KAERU_SCREENSHOTS when it is set.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { holdAnswer, launch } from './chromium.mjs';
import {
  BASE, allListings, approveOk, assertStatus, inspectOk, markSold, newMerchant, newStaff, returnFor, scanOk,
  staffSession, suffix,
} from '../integration/lib.mjs';

const SHOTS = process.env.KAERU_SCREENSHOTS || '';

const TEE_NOTE = '試着のみ。タグなし、目立つ傷なし';
const SHIRT_NOTE = 'えりに薄いシミ';
// The warehouse's own note: the console shows it, the shop never.
const TEE_INTERNAL = 'バックヤード棚A-3 検品者メモ';

/** Order lines of a second order: a linen shirt and jeans. */
const SECOND_ORDER = {
  lines: [
    { line_id: '1', sku: 'SHIRT-WHT-L', product_id: 'SHIRT', name: 'リネンシャツ', variant: 'White / L',
      category: 'tops', quantity: 1, unit_price: 6900, final_sale: false },
    { line_id: '2', sku: 'DENIM-IND-30', product_id: 'DENIM', name: 'デニムパンツ', variant: 'Indigo / 30',
      category: 'bottoms', quantity: 1, unit_price: 9800, final_sale: false },
  ],
};

/** The return's item of this sku in a staff view. */
function itemOf(view, sku) {
  const item = view.items.find((i) => i.sku === sku);
  assert.ok(item, `item ${sku} in ${JSON.stringify(view.items.map((i) => i.sku))}`);
  return item;
}

/** Text with runs of white space made one space. */
const squash = (s) => String(s).replace(/\s+/g, ' ').trim();

test('a graded return becomes a listing, is approved in the console, found in the shop and sold', { timeout: 240_000 }, async () => {
  // ---- a JPY merchant, its warehouse clerk and its owner; two returns graded for resale
  const merchant = newMerchant({ currency: 'JPY' });
  const clerkUser = newStaff({ role: 'warehouse', warehouse: merchant.warehouse });
  const ownerUser = newStaff({ role: 'merchant', merchant });
  const clerk = await staffSession(clerkUser);
  const owner = await staffSession(ownerUser);

  const first = await returnFor(merchant, [
    { line_id: '1', quantity: 1, reason: 'not_as_described', resolution: 'refund' },
    { line_id: '3', quantity: 1, reason: 'not_as_described', resolution: 'refund' },
  ]);
  let view = await scanOk(clerk, first.rma);
  await inspectOk(clerk, first.rma, itemOf(view, 'TEE-BLK-M').item_id,
    { received_quantity: 1, grade: 'like_new', disposition: 'resale', note: TEE_INTERNAL, public_note: TEE_NOTE });
  view = await inspectOk(clerk, first.rma, itemOf(view, 'CAP-RED').item_id,
    { received_quantity: 1, grade: 'good', disposition: 'resale' });
  assert.equal(view.status, 'resolved');

  const second = await returnFor(merchant, [
    { line_id: '1', quantity: 1, reason: 'too_large', resolution: 'refund' },
    { line_id: '2', quantity: 1, reason: 'too_large', resolution: 'refund' },
  ], { order: SECOND_ORDER });
  view = await scanOk(clerk, second.rma);
  await inspectOk(clerk, second.rma, itemOf(view, 'SHIRT-WHT-L').item_id,
    { received_quantity: 1, grade: 'fair', disposition: 'resale', note: SHIRT_NOTE });
  await inspectOk(clerk, second.rma, itemOf(view, 'DENIM-IND-30').item_id,
    { received_quantity: 1, grade: 'good', disposition: 'resale' });

  const pending = await allListings(owner, 'pending_review');
  assert.equal(pending.length, 4, 'four listings wait for review');
  const bySku = (sku) => {
    const l = pending.find((x) => x.sku === sku);
    assert.ok(l, `a listing of ${sku}`);
    return l;
  };
  const tee = bySku('TEE-BLK-M');
  const cap = bySku('CAP-RED');
  const shirt = bySku('SHIRT-WHT-L');
  const denim = bySku('DENIM-IND-30');
  assert.equal(tee.suggested_price, 3670, '4900 like_new → 3670');

  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  const pageErrors = [];
  let page;
  try {
    // ================================================================ the console, on a tablet
    const desk = await browser.newContext({ viewport: { width: 1024, height: 768 }, deviceScaleFactor: 1, locale: 'en-US' });
    page = await desk.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(`console: ${e.message}`));
    const console_ = page;
    const shot = async (p, name) => {
      if (SHOTS) await p.screenshot({ path: join(SHOTS, `resale-${name}.png`), fullPage: true });
    };
    const logIn = async (who) => {
      await page.getByLabel('Email').fill(who.email);
      await page.getByLabel('Password').fill(who.password);
      await page.getByRole('button', { name: 'Log in' }).click();
    };

    // ---- 1. a warehouse account is told the console is for merchants
    await page.goto(`${BASE}/console/`);
    await page.getByRole('heading', { name: 'Merchant login' }).waitFor();
    await logIn(clerkUser);
    await page.getByRole('alert').filter({ hasText: 'This console is for merchants' }).waitFor();
    await shot(page, '01-not-a-merchant');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Merchant login' }).waitFor();

    // ---- 2. the merchant logs in: the summary counts four to review, the queue shows each listing
    await logIn(ownerUser);
    const summary = page.locator('#summary');
    await summary.locator('#stat-review dd', { hasText: '4' }).waitFor();
    await page.locator('#user-bar').getByText(merchant.name).waitFor();
    assert.equal(await page.getByRole('tab', { name: /Review queue/ }).getAttribute('aria-selected'), 'true');

    const card = (l) => page.locator(`#listing-${l.id}`);
    const teeCard = card(tee);
    await teeCard.waitFor();
    const teeText = squash(await teeCard.textContent());
    // The console shows the warehouse's internal note to the merchant.
    for (const text of ['オーガニックTシャツ', 'Black / M', 'Like new', TEE_INTERNAL, '¥4,900', 'Suggested price', '¥3,670']) {
      assert.ok(teeText.includes(text), `the T-shirt's card shows ${text}: ${teeText}`);
    }
    assert.equal(await teeCard.getByLabel('Price (JPY)').inputValue(), '3670', 'the price starts at the suggested one');
    assert.equal(await teeCard.getByLabel('Title').inputValue(), 'オーガニックTシャツ');
    assert.ok(squash(await card(cap).textContent()).includes('¥1,980'), 'the cap (good) suggests ¥1,980');
    assert.ok(squash(await card(shirt).textContent()).includes(SHIRT_NOTE));
    await card(denim).getByText('Good', { exact: true }).waitFor();
    assert.equal(await page.locator('.review-list > li').count(), 4);
    await shot(page, '02-review-queue');

    // ---- 3. a price of 0 is refused next to the listing; 3500 publishes it
    await teeCard.getByLabel('Price (JPY)').fill('0');
    await teeCard.getByRole('button', { name: 'Approve and publish' }).click();
    await teeCard.getByText('Enter a price of at least ¥1.').waitFor();
    assert.equal(await teeCard.getByLabel('Price (JPY)').getAttribute('aria-invalid'), 'true');
    await shot(page, '03-price-refused');
    await teeCard.getByLabel('Price (JPY)').fill('3500');
    // The counts read after this approval reach the page only after the next decision's: the
    // summary keeps the newer counts.
    const teeCounts = await holdAnswer(page, '**/api/v1/merchant/summary');
    await teeCard.getByRole('button', { name: 'Approve and publish' }).click();
    await page.locator('#queue-notice', { hasText: '“オーガニックTシャツ” is now in the shop at ¥3,500.' }).waitFor();
    await teeCard.waitFor({ state: 'detached' });
    await teeCounts.answered;

    // ---- 4. rejecting needs a reason
    const shirtCard = card(shirt);
    await shirtCard.getByRole('button', { name: 'Reject…' }).click();
    await shirtCard.getByRole('button', { name: 'Reject listing' }).click();
    await shirtCard.getByText('Enter a reason (1 to 500 characters).').waitFor();
    await shirtCard.getByLabel('Reason for rejecting').fill('シミが目立つため再販しない');
    await shirtCard.getByRole('button', { name: 'Reject listing' }).click();
    await page.locator('#queue-notice', { hasText: '“リネンシャツ” was rejected.' }).waitFor();
    await shirtCard.waitFor({ state: 'detached' });
    await summary.locator('#stat-review dd', { hasText: '2' }).waitFor();
    await teeCounts.release();
    assert.equal(await summary.locator('#stat-review dd').textContent(), '2', 'the older counts do not come back');

    // ---- 5. the cap is approved elsewhere meanwhile: rejecting it here answers 409, told at the cap
    const capElsewhere = await approveOk(owner, cap.id, {});
    assert.equal(capElsewhere.status, 'published');
    const capCard = card(cap);
    await capCard.getByRole('button', { name: 'Reject…' }).click();
    await capCard.getByLabel('Reason for rejecting').fill('つばに汚れ');
    await capCard.getByRole('button', { name: 'Reject listing' }).click();
    await capCard.getByRole('alert').filter({ hasText: 'This listing is no longer waiting for review: it is published now.' }).waitFor();
    assert.ok(await capCard.getByRole('checkbox').isDisabled(), 'a decided listing cannot be selected');
    await shot(page, '04-conflict');

    // ---- 6. the jeans by bulk approval, at the suggested price
    await page.getByRole('checkbox', { name: 'Select デニムパンツ' }).check();
    await page.getByRole('button', { name: 'Approve selected (1)' }).click();
    await page.locator('#bulk-notice', { hasText: 'Published 1 at the suggested price.' }).waitFor();
    await page.locator('#review-empty').waitFor();
    await summary.locator('#stat-review dd', { hasText: '0' }).waitFor();
    await summary.locator('#stat-published dd', { hasText: '3' }).waitFor();
    await shot(page, '05-queue-empty');

    // ---- 7. Published and Rejected
    await page.getByRole('tab', { name: /Published/ }).click();
    const published = page.locator('#published-table');
    await published.waitFor();
    assert.equal(await published.locator('tbody tr').count(), 3);
    const teeRow = squash(await page.locator(`#row-${tee.id}`).textContent());
    for (const text of ['オーガニックTシャツ', 'Like new', '¥3,500', '¥4,900', first.rma]) {
      assert.ok(teeRow.includes(text), `the published T-shirt row shows ${text}: ${teeRow}`);
    }
    assert.equal(squash(await page.locator(`#row-${tee.id} s.was`).textContent()), 'Original price ¥4,900');
    assert.ok(squash(await page.locator(`#row-${denim.id}`).textContent()).includes('¥5,880'));
    assert.ok(squash(await page.locator(`#row-${cap.id}`).textContent()).includes('¥1,980'));
    await shot(page, '06-published');
    // arrow keys move between the tabs
    await page.getByRole('tab', { name: /Published/ }).press('ArrowRight');
    await page.getByRole('tab', { name: /Sold/ }).press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: /Rejected/ }).getAttribute('aria-selected'), 'true');
    const rejectedRow = page.locator(`#row-${shirt.id}`);
    await rejectedRow.waitFor();
    assert.ok(squash(await rejectedRow.textContent()).includes('シミが目立つため再販しない'), 'the reason is listed');

    // ---- 8. returns: search by RMA (lower case, no hyphen) and open its timeline
    await page.getByRole('tab', { name: /Returns/ }).click();
    await page.locator('#returns-table').waitFor();
    await page.getByLabel('Search', { exact: true }).fill(first.rma.replace('-', '').toLowerCase());
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#returns-table tbody tr').first().waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#returns-table tbody tr').length === 1);
    const row = squash(await page.locator(`#return-${first.rma}`).textContent());
    for (const text of [first.rma, first.order.orderNumber, '山田 太郎', 'Resolved', '¥8,200']) {
      assert.ok(row.includes(text), `the return's row shows ${text}: ${row}`);
    }
    await page.getByRole('button', { name: `Open return ${first.rma}` }).click();
    const panel = page.locator('#return-panel');
    await panel.locator('#panel-timeline').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'panel-title', 'the panel takes the focus');
    const tees = panel.locator('.panel-item').filter({ hasText: 'オーガニックTシャツ' });
    await tees.getByText('Inspected: received 1 of 1 · Like new · Resale').waitFor();
    await tees.getByText(TEE_INTERNAL).waitFor(); // the merchant reads the warehouse's note
    await panel.locator('.panel-item').filter({ hasText: 'コットンキャップ' }).getByText('Inspected: received 1 of 1 · Good · Resale').waitFor();
    const timeline = panel.locator('#panel-timeline');
    await timeline.getByText('Parcel received at the warehouse').waitFor();
    assert.equal(await timeline.getByText('Item inspected').count(), 2);
    await timeline.getByText('Return resolved').waitFor();
    assert.ok(squash(await timeline.textContent()).includes(clerkUser.email), 'the clerk who worked on it is named');
    assert.equal(squash(await panel.locator('#panel-refund-total').textContent()), '¥8,200');
    await shot(page, '07-return-timeline');

    // a reload shows the same tab, search and return; Japanese and back
    await page.reload();
    await panel.locator('#panel-timeline').waitFor();
    assert.equal(await page.getByRole('tab', { name: /Returns/ }).getAttribute('aria-selected'), 'true');
    assert.equal(await page.getByLabel('Search', { exact: true }).inputValue(), first.rma.replace('-', '').toLowerCase());
    await page.getByRole('button', { name: '日本語' }).click();
    await page.getByRole('tab', { name: /確認待ち/ }).waitFor();
    await panel.getByText('返品完了').waitFor();
    await shot(page, '08-japanese');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Close' }).click();
    await panel.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), `open-${first.rma}-row`, 'closing returns the focus');

    // ================================================================ the shop, on a phone
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'en-US',
    });
    const shop = await phone.newPage();
    page = shop;
    shop.setDefaultTimeout(15_000);
    shop.on('pageerror', (e) => pageErrors.push(`shop: ${e.message}`));
    const shopUrl = `${BASE}/shop/${encodeURIComponent(merchant.slug)}/`;
    const cards = shop.locator('#shop-grid > li');
    const count = shop.locator('#results-title');

    // ---- 9. three published items; the T-shirt with its badge, note and prices
    await shop.goto(shopUrl);
    await shop.getByRole('heading', { level: 1, name: merchant.name }).waitFor();
    await count.filter({ hasText: '3 items' }).waitFor();
    assert.equal(await cards.count(), 3);
    const teeShop = shop.locator(`#listing-${tee.id}`);
    await teeShop.getByRole('heading', { name: 'オーガニックTシャツ' }).waitFor();
    await teeShop.getByText('Black / M').waitFor();
    await teeShop.getByText(TEE_NOTE).waitFor();
    assert.equal(squash(await teeShop.locator('.grade').textContent()), 'Condition: Like new');
    assert.equal(squash(await teeShop.locator('.price-now').textContent()), '¥3,500');
    assert.equal(squash(await teeShop.locator('s.price-was').textContent()), 'Original price: ¥4,900');
    await teeShop.getByText('28% off').waitFor();
    const badge = (l) => shop.locator(`#listing-${l.id} .grade`).evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(await badge(tee), await badge(denim), 'each grade has its own colour');
    const body = await shop.locator('body').textContent();
    for (const secret of ['山田', 'taro.yamada', first.rma, second.rma, first.order.orderNumber, TEE_INTERNAL, SHIRT_NOTE]) {
      assert.ok(!body.includes(secret), `the shop never shows ${secret}`);
    }
    const overflow = await shop.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `nothing wider than the phone (${overflow}px too wide)`);
    await shot(shop, '09-shop');

    // ---- 10. filter by grade; the address keeps it, the back button undoes it
    await shop.getByLabel('Condition').selectOption('like_new');
    await count.filter({ hasText: '1 item' }).waitFor();
    await teeShop.waitFor();
    assert.equal(new URL(shop.url()).searchParams.get('grade'), 'like_new');
    await shot(shop, '10-grade');
    await shop.goBack();
    await count.filter({ hasText: '3 items' }).waitFor();
    assert.equal(await shop.getByLabel('Condition').inputValue(), '');

    // ---- 11. search by title, then the grade on top of it, then sort by price
    await shop.getByRole('searchbox', { name: 'Search by title' }).fill('Tシャツ');
    await shop.getByRole('button', { name: 'Search', exact: true }).click();
    await count.filter({ hasText: '1 item' }).waitFor();
    await teeShop.waitFor();
    await shop.getByLabel('Condition').selectOption('like_new');
    await shop.waitForURL(/grade=like_new/);
    await count.filter({ hasText: '1 item' }).waitFor();
    await teeShop.waitFor();
    await shop.reload();
    await teeShop.waitFor();
    assert.equal(await shop.getByRole('searchbox', { name: 'Search by title' }).inputValue(), 'Tシャツ', 'a reload keeps the search');
    await shop.getByRole('button', { name: 'Clear search and filters' }).click();
    await count.filter({ hasText: '3 items' }).waitFor();
    await shop.getByLabel('Sort').selectOption('price');
    await shop.waitForURL(/sort=price/);
    await shop.waitForFunction(() => document.querySelector('#shop-grid > li .price-now')?.textContent === '¥1,980');
    const prices = (await shop.locator('#shop-grid .price-now').allTextContents()).map(squash);
    assert.deepEqual(prices, ['¥1,980', '¥3,500', '¥5,880'], 'cheapest first');
    await shop.getByLabel('Sort').selectOption('-price');
    await shop.waitForFunction(() => document.querySelector('#shop-grid > li .price-now')?.textContent === '¥5,880');

    // ---- 12. a feed link lands on its card; Japanese words; an unknown shop says so
    await shop.goto(`${shopUrl}#listing-${denim.id}`);
    await shop.locator(`#listing-${denim.id}.shop-card--target`).waitFor();
    await shop.getByRole('button', { name: '日本語' }).click();
    await shop.locator(`#listing-${denim.id} .grade`).getByText('目立った傷や汚れなし').waitFor();
    await shop.locator('#results-title', { hasText: '3点' }).waitFor();
    await shot(shop, '11-japanese');
    await shop.getByRole('button', { name: 'English' }).click();
    await shop.goto(`${BASE}/shop/no-such-${suffix()}/`);
    await shop.getByRole('heading', { name: 'Shop not found' }).waitFor();
    await shot(shop, '12-not-found');

    // ---- 13. the storefront sells the T-shirt: it leaves the shop at once
    const sold = await markSold(merchant, tee.id);
    assertStatus(sold, 200);
    assert.equal(sold.json.status, 'sold');
    await shop.goto(`${shopUrl}?q=${encodeURIComponent('Tシャツ')}`);
    await shop.locator('#shop-empty').getByText('No items match your search.').waitFor();
    await shop.goto(shopUrl);
    await count.filter({ hasText: '2 items' }).waitFor();
    assert.equal(await shop.locator(`#listing-${tee.id}`).count(), 0, 'a sold item is not for sale');
    await shot(shop, '13-sold');

    // ---- 14. the console counts it sold and the money recovered
    page = console_;
    await page.reload();
    await page.locator('#stat-recovered dd', { hasText: '¥3,500' }).waitFor();
    await page.locator('#stat-sold dd', { hasText: '1' }).waitFor();
    await page.getByRole('tab', { name: /Sold/ }).click();
    const soldRow = page.locator(`#row-${tee.id}`);
    await soldRow.waitFor();
    assert.ok(squash(await soldRow.textContent()).includes('¥3,500'));
    await shot(page, '14-console-sold');

    assert.deepEqual(pageErrors, [], 'no script errors');
  } catch (err) {
    if (SHOTS) await page?.screenshot({ path: join(SHOTS, 'resale-failure.png'), fullPage: true }).catch(() => {});
    throw err;
  } finally {
    await browser.close();
  }
});

test('on a phone: a shop card with its photo opens the item page, whose photos swipe one by one and whose copy link copies', async () => {
  const merchant = newMerchant();
  const clerk = await staffSession(newStaff({ role: 'warehouse', warehouse: merchant.warehouse }));
  const owner = await staffSession(newStaff({ role: 'merchant', merchant }));
  const ret = await returnFor(merchant, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  const view = await scanOk(clerk, ret.rma);
  const item = itemOf(view, 'TEE-BLK-M');
  const dir = mkdtempSync(join(tmpdir(), 'kaeru-item-'));
  for (const [w, h] of [[1200, 1600], [1200, 900], [800, 800]]) {
    const p = join(dir, `${w}x${h}.jpg`);
    execFileSync('vips', ['gaussnoise', p, String(w), String(h)]);
    const res = await clerk.api('POST', `/api/v1/returns/${ret.rma}/items/${item.item_id}/photos`,
      { body: readFileSync(p), headers: { 'content-type': 'image/jpeg' } });
    assertStatus(res, 201);
  }
  await inspectOk(clerk, ret.rma, item.item_id, { received_quantity: 1, grade: 'good', disposition: 'resale', public_note: TEE_NOTE });
  const listing = (await allListings(owner, 'pending_review'))[0];
  await approveOk(owner, listing.id, { price: 2500 });
  // The merchant's checkout: here a page of the test's own origin, so nothing leaves the machine.
  const checkout = `${BASE}/checkout-test?listing={listing_id}&sku={sku}&price={price}`;
  assertStatus(await owner.api('PUT', '/api/v1/merchant/policy', { body: { checkout_url: checkout } }), 200);

  const browser = await launch();
  try {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'en-US',
    });
    await phone.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
    const page = await phone.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${BASE}/shop/${merchant.slug}/`);
    const card = page.locator(`#listing-${listing.id}`);
    const cardPhoto = card.locator('img.shop-card-photo');
    await cardPhoto.waitFor();
    await page.waitForFunction((el) => el.complete && el.naturalWidth === 400, await cardPhoto.elementHandle());
    await card.getByRole('link', { name: 'オーガニックTシャツ' }).click();
    await page.waitForURL(`${BASE}/shop/${merchant.slug}/items/${listing.id}`);
    await page.getByRole('heading', { level: 1, name: 'オーガニックTシャツ' }).waitFor();
    await page.getByText(TEE_NOTE).waitFor();
    assert.equal(squash(await page.locator('#item-price').textContent()), '¥2,500');
    await page.getByText('You save ¥2,400 (48%)').waitFor();
    const photos = page.locator('#item-photos');
    assert.equal(await photos.locator('img').count(), 3);
    // Swipe: the row scrolls one photo at a time (scroll snap).
    const width = await photos.evaluate((el) => el.clientWidth);
    await photos.evaluate((el) => el.scrollBy({ left: el.clientWidth * 0.6 }));
    await page.waitForFunction((w) => {
      const el = document.getElementById('item-photos');
      return Math.abs(el.scrollLeft - (w + 8)) < 4 || Math.abs(el.scrollLeft - w) < 12;
    }, width);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `nothing wider than the phone (${overflow}px too wide)`);
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByRole('button', { name: 'Link copied' }).waitFor();
    const canonical = await page.locator('link[rel=canonical]').getAttribute('href');
    assert.ok(canonical.endsWith(`/shop/${merchant.slug}/items/${listing.id}`), canonical);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), canonical, 'the page\'s own address is copied');
    for (const name of ['LINE', 'X', 'Facebook']) await page.getByRole('link', { name, exact: true }).waitFor();
    assert.deepEqual(pageErrors, []);
    // Buy leads to the merchant's checkout with this listing, its sku and its price.
    await page.getByRole('link', { name: 'Buy', exact: true }).click();
    await page.waitForURL(`${BASE}/checkout-test?listing=${listing.id}&sku=TEE-BLK-M&price=2500`, { waitUntil: 'commit' });
  } finally {
    await browser.close();
  }
});
