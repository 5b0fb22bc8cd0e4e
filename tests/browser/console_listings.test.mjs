// Listings the merchant fixes after deciding them, in headless Chromium on a phone-sized screen
// against the real stack: the owner edits a published T-shirt's title and price and the shop's item
// page shows them; a price under 30% of the original is only taken after the second step says so
// (turning back first changes nothing); a title the server refuses is named next to its field; the
// photos are put in another order and the item page shows them so; withdrawn, the T-shirt leaves
// the shop and waits for review again; a rejected cap goes back to review. Each change is an event
// naming the owner. The same actions read in Japanese. A review queue and a published tab of more
// than a page go on with Next and come back with Previous, by the lists' cursors.
//
// Screenshots of each step go to $KAERU_SCREENSHOTS when it is set.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { holdAnswer, launch, newPage } from './chromium.mjs';
import {
  BASE, api, approveOk, assertStatus, bulkApprove, clerkOf, getListing, inspectOk, jpOrder, merchantListings,
  newMerchant, newStaff, ownerOf, rejectOk, resaleListing, returnFor, scanOk, scratchDir, shopListings,
} from '../integration/lib.mjs';

const SHOTS = process.env.KAERU_SCREENSHOTS || '';
const NEW_TITLE = 'オーガニックTシャツ（黒・試着のみ）';

/** A published T-shirt (original ¥4,900) of merchant m with two warehouse photos; {listing, photos}. */
async function publishedWithPhotos(m, scratch) {
  const clerk = await clerkOf(m);
  const ret = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  await scanOk(clerk, ret.rma);
  const itemId = ret.items[0].item_id;
  const photos = [];
  for (const [w, h] of [[1000, 1300], [900, 600]]) {
    const path = join(scratch.dir, `${w}.jpg`);
    execFileSync('vips', ['gaussnoise', path, String(w), String(h)]);
    const res = await clerk.api('POST', `/api/v1/returns/${ret.rma}/items/${itemId}/photos`,
      { body: readFileSync(path), headers: { 'content-type': 'image/jpeg' } });
    assertStatus(res, 201);
    photos.push(res.json);
  }
  await inspectOk(clerk, ret.rma, itemId, { received_quantity: 1, grade: 'like_new', disposition: 'resale', public_note: '試着のみ' });
  const owner = await ownerOf(m);
  const pending = (await owner.api('GET', '/api/v1/merchant/listings?status=pending_review')).json.items.filter((l) => l.rma === ret.rma);
  assert.equal(pending.length, 1);
  return { listing: await approveOk(owner, pending[0].id, { price: 3900 }), photos };
}

/** The content hash of a /media/ URL. */
const hashOf = (url) => /\/media\/([0-9a-f]{64})-/.exec(url)?.[1];

async function listingEvents(m, id) {
  const res = await api('GET', `/api/v1/merchants/${m.slug}/events?limit=500`, { token: m.key });
  assertStatus(res, 200);
  return res.json.events.filter((e) => String(e.listing_id) === String(id));
}

