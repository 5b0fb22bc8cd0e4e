// The tracking page and the label's life, in headless Chromium against the real stack: while the
// return waits for its parcel the page offers the label and the label opens; once the customer
// cancels, the page says the label is void (in English and Japanese) and offers no label link, and
// the label's address answers 410 instead of a PDF.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch } from './chromium.mjs';
import { BASE, api, assertProblem, assertStatus, createReturn, newMerchant, openOrder } from '../integration/lib.mjs';


test('a canceled return\'s tracking page says its label is void and links none', { timeout: 120_000 }, async () => {
  const m = newMerchant({ currency: 'JPY' });
  const o = await openOrder(m);
  const r = await createReturn(o.token, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
  const page_url = new URL(r.tracking_url, BASE + '/').href;

  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${page_url}&lang=en`);
    const link = page.locator('#label-link');
    await link.waitFor();
    const href = await link.getAttribute('href');
    const pdf = await page.request.get(new URL(href, page_url).href);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal(await page.locator('#label-void').count(), 0, 'a usable label is not called void');

    assertStatus(await api('POST', `/api/v1/returns/${r.rma}/cancel`, { body: {}, token: o.token }), 200);
    const gone = await page.request.get(new URL(href, page_url).href);
    assert.equal(gone.status(), 410);
    assertProblem(await api('GET', `/api/v1/returns/${r.rma}/label.pdf`, { token: o.token }), 410);

    await page.goto(`${page_url}&lang=en`);
    const note = page.locator('#label-void');
    await note.waitFor();
    assert.match(await note.innerText(), /canceled return is no longer valid/);
    assert.equal(await page.locator('#label-link').count(), 0, 'no label link once it is void');

    await page.goto(`${page_url}&lang=ja`);
    await page.locator('#label-void').waitFor();
    assert.match(await page.locator('#label-void').innerText(), /無効/);
    assert.equal(await page.locator('#label-link').count(), 0);
  } finally {
    await browser.close();
  }
});
