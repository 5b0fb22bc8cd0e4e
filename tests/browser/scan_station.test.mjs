// The warehouse scan station, in headless Chromium on a handheld-sized screen (360×640), against the
// real stack (nginx + kaeru-fcgi + MariaDB at KAERU_URL; kaeru-admin at KAERU_ADMIN):
// a customer's return (one T-shirt exchanged for another size, one cap refunded with a 10% restocking
// fee) is made through the API; a warehouse user logs in at /scan/ (after one wrong password), types
// the code as a scanner would (lower case, no hyphen) + Enter and sees the green result; scans the QR
// text and sees "already received"; fires a canceled parcel and an unknown code back to back and
// sees both answered; inspects both items through the forms and watches the return resolve with its
// money; the customer's tracking page then shows received, inspected and resolved with the amounts.
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
  BASE, RMA_RE, adminOk, api, assertStatus, createReturn, daysAgo, getReturn, jpOrder, lookupOk,
  newMerchant, newOrderNumber, putInventory, putOrder, suffix, trackingKey,
} from '../integration/lib.mjs';

const SHOTS = process.env.KAERU_SCREENSHOTS || '';

/** A warehouse user of warehouse `code`: {email, password}. */
function newWarehouseUser(code) {
  const email = `scan-${suffix()}@example.jp`;
  const password = `pw-${suffix(8)}`;
  adminOk(['user', 'create', '--email', email, '--role', 'warehouse', '--warehouse', code], { input: `${password}\n` });
  return { email, password };
}

/** A fresh order of merchant m, looked up: {orderNumber, order, token}. */
async function orderOf(m) {
  const orderNumber = newOrderNumber();
  const order = jpOrder({ delivered_at: daysAgo(3), placed_at: daysAgo(6) });
  assertStatus(await putOrder(m, orderNumber, order), 201);
  const found = await lookupOk(m.slug, orderNumber, order.email);
  return { orderNumber, order, token: found.token };
}

