import type { Page } from '@playwright/test';
import { test as guarded, expect } from './csp-guard';
import type { WebShell } from '../../src/main/webshell/webshell-server';
import type { HeadlessAlertPlatform } from '../../src/main/alerts';
import { createAccount, openConsole, PASSWORD, signIn, startConsoleWorld, withPlatform } from './console-support';

// A console of its own (fresh backend) that keeps each page's headless alert platform, in connection order, so what
// the OS would have been asked to do (notifications, sounds, the badge) is read from its record.
const platforms: HeadlessAlertPlatform[] = [];
const test = guarded.extend<object, { shell: WebShell }>({
  shell: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const world = await startConsoleWorld({ tmpPrefix: 'samia-replies-e2e-', platforms });
      await use(world.shell);
      await world.close();
    },
    { scope: 'worker' },
  ],
});

const FSI = '\u2068';
const PDI = '\u2069';
const visibleChat = (page: Page) => page.locator('.chat-view:not([hidden])');
const row = (page: Page, name: string) => page.locator('.session-row').filter({ hasText: name });


test('a shared canned reply with variables inserted by keyboard and sent; a snooze until the client writes; a muted session does not alert', async ({ browser, shell }) => {
  test.setTimeout(180_000);
  const admin = await openConsole(browser, shell);
  await admin.getByLabel('Your name').fill('Samia Admin');
  await admin.getByLabel('Email').fill('admin@samia.test');
  await admin.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await admin.getByRole('button', { name: 'Create the administrator account' }).click();
  await expect(admin.getByRole('heading', { name: 'Signed in as Samia Admin' })).toBeVisible();
  await admin.getByRole('tab', { name: 'Settings' }).click();
  await createAccount(admin, 'Rana Reader', 'reader@samia.test', 'reader');
  await createAccount(admin, 'Karim Client', 'client@samia.test', 'client');

  // The admin writes a shared reply with the three variables.
  const canned = admin.getByTestId('canned-settings');
  await canned.getByTestId('canned-shortcut').fill('welcome');
  await canned.getByTestId('canned-title').fill('Welcome');
  await canned.getByLabel('Shared with every reader').check();
  await canned.getByTestId('canned-body').fill('Hello {client_name}, I am {reader_name}. Today is {date}.');
  await canned.getByRole('button', { name: 'Add reply' }).click();
  await expect(canned.getByTestId('canned-setting').filter({ hasText: '/welcome' })).toBeVisible();

  const client = await openConsole(browser, shell);
  await signIn(client, 'client@samia.test', 'Karim Client');
  await client.getByRole('button', { name: 'Contact support' }).click();
  const clientBox = visibleChat(client).getByRole('textbox', { name: 'Message' });
  await clientBox.fill('Good evening, I booked a reading.');
  await clientBox.press('Enter');
  await expect(client.getByTestId('message').filter({ hasText: 'I booked a reading' })).toBeVisible();

  await admin.getByRole('tab', { name: 'Chats' }).click();
  await admin.getByRole('button', { name: 'Refresh the list' }).click();
  await admin.getByTestId('session-item').filter({ hasText: 'Karim Client' }).click();
  await visibleChat(admin).getByLabel('Reader to assign').selectOption({ label: 'Rana Reader' });
  await visibleChat(admin).getByRole('button', { name: 'Assign reader' }).click();
  await expect(admin.getByText('Reader assigned.')).toBeVisible();

  const { page: reader, platform } = await withPlatform(platforms, () => openConsole(browser, shell));
  await signIn(reader, 'reader@samia.test', 'Rana Reader');

  // 1. The canned reply, with the keyboard only: `/wel` lists it, Enter inserts it filled, Enter sends it.
  await reader.getByTestId('session-item').filter({ hasText: 'Karim Client' }).click();
  const box = visibleChat(reader).getByRole('textbox', { name: 'Message' });
  await box.focus();
  await box.pressSequentially('/wel');
  const list = visibleChat(reader).getByRole('listbox', { name: 'Canned replies' });
  await expect(list.getByRole('option', { name: /\/welcome/ })).toHaveAttribute('aria-selected', 'true');
  await expect(box).toHaveAttribute('aria-activedescendant', /option-0$/);
  await box.press('Enter');
  await expect(list).toHaveCount(0);
  const today = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long' }).format(new Date());
  await expect(box).toHaveValue(`Hello ${FSI}Karim Client${PDI}, I am ${FSI}Rana Reader${PDI}. Today is ${today}.`);
  await box.press('Enter');
  // Sent as inserted: the names keep their isolates, so an Arabic name would keep the punctuation in place for the client too.
  await expect(client.getByTestId('message').filter({ hasText: `Hello ${FSI}Karim Client${PDI}, I am ${FSI}Rana Reader${PDI}.` })).toBeVisible();
  await expect(box).toHaveValue('');

  // 2. Snoozed until the client writes: the session leaves the list for the snoozed group, and comes back when they do.
  await row(reader, 'Karim Client').getByTestId('triage-menu-button').click();
  await reader.getByRole('menuitem', { name: 'Snooze until the client writes' }).click();
  await expect(reader.getByTestId('session-list').getByTestId('session-item').filter({ hasText: 'Karim Client' })).toHaveCount(0);
  await reader.getByTestId('snoozed-toggle').click();
  await expect(reader.getByTestId('snoozed-list').getByTestId('snoozed-until')).toHaveText('Snoozed until the client writes');
  await clientBox.fill('Thank you! Can we start?');
  await clientBox.press('Enter');
  await expect(reader.getByTestId('session-list').getByTestId('session-item').filter({ hasText: 'Karim Client' })).toHaveCount(1);
  await expect(reader.getByTestId('snoozed-toggle')).toHaveCount(0);

  // 3. Muted: the reader looks elsewhere, the client writes; no notification, sound or flash for it, nor a badge count.
  await row(reader, 'Karim Client').getByTestId('triage-menu-button').click();
  await reader.getByRole('menuitem', { name: 'Mute (no sound or notification)' }).click();
  await expect(row(reader, 'Karim Client').getByTestId('muted-mark')).toBeVisible();
  await reader.getByRole('tab', { name: 'Settings' }).click();
  const before = { shown: platform().recordsOf('notification.show').length, sounds: platform().recordsOf('sound').length, attention: platform().recordsOf('frame.attention').length };
  await clientBox.fill('Are you still there?');
  await clientBox.press('Enter');
  // Arrived in the reader's console (the sidebar row shows it), and nothing rang.
  await expect(reader.getByTestId('session-item').filter({ hasText: 'Are you still there?' })).toHaveCount(1);
  await reader.waitForTimeout(1_000);
  expect(platform().recordsOf('notification.show').length).toBe(before.shown);
  expect(platform().recordsOf('sound').length).toBe(before.sounds);
  expect(platform().recordsOf('frame.attention').length).toBe(before.attention);
  expect(platform().badgeCount()).toBe(0);

  // Unmuted, the next message rings again: the silence above was the mute, not a console that never rings.
  await reader.getByRole('tab', { name: 'Chats' }).click();
  await row(reader, 'Karim Client').getByTestId('triage-menu-button').click();
  await reader.getByRole('menuitem', { name: 'Unmute' }).click();
  await expect(row(reader, 'Karim Client').getByTestId('muted-mark')).toHaveCount(0);
  await reader.getByRole('tab', { name: 'Settings' }).click();
  await clientBox.fill('Hello?');
  await clientBox.press('Enter');
  await expect.poll(() => platform().recordsOf('notification.show').length).toBeGreaterThan(before.shown);
  await expect.poll(() => platform().recordsOf('sound').length).toBeGreaterThan(before.sounds);
});
