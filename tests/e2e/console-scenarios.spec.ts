import type { Browser, Page } from '@playwright/test';
import { test as base, expect, newGuardedContext } from './csp-guard';
import type { WebShell } from '../../src/main/webshell/webshell-server';
import type { ConsoleCore } from '../../src/main/core/console-core';
import { startConsoleWorld } from './console-support';

// A backend of its own (not the shared webShell fixture): these specs run before foundation.spec.ts,
// which expects a fresh backend on its first test. Same real parts: PGlite with the migrations, the
// web shell, one core per page; the media route is wired so voice notes stream with range requests.
/** Every page's core, in connection order: the offline scenario tells one of them the backend is unreachable. */
const cores: ConsoleCore[] = [];

const test = base.extend<object, { consoleShell: WebShell }>({
  consoleShell: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const world = await startConsoleWorld({ tmpPrefix: 'samia-console-e2e-', cores });
      await use(world.shell);
      await world.close();
    },
    { scope: 'worker' },
  ],
});

const PASSWORD = 'correct horse battery';
const SHOTS = 'test-results/screenshots';

async function openConsole(browser: Browser, shell: WebShell): Promise<Page> {
  const context = await newGuardedContext(browser, { permissions: ['microphone'] });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(shell.pageUrl);
  return page;
}

async function signIn(page: Page, email: string, name: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: `Signed in as ${name}` })).toBeVisible();
}

async function createAccount(admin: Page, name: string, email: string, role: string) {
  await admin.getByLabel('Display name').fill(name);
  await admin.getByLabel('Account email').fill(email);
  await admin.getByLabel('Initial password').fill(PASSWORD);
  await admin.getByRole('combobox', { name: 'Role', exact: true }).selectOption(role);
  await admin.getByRole('button', { name: 'Create account' }).click();
  await expect(admin.getByText(`Account created for ${name}.`)).toBeVisible();
}

async function recordVoiceNote(page: Page, ms: number, { pause = false } = {}) {
  await page.getByRole('button', { name: 'Record a voice note' }).click();
  await expect(page.getByTestId('live-level')).toBeVisible();
  await page.waitForTimeout(ms);
  if (pause) {
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const held = await page.getByTestId('recording-time').textContent();
    await page.waitForTimeout(1200);
    // Paused time does not count towards the note (nor towards the maximum length from the settings).
    await expect(page.getByTestId('recording-time')).toHaveText(held!);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForTimeout(500);
  }
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByRole('group', { name: 'Voice note preview' })).toBeVisible();
  await page.getByRole('button', { name: 'Send voice note' }).click();
}

