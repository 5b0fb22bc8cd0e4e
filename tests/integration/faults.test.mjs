// What the operator relies on when a part of the stack stalls or dies: kaeru answers in the API's
// error shape with Retry-After instead of hanging, and recovers by itself when the part is back.
// Runs alone (RUN_SERIAL): it stops MariaDB and kaeru-fcgi under the other tests' feet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, api, assertProblem, assertStatus, lookup } from './lib.mjs';

const STACK = process.env.KAERU_STACK || join(ROOT, 'var');
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
  const BUILD = process.env.KAERU_BUILD || join(ROOT, 'build');
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
