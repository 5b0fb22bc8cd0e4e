// The console's Analytics in headless Chromium against the real stack: after two resolved returns
// the owner opens Analytics and reads which product comes back most and why, what refunds cost and
// what credit kept; the charts are drawn by chart.js served from kaeru's own origin under its CSP
// (no request leaves it, no CSP violation), each with its table; the CSV links carry the range.
//
// Screenshots go to $KAERU_SCREENSHOTS when it is set.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { launch } from './chromium.mjs';
import {
  analyticsFolded, BASE, inspectOk, newMerchant, newStaff, returnFor, scanOk, staffSession,
} from '../integration/lib.mjs';

const SHOTS = process.env.KAERU_SCREENSHOTS || '';

test('the owner reads why things come back and what returns cost', { timeout: 180_000 }, async () => {
  const merchant = newMerchant({ currency: 'JPY' });
  const clerk = await staffSession(newStaff({ role: 'warehouse', warehouse: merchant.warehouse }));
  const ownerUser = newStaff({ role: 'merchant', merchant });
  const owner = await staffSession(ownerUser);
  const settle = async (items, inspections) => {
    const r = await returnFor(merchant, items);
    await scanOk(clerk, r.rma);
    for (let i = 0; i < inspections.length; i++) await inspectOk(clerk, r.rma, r.items[i].item_id, inspections[i]);
  };
  const NEW = { received_quantity: 1, grade: 'new', disposition: 'restock' };
  await settle([{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }], [NEW]);
  await settle([{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'store_credit' },
    { line_id: '3', quantity: 1, reason: 'defective', resolution: 'refund' }], [NEW, NEW]);
  await analyticsFolded(merchant); // the returns' figures are kaeru-worker's, within a second
  const api = (await owner.api('GET', '/api/v1/merchant/analytics')).json;

  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  const problems = [];
  const foreign = [];
  try {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-US' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('request', (req) => { if (!req.url().startsWith(BASE)) foreign.push(req.url()); });

    await page.goto(`${BASE}/console/?lang=en`);
    await page.getByLabel('Email').fill(ownerUser.email);
    await page.getByLabel('Password').fill(ownerUser.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('tab', { name: /Analytics/ }).click();

    // Which product comes back most, and why: the T-shirt, for size.
    const products = page.locator('#analytics-products-table');
    await products.waitFor();
    const first = (await products.locator('tbody tr').first().textContent()).replace(/\s+/g, ' ');
    assert.match(first, /オーガニックTシャツ/);
    assert.match(first, /Too small 2/);
    // What returns cost and what credit kept: the API's figures, as money.
    assert.match(await page.locator('#analytics-refunds dd').textContent(), new RegExp(`¥${api.refunds.toLocaleString('en-US')}`));
    assert.match(await page.locator('#analytics-retained dd').textContent(), new RegExp(`¥${api.retained_revenue.toLocaleString('en-US')}`));

    // Charts drawn by chart.js from our origin, each with a table beside it.
    await page.waitForFunction(() => window.Chart && ['rates', 'reasons', 'mix', 'weekly']
      .every((k) => window.Chart.getChart(`chart-${k}`)));
    for (const k of ['rates', 'reasons', 'mix', 'weekly']) {
      const fig = page.locator(`#figure-${k}`);
      assert.equal(await fig.locator('canvas').getAttribute('aria-hidden'), 'true');
      assert.ok(await fig.locator('table caption').count(), `the ${k} chart has its table`);
    }
    const reasonsTable = await page.locator('#figure-reasons table').textContent();
    assert.match(reasonsTable, /Too small\s*2/);
    // How long returns took, in buckets: both scanned and resolved within the hour.
    const timing = (await page.locator('#analytics-timing tbody tr').first().textContent()).replace(/\s+/g, ' ');
    assert.match(timing, new RegExp(`${merchant.warehouse.code}\\s*(within 1 h\\s*){4}`));

    // The exports carry the range shown.
    const href = await page.locator('#export-returns').getAttribute('href');
    assert.equal(href, `/api/v1/merchant/returns.csv?from=${api.from}&to=${api.to}`);
    const csv = await owner.api('GET', href);
    assert.equal(csv.status, 200);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'console-analytics.png'), fullPage: true });

    // Switching tabs and back keeps the charts.
    await page.getByRole('tab', { name: /Returns/ }).first().click();
    await page.getByRole('tab', { name: /Analytics/ }).click();
    await page.waitForFunction(() => window.Chart.getChart('chart-rates'));

    assert.deepEqual(foreign, [], 'nothing is fetched from another origin');
    // (the 401 is the page asking for a session before the login)
    assert.deepEqual(problems.filter((p) => !/favicon|status of 401/.test(p)), [], 'no script error and no CSP violation');
  } finally {
    await browser.close();
  }
});
