// What the operator relies on when the database is busy or a process is stopped:
// a transaction that hits a lock wait timeout is run again as a whole (db_tx_run), and
// SIGTERM lets a request in flight finish before kaeru-fcgi exits.
// Runs alone (RUN_SERIAL): it stops and restarts the stack's kaeru-fcgi.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, api, assertStatus, newMerchant, openOrder, postReturn, lookupOk } from './lib.mjs';

const STACK = process.env.KAERU_STACK || join(ROOT, 'var');
const BUILD = process.env.KAERU_BUILD || join(ROOT, 'build');
const settings = Object.fromEntries(
  readFileSync(join(STACK, 'kaeru.env'), 'utf8').split('\n').filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

/* Holds the order's row lock from another database session for `seconds`, as a slow
 * administrator or a stuck job would. Resolves `locked` once the lock is held. */
function holdOrderLock(slug, orderNumber, seconds) {
  const sql = `START TRANSACTION;
    SELECT 'locked' FROM orders o JOIN merchants m ON m.id = o.merchant_id
      WHERE m.slug = '${slug}' AND o.order_number = '${orderNumber}' FOR UPDATE;
    SELECT SLEEP(${seconds}); COMMIT;`;
  const child = spawn('mariadb', ['--no-defaults', '-N', '-B', '-n',
    `--socket=${settings.KAERU_DB_SOCKET}`, `-u${settings.KAERU_DB_USER}`,
    `-p${settings.KAERU_DB_PASSWORD}`, settings.KAERU_DB_NAME, '-e', sql]);
  const locked = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { if (String(d).includes('locked')) resolve(); });
    child.on('exit', (code) => reject(new Error(`lock session ended (${code}) before locking`)));
  });
  const done = new Promise((resolve) => child.on('exit', resolve));
  return { locked, done };
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

test('a return blocked past the lock wait timeout is retried whole and created once', async () => {
  // The stack's MariaDB gives up a lock wait after 2 s (tests/stack.sh); the lock is held 3 s.
  const m = await newMerchant();
  const o = await openOrder(m);
  const line = o.order.lines.find((l) => l.eligible);
  const lock = holdOrderLock(m.slug, o.orderNumber, 3);
  await lock.locked;
  const res = await postReturn(o.token, [{ line_id: line.line_id, quantity: 1, reason: 'too_small',
    resolution: 'refund' }]);
  await lock.done;
  assertStatus(res, 201); // without the retry this is a 503 after the first timeout
  const after = await lookupOk(m.slug, o.orderNumber, o.body.email);
  const again = after.order.lines.find((l) => l.line_id === line.line_id);
  assert.equal(again.returnable_quantity, line.returnable_quantity - 1, 'exactly one return was made');
});

test('SIGTERM lets the request in flight finish, then kaeru-fcgi exits', async (t) => {
  const pidFile = join(STACK, 'run', 'kaeru-fcgi.pid');
  assert.ok(existsSync(pidFile), 'the stack runs kaeru-fcgi');
  const pid = Number(readFileSync(pidFile, 'utf8'));
  t.after(() => {
    // Whatever happened, give the other tests their server back.
    execFileSync(join(ROOT, 'tools', 'stack.sh'), ['restart-fcgi', STACK, BUILD], { stdio: 'inherit' });
  });
  const m = await newMerchant();
  const o = await openOrder(m);
  const line = o.order.lines.find((l) => l.eligible);
  const lock = holdOrderLock(m.slug, o.orderNumber, 1.5);
  await lock.locked;
  const pending = postReturn(o.token, [{ line_id: line.line_id, quantity: 1, reason: 'changed_mind',
    resolution: 'store_credit' }]);
  await sleep(400); // the request is now inside kaeru-fcgi, waiting on the lock
  process.kill(pid, 'SIGTERM');
  await sleep(300);
  assert.ok(alive(pid), 'kaeru-fcgi waits for the request in flight');
  const res = await pending;
  assertStatus(res, 201);
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  assert.ok(!alive(pid), 'kaeru-fcgi exited after the last request');
  await lock.done;
  t.after(async () => assertStatus(await api('GET', '/api/v1/health'), 200));
});