test('the owner edits, reprices, reorders, withdraws and restores listings from the console', { timeout: 240_000 }, async () => {
  const merchant = newMerchant({ currency: 'JPY' });
  const ownerUser = newStaff({ role: 'merchant', merchant });
  const owner = await ownerOf(merchant);
  const scratch = scratchDir();
  const { listing: tee, photos } = await publishedWithPhotos(merchant, scratch);
  // Another item stays in the shop throughout, so its page is never empty.
  const other = (await resaleListing(merchant, { line: '3', grade: 'good' })).listing;
  await approveOk(owner, other.id);
  // A rejected one, to restore.
  const cap = (await resaleListing(merchant, { line: '3', grade: 'fair' })).listing;
  await rejectOk(owner, cap.id, '色が写真と違う');

  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  const pageErrors = [];
  try {
    const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-US' };
    const ctx = await browser.newContext(phone);
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Each look at the shop is a shopper of its own: item pages may be kept a minute (max-age=60).
    let shopper = null;
    const newShopper = async () => {
      await shopper?.context().close();
      shopper = await (await browser.newContext(phone)).newPage();
      shopper.setDefaultTimeout(15_000);
      shopper.on('pageerror', (e) => pageErrors.push(e.message));
      return shopper;
    };
    const shot = async (name) => {
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `console-listings-${name}.png`), fullPage: true });
    };
    const itemPage = async (id) => (await newShopper()).goto(`${BASE}/shop/${merchant.slug}/items/${id}?lang=en`);
    const shopPrice = async () => (await shopper.locator('#item-price').textContent()).trim();
    const stored = async (id) => {
      const res = await getListing(owner, id);
      assertStatus(res, 200);
      return res.json;
    };

    const e = `#edit-${tee.id}`;
    const openEditor = async () => {
      await page.locator(`#act-${tee.id}-edit`).click();
      await page.locator(`${e}-form`).waitFor();
    };
    const notice = page.locator('#published-notice');

    // ---- 1. log in on a phone, open Published: the T-shirt's row offers Edit and Withdraw
    await page.goto(`${BASE}/console/?lang=en`);
    await page.getByLabel('Email').fill(ownerUser.email);
    await page.getByLabel('Password').fill(ownerUser.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('tab', { name: /Published/ }).click();
    await page.locator(`#row-${tee.id}`).waitFor();
    assert.equal(await page.getByRole('button', { name: `Edit “${tee.title}”` }).count(), 1);
    assert.equal(await page.getByRole('button', { name: `Withdraw “${tee.title}” from the shop` }).count(), 1);
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'nothing wider than the phone');

    // ---- 2. a new title and price: saved, the row and the shop's item page show them
    await openEditor();
    assert.equal(await page.locator(`${e}-price`).inputValue(), '3900');
    assert.match(await page.locator(`${e}-price-hint`).textContent(), /Original price ¥4,900/);
    await page.locator(`${e}-title`).fill(NEW_TITLE);
    await page.locator(`${e}-price`).fill('3,500');
    await shot('01-editor');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await notice.filter({ hasText: `“${NEW_TITLE}” saved: it now sells at ¥3,500.` }).waitFor();
    assert.equal(await page.locator(`${e}-form`).count(), 0, 'the editor closes');
    assert.match(await page.locator(`#row-${tee.id}`).textContent(), /¥3,500/);
    assert.match(await page.locator(`#row-${tee.id}`).textContent(), new RegExp(NEW_TITLE.replace(/[()（）]/g, '.')));
    let now = await stored(tee.id);
    assert.equal(now.price, 3500);
    assert.equal(now.title, NEW_TITLE);
    await itemPage(tee.id);
    assert.equal(await shopPrice(), '¥3,500');
    assert.equal((await shopper.locator('#item-title').textContent()).trim(), NEW_TITLE);

    // ---- 3. a price under 30% of ¥4,900 asks first; turning back changes nothing
    await openEditor();
    await page.locator(`${e}-price`).fill('1000');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const low = page.locator(`${e}-low`);
    await low.waitFor();
    assert.equal((await low.locator('p').textContent()).trim(),
      'This price is below 30% of the original (¥4,900) — publish at ¥1,000 anyway?');
    assert.equal(await page.locator(`${e}-price`).isDisabled(), true, 'the price waits for the answer');
    await shot('02-low-price');
    assert.equal((await stored(tee.id)).price, 3500, 'nothing changes before the answer');
    await page.getByRole('button', { name: 'Change the price' }).click();
    assert.equal(await low.count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.id), `edit-${tee.id}-price`);
    await page.locator(`${e}-price`).fill('1200');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await low.filter({ hasText: 'publish at ¥1,200 anyway?' }).waitFor();
    assert.equal((await stored(tee.id)).price, 3500);
    await page.getByRole('button', { name: 'Yes, publish at ¥1,200' }).click();
    await notice.filter({ hasText: 'it now sells at ¥1,200.' }).waitFor();
    assert.equal((await stored(tee.id)).price, 1200);
    await itemPage(tee.id);
    assert.equal(await shopPrice(), '¥1,200');

    // ---- 4. a title the server refuses is named next to the title field; nothing is stored
    await openEditor();
    await page.locator(`${e}-title`).evaluate((el) => {
      el.value = 'Tシャツ\u0007黒';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.getByRole('button', { name: 'Save changes' }).click();
    const titleError = page.locator(`${e}-title-error`);
    await titleError.filter({ hasText: 'Title must not contain control characters.' }).waitFor();
    assert.equal(await page.locator(`${e}-title`).getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator(`${e}-title`).getAttribute('aria-describedby'), new RegExp(`edit-${tee.id}-title-error`));
    assert.equal((await stored(tee.id)).title, NEW_TITLE);
    await shot('03-field-error');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    assert.equal(await page.locator(`${e}-form`).count(), 0);

    // ---- 5. the photos in another order: the thumbnails move, the item page follows
    await openEditor();
    const thumbs = page.locator(`${e}-photo_order img`);
    assert.equal(await thumbs.count(), 2);
    assert.deepEqual(await thumbs.evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src'))),
      photos.map((p) => p.url.replace(/-\d+\.jpg$/, '-400.jpg')));
    await page.waitForFunction((sel) => [...document.querySelectorAll(sel)].every((i) => i.complete && i.naturalWidth > 0),
      `${e}-photo_order img`);
    assert.equal(await page.getByRole('button', { name: 'Move photo 1 up' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Move photo 2 up' }).click();
    assert.deepEqual(await page.locator(`${e}-photo_order li`).evaluateAll((li) => li.map((x) => x.dataset.photo)),
      [String(photos[1].id), String(photos[0].id)]);
    assert.equal(await page.evaluate(() => document.activeElement?.id), `edit-${tee.id}-photo-${photos[1].id}-down`,
      'at the top, the focus stays with the moved photo');
    await shot('04-photos');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await notice.filter({ hasText: 'saved' }).waitFor();
    assert.deepEqual((await stored(tee.id)).photos.map((p) => p.id), [photos[1].id, photos[0].id]);
    await itemPage(tee.id);
    assert.deepEqual(await shopper.locator('#item-photos img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src'))).then((s) => s.map(hashOf)),
      [hashOf(photos[1].url), hashOf(photos[0].url)]);

    // ---- 6. withdrawn after a confirmation: out of the shop at once, back in the review queue
    await page.getByRole('button', { name: `Withdraw “${NEW_TITLE}” from the shop` }).click();
    assert.match(await page.locator(`#act-${tee.id}-confirm-text`).textContent(), /Take .* out of the shop\? It goes back to the review queue\./);
    await page.getByRole('button', { name: 'Keep it in the shop' }).click();
    assert.equal((await stored(tee.id)).status, 'published', 'keeping it changes nothing');
    await page.getByRole('button', { name: `Withdraw “${NEW_TITLE}” from the shop` }).click();
    await shot('05-withdraw');
    // The list's reload after the withdrawal reaches the page only after the other listing's new
    // title is saved: the other row keeps its new title.
    const reload = await holdAnswer(page, (url) => url.pathname.endsWith('/merchant/listings') && url.searchParams.get('status') === 'published');
    await page.locator(`#act-${tee.id}-withdraw-yes`).click();
    await notice.filter({ hasText: 'is out of the shop and back in the review queue.' }).waitFor();
    await reload.answered;
    await page.locator(`#act-${other.id}-edit`).click();
    await page.locator(`#edit-${other.id}-title`).fill('リネンキャップ（再出品）');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await notice.filter({ hasText: '“リネンキャップ（再出品）” saved' }).waitFor();
    await reload.release();
    assert.match(await page.locator(`#row-${other.id}`).textContent(), /リネンキャップ（再出品）/, 'the older list does not come back');
    await page.locator(`#row-${tee.id}`).waitFor({ state: 'detached' });
    await page.locator(`#row-${other.id}`).waitFor();
    assert.equal((await stored(tee.id)).status, 'pending_review');
    await (await newShopper()).goto(`${BASE}/shop/${merchant.slug}/?lang=en`);
    await shopper.locator(`#listing-${other.id}`).waitFor();
    assert.equal(await shopper.locator(`#listing-${tee.id}`).count(), 0, 'gone from the shop');
    assert.equal((await itemPage(tee.id)).status(), 404);
    await page.getByRole('tab', { name: /Review queue/ }).click();
    await page.locator(`#listing-${tee.id}`).waitFor();

    // ---- 7. the rejected cap goes back to review
    await page.getByRole('tab', { name: /Rejected/ }).click();
    await page.locator(`#row-${cap.id}`, { hasText: '色が写真と違う' }).waitFor();
    await page.getByRole('button', { name: `Put “${cap.title}” back in the review queue` }).click();
    await page.locator('#rejected-notice', { hasText: 'is back in the review queue.' }).waitFor();
    await page.locator(`#row-${cap.id}`).waitFor({ state: 'detached' });
    now = await stored(cap.id);
    assert.equal(now.status, 'pending_review');
    assert.equal(now.reject_reason, null);
    await page.getByRole('tab', { name: /Review queue/ }).click();
    await page.locator(`#listing-${cap.id}`).waitFor();
    await shot('06-restored');

    // ---- in Japanese, the same actions in Japanese words
    await page.goto(`${BASE}/console/?lang=ja&tab=published`);
    await page.locator(`#act-${other.id}-edit`, { hasText: '編集' }).waitFor();
    assert.equal((await page.locator(`#act-${other.id}-withdraw`).textContent()).trim(), '取り下げ');
    await page.locator(`#act-${other.id}-edit`).click();
    await page.getByLabel('お客様向けのメモ').waitFor();

    // ---- every change is an event naming the owner
    const teeEvents = await listingEvents(merchant, tee.id);
    const updated = teeEvents.filter((x) => x.type === 'listing.updated');
    assert.equal(updated.length, 3, 'title and price, the confirmed low price, the photo order');
    assert.deepEqual(updated[1].data.changes.price, { from: 3500, to: 1200 });
    const withdrawn = teeEvents.filter((x) => x.type === 'listing.withdrawn');
    assert.equal(withdrawn.length, 1);
    const restored = (await listingEvents(merchant, cap.id)).filter((x) => x.type === 'listing.restored');
    assert.equal(restored.length, 1);
    for (const ev of [...updated, ...withdrawn, ...restored]) assert.equal(ev.data.by, ownerUser.email, ev.type);
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    scratch.cleanup();
  }
});

