// bench/phone.mjs — the customer portal on a phone: time to interactive in Chromium on a throttled
// mobile profile (150 ms round trip, 1.6 Mbps down, 750 kbps up, CPU 4× slower), cold cache and
// warm, the issue 14 target being ≤ 1 s. Run by bench/run.sh; alone against any stack:
//
//   node bench/phone.mjs http://127.0.0.1:8080 /returns/sakura/ [RUNS]
//
// Interactive: the lookup form's first input is there and enabled and the page is no longer busy
// (#app aria-busy="false"): the scripts have run and the portal's settings came from the API.
// Cold: a fresh browser profile each run (nothing cached). Warm: the same page opened again in the
// same profile, as a customer opening the link a second time (the page revalidated, the hashed
// assets from the cache). Prints the median of RUNS (5) of each, and one machine-readable line:
//   PHONE cold_ms=… warm_ms=… cold_kb=… warm_kb=… cold_requests=… warm_requests=…
import { chromium } from 'playwright-core';

const [base = 'http://127.0.0.1:8080', path = '/returns/sakura/', runsArg = '5'] = process.argv.slice(2);
const RUNS = Math.max(1, Number(runsArg) || 5);
const URL_ = base.replace(/\/+$/, '') + path;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// Lighthouse's "slow 4G" mobile profile.
const NETWORK = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };
const CPU_SLOWDOWN = 4;
const READY = () => {
  const app = document.getElementById('app');
  const input = app && app.querySelector('input:not([disabled])');
  return app && app.getAttribute('aria-busy') === 'false' && input ? performance.now() : false;
};

/* Opens the portal in a new page of context, throttled; resolves {ms, bytes, requests}. */
async function open(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  let bytes = 0;
  let requests = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  // Requests that went over the network: not those answered from the browser's cache.
  const cached = new Set();
  cdp.on('Network.requestServedFromCache', (e) => cached.add(e.requestId));
  cdp.on('Network.responseReceived', (e) => {
    if (!cached.has(e.requestId) && !e.response.fromDiskCache && !e.response.fromPrefetchCache) requests += 1;
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(URL_, { waitUntil: 'commit', timeout: 30_000 });
  const handle = await page.waitForFunction(READY, null, { timeout: 30_000, polling: 'raf' });
  const ms = await handle.jsonValue();
  await page.close();
  if (errors.length) throw new Error(`the portal failed: ${errors.join('; ')}`);
  return { ms, bytes, requests };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

const browser = await chromium.launch({ executablePath: process.env.KAERU_CHROMIUM || '/usr/bin/chromium', args: ARGS });
const cold = [];
const warm = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ja-JP',
    });
    cold.push(await open(context));
    warm.push(await open(context));
    await context.close();
  }
} finally {
  await browser.close();
}

const fig = (xs) => ({
  ms: Math.round(median(xs.map((x) => x.ms))),
  kb: (median(xs.map((x) => x.bytes)) / 1024).toFixed(1),
  requests: median(xs.map((x) => x.requests)),
});
const c = fig(cold);
const w = fig(warm);
console.log(`${URL_}: ${RUNS} runs, ${NETWORK.latency} ms RTT, 1.6/0.75 Mbps, CPU ${CPU_SLOWDOWN}× slower`);
console.log(`  cold cache: interactive at ${c.ms} ms (${c.kb} KB over ${c.requests} requests); all: ${cold.map((x) => Math.round(x.ms)).join(' ')}`);
console.log(`  warm cache: interactive at ${w.ms} ms (${w.kb} KB over ${w.requests} requests); all: ${warm.map((x) => Math.round(x.ms)).join(' ')}`);
console.log(`PHONE cold_ms=${c.ms} warm_ms=${w.ms} cold_kb=${c.kb} warm_kb=${w.kb} cold_requests=${c.requests} warm_requests=${w.requests}`);
