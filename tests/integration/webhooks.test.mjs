// Webhooks: the merchant sets one (the secret shown once), kaeru-worker POSTs each event signed
// with it to a real HTTP receiver on loopback, retries failures with growing pauses (the test stack
// sets KAERU_RETRY_BASE_SECONDS=1: 1 s, 2 s, 4 s ...), and two workers never send one event twice.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  api, assertProblem, assertStatus, clerkOf, newMerchant, newWarehouse, openOrder, createReturn, pause, scanOk, sql,
  sqlString,
} from './lib.mjs';

let wh;
before(() => { wh = newWarehouse(); });

/** A receiver on 127.0.0.1: answer(req, n) gives the status of the n-th request (from 1). */
async function receiver(answer = () => 200) {
  const got = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      got.push({ headers: req.headers, body, url: req.url, method: req.method });
      res.statusCode = answer(req, got.length);
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/hooks/kaeru`;
  return { got, url, close: () => new Promise((r) => server.close(r)) };
}

const hook = (m, method, body, path = '') =>
  api(method, `/api/v1/merchants/${m.slug}/webhook${path}`, { token: m.key, body });

async function until(what, check, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await pause(100);
  }
}

/** Verifies a delivery's Kaeru-Signature with the secret, as a shop would. */
function verify(delivery, secret) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(delivery.headers['kaeru-signature'] || '');
  assert.ok(m, `signature header: ${delivery.headers['kaeru-signature']}`);
  assert.ok(Math.abs(Date.now() / 1000 - Number(m[1])) < 300, 'a fresh timestamp');
  const want = createHmac('sha256', secret).update(`${m[1]}.${delivery.body}`).digest('hex');
  return want === m[2];
}

test('set, read, rotate and remove a webhook; the secret is shown only when new', async () => {
  const m = newMerchant({ warehouse: wh });
  assertProblem(await hook(m, 'GET'), 404);
  const first = await hook(m, 'PUT', { url: 'http://127.0.0.1:9/a', events: ['return.*'] });
  assertStatus(first, 200);
  assert.match(first.json.secret, /^[0-9a-f]{64}$/);
  assert.deepEqual(first.json.events, ['return.*']);
  const read = await hook(m, 'GET');
  assert.deepEqual(read.json, { url: 'http://127.0.0.1:9/a', events: ['return.*'], status: 'active' });
  const again = await hook(m, 'PUT', { url: 'http://127.0.0.1:9/b' });
  assert.equal(again.json.secret, undefined, 'the secret is not shown again');
  assert.deepEqual(again.json.events, ['*']);
  const rotated = await hook(m, 'PUT', { url: 'http://127.0.0.1:9/b', rotate_secret: true });
  assert.match(rotated.json.secret, /^[0-9a-f]{64}$/);
  assert.notEqual(rotated.json.secret, first.json.secret);
  assertStatus(await hook(m, 'DELETE'), 204);
  assertProblem(await hook(m, 'DELETE'), 404);
  for (const [body, field] of [
    [{}, 'url'], [{ url: 'ftp://x.example/' }, 'url'], [{ url: 'http://user:pw@127.0.0.1/' }, 'url'],
    [{ url: 'http://127.0.0.1:9/', events: [] }, 'events'], [{ url: 'http://127.0.0.1:9/', events: ['x'] }, 'events[0]'],
    [{ url: 'http://127.0.0.1:9/', events: 'return.*' }, 'events'],
    [{ url: 'http://127.0.0.1:9/', rotate_secret: 'yes' }, 'rotate_secret'],
  ]) assertProblem(await hook(m, 'PUT', body), 422, field);
  assertProblem(await api('GET', `/api/v1/merchants/${m.slug}/webhook/deliveries?limit=0`, { token: m.key }), 422, 'limit');
  assertProblem(await api('POST', `/api/v1/merchants/${m.slug}/webhook/deliveries/99999999/retry`, { token: m.key, body: {} }), 404);
});

test('a receiver answering 500 twice then 200 gets three signed attempts and one success', async () => {
  const m = newMerchant({ warehouse: wh });
  const rx = await receiver((req, n) => (n <= 2 ? 500 : 200));
  try {
    const set = await hook(m, 'PUT', { url: rx.url, events: ['return.created'] });
    const { secret } = set.json;
    const o = await openOrder(m);
    const r = await createReturn(o.token, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
    await scanOk(await clerkOf(m), r.rma); // return.received: not asked for
    const d = await until('a delivered delivery', async () => {
      const res = await api('GET', `/api/v1/merchants/${m.slug}/webhook/deliveries`, { token: m.key });
      const it = res.json.items[0];
      return it && it.status === 'delivered' ? res.json.items : null;
    });
    assert.equal(d.length, 1, 'only the type asked for');
    assert.deepEqual([d[0].type, d[0].attempts, d[0].last_status_code, d[0].next_attempt_at], ['return.created', 3, 200, null]);
    assert.equal(rx.got.length, 3);
    for (const g of rx.got) {
      assert.equal(g.method, 'POST');
      assert.equal(g.url, '/hooks/kaeru');
      assert.ok(verify(g, secret), 'the signature verifies with the secret');
      assert.ok(!verify(g, `${secret}x`), 'and not with another');
      const ev = JSON.parse(g.body);
      assert.equal(ev.type, 'return.created');
      assert.equal(ev.rma, r.rma);
      assert.equal(g.headers['kaeru-event-id'], ev.id);
      assert.equal(g.headers['kaeru-event-type'], 'return.created');
      assert.match(g.headers['content-type'], /^application\/json/);
    }
    // The feed has the same event.
    const feed = await api('GET', `/api/v1/merchants/${m.slug}/events`, { token: m.key });
    assert.deepEqual(feed.json.events[0], JSON.parse(rx.got[2].body));
    // A manual retry sends it once more.
    assertStatus(await api('POST', `/api/v1/merchants/${m.slug}/webhook/deliveries/${d[0].id}/retry`,
      { token: m.key, body: {} }), 202);
    await until('the retried delivery', () => rx.got.length === 4);
    assert.equal(JSON.parse(rx.got[3].body).id, JSON.parse(rx.got[0].body).id);
  } finally {
    await rx.close();
  }
});

test('two workers never deliver one event twice', async () => {
  const m = newMerchant({ warehouse: wh });
  const rx = await receiver(() => 200);
  // A second dispatcher beside the stack's own, on the same database.
  const second = spawn(join(process.env.KAERU_BUILD, 'kaeru-worker'),
    ['-c', join(process.env.KAERU_STACK, 'kaeru.env')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  second.stderr.on('data', (c) => { log += c; });
  try {
    await hook(m, 'PUT', { url: rx.url });
    const orders = await Promise.all(Array.from({ length: 8 }, () => openOrder(m)));
    const rmas = await Promise.all(orders.map(async (o) => {
      const r = await createReturn(o.token, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
      const c = await api('POST', `/api/v1/returns/${r.rma}/cancel`, { body: {}, token: o.token });
      assertStatus(c, 200);
      return r.rma;
    }));
    await until('16 deliveries', () => rx.got.length >= 16);
    await pause(1500); // a double send would arrive by now
    const ids = rx.got.map((g) => g.headers['kaeru-event-id']);
    assert.equal(ids.length, 16, `each event once: ${ids}`);
    assert.equal(new Set(ids).size, 16);
    const rmasSeen = new Set(rx.got.map((g) => JSON.parse(g.body).rma));
    for (const rma of rmas) assert.ok(rmasSeen.has(rma));
  } finally {
    second.kill('SIGTERM');
    const code = await new Promise((r) => second.on('exit', (c) => r(c)));
    assert.equal(code, 0, `the second worker stops cleanly on SIGTERM: ${log}`);
    assert.ok(!/AddressSanitizer|runtime error/.test(log), log);
    await rx.close();
  }
});

test('a delivery failing for 72 h fails for good and pauses the webhook until it is set again', async () => {
  const m = newMerchant({ warehouse: wh });
  let healthy = false;
  const rx = await receiver(() => (healthy ? 200 : 500));
  try {
    await hook(m, 'PUT', { url: rx.url });
    const o = await openOrder(m);
    const deliveries = async () =>
      (await api('GET', `/api/v1/merchants/${m.slug}/webhook/deliveries`, { token: m.key })).json.items;
    await createReturn(o.token, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
    await until('a failed attempt', async () => (await deliveries())[0]?.attempts >= 1);
    // As if it had been failing since three days ago: the next attempt is its last.
    sql(`UPDATE webhook_deliveries SET created_at = created_at - INTERVAL 73 HOUR, next_attempt_at = UTC_TIMESTAMP()
      WHERE merchant_id = (SELECT id FROM merchants WHERE slug = ${sqlString(m.slug)})`);
    await until('the delivery to fail', async () => (await deliveries())[0].status === 'failed');
    const paused = await hook(m, 'GET');
    assert.equal(paused.json.status, 'paused');
    assert.match(paused.json.paused_at, /Z$/);
    // Paused: new events wait.
    const sent = rx.got.length;
    await createReturn(o.token, [{ line_id: '3', quantity: 1, reason: 'too_small', resolution: 'refund' }]);
    await pause(1500);
    assert.equal(rx.got.length, sent, 'nothing is sent while paused');
    // Set again: active, and the waiting event goes out.
    healthy = true;
    const again = await hook(m, 'PUT', { url: rx.url });
    assert.equal(again.json.status, 'active');
    await until('the waiting delivery', async () => (await deliveries())[0].status === 'delivered');
    assert.equal(rx.got.length, sent + 1);
  } finally {
    await rx.close();
  }
});
