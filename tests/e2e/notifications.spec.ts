import type { Page } from '@playwright/test';
import { test as guarded, expect } from './csp-guard';
import type { WebShell } from '../../src/main/webshell/webshell-server';
import type { HeadlessAlertPlatform } from '../../src/main/alerts';
import { createAccount, openConsole, PASSWORD, signIn, startConsoleWorld, withPlatform } from './console-support';

// A console of its own (fresh backend, as console-support's) that also keeps each page's headless alert
// platform, in connection order: what the OS would have been asked to show is read from its record.
const platforms: HeadlessAlertPlatform[] = [];
const test = guarded.extend<object, { notifyShell: WebShell }>({
  notifyShell: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const world = await startConsoleWorld({ tmpPrefix: 'samia-notify-e2e-', platforms });
      await use(world.shell);
      await world.close();
    },
    { scope: 'worker' },
  ],
});

const visibleChat = (page: Page) => page.locator('.chat-view:not([hidden])');
const FSI = '\u2068';
const PDI = '\u2069';

test('the unread count reaches the badge, and a client waiting past the reply target is reminded of until answered', async ({ browser, notifyShell }) => {
  test.setTimeout(180_000);
  const admin = await openConsole(browser, notifyShell);
  await admin.getByLabel('Your name').fill('Samia Admin');
  await admin.getByLabel('Email').fill('admin@samia.test');
  await admin.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await admin.getByRole('button', { name: 'Create the administrator account' }).click();
  await expect(admin.getByRole('heading', { name: 'Signed in as Samia Admin' })).toBeVisible();
  await admin.getByRole('tab', { name: 'Settings' }).click();
  await createAccount(admin, 'Rana Reader', 'reader@samia.test', 'reader');
  await createAccount(admin, 'Karim Client', 'client@samia.test', 'client');

  // The shortest reply target the setting allows: one minute (the default is 15).
  const target = 'Reply target: minutes a client may wait before the reader is reminded';
  await expect(admin.getByLabel(target, { exact: true })).toHaveValue('15');
  await admin.getByLabel(target, { exact: true }).fill('1');
  await admin.getByRole('button', { name: `Save ${target}` }).click();
  await expect(admin.locator('[data-setting="console.reply.target_minutes"]').getByTestId('limit-current')).toHaveText('Current: 1');

  const client = await openConsole(browser, notifyShell);
  await signIn(client, 'client@samia.test', 'Karim Client');
  await client.getByRole('button', { name: 'Contact support' }).click();
  const clientBox = visibleChat(client).getByRole('textbox', { name: 'Message' });
  await clientBox.fill('Hello, is anyone there?');
  await clientBox.press('Enter');
  await expect(client.getByTestId('message').filter({ hasText: 'is anyone there' })).toBeVisible();

  await admin.getByRole('tab', { name: 'Chats' }).click();
  await admin.getByRole('button', { name: 'Refresh the list' }).click();
  await admin.getByTestId('session-item').filter({ hasText: 'Karim Client' }).click();
  await visibleChat(admin).getByLabel('Reader to assign').selectOption({ label: 'Rana Reader' });
  await visibleChat(admin).getByRole('button', { name: 'Assign reader' }).click();
  await expect(admin.getByText('Reader assigned.')).toBeVisible();

  const { page: reader, platform } = await withPlatform(platforms, () => openConsole(browser, notifyShell));
  await signIn(reader, 'reader@samia.test', 'Rana Reader');
  // The reader's console starts with the client's message unread: the badge (dock, launcher, taskbar overlay) says 1.
  await expect.poll(() => platform().badgeCount()).toBe(1);

  // The alert preferences: a bell at 40 % for message alerts and reminders.
  await reader.getByRole('tab', { name: 'Settings' }).click();
  await reader.getByRole('combobox', { name: 'Message sound' }).selectOption('bell');
  await expect(reader.getByText('Saved.').first()).toBeVisible();
  const volume = reader.getByRole('slider', { name: 'Volume' });
  await volume.focus();
  for (let i = 0; i < 8; i++) await volume.press('ArrowLeft');
  await expect(reader.getByTestId('sound-volume')).toHaveText('40%');
  await volume.blur();
  await expect(reader.getByRole('button', { name: 'Play the sound' })).toBeEnabled();

  // A second message while the reader is elsewhere: the badge count changes, and the platform recorded it.
  await clientBox.fill('Still waiting for an answer.');
  await clientBox.press('Enter');
  await expect.poll(() => platform().badgeCount()).toBe(2);
  expect(platform().recordsOf('badge').map((r) => r.count)).toEqual(expect.arrayContaining([1, 2]));
  await expect.poll(() => platform().recordsOf('sound').map(({ sound, volume: v }) => `${sound}@${v}`)).toContain('bell@40');

  // A minute after the first unanswered message, the reminder: the client's name, the wait and the target.
  await expect
    .poll(() => platform().visibleNotifications().find((n) => n.id.startsWith('reminder:'))?.title, { timeout: 90_000, intervals: [1_000] })
    .toBe(`${FSI}Karim Client${PDI} is waiting for a reply`);
  const reminder = platform().visibleNotifications().find((n) => n.id.startsWith('reminder:'))!;
  expect(reminder.body).toMatch(/^Waiting for \d+ minutes?; the reply target is 1 min\.$/);
  expect(reminder.silent).toBe(true);

  // The reader answers: the reminder goes, and nothing is unread any more.
  await reader.getByRole('tab', { name: 'Chats' }).click();
  await reader.getByTestId('session-item').filter({ hasText: 'Karim Client' }).click();
  const box = visibleChat(reader).getByRole('textbox', { name: 'Message' });
  await box.fill('Here I am, Karim. How can I help?');
  await box.press('Enter');
  await expect(client.getByTestId('message').filter({ hasText: 'Here I am' })).toBeVisible();
  await expect.poll(() => platform().notification(reminder.id)).toBeUndefined();
  expect(platform().recordsOf('notification.close').some((r) => r.id === reminder.id && r.wasShown)).toBe(true);
  await expect.poll(() => platform().badgeCount()).toBe(0);
  expect(platform().recordsOf('badge').at(-1)?.count).toBe(0);
});
