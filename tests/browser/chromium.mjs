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

/**
 * Holds the page's next request to url (a page.route pattern) that when(request) accepts: the
 * server answers it at once, but the page gets the answer only on release(). Resolves to
 * {answered: a promise of the server's answer, release(): hands the answer to the page, waits
 * until the page has read it and drawn, and ends the hold}.
 */
export async function holdAnswer(page, url, when = () => true) {
  let give;
  const hold = new Promise((r) => (give = r));
  let answeredNow;
  const answered = new Promise((r) => (answeredNow = r));
  let held = null;
  const handler = async (route) => {
    if (held || !when(route.request())) return route.continue();
    held = route.request();
    const response = await route.fetch();
    answeredNow();
    await hold;
    await route.fulfill({ response });
  };
  await page.route(url, handler);
  const release = async () => {
    const late = page.waitForResponse((res) => res.request() === held);
    give();
    await (await late).finished();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
    await page.unroute(url, handler);
  };
  return { answered, release };
}
