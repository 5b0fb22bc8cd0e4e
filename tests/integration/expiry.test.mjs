// Labels never scanned expire when `kaeru-admin maintenance` runs: status expired, one event,
// exchange reservations released — and several runs at once expire each return exactly once.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  admin, adminAsync, api, assertProblem, assertStatus, eventsOf, getReturn, lineOf, newMerchant, newStaff,
  newWarehouse, openOrder, putInventory, returnFor, scan, scanOk, sql, sqlString, staffSession,
} from './lib.mjs';

let wh;
let clerk; // a session of a clerk of wh
before(async () => {
  wh = newWarehouse();
  clerk = await staffSession(newStaff({ role: 'warehouse', warehouse: wh }));
});

const REFUND = [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }];
const EXCHANGE_L = [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'exchange', exchange_sku: 'TEE-BLK-L' }];
const TEE_L = (available) => ({ sku: 'TEE-BLK-L', product_id: 'TEE', variant: 'Black / L', available });

/** Moves a return's label validity into the past, as the passing of its validity days would. */
function age(rma) {
  sql(`UPDATE returns SET expires_at = NOW() - INTERVAL 1 MINUTE WHERE rma = ${sqlString(rma)}`);
}

function maintenance() {
  const r = admin(['maintenance']);
  assert.equal(r.status, 0, `kaeru-admin maintenance failed: ${r.stderr}${r.stdout}`);
  assert.match(r.stdout, /expired \d+ returns?/, `it reports what it did: ${r.stdout}`);
  return r.stdout;
}

/** The return as its customer sees it. */
async function tracked(r) {
  const res = await getReturn(r.rma, { k: r.k });
  assertStatus(res, 200);
  return res.json;
}

/** Whether a fresh order of `shop` is offered TEE-BLK-L for line 1. */
async function offersL(shop) {
  const o = await openOrder(shop);
  return lineOf(o.order, '1').exchange_options.some((x) => x.sku === 'TEE-BLK-L');
}

test('an unscanned label past its validity expires: one expired event, reservation released', async () => {
  const shop = newMerchant({ currency: 'JPY', warehouse: wh });
  assertStatus(await putInventory(shop, [TEE_L(1)]), 200);
  const late = await returnFor(shop, EXCHANGE_L);
  const onTime = await returnFor(shop, REFUND);
  assert.equal(await offersL(shop), false, 'the last L is reserved');

  age(late.rma);
  maintenance();

  const t = await tracked(late);
  assert.equal(t.status, 'expired');
  const expired = eventsOf(t, 'expired');
  assert.equal(expired.length, 1, JSON.stringify(t.events));
  assert.equal(expired[0].actor, 'kaeru');
  assert.equal(await offersL(shop), true, 'the reserved L is offered again');
  // The customer is told, once: the expiry's message queued with its event.
  const mails = (rma) => sql(`SELECT kind FROM emails e JOIN returns r ON r.id = e.return_id
    WHERE r.rma = ${sqlString(rma)} AND kind LIKE 'return_e%' ORDER BY kind`).map((row) => row[0]);
  assert.deepEqual(mails(late.rma), ['return_expired']);
  assert.deepEqual(mails(onTime.rma), []);

  const untouched = await tracked(onTime);
  assert.equal(untouched.status, 'label_issued');
  assert.equal(eventsOf(untouched, 'expired').length, 0);

  // Running it again changes nothing.
  maintenance();
  assert.equal(eventsOf(await tracked(late), 'expired').length, 1);
  assert.deepEqual(mails(late.rma), ['return_expired']);
  assert.equal((await tracked(onTime)).status, 'label_issued');
});

test('an expired parcel that arrives anyway is 409 return_status expired; the customer cannot cancel it', async () => {
  const shop = newMerchant({ currency: 'JPY', warehouse: wh });
  const r = await returnFor(shop, REFUND);
  age(r.rma);
  maintenance();

  const p = assertProblem(await scan(clerk, r.rma), 409);
  assert.equal(p.rma, r.rma);
  assert.equal(p.return_status, 'expired');
  assert.ok(p.detail.length > 0);

  assertProblem(await api('POST', `/api/v1/returns/${r.rma}/cancel`, { body: {}, token: r.order.token }), 409);
  const t = await tracked(r);
  assert.equal(t.status, 'expired');
  assert.equal(t.label_state, 'void');
  const label = assertProblem(await api('GET', `/api/v1/returns/${r.rma}/label.pdf?k=${encodeURIComponent(r.k)}`), 410);
  assert.equal(label.return_status, 'expired');
  assert.equal(eventsOf(t, 'received').length, 0);
  assert.equal(eventsOf(t, 'canceled').length, 0);
});

test('only labels never scanned expire: received and canceled returns keep their status', async () => {
  const shop = newMerchant({ currency: 'JPY', warehouse: wh });
  const received = await returnFor(shop, REFUND);
  await scanOk(clerk, received.rma);
  const canceled = await returnFor(shop, REFUND);
  assertStatus(await api('POST', `/api/v1/returns/${canceled.rma}/cancel`, { body: {}, token: canceled.order.token }), 200);
  age(received.rma);
  age(canceled.rma);
  maintenance();
  const a = await tracked(received);
  const b = await tracked(canceled);
  assert.deepEqual([a.status, eventsOf(a, 'expired').length], ['received', 0]);
  assert.deepEqual([b.status, eventsOf(b, 'expired').length], ['canceled', 0]);
});

test('three maintenance runs at once expire each return exactly once and release each unit once', async () => {
  const shop = newMerchant({ currency: 'JPY', warehouse: wh });
  assertStatus(await putInventory(shop, [TEE_L(2)]), 200);
  const exchange = await returnFor(shop, EXCHANGE_L); // holds one of the two Ls
  await returnFor(shop, EXCHANGE_L); // holds the other, and stays
  const refunds = [await returnFor(shop, REFUND), await returnFor(shop, REFUND), await returnFor(shop, REFUND)];
  assert.equal(await offersL(shop), false);
  for (const r of [exchange, ...refunds]) age(r.rma);

  const runs = await Promise.all([1, 2, 3].map(() => adminAsync(['maintenance'])));
  for (const run of runs) assert.equal(run.status, 0, `maintenance failed: ${run.stderr}${run.stdout}`);

  for (const r of [exchange, ...refunds]) {
    const t = await tracked(r);
    assert.equal(t.status, 'expired', r.rma);
    assert.equal(eventsOf(t, 'expired').length, 1, `one expired event for ${r.rma}: ${JSON.stringify(t.events)}`);
  }
  // One L was released, not more: it is offered, and after one customer takes it, none is left.
  assert.equal(await offersL(shop), true);
  await returnFor(shop, EXCHANGE_L);
  assert.equal(await offersL(shop), false, 'the reservation was released once');
});
