import type { Page } from '@playwright/test';
import { expect, test as guarded } from './csp-guard';
import { createAccount, openConsole, PASSWORD, recordVoiceNote, SHOTS, signIn, startConsoleWorld } from './console-support';
import type { WebShell } from '../../src/main/webshell/webshell-server';

// A reader's day (issue 13): two clients waiting, sorted longest-first against a small reply target; and the one
// voice player, which keeps playing across a tab switch and plays the next unplayed note at the end. Real parts
// throughout: the embedded backend (PGlite with the migrations), the web shell, Chromium with a fake microphone.
//
// A backend of its own, under a fixture name of its own: specs using console-support's consoleTest() share one
// worker, hence one backend, and this one starts from the first run (the administrator account).
const test = guarded.extend<object, { waitingShell: WebShell }>({
  waitingShell: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const world = await startConsoleWorld({ tmpPrefix: 'samia-waiting-e2e-' });
      await use(world.shell);
      await world.close();
    },
    { scope: 'worker' },
  ],
});

const visibleChat = (page: Page) => page.locator('.chat-view:not([hidden])');

async function openSupportAndWrite(page: Page, text: string) {
  await page.getByRole('button', { name: 'Contact support' }).click();
  const box = visibleChat(page).getByRole('textbox', { name: 'Message' });
  await expect(box).toBeVisible();
  await box.fill(text);
  await box.press('Enter');
  await expect(visibleChat(page).getByTestId('message').filter({ hasText: text })).toHaveCount(1);
}

