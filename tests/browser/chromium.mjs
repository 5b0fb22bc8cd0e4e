// Debian's Chromium, headless, for the browser tests (playwright-core drives it): one set of
// switches for every test, so none depends on the network or the GPU.
import { chromium } from 'playwright-core';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A new headless Chromium; close it when done. */
export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
}