test.describe.serial('the console with several users on one backend', () => {
  let admin: Page;
  let reader: Page;
  let client: Page;
  let monitor: Page;
  let readerCore: ConsoleCore;

  test('an admin sets up the console and creates a reader, a client and a monitor', async ({ browser, consoleShell }) => {
    admin = await openConsole(browser, consoleShell);
    await admin.getByLabel('Your name').fill('Samia Admin');
    await admin.getByLabel('Email').fill('admin@samia.test');
    await admin.getByLabel('Password').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Create the administrator account' }).click();
    await expect(admin.getByRole('heading', { name: 'Signed in as Samia Admin' })).toBeVisible();
    await expect(admin.getByText('No sessions yet.')).toBeVisible();
    await admin.getByRole('tab', { name: 'Settings' }).click();
    await createAccount(admin, 'Rana Reader', 'reader@samia.test', 'reader');
    await createAccount(admin, 'Karim Client', 'client@samia.test', 'client');
    await createAccount(admin, 'Mona Monitor', 'monitor@samia.test', 'monitor');
    await admin.screenshot({ path: `${SHOTS}/console-settings-en.png` });
  });

  test('the client opens a support session and the admin assigns the reader', async ({ browser, consoleShell }) => {
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
  });

  test('the reader sees the unread count and typing, and answers with text and a voice note pending approval', async ({ browser, consoleShell }) => {
    reader = await openConsole(browser, consoleShell);
    await signIn(reader, 'reader@samia.test', 'Rana Reader');
    readerCore = cores.at(-1)!;
    // Participants see each other's names (through profile_cards).
    const session = reader.getByTestId('session-item').filter({ hasText: 'Karim Client' });
    await expect(session).toBeVisible();

    const clientBox = client.getByRole('textbox', { name: 'Message' });
    await clientBox.fill('Hello, I would like a reading about my career.');
    await clientBox.press('Enter');
    await expect(client.getByTestId('message').filter({ hasText: 'about my career' })).toBeVisible();
    await expect(session.getByTestId('unread-count')).toHaveText('1');
    await reader.screenshot({ path: `${SHOTS}/console-reader-unread-en.png` });

    await session.click();
    await expect(reader.getByTestId('message').filter({ hasText: 'about my career' })).toBeVisible();
    await expect(session.getByTestId('unread-count')).toHaveCount(0);

    // Typing reaches the reader live (typing signals are throttled to one per 2.5 s per session) and expires on its own.
    await client.waitForTimeout(2600);
    await clientBox.pressSequentially('Also', { delay: 50 });
    await expect(session.getByTestId('typing-indicator')).toHaveText('Karim Client is typing…');
    await clientBox.pressSequentially(' about love.', { delay: 10 });
    await clientBox.press('Shift+Enter');
    await clientBox.pressSequentially('Thank you!');
    await clientBox.press('Enter');
    await expect(reader.getByTestId('message').filter({ hasText: 'Thank you!' })).toBeVisible();

    const readerBox = reader.getByRole('textbox', { name: 'Message' });
    await readerBox.fill('Welcome Karim, let me shuffle the cards.');
    await readerBox.press('Enter');
    await expect(client.getByTestId('message').filter({ hasText: 'shuffle the cards' })).toBeVisible();
    // The client has the conversation open in a focused window: it is marked read, and the reader's receipt follows.
    await client.bringToFront();
    const receipt = reader.getByTestId('message').filter({ hasText: 'shuffle the cards' }).getByTestId('receipt');
    await expect(receipt).toHaveText('Read');
    await expect(receipt).toHaveAttribute('title', /^Read by /);
    await reader.bringToFront();

    // The reader picks the fake capture device in the settings; the recorder then opens that one.
    await reader.getByRole('tab', { name: 'Settings' }).click();
    const mic = reader.getByRole('combobox', { name: 'Microphone for voice notes' });
    const fakeInput = mic.locator('option', { hasText: /fake/i }).last();
    await expect(fakeInput).toBeAttached();
    const fakeId = (await fakeInput.getAttribute('value'))!;
    await mic.selectOption(fakeId);
    expect(await reader.evaluate(() => localStorage.getItem('samia.microphone'))).toBe(fakeId);
    await reader.getByRole('tab', { name: 'Chats' }).click();
    await reader.evaluate(() => {
      // Records what the recorder asks for, and still opens the real (fake-device) stream.
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      const asked: unknown[] = [];
      (window as unknown as { askedFor: unknown[] }).askedFor = asked;
      navigator.mediaDevices.getUserMedia = (constraints) => {
        asked.push(constraints);
        return original(constraints);
      };
    });
    await recordVoiceNote(reader, 1500);
    expect(await reader.evaluate(() => (window as unknown as { askedFor: unknown[] }).askedFor)).toEqual([{ audio: { deviceId: fakeId } }]);
    const note = reader.getByTestId('message').filter({ has: reader.getByTestId('audio-player') });
    await expect(note).toHaveCount(1);
    await expect(note.getByTestId('pending-approval')).toHaveText('Pending approval');
    await reader.screenshot({ path: `${SHOTS}/console-reader-pending-en.png` });
    // Invisible to the client until approved.
    await client.waitForTimeout(1000);
    await expect(client.getByTestId('audio-player')).toHaveCount(0);
  });

  test('a monitor approves the note and the client receives it', async ({ browser, consoleShell }) => {
    monitor = await openConsole(browser, consoleShell);
    await signIn(monitor, 'monitor@samia.test', 'Mona Monitor');
    await monitor.getByRole('tab', { name: 'Approvals' }).click();
    const item = monitor.getByTestId('review-item');
    await expect(item).toHaveCount(1);
    await monitor.screenshot({ path: `${SHOTS}/console-approvals-en.png` });
    await item.getByRole('button', { name: 'Approve' }).click();
    await expect(monitor.getByText('Nothing to review.')).toBeVisible();

    await expect(client.getByTestId('audio-player')).toHaveCount(1);
    await expect(reader.getByTestId('pending-approval')).toHaveCount(0);
    // The stored peaks are drawn before any download; play fetches the audio.
    await client.getByRole('combobox', { name: 'Playback speed' }).selectOption('1.5');
    await client.getByRole('button', { name: 'Play' }).click();
    await expect(client.getByRole('button', { name: 'Pause playback' })).toBeVisible();
    await expect.poll(() => client.getByTestId('voice-player-media').evaluate((a: HTMLAudioElement) => a.playbackRate)).toBe(1.5);
    await client.screenshot({ path: `${SHOTS}/console-client-received-en.png` });
  });

  test('a rejected note brings the reason back to the reader (keyboard review)', async () => {
    await recordVoiceNote(reader, 1000, { pause: true });
    await expect(reader.getByTestId('pending-approval')).toHaveCount(1);
    const queue = monitor.getByTestId('approval-queue');
    await expect(monitor.getByTestId('review-item')).toHaveCount(1);
    await queue.focus();
    await monitor.keyboard.press('r');
    const dialog = monitor.getByRole('dialog', { name: 'Reject this voice note' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Reject' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('Give a reason for the rejection.');
    await dialog.getByLabel('Reason (the reader will see it)').fill('Too much background noise');
    await dialog.getByRole('button', { name: 'Reject' }).click();
    await expect(monitor.getByText('Nothing to review.')).toBeVisible();
    await expect(reader.getByTestId('rejected')).toHaveText('Rejected: Too much background noise');
    await expect(client.getByTestId('audio-player')).toHaveCount(1);
    await reader.screenshot({ path: `${SHOTS}/console-reader-rejected-en.png` });
  });

  test('offline: the reader sends while the backend is unreachable, sees the messages queued, and the client receives each exactly once', async () => {
    // What the shell reports when the backend stops answering (Electron's net events, the web shell's health check).
    readerCore.setOnline(false);
    await expect(reader.getByText('Offline: messages wait in the outbox', { exact: false })).toBeVisible();
    const box = reader.getByRole('textbox', { name: 'Message' });
    await box.fill('First, while offline.');
    await box.press('Enter');
    await box.fill('Second, while offline.');
    await box.press('Enter');
    const queued = reader.getByTestId('outbox-message');
    await expect(queued).toHaveCount(2);
    await expect(queued.first()).toHaveAttribute('data-state', 'queued');
    await expect(queued.first()).toContainText('Queued');
    await reader.screenshot({ path: `${SHOTS}/console-reader-offline-queued-en.png` });
    await client.waitForTimeout(1000);
    await expect(client.getByTestId('message').filter({ hasText: 'while offline' })).toHaveCount(0);

    readerCore.setOnline(true);
    await expect(reader.getByText('Offline: messages wait in the outbox', { exact: false })).toHaveCount(0);
    await expect(reader.getByTestId('outbox-message')).toHaveCount(0);
    await expect(client.getByTestId('message').filter({ hasText: 'First, while offline.' })).toHaveCount(1);
    await expect(client.getByTestId('message').filter({ hasText: 'Second, while offline.' })).toHaveCount(1);
    await client.waitForTimeout(1000);
    await expect(client.getByTestId('message').filter({ hasText: 'while offline' })).toHaveCount(2);
    await expect(reader.getByTestId('message').filter({ hasText: 'while offline' })).toHaveCount(2);
  });

  test('an image attachment is checked, queued, and shown to the client through the media route', async () => {
    // A 1×1 PNG.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const input = reader.locator('.chat-view:not([hidden]) input[type=file]');
    await input.setInputFiles({ name: 'tool.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
    await expect(reader.getByRole('alert').filter({ hasText: 'tool.exe: this type of file cannot be sent.' })).toBeVisible();
    await input.setInputFiles({ name: 'spread.png', mimeType: 'image/png', buffer: png });
    // Previewed and confirmed before anything is queued; the client then sees it inline.
    const preview = reader.getByRole('dialog', { name: 'Send this file?' });
    await expect(preview.getByTestId('attachment-name')).toHaveText('spread.png');
    await preview.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(preview).toHaveCount(0);
    const image = client.getByRole('img', { name: 'Image spread.png' });
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  });

  test('an emergency rings the opted-in reader, escalates when nobody accepts, and an admin acknowledges and resolves it', async () => {
    test.setTimeout(120_000);
    // Ring readers for 5 s (the lowest the migrations allow) instead of the default 60 s.
    await admin.getByRole('tab', { name: 'Settings' }).click();
    const ring = 'Emergency: seconds ringing readers before escalating';
    await admin.getByLabel(ring, { exact: true }).fill('5');
    await admin.getByRole('button', { name: `Save ${ring}` }).click();
    await expect(admin.getByText('Saved.').first()).toBeVisible();

    await reader.getByRole('tab', { name: 'Settings' }).click();
    await reader.getByRole('combobox', { name: 'Status' }).selectOption('online');
    await reader.getByLabel('Receive emergency calls').check();
    await reader.getByRole('button', { name: 'Save availability' }).click();
    await expect(reader.getByText('Saved.').first()).toBeVisible();

    await client.getByRole('tab', { name: 'Emergencies' }).click();
    await client.getByRole('button', { name: 'Request emergency help' }).click();
    await expect(client.getByText('Your emergency request was sent.', { exact: false })).toBeVisible();

    // The opted-in reader is alerted by the in-app modal.
    const readerAlert = reader.getByTestId('emergency-alert');
    await expect(readerAlert).toBeVisible();
    await expect(readerAlert).toContainText('Ringing');
    // The web shell's headless alert platform records the siren instead of sending alerts.siren to the page
    // (see the report); the renderer's siren handling is covered by tests/unit/renderer.
    await reader.screenshot({ path: `${SHOTS}/console-emergency-alert-reader-en.png` });

    // Nobody accepts: the deadline passes and the sweep escalates it to monitors and admins.
    const adminAlert = admin.getByTestId('emergency-alert');
    await expect(adminAlert).toContainText('Escalated', { timeout: 30_000 });
    await admin.screenshot({ path: `${SHOTS}/console-emergency-escalated-admin-en.png` });
    await adminAlert.getByRole('button', { name: 'Acknowledge' }).click();
    const item = admin.getByTestId('emergency-item').first();
    await expect(item).toHaveAttribute('data-state', 'acknowledged');
    await expect(adminAlert).toHaveCount(0);

    await item.getByRole('button', { name: 'Resolve' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Resolve the emergency' });
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('Write a note to resolve the emergency.');
    await dialog.getByLabel('What happened (required)').fill('Called the client back; they are safe.');
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await expect(item).toHaveAttribute('data-state', 'resolved');
    await expect(item).toContainText('Called the client back');
    await expect(reader.getByTestId('emergency-alert')).toHaveCount(0);
    await admin.screenshot({ path: `${SHOTS}/console-emergency-resolved-admin-en.png` });
    await reader.getByRole('tab', { name: 'Chats' }).click();
  });

  test('the workspace in Arabic is laid out right to left', async () => {
    await reader.getByRole('combobox', { name: 'Language' }).first().selectOption('ar');
    await expect(reader.locator('html')).toHaveAttribute('dir', 'rtl');
    await expect(reader.getByRole('heading', { name: 'تم تسجيل الدخول باسم Rana Reader' })).toBeVisible();
    const body = await reader.locator('.workspace-body').boundingBox();
    const sidebar = await reader.locator('.sidebar').boundingBox();
    // The sidebar sits on the right in Arabic.
    expect(sidebar!.x).toBeGreaterThan(body!.x + body!.width / 2);
    await expect(reader.getByTestId('rejected')).toContainText('مرفوضة');
    await reader.screenshot({ path: `${SHOTS}/console-workspace-ar.png` });
  });
});
