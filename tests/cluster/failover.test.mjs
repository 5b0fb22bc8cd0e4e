// A Galera node killed with -9 under a steady load of creates, reads and scans through nginx:
// after a short grace every request succeeds (kaeru-fcgi moves to another node, nginx routes
// around a 503), the node rejoins by IST, and every acknowledged return and scan is on every node
// exactly once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import {
  api, lookupOk, newMerchant, newOrder, newStaff, pause, scan, staffSession,
} from '../integration/lib.mjs';
import { CLUSTER, NODES, cluster, nodeUrl, sqlOn, syncAll } from './lib.mjs';

const LOAD_MS = Number(process.env.KAERU_CLUSTER_LOAD_MS || 14_000);
const KILL_AT_MS = 3_000;
const GRACE_MS = 6_000; // Galera's suspect timeout and a reconnect

/**
 * Three clients creating returns (each with an Idempotency-Key) on one order and reading each
 * back, through nginx, for LOAD_MS; fault() runs after KILL_AT_MS. Returns
 * {orderNumber, log: [{at, status, what}], acknowledged: Set of codes, faultAt}.
 */
async function underLoad(fault) {
  const m = newMerchant({ currency: 'JPY' });
  // A line per client, each of the most units an order line may have: a fast machine makes
  // thousands of returns in LOAD_MS, and a line that runs out would answer 422 for its own reason.
  const { orderNumber, body } = await newOrder(m, {
    lines: [1, 2, 3].map((n) => ({ line_id: String(n), sku: `TEE-BLK-${n}`, product_id: 'TEE', name: 'Tシャツ',
      variant: `Black / ${n}`, category: 'tops', quantity: 10000, unit_price: 4900, final_sale: false })),
  });
  const { token } = await lookupOk(m.slug, orderNumber, body.email);
  const clerk = await staffSession(newStaff({ role: 'warehouse', warehouse: m.warehouse }));
  const start = Date.now();
  const run = { orderNumber, log: [], acknowledged: new Set(), scanned: new Set(), faultAt: Infinity };
  const toScan = [];
  const client = async (line) => {
    while (Date.now() - start < LOAD_MS) {
      const at = Date.now();
      let res;
      try {
        res = await api('POST', '/api/v1/returns', {
          token, headers: { 'Idempotency-Key': randomUUID() },
          body: { items: [{ line_id: line, quantity: 1, reason: 'too_small', resolution: 'refund' }] },
        });
        if (res.status === 201 || res.status === 200) {
          run.acknowledged.add(res.json.rma);
          toScan.push(res.json.rma);
          const seen = await api('GET', `/api/v1/returns/${res.json.rma}`, { token });
          run.log.push({ at: Date.now(), status: seen.status, what: 'read' });
        }
      } catch (e) {
        res = { status: 0, text: String(e) };
      }
      run.log.push({ at, status: res.status, what: `create ${res.status >= 300 ? res.text.slice(0, 400) : ''}` });
    }
  };
  // The warehouse scans the parcels as they come, each once (a retried scan is a repeat).
  const scanner = async () => {
    while (Date.now() - start < LOAD_MS) {
      const rma = toScan.shift();
      if (!rma) { await pause(5); continue; }
      const at = Date.now();
      let res;
      try {
        res = await scan(clerk, rma);
        if (res.status === 200) run.scanned.add(rma);
      } catch (e) {
        res = { status: 0, text: String(e) };
      }
      run.log.push({ at, status: res.status, what: `scan ${res.status >= 300 ? res.text.slice(0, 400) : ''}` });
    }
  };
  const faulty = (async () => {
    await pause(KILL_AT_MS);
    run.faultAt = Date.now();
    fault();
  })();
  await Promise.all([client('1'), client('2'), client('3'), scanner(), faulty]);
  return run;
}

/**
 * Every acknowledged return of the run is on every node exactly once, the line counts them, and
 * every acknowledged scan received its parcel once.
 */
function assertStoredOnce({ orderNumber, acknowledged, scanned }) {
  syncAll();
  assert.ok(scanned.size > 10, `parcels scanned under the load: ${scanned.size}`);
  const parcels = [...scanned].map((r) => `'${r}'`).join(',');
  const mine = [...acknowledged].map((r) => `'${r}'`).join(',');
  for (let n = 1; n <= NODES; n++) {
    const [[total, distinct, units]] = sqlOn(n, `SELECT COUNT(*), COUNT(DISTINCT r.rma),
      (SELECT SUM(returned_quantity) FROM order_lines l WHERE l.order_id = o.id)
      FROM returns r JOIN orders o ON o.id = r.order_id WHERE o.order_number = '${orderNumber}'`);
    assert.equal(Number(total), acknowledged.size, `node ${n}: every acknowledged return, once`);
    assert.equal(Number(distinct), acknowledged.size);
    assert.equal(Number(units), acknowledged.size, `node ${n}: the line's returned units`);
    const [[found]] = sqlOn(n, `SELECT COUNT(*) FROM returns WHERE rma IN (${mine})`);
    assert.equal(Number(found), acknowledged.size, `node ${n}: the acknowledged codes`);
    const [[received, receivedEvents]] = sqlOn(n, `SELECT COUNT(*), (SELECT COUNT(*) FROM return_events e
      JOIN returns x ON x.id = e.return_id WHERE x.rma IN (${parcels}) AND e.type = 'received')
      FROM returns WHERE rma IN (${parcels}) AND status = 'received'`);
    assert.equal(Number(received), scanned.size, `node ${n}: every scanned parcel received`);
    assert.equal(Number(receivedEvents), scanned.size, `node ${n}: one received event each`);
  }
}

test('node 3 killed (-9) under load: no error after the grace, nothing lost or doubled after it rejoins', async () => {
  let run;
  try {
    run = await underLoad(() => cluster('kill-node', CLUSTER, '3'));
  } finally {
    cluster('start-node', CLUSTER, '3'); // rejoins by IST, waits until Synced
  }
  const failed = run.log.filter((r) => r.status < 200 || r.status >= 300);
  const late = failed.filter((r) => r.at > run.faultAt + GRACE_MS);
  assert.ok(run.log.length > 30, `a steady load: ${run.log.length} requests`);
  assert.deepEqual(late, [], `errors more than ${GRACE_MS} ms after the kill`);
  assert.ok(failed.length < Math.max(2, run.log.length * 0.01),
    `${failed.length} of ${run.log.length} requests failed: ${JSON.stringify(failed.slice(0, 5))}`);
  const metrics = await api('GET', nodeUrl(3, '/api/v1/metrics'));
  assert.ok(metrics.json.database_failovers >= 1, `kaeru-fcgi 3 moved to another node: ${metrics.text}`);
  assertStoredOnce(run);
  assert.equal((await api('GET', '/api/v1/health')).status, 200);
});

test('a kaeru-fcgi killed (-9) under load: nginx routes around it, nothing lost or doubled', async () => {
  let run;
  try {
    run = await underLoad(() => cluster('kill-fcgi', CLUSTER, '1'));
  } finally {
    cluster('start-fcgi', CLUSTER, '1');
  }
  const failed = run.log.filter((r) => r.status < 200 || r.status >= 300);
  assert.ok(run.log.length > 30, `a steady load: ${run.log.length} requests`);
  assert.deepEqual(failed, [], 'every request answered 2xx');
  assertStoredOnce(run);
});
