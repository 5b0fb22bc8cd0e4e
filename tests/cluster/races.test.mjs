// Races spread over the three Galera nodes give the answers of one server, in every round.
// Each round aims its concurrent requests at different nodes (nodeUrl), so their transactions
// only meet at Galera's certification.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  api, assertStatus, bulkApprove, getReturn, jpOrder, lookupOk, newMerchant, newOrder, newStaff, ownerOf,
  putInventory, resaleListing, staffSession, suffix, trackingKey,
} from '../integration/lib.mjs';
import { NODES, ROUNDS, nodeUrl, sqlOn, syncAll } from './lib.mjs';

let m;
let clerk; // a staff session of m's warehouse
before(async () => {
  m = newMerchant({ currency: 'JPY' });
  clerk = await staffSession(newStaff({ role: 'warehouse', warehouse: m.warehouse }));
});

const ONE = (line_id, quantity = 1) => ({ line_id, quantity, reason: 'too_small', resolution: 'refund' });

function postReturnAt(n, token, items, headers = {}) {
  return api('POST', nodeUrl(n, '/api/v1/returns'), { body: { items }, token, headers });
}

/** The sum over the three kaeru-fcgi of their transactions run again. */
async function retriesCounted() {
  let sum = 0;
  for (let n = 1; n <= NODES; n++) {
    const res = await api('GET', nodeUrl(n, '/api/v1/metrics'));
    assertStatus(res, 200);
    sum += res.json.transactions_retried;
  }
  return sum;
}

test('21 concurrent returns of one unit each, on three nodes, of a line of 3: exactly 3 succeed', async () => {
  const retriedBefore = await retriesCounted();
  for (let round = 0; round < ROUNDS; round++) {
    const { orderNumber, body } = await newOrder(m, {
      lines: [{ line_id: '1', sku: 'TEE-BLK-M', product_id: 'TEE', name: 'Tシャツ', variant: 'Black / M',
        category: 'tops', quantity: 3, unit_price: 4900, final_sale: false }],
    });
    const { token } = await lookupOk(m.slug, orderNumber, body.email);
    const answers = await Promise.all(Array.from({ length: 21 },
      (_, i) => postReturnAt(1 + (i % NODES), token, [ONE('1')])));
    const created = answers.filter((r) => r.status === 201);
    for (const r of answers) assert.ok([201, 422].includes(r.status), `201 or 422: ${r.status} ${r.text}`);
    assert.equal(created.length, 3, `round ${round}: ${created.length} returns of a line of 3`);
    syncAll();
    for (let n = 1; n <= NODES; n++) {
      const [[units]] = sqlOn(n, `SELECT COALESCE(SUM(ri.quantity), 0) FROM return_items ri
        JOIN returns r ON r.id = ri.return_id JOIN orders o ON o.id = r.order_id
        WHERE o.order_number = '${orderNumber}'`);
      assert.equal(Number(units), 3, `node ${n}: units in returns of order ${orderNumber}`);
    }
  }
  // The conflicts were certified and run again, and that is counted, not silent.
  assert.ok(await retriesCounted() > retriedBefore, 'GET /api/v1/metrics counts the retries');
});

test('the last two items of a return inspected at once on two nodes: the return resolves, once', async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const { orderNumber, body } = await newOrder(m);
    const { token } = await lookupOk(m.slug, orderNumber, body.email);
    const res = await postReturnAt(1, token, [ONE('1'), ONE('3')]);
    assertStatus(res, 201);
    const ret = res.json;
    assertStatus(await clerk.api('POST', nodeUrl(2, '/api/v1/scan'), { body: { code: ret.rma } }), 200);
    const inspected = await Promise.all(ret.items.map((it, i) => clerk.api('POST',
      nodeUrl(1 + ((round + i) % NODES), `/api/v1/returns/${ret.rma}/items/${it.item_id}/inspection`),
      { body: { received_quantity: 1, grade: 'like_new', disposition: 'restock' } })));
    for (const r of inspected) assertStatus(r, 200);
    syncAll();
    const after = await getReturn(ret.rma, { k: trackingKey(ret) });
    assertStatus(after, 200);
    assert.equal(after.json.status, 'resolved', `round ${round}: ${ret.rma} is ${after.json.status}`);
    for (let n = 1; n <= NODES; n++) {
      const [[resolved, ledger]] = sqlOn(n, `SELECT
        (SELECT COUNT(*) FROM return_events e JOIN returns r ON r.id = e.return_id
         WHERE r.rma = '${ret.rma}' AND e.type = 'resolved'),
        (SELECT COUNT(*) FROM ledger_entries le JOIN returns r ON r.id = le.return_id
         WHERE r.rma = '${ret.rma}')`);
      assert.equal(Number(resolved), 1, `node ${n}: one resolved event of ${ret.rma}`);
      assert.ok(Number(ledger) >= 1, `node ${n}: ledger rows of ${ret.rma}`);
    }
  }
});

