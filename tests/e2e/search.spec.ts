import type { Page } from '@playwright/test';
import { consoleTest, createAccount, openConsole, PASSWORD, SHOTS, signIn } from './console-support';
import { expect } from './csp-guard';

// Message search (issue 13 item 3), end to end through the web shell in Chromium on one real embedded backend
// (PGlite with the migrations): an Arabic hit found without its diacritics and article, and an English hit found
// in another case, each opened in its conversation, scrolled to it, with the messages around it.
const { test } = consoleTest();

const visibleChat = (page: Page) => page.locator('.chat-view:not([hidden])');
const ARABIC = 'قَرَأْتُ عَنِ الكِتَابِ القَدِيمِ لِلتَّارُوتِ';
const ENGLISH = 'Your Moon card reading is ready';

async function send(page: Page, text: string) {
  const box = visibleChat(page).getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  await expect(visibleChat(page).getByTestId('message').filter({ hasText: text })).toHaveCount(1);
}

test.describe.serial('searching messages and opening a hit in context', () => {
  let admin: Page;
  let reader: Page;
  let client: Page;

  test('a conversation with history in Arabic and English', async ({ browser, consoleShell }) => {
    // Thirty messages sent through the UI, one after the other.
    test.setTimeout(240_000);
    admin = await openConsole(browser, consoleShell);
    await admin.getByLabel('Your name').fill('Samia Admin');
    await admin.getByLabel('Email').fill('admin@samia.test');
    await admin.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await admin.getByRole('button', { name: 'Create the administrator account' }).click();
    await expect(admin.getByRole('heading', { name: 'Signed in as Samia Admin' })).toBeVisible();
    await admin.getByRole('tab', { name: 'Settings' }).click();
    await createAccount(admin, 'Rana Reader', 'reader@samia.test', 'reader');
    await createAccount(admin, 'Karim Client', 'client@samia.test', 'client');

    client = await openConsole(browser, consoleShell);
    await signIn(client, 'client@samia.test', 'Karim Client');
    await client.getByRole('button', { name: 'Contact support' }).click();
    await send(client, 'Hello, I have a question about my reading.');

    await admin.getByRole('tab', { name: 'Chats' }).click();
    await admin.getByRole('button', { name: 'Refresh the list' }).click();
    await admin.getByTestId('session-item').filter({ hasText: 'Karim Client' }).click();
    await visibleChat(admin).getByLabel('Reader to assign').selectOption({ label: 'Rana Reader' });
    await visibleChat(admin).getByRole('button', { name: 'Assign reader' }).click();
    await expect(admin.getByText('Reader assigned.')).toBeVisible();

    reader = await openConsole(browser, consoleShell);
    await signIn(reader, 'reader@samia.test', 'Rana Reader');
    await reader.getByTestId('session-item').filter({ hasText: 'Karim Client' }).click();

    await send(client, 'قبل');
    await send(client, ARABIC);
    await send(client, 'بعد');
    for (let i = 1; i <= 8; i++) await send(client, `Client note ${i}`);
    await send(reader, 'Before the card');
    await send(reader, ENGLISH);
    await send(reader, 'After the card');
    for (let i = 1; i <= 8; i++) await send(reader, `Reader note ${i}`);
    // The history's start is out of sight: the list shows the latest.
    await expect(visibleChat(reader).getByTestId('message').filter({ hasText: 'Reader note 8' })).toBeInViewport();
    await expect(visibleChat(reader).getByTestId('message').filter({ hasText: ARABIC })).not.toBeInViewport();
  });

  test('Ctrl+F: an Arabic word typed without diacritics or article finds the vowelled message and opens it in context', async () => {
    await visibleChat(reader).getByTestId('message').first().click();
    await reader.keyboard.press('Control+f');
    const panel = reader.getByRole('dialog', { name: 'Search messages' });
    await expect(panel.getByRole('radio', { name: 'This conversation' })).toBeChecked();
    await panel.getByRole('searchbox').fill('كتاب');
    const hit = panel.getByTestId('search-hit');
    await expect(hit).toHaveCount(1);
    await expect(hit.locator('mark')).toHaveText('الكِتَابِ');
    await reader.screenshot({ path: `${SHOTS}/search-arabic-hit.png` });
    await panel.getByRole('searchbox').press('Enter');
    await expect(panel).toBeHidden();

    const chat = visibleChat(reader);
    await expect(chat.getByTestId('search-context')).toContainText('A search result in its conversation');
    const found = chat.locator('.message--search-hit');
    await expect(found).toHaveCount(1);
    await expect(found).toContainText(ARABIC);
    await expect(found).toBeInViewport();
    await expect(found.locator('mark')).toHaveText('الكِتَابِ');
    // The messages around it.
    await expect(chat.getByTestId('message').filter({ hasText: 'قبل' })).toBeInViewport();
    await expect(chat.getByTestId('message').filter({ hasText: 'بعد' })).toBeInViewport();
    await reader.screenshot({ path: `${SHOTS}/search-arabic-in-context.png` });

    await chat.getByRole('button', { name: 'Back to the latest messages' }).click();
    await expect(chat.getByTestId('search-context')).toHaveCount(0);
    await expect(chat.getByTestId('message').filter({ hasText: 'Reader note 8' })).toBeInViewport();
  });

  test('Ctrl+Shift+F: an English word in another case, across conversations, opened in context', async () => {
    await reader.keyboard.press('Control+Shift+F');
    const panel = reader.getByRole('dialog', { name: 'Search messages' });
    await panel.getByRole('searchbox').fill('MOON');
    const hit = panel.getByTestId('search-hit');
    await expect(hit).toHaveCount(1);
    await expect(hit).toContainText('In Karim Client');
    await expect(hit.locator('mark')).toHaveText('Moon');
    await hit.click();
    const chat = visibleChat(reader);
    const found = chat.locator('.message--search-hit');
    await expect(found).toContainText(ENGLISH);
    await expect(found).toBeInViewport();
    await expect(found.locator('mark')).toHaveText('Moon');
    await expect(chat.getByTestId('message').filter({ hasText: 'Before the card' })).toBeInViewport();
    await expect(chat.getByTestId('message').filter({ hasText: 'After the card' })).toBeInViewport();
    await reader.screenshot({ path: `${SHOTS}/search-english-in-context.png` });
  });

  test('the client finds their own conversation\'s messages in Arabic too', async () => {
    await client.keyboard.press('Control+Shift+F');
    const panel = client.getByRole('dialog', { name: 'Search messages' });
    await panel.getByRole('searchbox').fill('التاروت');
    await expect(panel.getByTestId('search-hit')).toHaveCount(1);
    await panel.getByRole('searchbox').fill('nothing-like-this');
    await expect(panel.getByTestId('search-count')).toHaveText('No message matches.');
    await client.keyboard.press('Escape');
    await expect(panel).toBeHidden();
  });
});
