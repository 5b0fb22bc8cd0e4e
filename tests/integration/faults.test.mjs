// What the operator relies on when a part of the stack stalls or dies: kaeru answers in the API's
// error shape with Retry-After instead of hanging, and recovers by itself when the part is back.
// Runs alone (RUN_SERIAL): it stalls and kills MariaDB and kaeru-fcgi under the other tests' feet.
// Under load, every write that was answered 2xx is stored exactly once and whole, every other one
// was answered in the API's error shape with Retry-After, and the stack recovers by itself: the
// dev stack restarts a killed kaeru-fcgi (as systemd does), kaeru-fcgi reconnects to a MariaDB
// that came back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ROOT, api, assertProblem, assertStatus, jpOrder, login, lookup, lookupOk, newMerchant, newOrder,
  newOrderNumber, newStaff, newWarehouse, postReturn, putOrder, suffix,
} from './lib.mjs';

const STACK = process.env.KAERU_STACK || join(ROOT, 'var');
const BUILD = process.env.KAERU_BUILD || join(ROOT, 'build');
const pidOf = (name) => Number(readFileSync(join(STACK, 'run', `${name}.pid`), 'utf8'));

/* The promise's value, or a failure when it has not settled within ms (a hung request). */
async function within(ms, promise, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try { return await Promise.race([promise, late]); } finally { clearTimeout(timer); }
}

/* Waits (bounded) until the health check answers 200 again. */
async function healthy(seconds = 30) {
  let res;
  for (let i = 0; i < seconds * 5; i++) {
    res = await api('GET', '/api/v1/health').catch((e) => ({ status: 0, text: String(e), headers: {} }));
    if (res.status === 200) return res;
    await sleep(200);
  }
  assert.fail(`the stack did not recover in ${seconds} s: ${res.status} ${res.text}`);
}

/* A 503 (or 502/504) in the API's error shape that tells the client when to come back. */
function assertRetryLater(res, statuses = [503]) {
  assertProblem(res, statuses);
  assert.match(res.headers['retry-after'] || '', /^\d+$/, 'Retry-After in seconds');
}

test('a stalled MariaDB makes requests answer 503 with Retry-After, not hang; then it serves again', async () => {
  const mysqld = pidOf('mysqld');
  await healthy();
  process.kill(mysqld, 'SIGSTOP');
  try {
    // The stack's read/write timeout is 4 s (tests/stack.sh); nginx would wait 60 s.
    const [health, found] = await within(30000, Promise.all([
      api('GET', '/api/v1/health'),
      lookup('no-such-merchant', 'NO-SUCH', 'a@example.jp'),
    ]), 'requests to a stalled database');
    assertRetryLater(health);
    assertRetryLater(found);
  } finally {
    process.kill(mysqld, 'SIGCONT');
  }
  await healthy();
});

test('kaeru-fcgi down: 502 problem+json with Retry-After from nginx; it serves again once restarted', async (t) => {
  t.after(() => execFileSync(join(ROOT, 'tools', 'stack.sh'), ['restart-fcgi', STACK, BUILD], { stdio: 'inherit' }));
  execFileSync(join(ROOT, 'tools', 'stack.sh'), ['stop-fcgi', STACK], { stdio: 'inherit' });
  // nginx meets a missing socket (its 502), on the general and the sign-in socket alike.
  assertRetryLater(await api('GET', '/api/v1/health'), [502]);
  assertRetryLater(await api('POST', '/api/v1/session', { body: { email: 'a@example.jp', password: 'x' } }), [502]);
  assertRetryLater(await lookup('no-such-merchant', 'NO-SUCH', 'a@example.jp'), [502]);
  execFileSync(join(ROOT, 'tools', 'stack.sh'), ['restart-fcgi', STACK, BUILD], { stdio: 'inherit' });
  await healthy();
});

test('kaeru-fcgi stalled: nginx gives up with 504 problem+json and Retry-After', async () => {
  const fcgi = pidOf('kaeru-fcgi');
  process.kill(fcgi, 'SIGSTOP');
  try {
    // The test stack's nginx waits 10 s for kaeru-fcgi (tests/stack.sh).
    assertRetryLater(await within(30000, api('GET', '/api/v1/health'), 'a stalled kaeru-fcgi'), [504]);
  } finally {
    process.kill(fcgi, 'SIGCONT');
  }
  await healthy();
});

const RETURN_ITEMS = [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }];

/* The writes of one load run: returns on orders opened beforehand (each with its Idempotency-Key)
 * and new orders PUT. Each job sends itself again with the same key or body when asked. */
async function prepareLoad(m, { returns, orders }) {
  const jobs = [];
  for (let i = 0; i < returns; i++) {
    const { orderNumber, body } = await newOrder(m);
    const { token } = await lookupOk(m.slug, orderNumber, body.email);
    const key = `faults-${suffix(8)}`;
    jobs.push({ kind: 'return', orderNumber, email: body.email, token, key,
      send: () => postReturn(token, RETURN_ITEMS, { idempotencyKey: key }) });
  }
  for (let i = 0; i < orders; i++) {
    const orderNumber = newOrderNumber();
    const body = jpOrder();
    jobs.push({ kind: 'order', orderNumber, email: body.email, send: () => putOrder(m, orderNumber, body) });
  }
  return jobs;
}