test('the review queue and the published tab page by cursor with Next and Previous', { timeout: 240_000 }, async () => {
  const merchant = newMerchant({ currency: 'JPY' });
  const ownerUser = newStaff({ role: 'merchant', merchant });
  const owner = await ownerOf(merchant);
  const base = jpOrder();
  const order = { lines: [{ ...base.lines[0], quantity: 60 }, ...base.lines.slice(1)] };
  const { listings } = await resaleListing(merchant, { quantity: 60, grade: 'good', order });
  assert.equal(listings.length, 60);
  // 55 published (newest first), 5 left in the queue; then 60 more waiting for review.
  assertStatus(await bulkApprove(owner, listings.slice(0, 55).map((l) => l.id)), 200);
  const more = (await resaleListing(merchant, { quantity: 60, grade: 'good', order })).listings;
  const apiOrder = async (status) => {
    const out = [];
    for (let page = 1; page <= 2; page++) out.push((await merchantListings(owner, { status, page })).json.items.map((l) => `l${l.id}-name`));
    return out;
  };
  const queue = await apiOrder('pending_review');
  assert.deepEqual(queue.map((p) => p.length), [50, 15]);
  const published = (await apiOrder('published')).map((p) => p.map((id) => `row-${id.slice(1, -5)}`));
  assert.deepEqual(published.map((p) => p.length), [50, 5]);
  assert.equal(more.length, 60);

  const browser = await launch();
  try {
    const { page, pageErrors } = await newPage(browser);
    const cards = () => page.locator('.review-list [id$="-name"]').evaluateAll((els) => els.map((e) => e.id));
    const rows = () => page.locator('tr[id^="row-"]').evaluateAll((trs) => trs.map((tr) => tr.id));
    const where = (tab) => page.locator(`#${tab}-next`).locator('xpath=..').locator('.pager-where').textContent();
    const address = () => new URL(page.url()).searchParams;

    await page.goto(`${BASE}/console/?lang=en`);
    await page.getByLabel('Email').fill(ownerUser.email);
    await page.getByLabel('Password').fill(ownerUser.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator(`#${queue[0][0]}`).waitFor();
    assert.deepEqual(await cards(), queue[0]);
    assert.ok(await page.locator('#review-prev').isDisabled(), 'no page before the first');

    // ---- Next: the queue's second page, by the cursor; the address keeps it
    await page.locator('#review-next').click();
    await page.locator(`#${queue[1][0]}`).waitFor();
    assert.deepEqual(await cards(), queue[1]);
    assert.match(await where('review'), /Page 2 of 2/);
    assert.ok(await page.locator('#review-next').isDisabled(), 'no page after the last');
    assert.ok(address().get('after'), 'the cursor is in the address');
    assert.equal(address().get('page'), '2');
    await page.reload();
    await page.locator(`#${queue[1][0]}`).waitFor();
    assert.deepEqual(await cards(), queue[1], 'a reload shows the same page');

    // ---- Previous: the first page again
    await page.locator('#review-prev').click();
    await page.locator(`#${queue[0][0]}`).waitFor();
    assert.deepEqual(await cards(), queue[0]);
    assert.match(await where('review'), /Page 1 of 2/);
    assert.ok(await page.locator('#review-prev').isDisabled());

    // ---- the published tab, newest first, the same way
    await page.getByRole('tab', { name: /Published/ }).click();
    await page.locator(`#${published[0][0]}`).waitFor();
    assert.deepEqual(await rows(), published[0]);
    await page.locator('#published-next').click();
    await page.locator(`#${published[1][0]}`).waitFor();
    assert.deepEqual(await rows(), published[1]);
    assert.ok(address().get('after'));
    await page.locator('#published-prev').click();
    await page.locator(`#${published[0][0]}`).waitFor();
    assert.deepEqual(await rows(), published[0]);
    assert.deepEqual(pageErrors, []);

    // ---- on a phone, in Japanese: the pager's words, its buttons on the screen, the same pages
    const phone = await newPage(browser, { width: 390, height: 844, locale: 'ja-JP' });
    const p = phone.page;
    await p.goto(`${BASE}/console/?lang=ja&tab=published`);
    await p.getByLabel('メールアドレス').fill(ownerUser.email);
    await p.getByLabel('パスワード').fill(ownerUser.password);
    await p.getByRole('button', { name: 'ログイン' }).click();
    await p.locator(`#${published[0][0]}`).waitFor();
    const phoneWhere = () => p.locator('#published-next').locator('xpath=..').locator('.pager-where').textContent();
    assert.match(await phoneWhere(), /2ページ中1ページ目/);
    for (const id of ['#published-prev', '#published-next']) {
      const box = await p.locator(id).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${id} is on a 390 px screen: ${JSON.stringify(box)}`);
    }
    await p.locator('#published-next').click();
    await p.locator(`#${published[1][0]}`).waitFor();
    assert.deepEqual(await p.locator('tr[id^="row-"]').evaluateAll((trs) => trs.map((tr) => tr.id)), published[1]);
    assert.match(await phoneWhere(), /2ページ中2ページ目/);
    if (SHOTS) await p.screenshot({ path: join(SHOTS, 'console-listings-pager-ja-phone.png'), fullPage: true });
    assert.deepEqual(phone.pageErrors, []);

    // ---- the shop, from a feed link to a listing on its third page: the shopper searches while
    // the page still looks for that listing, and the third page, answered after the search, does
    // not replace what the search found.
    const third = (await shopListings(merchant.slug, { page: 3 })).json.items;
    assert.ok(third.length > 0, 'the shop has a third page');
    const shopper = await newPage(browser);
    const sp = shopper.page;
    const thirdPage = await holdAnswer(sp, (url) => url.pathname.endsWith('/listings') && url.searchParams.get('page') === '3');
    await sp.goto(`${BASE}/shop/${encodeURIComponent(merchant.slug)}/?lang=en#listing-${third[0].id}`);
    await thirdPage.answered;
    await sp.getByRole('searchbox', { name: 'Search by title' }).fill('nothing-like-this');
    await sp.getByRole('button', { name: 'Search', exact: true }).click();
    await sp.locator('#shop-empty').waitFor();
    await thirdPage.release();
    assert.equal(await sp.locator('#shop-empty').count(), 1, 'the search still shows that nothing matches');
    assert.equal(await sp.locator(`#listing-${third[0].id}`).count(), 0);
    assert.equal(new URL(sp.url()).searchParams.get('page'), null);
    assert.equal(new URL(sp.url()).searchParams.get('q'), 'nothing-like-this');
    assert.deepEqual(shopper.pageErrors, []);
  } finally {
    await browser.close();
  }
});