test.describe.serial('waiting clients and the one voice player', () => {
  let admin: Page;
  let reader: Page;
  let first: Page;
  let second: Page;

  test('an admin creates a reader and two clients and sets a one-minute reply target through the settings form', async ({ browser, waitingShell }) => {
    admin = await openConsole(browser, waitingShell);
    await admin.getByLabel('Your name').fill('Samia Admin');
    await admin.getByLabel('Email').fill('admin@samia.test');
    await admin.getByLabel('Password').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Create the administrator account' }).click();
    await expect(admin.getByRole('heading', { name: 'Signed in as Samia Admin' })).toBeVisible();
    await admin.getByRole('tab', { name: 'Settings' }).click();
    await createAccount(admin, 'Rana Reader', 'reader@samia.test', 'reader');
    await createAccount(admin, 'Amal First', 'first@samia.test', 'client');
    await createAccount(admin, 'Bassem Second', 'second@samia.test', 'client');
    const target = admin.locator('form[data-setting="console.reply.target_minutes"]');
    await target.getByRole('textbox').fill('1');
    await target.getByRole('button', { name: /^Save/ }).click();
    await expect(target.getByTestId('limit-current')).toContainText('1');
  });

  test('two clients write, the first one earlier; the admin assigns the reader to both', async ({ browser, waitingShell }) => {
    first = await openConsole(browser, waitingShell);
    await signIn(first, 'first@samia.test', 'Amal First');
    await openSupportAndWrite(first, 'Is the Tower card bad news?');
    second = await openConsole(browser, waitingShell);
    await signIn(second, 'second@samia.test', 'Bassem Second');
    await openSupportAndWrite(second, 'Hello, a question about my reading');

    await admin.getByRole('tab', { name: 'Chats' }).click();
    for (const name of ['Amal First', 'Bassem Second']) {
      await admin.getByRole('button', { name: 'Refresh the list' }).click();
      await admin.getByTestId('session-item').filter({ hasText: name }).click();
      await visibleChat(admin).getByLabel('Reader to assign').selectOption({ label: 'Rana Reader' });
      await visibleChat(admin).getByRole('button', { name: 'Assign reader' }).click();
      await expect(visibleChat(admin).getByText('Reader assigned.')).toBeVisible();
    }
  });

  test('the reader sees both waiting, longest first when sorted so, with the target warning; staff see the same figures', async ({ browser, waitingShell }) => {
    reader = await openConsole(browser, waitingShell);
    await signIn(reader, 'reader@samia.test', 'Rana Reader');
    const items = reader.getByTestId('session-item');
    await expect(items).toHaveCount(2);
    await expect(reader.getByTestId('waiting-figure')).toHaveCount(2);
    // Latest activity first by default: the second client wrote last.
    await expect(items.first()).toContainText('Bassem Second');
    await reader.getByTestId('session-sort').selectOption('waiting');
    await expect(items.first()).toContainText('Amal First');
    await expect(items.nth(1)).toContainText('Bassem Second');
    // A one-minute target is close from the first second: both figures warn, and the summary says so.
    for (const figure of await reader.getByTestId('waiting-figure').all()) {
      await expect(figure).toHaveAttribute('data-level', /close|passed/);
      await expect(figure).toHaveAttribute('aria-label', /reply target of 1 min/);
    }
    await expect(reader.getByTestId('waiting-summary')).toContainText(/clients? (is|are) (close to|waiting past) the reply target \(1 min\)/);
    // Staff (the admin, part of neither session's answer... but every session is in the staff's list) read the same figure.
    await admin.getByRole('button', { name: 'Refresh the list' }).click();
    await expect(admin.getByTestId('waiting-figure')).toHaveCount(2);
    await reader.screenshot({ path: `${SHOTS}/waiting-clients-en.png` });
  });

  test('a voice note keeps playing across a tab switch (mini-player) and the next unplayed one starts at its end', async () => {
    // The first client sends two voice notes.
    await recordVoiceNote(first, 1500);
    await expect(visibleChat(first).getByTestId('audio-player')).toHaveCount(1);
    await recordVoiceNote(first, 1500);
    await expect(visibleChat(first).getByTestId('audio-player')).toHaveCount(2);

    await reader.getByTestId('session-item').filter({ hasText: 'Amal First' }).click();
    const notes = visibleChat(reader).getByTestId('audio-player');
    await expect(notes).toHaveCount(2);
    const firstId = await notes.nth(0).getAttribute('data-note-id');
    const secondId = await notes.nth(1).getAttribute('data-note-id');
    expect(firstId).not.toBe(secondId);

    await notes.nth(0).getByRole('button', { name: 'Play' }).click();
    const mini = reader.getByTestId('mini-player');
    await expect(mini).toBeVisible();
    await expect(mini).toHaveAttribute('data-note-id', firstId!);
    await expect(mini).toHaveAttribute('data-playing', 'true');
    await expect(mini).toContainText('Amal First');

    // Switch to the other client's tab: the note goes on, shown by the mini-player.
    await reader.getByTestId('session-item').filter({ hasText: 'Bassem Second' }).click();
    await expect(visibleChat(reader).getByTestId('audio-player')).toHaveCount(0);
    await expect(mini).toBeVisible();
    await expect(mini).toHaveAttribute('data-playing', 'true');
    await reader.screenshot({ path: `${SHOTS}/mini-player-en.png` });
    // Even closing the note's own tab (its view and waveforms unmounted) does not stop it.
    await reader.getByRole('button', { name: /^Close .*Amal First/ }).click();
    await expect(mini).toHaveAttribute('data-playing', 'true');

    // At the end, the next unplayed note of that session starts by itself.
    await expect(mini).toHaveAttribute('data-note-id', secondId!, { timeout: 15_000 });
    await expect(reader.getByTestId('player-announcement')).toContainText('Next unplayed voice note, from');
    await expect.poll(() => reader.getByTestId('voice-player-media').evaluate((a: HTMLAudioElement) => !a.paused || a.ended)).toBe(true);

    // Keys: k pauses, > speeds up (remembered), close empties the mini-player.
    await mini.focus();
    await reader.keyboard.press('k');
    await expect(mini).toHaveAttribute('data-playing', 'false');
    await reader.keyboard.press('>');
    await expect(mini.getByTestId('player-speed')).toHaveValue('1.25');
    await expect.poll(() => reader.getByTestId('voice-player-media').evaluate((a: HTMLAudioElement) => a.playbackRate)).toBe(1.25);
    await mini.getByTestId('mini-player-close').click();
    await expect(mini).toHaveCount(0);
  });

  test('answering ends the wait: the figure goes for that client only', async () => {
    await reader.getByTestId('session-item').filter({ hasText: 'Amal First' }).click();
    const box = visibleChat(reader).getByRole('textbox', { name: 'Message' });
    await box.fill('Not at all: it is change.');
    await box.press('Enter');
    await expect(reader.getByTestId('session-item').filter({ hasText: 'Amal First' }).getByTestId('waiting-figure')).toHaveCount(0);
    await expect(reader.getByTestId('session-item').filter({ hasText: 'Bassem Second' }).getByTestId('waiting-figure')).toHaveCount(1);
    // Past the one-minute target, the remaining client's figure says so (the clock ticks in the row itself).
    await expect(reader.getByTestId('session-item').filter({ hasText: 'Bassem Second' }).getByTestId('waiting-figure')).toHaveAttribute('data-level', 'passed', { timeout: 70_000 });
    await expect(reader.getByTestId('waiting-summary')).toContainText('1 client is waiting past the reply target (1 min).');
  });

  test('messages that move sessions to the top leave the keyboard focus on the row it was on, moved or not', async () => {
    await admin.getByTestId('session-sort').selectOption('recent');
    const items = admin.getByTestId('session-item');
    await expect(items.first()).toContainText('Amal First');
    await items.first().focus();
    const focused = await items.first().getAttribute('data-session-id');
    const box = visibleChat(second).getByRole('textbox', { name: 'Message' });
    await box.fill('One more question, please');
    await box.press('Enter');
    await expect(items.first()).toContainText('Bassem Second');
    await expect(items.first()).toContainText('One more question, please');
    const focusedNow = () => admin.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.sessionId ?? null);
    expect(await focusedNow()).toBe(focused);
    // Now the focused row itself moves up.
    const own = visibleChat(first).getByRole('textbox', { name: 'Message' });
    await own.fill('And the Star card?');
    await own.press('Enter');
    await expect(items.first()).toContainText('And the Star card?');
    expect(await focusedNow()).toBe(focused);
  });
});
