// The merchant's own rules in the console, in headless Chromium against the real stack: the owner
// opens Policy, meets the error of a return window of 0 days next to its field, turns on the
// review rule for damaged items and saves; a changed-mind return graded damaged then waits under
// "Held for review"; the owner opens it, sees why it is held, decides on half with a note, and the
// return is resolved with the exact half of what was owed — as the customer's view says too.
//
// Screenshots of each step go to $KAERU_SCREENSHOTS when it is set.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { holdAnswer, launch } from './chromium.mjs';
import {
  BASE, getReturn, inspectOk, newMerchant, newStaff, returnFor, scanOk, staffSession,
} from '../integration/lib.mjs';

const SHOTS = process.env.KAERU_SCREENSHOTS || '';
const NOTE = '袖に破れがあったため半額を返金します';

test('the owner edits the policy and decides a return held for review', { timeout: 180_000 }, async () => {
  const merchant = newMerchant({ currency: 'JPY' });
  const clerk = await staffSession(newStaff({ role: 'warehouse', warehouse: merchant.warehouse }));
  const ownerUser = newStaff({ role: 'merchant', merchant });
  const owner = await staffSession(ownerUser);

  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  const pageErrors = [];
  try {
    const ctx = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: 'en-US' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const shot = async (name) => {
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `console-policy-${name}.png`), fullPage: true });
    };

    // ---- 1. log in, open Policy: the stored values fill the form
    await page.goto(`${BASE}/console/?lang=en`);
    await page.getByLabel('Email').fill(ownerUser.email);
    await page.getByLabel('Password').fill(ownerUser.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('tab', { name: /Policy/ }).click();
    const windowDays = page.getByLabel('Return window (days after delivery)');
    await windowDays.waitFor();
    assert.equal(await windowDays.inputValue(), '30');
    assert.equal(await page.getByLabel('Store credit bonus (%)').inputValue(), '10');
    await shot('01-policy');

    // ---- 2. a window of 0 days is refused next to its field; nothing is stored
    await windowDays.fill('0');
    await page.getByRole('button', { name: 'Save policy' }).click();
    const errors = page.locator('#policy-errors');
    await errors.waitFor();
    assert.match(await errors.textContent(), /window_days/);
    assert.equal(await windowDays.getAttribute('aria-invalid'), 'true');
    assert.equal((await owner.api('GET', '/api/v1/merchant/policy')).json.window_days, 30);
    await shot('02-invalid');

    // ---- 3. fixed, with the damaged-item review rule on: saved. The tab was opened again just
    // before, and its reload (the policy as it was) reaches the page only after the save: the
    // form keeps what was saved.
    const reload = await holdAnswer(page, '**/api/v1/merchant/policy', (req) => req.method() === 'GET');
    await page.getByRole('tab', { name: /Returns/ }).click();
    await page.getByRole('tab', { name: /Policy/ }).click();
    await reload.answered;
    await windowDays.fill('21');
    await page.getByLabel('an item is graded damaged').check();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.locator('#policy-notice', { hasText: 'Policy saved.' }).waitFor();
    await reload.release();
    assert.equal(await windowDays.inputValue(), '21', 'the older policy does not come back');
    assert.ok(await page.getByLabel('an item is graded damaged').isChecked());
    const stored = (await owner.api('GET', '/api/v1/merchant/policy')).json;
    assert.equal(stored.window_days, 21);
    assert.equal(stored.review_rules.damaged, true);
    // The tab opened again, and the owner starts typing before its reload answers: what they
    // typed stays.
    const again = await holdAnswer(page, '**/api/v1/merchant/policy', (req) => req.method() === 'GET');
    await page.getByRole('tab', { name: /Returns/ }).click();
    await page.getByRole('tab', { name: /Policy/ }).click();
    await again.answered;
    await windowDays.fill('28');
    await again.release();
    assert.equal(await windowDays.inputValue(), '28', 'what the owner typed stays');

    // ---- 4. a changed-mind return graded damaged waits for the owner
    const r = await returnFor(merchant, [{ line_id: '1', quantity: 1, reason: 'changed_mind', resolution: 'refund' }]);
    await scanOk(clerk, r.rma);
    const held = await inspectOk(clerk, r.rma, r.items[0].item_id,
      { received_quantity: 1, grade: 'damaged', disposition: 'recycle', note: '袖が破れている' });
    assert.equal(held.status, 'needs_review');

    await page.reload();
    const holdsTab = page.getByRole('tab', { name: /Held for review/ });
    await holdsTab.click();
    await page.locator('#stat-holds dd', { hasText: '1' }).waitFor();
    await page.locator(`#hold-${r.rma}`).waitFor();
    await page.locator(`#hold-${r.rma} button`).first().click();
    const form = page.locator('#decide-form');
    await form.waitFor();
    assert.match(await page.locator('#decide-rules').textContent(), /an item graded damaged/);
    assert.match(await page.locator('#return-panel').textContent(), /袖が破れている/);
    await shot('03-held');

    // ---- 5. decide on half, with a note: resolved at ¥2,450 of ¥4,900
    await page.getByLabel('A percentage').check();
    await page.getByLabel('Percentage (0 to 100)').fill('50');
    await page.getByLabel('Note for the customer').fill(NOTE);
    await page.getByRole('button', { name: 'Decide and resolve' }).click();
    await page.locator('#panel-status', { hasText: 'Resolved' }).waitFor();
    await page.locator('#panel-refund-total', { hasText: '¥2,450' }).waitFor();
    const timelineText = await page.locator('#panel-timeline').textContent();
    assert.match(timelineText, /Paying ¥2,450 of ¥4,900/);
    assert.match(timelineText, /The shop decided.*by the shop/);
    await shot('04-decided');

    // ---- 6. the webhook: set (its secret shown once), rotated, deliveries listed, removed
    await page.getByRole('tab', { name: /Webhook/ }).click();
    await page.locator('#webhook-status', { hasText: 'No webhook is set.' }).waitFor();
    await page.getByLabel('Address (https://…)').fill('http://127.0.0.1:9/hook');
    await page.getByRole('button', { name: 'Save webhook' }).click();
    const secret = page.locator('#webhook-secret code');
    await secret.waitFor();
    const first = await secret.textContent();
    assert.match(first, /^[0-9a-f]{64}$/);
    await page.getByRole('button', { name: 'New secret' }).click();
    await page.waitForFunction((old) => {
      const el = document.querySelector('#webhook-secret code');
      return el && el.textContent !== old;
    }, first);
    const r2 = await returnFor(merchant, [{ line_id: '3', quantity: 1, reason: 'other', resolution: 'refund' }]);
    assert.ok(r2.rma);
    await page.getByRole('tab', { name: /Policy/ }).click();
    await page.getByRole('tab', { name: /Webhook/ }).click();
    await page.locator('#deliveries-table', { hasText: 'return.created' }).waitFor();
    // A retry's reload that is still under way when the owner removes the webhook must not bring
    // it back when it ends: the retry's read of the webhook is answered (the webhook still there)
    // but reaches the page only once the removal has shown.
    let release;
    const hold = new Promise((r) => (release = r));
    let armed = true;
    let answered;
    const reached = new Promise((r) => (answered = r));
    await page.route('**/merchant/webhook', async (route) => {
      if (!armed || route.request().method() !== 'GET') return route.continue();
      armed = false;
      const response = await route.fetch();
      answered();
      await hold;
      await route.fulfill({ response });
    });
    await page.locator('#deliveries-table button').first().click();
    await reached;
    await page.getByRole('button', { name: 'Remove webhook' }).click();
    await page.locator('#webhook-status', { hasText: 'No webhook is set.' }).waitFor();
    const late = page.waitForResponse((res) => res.url().includes('/merchant/webhook/deliveries'));
    release();
    await late;
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
    assert.equal(await page.locator('#webhook-status').textContent(), 'No webhook is set.');
    assert.equal(await page.getByRole('button', { name: 'Remove webhook' }).count(), 0);
    await page.unroute('**/merchant/webhook');
    await shot('05-webhook');

    const mine = (await getReturn(r.rma, { k: r.k })).json;
    assert.equal(mine.status, 'resolved');
    assert.equal(mine.refund.amount, 2450);
    assert.equal(mine.events.find((e) => e.type === 'decided').detail.note, NOTE);
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
  }
});