test('a return created on one node is read at once on another', async () => {
  const { orderNumber, body } = await newOrder(m, { // a unit for each of the ROUNDS * 6 returns
    lines: [{ line_id: '1', sku: 'TEE-BLK-M', product_id: 'TEE', name: 'Tシャツ', variant: 'Black / M',
      category: 'tops', quantity: Math.max(99, ROUNDS * 6), unit_price: 4900, final_sale: false }],
  });
  const { token } = await lookupOk(m.slug, orderNumber, body.email);
  let stale = 0;
  for (let i = 0; i < ROUNDS * 6; i++) {
    const at = 1 + (i % NODES);
    const res = await postReturnAt(at, token, [ONE('1')]);
    assertStatus(res, 201);
    const k = trackingKey(res.json);
    const seen = await api('GET', nodeUrl(1 + (at % NODES), `/api/v1/returns/${res.json.rma}?k=${k}`));
    if (seen.status !== 200) stale++;
  }
  assert.equal(stale, 0, `${stale} of ${ROUNDS * 6} reads on another node missed a return just created`);
});

test('one parcel scanned at once on three nodes: one first scan, one received event', async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const { orderNumber, body } = await newOrder(m);
    const { token } = await lookupOk(m.slug, orderNumber, body.email);
    const res = await postReturnAt(1 + (round % NODES), token, [ONE('1')]);
    assertStatus(res, 201);
    const scans = await Promise.all([1, 2, 3].map((n) =>
      clerk.api('POST', nodeUrl(n, '/api/v1/scan'), { body: { code: res.json.rma } })));
    for (const s of scans) assertStatus(s, 200);
    assert.equal(scans.filter((s) => s.json.first_scan === true).length, 1,
      `round ${round}: first_scan ${scans.map((s) => s.json.first_scan)}`);
    syncAll();
    for (let n = 1; n <= NODES; n++) {
      const [[received]] = sqlOn(n, `SELECT COUNT(*) FROM return_events e JOIN returns r ON r.id = e.return_id
        WHERE r.rma = '${res.json.rma}' AND e.type = 'received'`);
      assert.equal(Number(received), 1, `node ${n}: received events of ${res.json.rma}`);
    }
  }
});

test('exchanges for the last 2 units in stock asked at once on three nodes: exactly 2 reserved', async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const sku = `TEE-BLK-L-${round}`;
    assertStatus(await putInventory(m, [{ sku, product_id: 'TEE', variant: 'Black / L', available: 2 }]), 200);
    const tokens = [];
    for (let i = 0; i < 6; i++) {
      const { orderNumber, body } = await newOrder(m);
      tokens.push((await lookupOk(m.slug, orderNumber, body.email)).token);
    }
    const answers = await Promise.all(tokens.map((t, i) => postReturnAt(1 + (i % NODES), t,
      [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'exchange', exchange_sku: sku }])));
    for (const r of answers) assert.ok([201, 422].includes(r.status), `201 or 422: ${r.status} ${r.text}`);
    assert.equal(answers.filter((r) => r.status === 201).length, 2, `round ${round}`);
    syncAll();
    for (let n = 1; n <= NODES; n++) {
      const [[reserved]] = sqlOn(n, `SELECT reserved FROM inventory i JOIN merchants mm ON mm.id = i.merchant_id
        WHERE mm.slug = '${m.slug}' AND i.sku = '${sku}'`);
      assert.equal(Number(reserved), 2, `node ${n}: reserved units of ${sku}`);
    }
  }
});

test('a sale and a hold each sent under one Idempotency-Key to three nodes at once: one sale, one hold, one answer', async () => {
  // Two published listings a round, from one return of many units graded for resale.
  const units = 2 * ROUNDS;
  const line = { ...jpOrder().lines[0], quantity: units };
  const { listings } = await resaleListing(m, { quantity: units, order: { lines: [line] } });
  assert.equal(listings.length, units);
  assertStatus(await bulkApprove(await ownerOf(m), listings.map((l) => l.id)), 200);
  const post = (n, id, what, body, key) => api('POST',
    nodeUrl(n, `/api/v1/merchants/${m.slug}/listings/${id}/${what}`),
    { token: m.key, body, headers: { 'Idempotency-Key': key } });
  for (let round = 0; round < ROUNDS; round++) {
    const [sold, held] = [listings[2 * round].id, listings[2 * round + 1].id];
    const [soldKey, holdKey] = [`sold-${suffix()}`, `hold-${suffix()}`];
    const answers = await Promise.all([1, 2, 3].flatMap((n) => [
      post(n, sold, 'sold', {}, soldKey), post(n, held, 'hold', { minutes: 5 }, holdKey)]));
    for (const r of answers) assertStatus(r, 200);
    const sales = answers.filter((_, i) => i % 2 === 0);
    const holds = answers.filter((_, i) => i % 2 === 1);
    assert.equal(new Set(sales.map((r) => r.text)).size, 1, `round ${round}: one sale answer`);
    assert.equal(sales[0].json.status, 'sold');
    assert.equal(new Set(holds.map((r) => r.json.hold_id)).size, 1,
      `round ${round}: one hold_id, ${holds.map((r) => r.text)}`);
    syncAll();
    for (let n = 1; n <= NODES; n++) {
      const rows = sqlOn(n, `SELECT type, COUNT(*) FROM events WHERE listing_id IN (${Number(sold)}, ${Number(held)})
        AND type IN ('listing.sold', 'listing.held') GROUP BY type ORDER BY type`);
      assert.deepEqual(rows, [['listing.held', '1'], ['listing.sold', '1']], `node ${n}, round ${round}`);
      const [[kept]] = sqlOn(n, `SELECT COUNT(*) FROM idempotency_keys
        WHERE idempotency_key IN ('${soldKey}', '${holdKey}')`);
      assert.equal(Number(kept), 2, `node ${n}: one answer kept per key`);
    }
  }
});
