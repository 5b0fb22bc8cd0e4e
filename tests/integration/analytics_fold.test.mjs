// A return's changes reach the console's analytics behind the request (069_analytics_pending.sql):
// each queues its deltas, and kaeru-worker folds many of them in one transaction. With the
// worker stopped, a batch of returns is made, scanned, resolved and one canceled; the figures
// wait for the worker, and once it has folded the batch they are exact — nothing counted twice,
// nothing lost. `kaeru-admin analytics rebuild` with deltas still queued counts each change once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ROOT, analyticsFolded, api, adminOk, assertStatus, clerkOf, inspectOk, merchantSession, newMerchant, pause, returnFor,
  scanOk, sql, sqlString,
} from './lib.mjs';

const STACK = process.env.KAERU_STACK || join(ROOT, 'var');
const BUILD = process.env.KAERU_BUILD || join(ROOT, 'build');
const TEE = 4900;
const BATCH = 6;

/** kaeru-worker stopped or started again (this test runs alone: RUN_SERIAL). */
function worker(what) {
  execFileSync(join(ROOT, 'tools', 'stack.sh'),
    what === 'stop' ? ['stop-worker', STACK] : ['restart-worker', STACK, BUILD], { stdio: 'inherit' });
}

function queued(m) {
  return Number(sql(`SELECT COUNT(*) FROM analytics_pending p JOIN merchants mm ON mm.id = p.merchant_id
    WHERE mm.slug = ${sqlString(m.slug)}`)[0][0]);
}

/** A merchant without fees, BATCH returns of one T-shirt each resolved as refunds, and one more canceled. */
async function batch() {
  const m = newMerchant({ currency: 'JPY' });
  const owner = await merchantSession(m);
  const clerk = await clerkOf(m);
  assertStatus(await owner.api('PUT', '/api/v1/merchant/policy', { body: { restocking_fee_percent: 0 } }), 200);
  const item = [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }];
  const returns = [];
  for (let i = 0; i < BATCH; i++) returns.push(await returnFor(m, item));
  for (const r of returns) await scanOk(clerk, r.rma);
  for (const r of returns) {
    const v = await inspectOk(clerk, r.rma, r.items[0].item_id, { received_quantity: 1, grade: 'new', disposition: 'restock' });
    assert.equal(v.status, 'resolved');
  }
  const canceled = await returnFor(m, [{ line_id: '3', quantity: 1, reason: 'defective', resolution: 'refund' }]);
  assertStatus(await api('POST', `/api/v1/returns/${canceled.rma}/cancel`, { token: canceled.order.token }), 200);
  return { m, owner };
}

/** What the batch counts, as the console reads it. */
async function figures(owner) {
  const res = await owner.api('GET', '/api/v1/merchant/analytics');
  assertStatus(res, 200);
  const a = res.json;
  const tee = a.products.find((p) => p.product_id === 'TEE');
  const cap = a.products.find((p) => p.product_id === 'CAP');
  const [w] = a.timing.warehouses;
  return {
    returned: [tee?.returned_units ?? 0, cap?.returned_units ?? 0],
    reasons: a.reasons,
    resolved: a.resolved_returns,
    refund: a.resolutions.refund,
    timing: [w?.label_to_scan_hours.count ?? 0, w?.scan_to_resolution_hours.count ?? 0],
  };
}

const EXACT = {
  returned: [BATCH, 0], // the canceled cap counted and taken back
  reasons: [{ reason: 'too_small', units: BATCH }],
  resolved: BATCH,
  refund: { items: BATCH, amount: BATCH * TEE },
  timing: [BATCH, BATCH],
};

test('a batch of changes folded by kaeru-worker gives exact figures', { timeout: 120_000 }, async () => {
  worker('stop');
  let m;
  let owner;
  try {
    ({ m, owner } = await batch());
    // create, first scan, resolution of each, and the canceled one's create and cancel
    assert.equal(queued(m), 3 * BATCH + 2, 'each change queued its deltas');
    const waiting = await figures(owner);
    assert.deepEqual([waiting.resolved, waiting.returned, waiting.timing], [0, [0, 0], [0, 0]],
      'nothing counted until the worker folds');
  } finally {
    worker('start');
  }
  await analyticsFolded(m);
  assert.deepEqual(await figures(owner), EXACT);
  await pause(1500); // the worker's next polls add nothing
  assert.deepEqual(await figures(owner), EXACT);
});

test('kaeru-admin analytics rebuild with deltas queued counts each change once', { timeout: 120_000 }, async () => {
  worker('stop');
  let m;
  let owner;
  try {
    ({ m, owner } = await batch());
    assert.ok(queued(m) > 0);
    assert.match(adminOk(['analytics', 'rebuild', '--merchant', m.slug]), /from \d+ orders and 6 returns/);
    assert.equal(queued(m), 0, 'the rebuild dropped the deltas it counted from the records');
    assert.deepEqual(await figures(owner), EXACT);
  } finally {
    worker('start');
  }
  await pause(1500); // the worker polls again: nothing left of the merchant's to fold
  await analyticsFolded(m);
  assert.deepEqual(await figures(owner), EXACT);
});
