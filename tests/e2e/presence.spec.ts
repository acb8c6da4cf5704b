import type { Browser, Page } from '@playwright/test';
import type { WebShell } from '../../src/main/webshell/webshell-server';
import { newGuardedContext, expect } from './csp-guard';
import { PASSWORD, SHOTS, consoleTest, createAccount, openConsole, signIn } from './console-support';

// Presence as the admin sees it, without reloading: a reader signs in (Online), leaves the page untouched past
// console.presence.idle_minutes (Away), comes back (Online), closes the page (Offline). The reader's page runs on
// Playwright's clock, so its quiet spell is the page's own clock moved forward: the page reports what it measured
// (presence.activity), and the real core and backend decide and broadcast, as they would after five real minutes.
const { test } = consoleTest();

async function openOnPageClock(browser: Browser, shell: WebShell): Promise<Page> {
  const context = await newGuardedContext(browser, { viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(shell.pageUrl);
  return page;
}

test.describe.serial('presence, pushed to others', () => {
  let admin: Page;
  let client: Page;
  let reader: Page;

  const readerPresence = () =>
    admin.getByTestId('session-item').filter({ hasText: 'Karim Client' }).getByTestId('presence').filter({ hasText: /Rana Reader/ });

  test('an admin sets up a client and a reader; the client asks support; the reader, not signed in, shows Offline', async ({ browser, consoleShell }) => {
    admin = await openConsole(browser, consoleShell);
    await admin.getByLabel('Your name').fill('Samia Admin');
    await admin.getByLabel('Email').fill('admin@samia.test');
    await admin.getByLabel('Password').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Create the administrator account' }).click();
    await expect(admin.getByRole('heading', { name: 'Signed in as Samia Admin' })).toBeVisible();
    // Signed in means online, for the user's own switch too.
    await expect(admin.getByRole('combobox', { name: 'My availability' })).toHaveValue('online');
    await admin.getByRole('tab', { name: 'Settings' }).click();
    await createAccount(admin, 'Rana Reader', 'reader@samia.test', 'reader');
    await createAccount(admin, 'Karim Client', 'client@samia.test', 'client');

    client = await openConsole(browser, consoleShell);
    await signIn(client, 'client@samia.test', 'Karim Client');
    await client.getByRole('button', { name: 'Contact support' }).click();
    await expect(client.getByRole('textbox', { name: 'Message' })).toBeVisible();

    await admin.getByRole('tab', { name: 'Chats' }).click();
    await admin.getByRole('button', { name: 'Refresh the list' }).click();
    await admin.getByTestId('session-item').filter({ hasText: 'Karim Client' }).click();
    await admin.getByLabel('Reader to assign').selectOption({ label: 'Rana Reader' });
    await admin.getByRole('button', { name: 'Assign reader' }).click();
    await expect(admin.getByText('Reader assigned.')).toBeVisible();
    await expect(readerPresence()).toHaveAttribute('data-availability', 'offline');
  });

  test('the reader signs in: the admin sees Online without reloading', async ({ browser, consoleShell }) => {
    reader = await openOnPageClock(browser, consoleShell);
    await signIn(reader, 'reader@samia.test', 'Rana Reader');
    await expect(readerPresence()).toHaveAttribute('data-availability', 'online');
    await expect(readerPresence()).toContainText('Online');
    // The client, in the same session, sees it too.
    await expect(client.getByTestId('session-item').filter({ hasText: 'Rana Reader' }).getByTestId('presence')).toHaveAttribute('data-availability', 'online');
    await admin.screenshot({ path: `${SHOTS}/presence-online-en.png` });
  });

  test('idle past console.presence.idle_minutes turns Away; input brings Online back', async () => {
    // Six minutes of the page's time without input (the setting's default is five).
    await reader.clock.fastForward('06:00');
    await expect(readerPresence()).toHaveAttribute('data-availability', 'away');
    await expect(readerPresence()).toContainText('Away');
    await admin.screenshot({ path: `${SHOTS}/presence-away-en.png` });
    await reader.mouse.move(200, 200);
    await reader.mouse.move(240, 260);
    await expect(readerPresence()).toHaveAttribute('data-availability', 'online');
    // Her own switch still shows her choice: Away was the console's doing, not hers.
    await expect(reader.getByRole('combobox', { name: 'My availability' })).toHaveValue('online');
  });

  test('a chosen Busy shows Busy; closing the reader\'s page turns Offline for the admin', async () => {
    await reader.getByRole('combobox', { name: 'My availability' }).selectOption('busy');
    await expect(readerPresence()).toHaveAttribute('data-availability', 'busy');
    await reader.context().close();
    await expect(readerPresence()).toHaveAttribute('data-availability', 'offline');
    await expect(readerPresence()).toContainText('Offline');
    await admin.screenshot({ path: `${SHOTS}/presence-offline-en.png` });
  });
});
