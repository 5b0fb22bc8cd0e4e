// Debian's Chromium, headless, for the browser tests (playwright-core drives it): one set of
// switches for every test, so none depends on the network or the GPU.
import { chromium } from 'playwright-core';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A new headless Chromium; close it when done. */
export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
}

/**
 * A page of its own context at a screen size and locale, with a 15 s default timeout; the page's
 * uncaught errors gather in pageErrors (a test ends by asserting it empty).
 */
export async function newPage(browser, { width = 1024, height = 900, locale = 'en-US' } = {}) {
  const ctx = await browser.newContext({ viewport: { width, height }, locale });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { page, pageErrors };
}