/* Runs the jobs, `lanes` at a time; calls fault() once a third of them are answered. Each job
 * gets .res: its answer ({status: 0} when none came). */
async function runLoad(jobs, lanes, fault) {
  let next = 0;
  let answered = 0;
  let faulted = false;
  async function lane() {
    while (next < jobs.length) {
      const job = jobs[next++];
      job.res = await within(30000, job.send(), `${job.kind} ${job.orderNumber}`)
        .catch((e) => ({ status: 0, text: String(e), headers: {} }));
      if (++answered >= jobs.length / 3 && !faulted) {
        faulted = true;
        await fault();
      }
    }
  }
  await Promise.all(Array.from({ length: lanes }, lane));
}

/* Every answer is a 2xx, or a problem with Retry-After from nginx (502, 504) or kaeru (503). */
function assertAnswers(t, jobs) {
  for (const job of jobs) {
    if (job.res.status >= 200 && job.res.status < 300) continue;
    assert.notEqual(job.res.status, 0, `${job.kind} ${job.orderNumber} got no answer: ${job.res.text}`);
    assertRetryLater(job.res, [502, 503, 504]);
  }
  const ok = jobs.filter((j) => j.res.status < 300).length;
  assert.ok(ok > 0, 'some writes succeeded before the fault');
  const statuses = {};
  for (const job of jobs) statuses[job.res.status] = (statuses[job.res.status] || 0) + 1;
  t.diagnostic(`answers: ${JSON.stringify(statuses)}`);
  return ok;
}

/* After recovery: every 2xx'd write is stored exactly once and whole; the others, sent again with
 * the same Idempotency-Key or body, succeed, and then exactly once too. */
async function assertStoredOnce(m, jobs) {
  for (const job of jobs) {
    if (job.res.status >= 300) {
      job.res = await job.send();
      assertStatus(job.res, [200, 201]);
    }
    const found = await lookupOk(m.slug, job.orderNumber, job.email);
    if (job.kind === 'order') {
      assert.equal(found.order.lines.length, 3, `order ${job.orderNumber} is stored whole`);
      continue;
    }
    const line = found.order.lines.find((l) => l.line_id === '1');
    assert.equal(line.returnable_quantity, 1, `order ${job.orderNumber} has exactly one return of one unit`);
    const again = await job.send(); // the key still names the one return
    assertStatus(again, [200, 201]);
    assert.equal(again.json.rma, job.res.json.rma, 'the Idempotency-Key gives the same RMA');
    const ret = await api('GET', `/api/v1/returns/${job.res.json.rma}`, { token: job.token });
    assertStatus(ret, 200);
    assert.equal(ret.json.items.length, 1, 'the return has its item');
    assert.equal(ret.json.items[0].quantity, 1);
  }
}

test('kaeru-fcgi killed (-9) under load: 2xx writes stored once, the rest 502 with Retry-After; it comes back by itself', async (t) => {
  await healthy();
  const m = await newMerchant();
  const jobs = await prepareLoad(m, { returns: 30, orders: 15 });
  const before = pidOf('kaeru-fcgi');
  await runLoad(jobs, 8, () => process.kill(before, 'SIGKILL'));
  assertAnswers(t, jobs);
  await healthy(); // the stack's supervisor started a new kaeru-fcgi
  assert.notEqual(pidOf('kaeru-fcgi'), before, 'a new kaeru-fcgi serves');
  await assertStoredOnce(m, jobs);
});

test('MariaDB killed (-9) under load: 2xx writes stored once, the rest 503 with Retry-After; kaeru reconnects', async (t) => {
  await healthy();
  const m = await newMerchant();
  const jobs = await prepareLoad(m, { returns: 30, orders: 15 });
  const clerk = newStaff({ role: 'warehouse', warehouse: newWarehouse() });
  const fcgi = pidOf('kaeru-fcgi');
  await runLoad(jobs, 8, () => process.kill(pidOf('mysqld'), 'SIGKILL'));
  assertAnswers(t, jobs);
  execFileSync(join(ROOT, 'tools', 'stack.sh'), ['restart-db', STACK], { stdio: 'inherit' });
  await healthy();
  assert.equal(pidOf('kaeru-fcgi'), fcgi, 'the same kaeru-fcgi serves again, reconnected');
  // Workers idle through the outage (the sign-in ones) find their connection dead and make a new
  // one before the request, instead of answering it 503.
  const signins = await Promise.all([1, 2, 3, 4].map(() => login(clerk.email, clerk.password)));
  for (const res of signins) assertStatus(res, 200);
  await assertStoredOnce(m, jobs);
});
