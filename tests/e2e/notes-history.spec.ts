import type { Page } from '@playwright/test';
import { test as guarded, expect } from './csp-guard';
import type { WebShell } from '../../src/main/webshell/webshell-server';
import type { HeadlessAlertPlatform } from '../../src/main/alerts';
import { createAccount, openConsole, PASSWORD, signIn, startConsoleWorld, withPlatform } from './console-support';

// An internal note the client never sees, and the client's history beside the conversation. A console of its
// own (a fresh embedded backend, as console-support's) that keeps each page's headless alert platform in
// connection order, so what the OS would have been asked to show is read from its record.
const platforms: HeadlessAlertPlatform[] = [];
const test = guarded.extend<object, { notesShell: WebShell }>({
  notesShell: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const world = await startConsoleWorld({ tmpPrefix: 'samia-notes-e2e-', platforms });
      await use(world.shell);
      await world.close();
    },
    { scope: 'worker' },
  ],
});

const visibleChat = (page: Page) => page.locator('.chat-view:not([hidden])');
const FSI = '\u2068';
const PDI = '\u2069';
const NOTE = 'Karim asked about a career spread; careful, he is anxious.';

async function assign(admin: Page, sessionId: string, reader: string) {
  await admin.getByRole('button', { name: 'Refresh the list' }).click();
  await admin.locator(`[data-testid="session-item"][data-session-id="${sessionId}"]`).click();
  await visibleChat(admin).getByLabel('Reader to assign').selectOption({ label: reader });
  await visibleChat(admin).getByRole('button', { name: 'Assign reader' }).click();
  await expect(visibleChat(admin).getByText('Reader assigned.')).toBeVisible();
}

