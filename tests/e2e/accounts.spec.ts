import type { Page } from '@playwright/test';
import { consoleTest, createAccount, openConsole, PASSWORD, SHOTS, signIn } from './console-support';
import { expect } from './csp-guard';

// Account management by a super admin (issue 14), end to end through the web shell in Chromium on one real
// embedded backend, whose /functions/v1/admin-accounts is the Edge Function's own handler: an account is
// created, signs in, changes role, is disabled and refused at sign-in with a clear message, is re-enabled and
// signs in again; its history shows each change and who made it.
const { test } = consoleTest();

const accountRow = (page: Page, email: string) => page.getByTestId('accounts-admin').locator(`[data-testid=account-row][data-email="${email}"]`);

async function trySignIn(page: Page, email: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test.describe.serial('account management by a super admin', () => {
  let owner: Page;
  let rana: Page;

  test('an account is created in the console and signs in', async ({ browser, consoleShell }) => {
    owner = await openConsole(browser, consoleShell);
    await owner.getByLabel('Your name').fill('Samia Owner');
    await owner.getByLabel('Email').fill('owner@samia.test');
    await owner.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await owner.getByRole('button', { name: 'Create the administrator account' }).click();
    await expect(owner.getByRole('heading', { name: 'Signed in as Samia Owner' })).toBeVisible();
    await owner.getByRole('tab', { name: 'Settings' }).click();

    const panel = owner.getByTestId('accounts-admin');
    await expect(panel.getByTestId('accounts-count')).toHaveText('1 account');
    // The super admin's own row: no way to lock themselves out.
    const own = accountRow(owner, 'owner@samia.test');
    await expect(own).toContainText('You');
    await expect(own.getByRole('button', { name: /^Disable/ })).toHaveCount(0);

    await createAccount(owner, 'Rana Reader', 'rana@samia.test', 'reader');
    await createAccount(owner, 'Karim Client', 'karim@samia.test', 'client');
    await expect(panel.getByTestId('accounts-count')).toHaveText('3 accounts');
    await expect(accountRow(owner, 'rana@samia.test').getByRole('combobox', { name: 'Role of Rana Reader' })).toHaveValue('reader');

    await panel.getByLabel('Search by name or email').fill('RANA');
    await panel.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(panel.getByTestId('accounts-count')).toHaveText('1 account');
    await expect(panel.getByTestId('account-row')).toHaveCount(1);

    rana = await openConsole(browser, consoleShell);
    await signIn(rana, 'rana@samia.test', 'Rana Reader');
    await rana.getByRole('button', { name: 'Sign out' }).click();
    await expect(rana.getByRole('button', { name: 'Sign in' })).toBeVisible();
  });

  test('its role is changed, it is disabled and refused at sign-in, then re-enabled and signs in', async () => {
    const row = accountRow(owner, 'rana@samia.test');
    await row.getByRole('combobox', { name: 'Role of Rana Reader' }).selectOption('monitor');
    await expect(owner.getByRole('status').filter({ hasText: 'Rana Reader is now Monitor.' })).toBeVisible();

    await row.getByRole('button', { name: 'Disable Rana Reader' }).click();
    await expect(owner.getByRole('status').filter({ hasText: 'Rana Reader is disabled and can no longer sign in.' })).toBeVisible();
    await expect(row.getByTestId('account-state')).toHaveText('Disabled');
    await owner.screenshot({ path: `${SHOTS}/accounts-disabled-en.png`, fullPage: true });

    await trySignIn(rana, 'rana@samia.test');
    const refusal = rana.getByRole('alert');
    await expect(refusal).toHaveText('This account is disabled: it cannot sign in. Ask a super admin to re-enable it.');
    await expect(refusal).toHaveAttribute('data-error-code', 'auth.banned');
    await rana.screenshot({ path: `${SHOTS}/accounts-sign-in-refused-en.png` });

    await row.getByRole('button', { name: 'Re-enable Rana Reader' }).click();
    await expect(owner.getByRole('status').filter({ hasText: 'Rana Reader can sign in again.' })).toBeVisible();
    await expect(row.getByTestId('account-state')).toHaveText('Active');
    await trySignIn(rana, 'rana@samia.test');
    await expect(rana.getByRole('heading', { name: 'Signed in as Rana Reader' })).toBeVisible();
  });

  test('a password reset is sent, and the history shows every change and who made it', async () => {
    const row = accountRow(owner, 'rana@samia.test');
    await row.getByRole('button', { name: 'Send a password reset to Rana Reader' }).click();
    await expect(owner.getByRole('status').filter({ hasText: 'A password reset was sent to rana@samia.test.' })).toBeVisible();

    await row.getByRole('button', { name: 'History of Rana Reader' }).click();
    const history = row.getByRole('list', { name: 'History of Rana Reader' });
    await expect(history.getByRole('listitem')).toHaveCount(5);
    const lines = await history.getByRole('listitem').allTextContents();
    expect(lines.map((line) => line.replace(/^.*?: /, ''))).toEqual([
      'Password reset sent, by You',
      'Re-enabled, by You',
      'Disabled, by You',
      'Role changed, by You',
      'Account created, by You',
    ]);
    await owner.screenshot({ path: `${SHOTS}/accounts-history-en.png`, fullPage: true });
  });
});
