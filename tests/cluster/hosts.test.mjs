// Migrations and maintenance started on several hosts at once, each host on its own Galera
// node: a GET_LOCK or SKIP LOCKED would only hold on one node; the certified lease lets one
// host work at a time, and every step happens exactly once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createReturn, lookupOk, newMerchant, newOrder, scratchDir, suffix } from '../integration/lib.mjs';
import { CLUSTER, NODES, sqlOn, syncAll } from './lib.mjs';

const ADMIN = join(process.env.KAERU_BUILD, 'kaeru-admin');

/** Runs kaeru-admin with the settings of kaeru-fcgi n (database name db, when given). */
function adminOn(n, args, { db, dir } = {}) {
  let env = readFileSync(join(CLUSTER, 'run', `kaeru-${n}.env`), 'utf8');
  if (db) env = env.replace(/^KAERU_DB_NAME=.*$/m, `KAERU_DB_NAME=${db}`);
  const file = join(dir, `admin-${n}.env`);
  writeFileSync(file, env);
  return new Promise((resolve, reject) => {
    const child = spawn(ADMIN, ['-c', file, ...args]);
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out }));
  });
}

test('kaeru-admin migrate on three nodes at once: each migration applied once, all three succeed', async () => {
  const db = `kaeru_m${suffix()}`;
  sqlOn(1, `CREATE DATABASE ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
    GRANT ALL ON ${db}.* TO 'kaeru'@'localhost'`);
  const scratch = scratchDir();
  try {
    const runs = await Promise.all([1, 2, 3].map((n) => adminOn(n, ['migrate'], { db, dir: scratch.dir })));
    for (const [i, r] of runs.entries()) assert.equal(r.status, 0, `migrate on node ${i + 1}: ${r.out}`);
    const applying = runs.map((r) => (r.out.match(/applying/g) || []).length);
    assert.equal(applying.reduce((a, b) => a + b, 0), Math.max(...applying), `one host applied them: ${applying}`);
    syncAll();
    for (let n = 1; n <= NODES; n++) {
      const [[count, distinct]] = sqlOn(n, `SELECT COUNT(*), COUNT(DISTINCT version) FROM ${db}.schema_migrations`);
      assert.equal(count, distinct);
      assert.equal(Number(count), Math.max(...applying), `node ${n}: every migration recorded once`);
    }
  } finally {
    sqlOn(1, `DROP DATABASE ${db}`);
    scratch.cleanup();
  }
});

test('kaeru-admin maintenance on three nodes at once: every due label expires once', async () => {
  const m = newMerchant({ currency: 'JPY' });
  const rmas = [];
  for (let i = 0; i < 3; i++) {
    const { orderNumber, body } = await newOrder(m);
    const { token } = await lookupOk(m.slug, orderNumber, body.email);
    rmas.push((await createReturn(token, [{ line_id: '1', quantity: 1, reason: 'too_small', resolution: 'refund' }])).rma);
  }
  const list = rmas.map((r) => `'${r}'`).join(',');
  sqlOn(1, `UPDATE returns SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 DAY WHERE rma IN (${list})`);
  syncAll();
  const scratch = scratchDir();
  try {
    const runs = await Promise.all([1, 2, 3].map((n) => adminOn(n, ['maintenance'], { dir: scratch.dir })));
    for (const [i, r] of runs.entries()) assert.equal(r.status, 0, `maintenance on node ${i + 1}: ${r.out}`);
    syncAll();
    for (let n = 1; n <= NODES; n++) {
      const rows = sqlOn(n, `SELECT r.rma, r.status, (SELECT COUNT(*) FROM return_events e
        WHERE e.return_id = r.id AND e.type = 'expired') FROM returns r WHERE r.rma IN (${list})`);
      assert.deepEqual(rows.map(([, s, e]) => [s, e]), rmas.map(() => ['expired', '1']), `node ${n}`);
    }
  } finally {
    scratch.cleanup();
  }
});
