// Sign-ins never park the workers that serve scans: password checks (argon2id, 19 MiB and tens of
// milliseconds each) run on kaeru-fcgi's login socket with a few threads of their own, so a shift's
// burst of logins leaves the general workers free. Asserted by order of completion, not by time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, assertStatus, login, newClientAddress, newStaff, newWarehouse } from './lib.mjs';

test('while many sign-ins are checked, a health check is answered before half of them', async () => {
  const clerk = newStaff({ role: 'warehouse', warehouse: newWarehouse() });
  const LOGINS = 24; // three times the test stack's 8 general workers
  let done = 0;
  const from = newClientAddress();
  const logins = Array.from({ length: LOGINS }, () => login(clerk.email, clerk.password, { from })
    .then((res) => { done++; return res; }));
  await sleep(100); // the sign-ins are now queued in kaeru-fcgi
  const health = await api('GET', '/api/v1/health');
  const doneBefore = done;
  assertStatus(health, 200);
  for (const res of await Promise.all(logins)) assertStatus(res, 200);
  // With sign-ins inside the general pool, the health check waits behind at least 16 of them.
  assert.ok(doneBefore < LOGINS / 2,
    `the health check waited for ${doneBefore} of ${LOGINS} sign-ins`);
});
