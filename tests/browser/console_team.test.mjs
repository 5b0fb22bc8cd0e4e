// A merchant's team in the console, in headless Chromium against the real stack: the owner opens
// Team, invites a colleague as staff and reads the first password shown once; the colleague signs
// in with it in another browser, finds the policy read-only (no save, every field disabled), no
// webhook tab and no invite form, and changes their own password (in Japanese, too); the owner
// removes them after a confirmation, and the colleague's open console falls back to the login.
//
// Screenshots of each step go to $KAERU_SCREENSHOTS when it is set.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { launch } from './chromium.mjs';
import { BASE, login, newMerchant, newStaff, staffSession, suffix } from '../integration/lib.mjs';

const SHOTS = process.env.KAERU_SCREENSHOTS || '';

async function signIn(page, email, password) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

test('the owner invites staff, who sign in and see no policy edit; removed, they are signed out', { timeout: 180_000 }, async () => {
  const merchant = newMerchant({ currency: 'JPY' });
  const ownerUser = newStaff({ role: 'merchant', merchant });
  const owner = await staffSession(ownerUser);
  const colleague = `hanako-${suffix()}@sakura.example`;

  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  const pageErrors = [];
  try {
    const open = async () => {
      const ctx = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: 'en-US' });
      const page = await ctx.newPage();
      page.setDefaultTimeout(15_000);
      page.on('pageerror', (e) => pageErrors.push(e.message));
      return page;
    };
    const page = await open();
    const shot = async (p, name) => {
      if (SHOTS) await p.screenshot({ path: join(SHOTS, `console-team-${name}.png`), fullPage: true });
    };

    // ---- 1. the owner opens Team: themself, marked
    await page.goto(`${BASE}/console/?lang=en`);
    await signIn(page, ownerUser.email, ownerUser.password);
    await page.getByRole('tab', { name: 'Team' }).click();
    await page.locator('#team-table', { hasText: ownerUser.email }).waitFor();
    assert.match(await page.locator('#member-you').textContent(), /you/);
    await page.getByRole('tab', { name: 'Webhook' }).waitFor(); // an owner's tab

    // ---- 2. a wrong e-mail is named next to its field; then the invitation shows the password once
    await page.getByLabel('E-mail', { exact: true }).fill('hanako');
    await page.getByLabel('Name', { exact: true }).fill('佐藤 花子');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.locator('#team-email-error:not([hidden])').waitFor();
    assert.equal(await page.locator('#team-email').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('E-mail', { exact: true }).fill(colleague);
    await page.getByRole('button', { name: 'Invite' }).click();
    const shown = page.locator('#team-password');
    await shown.waitFor();
    const first = (await shown.textContent()).trim();
    assert.match(first, /^[A-Za-z0-9_-]{16}$/);
    await page.locator('#team-table', { hasText: colleague }).waitFor();
    const row = page.locator('#team-table tr', { hasText: colleague });
    assert.match(await row.textContent(), /Staff/);
    assert.match(await row.textContent(), /never/);
    const listed = (await owner.api('GET', '/api/v1/merchant/team')).json.items.find((m) => m.email === colleague);
    assert.deepEqual([listed.name, listed.role], ['佐藤 花子', 'merchant_staff']);
    await shot(page, '01-invited');

    // ---- 3. the colleague signs in with it: no webhook tab, the policy read-only, no team changes
    const staff = await open();
    await staff.goto(`${BASE}/console/?tab=policy&lang=en`);
    await signIn(staff, colleague, first);
    await staff.locator('#policy-readonly', { hasText: 'Only an owner' }).waitFor();
    const windowDays = staff.getByLabel('Return window (days after delivery)');
    assert.equal(await windowDays.inputValue(), '30');
    assert.equal(await windowDays.isDisabled(), true);
    assert.equal(await staff.getByRole('button', { name: 'Save policy' }).count(), 0);
    assert.equal(await staff.getByRole('tab', { name: 'Webhook' }).count(), 0);
    await staff.getByRole('tab', { name: 'Returns' }).waitFor(); // the console's work is theirs
    await shot(staff, '02-staff-policy');
    await staff.getByRole('tab', { name: 'Team' }).click();
    await staff.locator('#team-table', { hasText: ownerUser.email }).waitFor();
    assert.equal(await staff.locator('#team-invite').count(), 0, 'no invite form');
    assert.equal(await staff.getByRole('button', { name: /^Remove/ }).count(), 0, 'no remove buttons');

    // ---- 4. their own password: two different new ones are refused at once, then changed
    const fresh = `hanako-${suffix(6)}`;
    await staff.getByLabel('Current password').fill(first);
    await staff.getByLabel('New password', { exact: true }).fill(fresh);
    await staff.getByLabel('New password again').fill(`${fresh}x`);
    await staff.getByRole('button', { name: 'Change password' }).click();
    await staff.locator('#password-again-error:not([hidden])').waitFor();
    await staff.getByLabel('New password again').fill(fresh);
    await staff.getByRole('button', { name: 'Change password' }).click();
    await staff.locator('#password-notice', { hasText: 'Password changed' }).waitFor();
    assert.equal((await login(colleague, first)).status, 401);
    assert.equal((await login(colleague, fresh)).status, 200);
    await shot(staff, '03-password');

    // ---- 5. in Japanese: the tab, the read-only policy and the password form speak it
    await staff.goto(`${BASE}/console/?tab=team&lang=ja`);
    await staff.getByRole('tab', { name: 'チーム' }).waitFor();
    await staff.getByRole('heading', { name: 'パスワードの変更' }).waitFor();
    await staff.getByLabel('現在のパスワード').waitFor();
    await staff.getByRole('tab', { name: 'ポリシー' }).click();
    await staff.locator('#policy-readonly', { hasText: 'オーナーだけ' }).waitFor();

    // ---- 6. the owner removes them after a confirmation; their console goes back to the login
    await page.getByRole('button', { name: 'Remove 佐藤 花子' }).click();
    await page.locator('#team-table', { hasText: 'signed out at once' }).waitFor();
    await page.getByRole('button', { name: 'Yes, remove' }).click();
    await page.locator('#team-notice', { hasText: 'was removed' }).waitFor();
    assert.equal(await page.locator('#team-table', { hasText: colleague }).count(), 0);
    await shot(page, '04-removed');
    await staff.getByRole('tab', { name: '返品' }).click();
    await staff.locator('#login-submit').waitFor();
    assert.equal((await login(colleague, fresh)).status, 401);
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
  }
});
