// A return held for the shop's review, as the customer follows it on the tracking page in headless
// Chromium: while held, the page says the shop is reviewing it (the step stays at "received"); once
// the shop decides, the timeline shows what is paid of what was owed and the shop's note to the
// customer, in English and in Japanese — the amounts as the server computed them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch } from './chromium.mjs';
import { BASE, assertStatus, clerkOf, inspectOk, merchantSession, newMerchant, returnFor, scanOk } from '../integration/lib.mjs';


test('the tracking page of a held return says it is being reviewed, then shows the decision and its note', { timeout: 120_000 }, async () => {
  const m = newMerchant({ currency: 'JPY' });
  const owner = await merchantSession(m);
  assertStatus(await owner.api('PUT', '/api/v1/merchant/policy', { body: { review_rules: { damaged: true }, restocking_fee_percent: 10 } }), 200);
  const clerk = await clerkOf(m);
  const r = await returnFor(m, [{ line_id: '1', quantity: 1, reason: 'changed_mind', resolution: 'refund' }]);
  await scanOk(clerk, r.rma);
  const v = await inspectOk(clerk, r.rma, r.items[0].item_id, { received_quantity: 1, grade: 'damaged', disposition: 'recycle' });
  assert.equal(v.status, 'needs_review');
  const url = new URL(r.tracking_url, BASE + '/').href;

  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}&lang=en`);
    await page.locator('#status').waitFor();
    assert.equal((await page.locator('#status').innerText()).trim(), 'Being reviewed');
    await page.getByText('the shop is reviewing it').waitFor();
    assert.equal(await page.getByText('statusdesc.').count(), 0, 'no untranslated key shows');
    await page.getByText('Being reviewed by the shop').waitFor();

    const note = '袖が破れていたため、半額を返金します';
    assertStatus(await owner.api('POST', `/api/v1/merchant/returns/${r.rma}/decision`, { body: { refund_percent: 50, note } }), 200);
    await page.reload();
    await page.getByText('The shop decided').waitFor();
    // ¥4,900 less the 10 % fee is ¥4,410 owed; half of it is ¥2,205.
    await page.getByText('Paying ¥2,205 of ¥4,410').waitFor();
    await page.getByText(`Note from the shop: ${note}`).waitFor();

    await page.goto(`${url}&lang=ja`);
    await page.getByText('ショップが判断しました').waitFor();
    await page.getByText(`ショップからのメモ：${note}`).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