/** [r, g, b] of a CSS colour such as "rgb(23, 96, 63)". */
function rgb(css) {
  const m = css.match(/rgba?\((\d+),\s*(\d+),\s*(\d+)/);
  assert.ok(m, `a colour: ${css}`);
  return m.slice(1, 4).map(Number);
}

const isGreen = ([r, g, b]) => g > r + 40 && g > b + 20;
const isAmber = ([r, g, b]) => r > 180 && g > 120 && b < 80;
const isRed = ([r, g, b]) => r > g + 80 && r > b + 80;

test('warehouse staff scan a parcel, inspect its items, and the customer sees the money', { timeout: 240_000 }, async () => {
  // ---- a merchant with a 10% restocking fee, its stock, a customer's return and a canceled one
  const merchant = newMerchant({ currency: 'JPY' });
  adminOk(['merchant', 'policy', '--slug', merchant.slug, '--restocking-fee-percent', '10']);
  assertStatus(await putInventory(merchant, [
    { sku: 'TEE-BLK-M', product_id: 'TEE', variant: 'Black / M', available: 1 },
    { sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available: 3 },
    { sku: 'CAP-RED', product_id: 'CAP', variant: 'Red', available: 5 },
  ]), 200);

  const first = await orderOf(merchant);
  const ret = await createReturn(first.token, [
    { line_id: '1', quantity: 1, reason: 'too_small', resolution: 'exchange', exchange_sku: 'TEE-BLK-L' },
    { line_id: '3', quantity: 1, reason: 'changed_mind', resolution: 'refund', comment: '色が写真と違いました' },
  ]);
  const rma = ret.rma;
  assert.match(rma, RMA_RE);
  const k = trackingKey(ret);

  const second = await orderOf(merchant);
  const canceled = await createReturn(second.token, [
    { line_id: '3', quantity: 1, reason: 'changed_mind', resolution: 'refund' },
  ]);
  assertStatus(await api('POST', `/api/v1/returns/${encodeURIComponent(canceled.rma)}/cancel`,
    { body: {}, token: second.token }), 200);

  const staff = newWarehouseUser(merchant.warehouse.code);

  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  const pageErrors = [];
  let page;
  try {
    const context = await browser.newContext({
      viewport: { width: 360, height: 640 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'en-US',
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const shot = async (name) => {
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `scan-${name}.png`), fullPage: true });
    };
    const focusedId = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    const bannerColour = async (cls) => rgb(await page.locator(`.${cls} .result-banner`)
      .evaluate((el) => getComputedStyle(el).backgroundColor));

    // ---- 1. login: a wrong password is refused in words, the right one opens the station
    await page.goto(`${BASE}/scan/`);
    await page.getByRole('heading', { name: 'Staff login' }).waitFor();
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    await shot('1-login-wrong');
    await page.getByLabel('Password').fill(staff.password);
    await page.getByRole('button', { name: 'Log in' }).click();

    const input = page.getByLabel('Scan or type the return code');
    await input.waitFor();
    assert.equal(await focusedId(), 'scan-input', 'the scan input has the focus after login');
    const bar = page.locator('#station-bar');
    for (const text of [merchant.warehouse.name, merchant.warehouse.code, staff.email]) {
      assert.ok((await bar.textContent()).includes(text), `the station bar shows ${text}`);
    }
    await shot('2-station');

    // A reload keeps the session: straight to the scan input, focused.
    await page.reload();
    await input.waitFor();
    assert.equal(await focusedId(), 'scan-input', 'the scan input has the focus on load');

    // ---- 2. the scanner types lower case without the hyphen, then Enter: green, with the parcel's story
    await page.keyboard.type(rma.replace('-', '').toLowerCase());
    await page.keyboard.press('Enter');
    assert.equal(await input.inputValue(), '', 'the input is cleared at once');
    assert.equal(await focusedId(), 'scan-input', 'and keeps the focus for the next scan');
    const ok = page.locator('.result--ok');
    await ok.waitFor();
    assert.equal((await ok.locator('.result-headline').textContent()).trim(), 'Received');
    assert.equal((await ok.locator('.result-code').textContent()).trim(), rma);
    assert.ok(isGreen(await bannerColour('result--ok')), 'the first scan is green');
    await ok.getByText(merchant.name).waitFor();
    await ok.getByText('山田 太郎').waitFor();
    const tee = page.locator('article').filter({ hasText: 'オーガニックTシャツ' });
    const cap = page.locator('article').filter({ hasText: 'コットンキャップ' });
    await tee.getByText('Exchange for Black / L').waitFor();
    await tee.getByText('Too small').waitFor();
    await cap.getByText('Changed my mind').waitFor();
    await cap.getByText('色が写真と違いました').waitFor();
    await page.locator('#announce').filter({ hasText: 'Received' }).waitFor();
    await shot('3-received');

    // ---- 3. the same parcel's QR text: amber "already received"
    await page.keyboard.type(`KAERU:${rma}`);
    await page.keyboard.press('Enter');
    const repeat = page.locator('.result--repeat');
    await repeat.waitFor();
    assert.equal((await repeat.locator('.result-headline').textContent()).trim(), 'Already received');
    assert.ok(isAmber(await bannerColour('result--repeat')), 'a repeated scan is amber');
    await shot('4-repeat');

    // ---- 4. two parcels back to back, without waiting: a canceled return, then an unknown code
    const unknown = 'ZZZZZ-ZZZZ2';
    await page.keyboard.type(`KAERU:${canceled.rma}`);
    await page.keyboard.press('Enter');
    await page.keyboard.type(unknown);
    await page.keyboard.press('Enter');
    await page.locator('.history-item--pending').first().waitFor({ state: 'detached' });
    const error = page.locator('.result--error');
    await error.waitFor();
    assert.equal((await error.locator('.result-headline').textContent()).trim(), 'Unknown code',
      'once both are answered, the panel shows the last scanned parcel');
    assert.ok(isRed(await bannerColour('result--error')), 'an unknown code is red');
    assert.equal(await focusedId(), 'scan-input');
    const history = page.locator('#history-list > li');
    assert.equal(await history.count(), 4, 'every scan is listed, none lost');
    const rows = (await history.allTextContents()).map((s) => s.replace(/\s+/g, ' '));
    assert.ok(rows[0].includes(unknown) && rows[0].includes('Unknown code'), `newest first: ${rows[0]}`);
    assert.ok(rows[1].includes(canceled.rma) && rows[1].includes('Canceled'), rows[1]);
    assert.ok(rows[2].includes(rma) && rows[2].includes('Already received'), rows[2]);
    assert.ok(rows[3].includes(rma) && rows[3].includes('Received'), rows[3]);
    await shot('5-unknown');

    // The canceled parcel, reopened from the list: red, with what to do.
    await history.nth(1).getByRole('button').click();
    await error.locator('.result-headline', { hasText: 'Canceled by the customer — set the parcel aside' }).waitFor();
    await shot('6-canceled');

    // ---- 5. reopen the received parcel and inspect both items
    await history.nth(3).getByRole('button').click();
    await page.locator('#result-status', { hasText: 'Received' }).waitFor();
    assert.equal(await tee.getByLabel('Received quantity').inputValue(), '1', 'the received quantity starts at the expected one');
    await tee.getByRole('radio', { name: 'Like new' }).check();
    await tee.getByRole('radio', { name: 'Restock' }).check();
    // The T-shirt's inspection is recorded but its answer (the return with the T-shirt alone
    // inspected) reaches the station only after the cap's has resolved the return: the station
    // keeps showing the resolved return.
    const teeAnswer = await holdAnswer(page, /\/api\/v1\/returns\/[^/]+\/items\/[^/]+\/inspection$/);
    await tee.getByRole('button', { name: 'Record inspection' }).click();
    await teeAnswer.answered;

    await cap.getByRole('radio', { name: 'Damaged' }).check();
    assert.ok(await cap.getByRole('radio', { name: 'Resale' }).isDisabled(), 'a damaged item cannot go to resale');
    await cap.getByRole('button', { name: 'Record inspection' }).click();
    await cap.getByRole('group', { name: 'Disposition' }).getByText('Choose a disposition.').waitFor();
    await shot('7-inspect-error');
    await cap.getByRole('radio', { name: 'Recycle' }).check();
    await cap.getByLabel('Note (optional)').fill('Brim torn');
    await cap.getByLabel(/^Note for shoppers/).fill('Small tear at the brim');
    // A photo from the camera: it goes up at once and shows as a thumbnail served by /media/.
    const shotPath = join(mkdtempSync(join(tmpdir(), 'kaeru-scan-')), 'cap.jpg');
    execFileSync('vips', ['gaussnoise', shotPath, '640', '480']);
    const photoInput = cap.getByLabel('Photos of this item (camera or files)');
    assert.equal(await photoInput.getAttribute('capture'), 'environment');
    assert.equal(await photoInput.getAttribute('accept'), 'image/*');
    // kaeru-fcgi answers 503 when kaeru-photo did not read a photo in time: the station says to
    // try again (not the server's English detail), and the next try goes up.
    const photoUrl = /\/api\/v1\/returns\/[^/]+\/items\/[^/]+\/photos$/;
    await page.route(photoUrl, (route) => route.fulfill({
      status: 503, contentType: 'application/problem+json', headers: { 'Retry-After': '5' },
      body: JSON.stringify({ type: 'about:blank', title: 'Photo not read in time', status: 503,
        detail: 'The photo could not be read in time.' }),
    }), { times: 1 });
    await photoInput.setInputFiles({ name: 'cap.jpg', mimeType: 'image/jpeg', buffer: readFileSync(shotPath) });
    await cap.getByText('cap.jpg: Something went wrong on our side. Please try again in a moment.').waitFor();
    await shot('7b-photo-try-again');
    await photoInput.setInputFiles({ name: 'cap.jpg', mimeType: 'image/jpeg', buffer: readFileSync(shotPath) });
    const thumb = cap.locator('.photo-thumbs img');
    await thumb.waitFor();
    await thumb.scrollIntoViewIfNeeded(); // loading="lazy": the T-shirt's form, still open, pushes it down
    await page.waitForFunction((el) => el.complete && el.naturalWidth === 400, await thumb.elementHandle());
    await cap.getByRole('button', { name: 'Record inspection' }).click();

    // ---- 6. the last inspection resolves the return: ¥3,300 − 10% fee = ¥2,970, and the exchange ships
    const resolution = page.locator('#resolution');
    await resolution.waitFor();
    await page.locator('#result-status', { hasText: 'Resolved' }).waitFor();
    const money = (await resolution.textContent()).replace(/\s+/g, ' ');
    for (const text of ['Return resolved', 'Refund', '¥2,970', 'Restocking fee', '¥330', 'Black / L × 1']) {
      assert.ok(money.includes(text), `the resolution shows ${text}: ${money}`);
    }
    await cap.getByText('Inspected: received 1 of 1').waitFor();
    await cap.getByText('Brim torn').waitFor();
    assert.equal(await focusedId(), 'scan-input');
    await page.locator('#announce').filter({ hasText: '¥2,970' }).waitFor();
    await tee.getByText('Inspected: received 1 of 1').waitFor();
    await teeAnswer.release();
    await page.locator('#announce').filter({ hasText: 'オーガニックTシャツ inspected.' }).waitFor();
    assert.equal(await focusedId(), 'scan-input', 'focus returns to the scan input after an inspection');
    assert.equal((await page.locator('#result-status').textContent()).trim(), 'Resolved', 'a late answer does not undo the resolution');
    assert.equal(await resolution.count(), 1);
    assert.equal(await cap.getByRole('button', { name: 'Record inspection' }).count(), 0, 'the cap is not asked for again');
    await shot('8-resolved');

    const stored = await getReturn(rma, { k });
    assertStatus(stored, 200);
    assert.equal(stored.json.status, 'resolved');
    assert.equal(stored.json.refund?.amount, 2970);

    // ---- 7. Japanese and back
    await page.getByRole('button', { name: '日本語' }).click();
    await resolution.getByText('返品処理が完了しました').waitFor();
    await page.getByLabel('返品コードをスキャンまたは入力').waitFor();
    await page.locator('#history-list').getByText('受領済み').waitFor();
    await shot('9-japanese');
    await page.getByRole('button', { name: 'English' }).click();
    await resolution.getByText('Return resolved').waitFor();

    // ---- 8. the customer's tracking page shows each step and the money
    await page.goto(new URL(ret.tracking_url, `${BASE}/`).href);
    const status = page.locator('#status');
    await status.waitFor();
    assert.equal((await status.textContent()).trim(), 'Resolved');
    const timeline = page.locator('#timeline');
    await timeline.getByText('Parcel received at the warehouse').waitFor();
    assert.equal(await timeline.getByText('Item inspected').count(), 2, 'one inspected step per item');
    await timeline.getByText('オーガニックTシャツ: received 1 of 1 · Condition: Like new').waitFor();
    await timeline.getByText('Return resolved').waitFor();
    await timeline.getByText('Refund: ¥2,970').waitFor();
    await timeline.getByText('Restocking fee: ¥330').waitFor();
    await timeline.getByText('Exchange being shipped: Black / L × 1').waitFor();
    const refund = page.locator('#refund');
    await refund.getByText('Refund: ¥2,970').waitFor();
    await refund.getByText('Exchange being shipped: Black / L × 1').waitFor();
    await shot('10-tracking');

    // ---- 9. back at the station: the list survived; logging out ends the session
    await page.goto(`${BASE}/scan/`);
    await input.waitFor();
    assert.equal(await page.locator('#history-list > li').count(), 4, 'the last scans are kept for the session');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Staff login' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Staff login' }).waitFor();
    assert.equal(await page.locator('#history-list').count(), 0);
    await shot('11-logged-out');

    assert.deepEqual(pageErrors, [], 'no script errors');
  } catch (err) {
    if (SHOTS) await page?.screenshot({ path: join(SHOTS, 'scan-failure.png'), fullPage: true }).catch(() => {});
    throw err;
  } finally {
    await browser.close();
  }
});