test("a reader's internal note with an @mention: the monitor is told, the client never sees it; the history shows the earlier session", async ({ browser, notesShell }) => {
  test.setTimeout(180_000);
  const admin = await openConsole(browser, notesShell);
  await admin.getByLabel('Your name').fill('Samia Admin');
  await admin.getByLabel('Email').fill('admin@samia.test');
  await admin.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await admin.getByRole('button', { name: 'Create the administrator account' }).click();
  await expect(admin.getByRole('heading', { name: 'Signed in as Samia Admin' })).toBeVisible();
  await admin.getByRole('tab', { name: 'Settings' }).click();
  await createAccount(admin, 'Rana Reader', 'reader@samia.test', 'reader');
  await createAccount(admin, 'Omar Reader', 'omar@samia.test', 'reader');
  await createAccount(admin, 'Mona Monitor', 'monitor@samia.test', 'monitor');
  await createAccount(admin, 'Karim Client', 'client@samia.test', 'client');

  // The earlier session: staff open one with Karim and put Omar in it.
  await admin.getByRole('tab', { name: 'Chats' }).click();
  await admin.getByRole('combobox', { name: 'Start a conversation with' }).selectOption({ label: `${FSI}Karim Client${PDI} · Client` });
  await admin.getByRole('button', { name: 'New conversation' }).click();
  await visibleChat(admin).getByLabel('Reader to assign').selectOption({ label: 'Omar Reader' });
  await visibleChat(admin).getByRole('button', { name: 'Assign reader' }).click();
  await expect(visibleChat(admin).getByText('Reader assigned.')).toBeVisible();
  const adminBox = visibleChat(admin).getByRole('textbox', { name: 'Message' });
  await adminBox.fill('Your earlier reading with Omar is here.');
  await adminBox.press('Enter');

  // Today's session: Karim writes to support; Rana is assigned.
  const client = await openConsole(browser, notesShell);
  await signIn(client, 'client@samia.test', 'Karim Client');
  await client.getByRole('button', { name: 'Contact support' }).click();
  const clientBox = visibleChat(client).getByRole('textbox', { name: 'Message' });
  await clientBox.fill('Hello, I would like a career reading.');
  await clientBox.press('Enter');
  await expect(client.getByTestId('message').filter({ hasText: 'career reading' })).toBeVisible();
  const todayId = await visibleChat(client).getAttribute('data-session-id');
  expect(todayId).toBeTruthy();
  await assign(admin, todayId!, 'Rana Reader');

  const { page: monitor, platform: monitorAlerts } = await withPlatform(platforms, () => openConsole(browser, notesShell));
  await signIn(monitor, 'monitor@samia.test', 'Mona Monitor');

  const reader = await openConsole(browser, notesShell);
  await signIn(reader, 'reader@samia.test', 'Rana Reader');
  await reader.locator(`[data-testid="session-item"][data-session-id="${todayId}"]`).click();
  const chat = visibleChat(reader);
  await expect(chat.getByTestId('message').filter({ hasText: 'career reading' })).toBeVisible();
  const answer = chat.getByRole('textbox', { name: 'Message' });
  await answer.fill('Welcome Karim, let us begin.');
  await answer.press('Enter');
  await expect(client.getByTestId('message').filter({ hasText: 'let us begin' })).toBeVisible();

  // The Note mode: yellow, labelled, its own text; "@" lists whom to mention.
  await chat.getByTestId('note-mode').click();
  const noteComposer = chat.getByTestId('note-composer');
  await expect(noteComposer).toContainText('Internal note · not visible to the client');
  await expect(noteComposer).toHaveCSS('background-color', 'rgb(59, 50, 18)');
  const noteBox = noteComposer.getByRole('textbox', { name: 'Internal note' });
  await noteBox.fill(`${NOTE} @`);
  await noteComposer.getByTestId('note-mention-list').getByRole('button', { name: '@Mona Monitor' }).click();
  await expect(noteComposer.getByTestId('note-mentioned')).toHaveText('Mentioned: Mona Monitor');
  await noteBox.press('Enter');
  await expect(noteBox).toHaveValue('');
  const shown = chat.getByTestId('internal-note').filter({ hasText: 'careful, he is anxious' });
  await expect(shown).toBeVisible();
  await expect(shown).toContainText('Internal note · not visible to the client');

  // The monitor is told by a notification through the alert center.
  await expect
    .poll(() => monitorAlerts().visibleNotifications().find((n) => n.id.startsWith('note:'))?.title, { timeout: 30_000 })
    .toBe(`${FSI}Rana Reader${PDI} mentioned you in an internal note`);
  expect(monitorAlerts().visibleNotifications().find((n) => n.id.startsWith('note:'))!.body).toContain('careful, he is anxious');

  // The client's console never shows it: not in the conversation, not as the last message, not as unread.
  // A message after the note proves the client's console is live and up to date (the Note mode stays on until left).
  await noteComposer.getByTestId('note-mode-off').click();
  await answer.fill('Shuffling the cards now.');
  await answer.press('Enter');
  await expect(client.getByTestId('message').filter({ hasText: 'Shuffling the cards' })).toBeVisible();
  await expect(client.getByText('careful, he is anxious')).toHaveCount(0);
  await expect(client.getByTestId('internal-note')).toHaveCount(0);
  const clientItem = client.locator(`[data-testid="session-item"][data-session-id="${todayId}"]`);
  await expect(clientItem).not.toContainText('anxious');
  await expect(clientItem).not.toContainText('Internal note');
  // The client looks at the conversation, so everything it may see is read; the note adds no unread count.
  await expect(clientItem.getByTestId('unread-count')).toHaveCount(0);
  await expect(client.getByTestId('note-mode')).toHaveCount(0);
  await expect(client.getByTestId('history-toggle')).toHaveCount(0);
  // A fresh sign-in (the catch-up and the list read from the server) shows nothing of it either.
  const clientAgain = await openConsole(browser, notesShell);
  await signIn(clientAgain, 'client@samia.test', 'Karim Client');
  const againItem = clientAgain.locator(`[data-testid="session-item"][data-session-id="${todayId}"]`);
  await expect(againItem).toContainText('Shuffling the cards');
  await expect(againItem).not.toContainText('anxious');
  await againItem.click();
  await expect(visibleChat(clientAgain).getByTestId('message').filter({ hasText: 'Shuffling the cards' })).toBeVisible();
  await expect(clientAgain.getByText('careful, he is anxious')).toHaveCount(0);

  // The history beside the conversation: the earlier session with Omar (a date line), this one, and the note.
  await chat.getByTestId('history-toggle').click();
  const panel = chat.getByTestId('client-history');
  await expect(panel.getByTestId('history-session')).toHaveCount(2);
  await expect(panel.getByTestId('history-session').filter({ hasText: 'with Omar Reader' })).toBeVisible();
  await expect(panel.getByTestId('history-session').filter({ hasText: 'this session' })).toBeVisible();
  await expect(panel.getByTestId('history-last-reading')).toContainText('Last reading:');
  await expect(panel.getByTestId('history-note')).toContainText('careful, he is anxious');
  await expect(panel).not.toContainText('Your earlier reading with Omar is here.');
});
