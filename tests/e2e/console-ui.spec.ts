import type { Page, WebSocketRoute } from '@playwright/test';
import { sample } from '../support/media-samples';
import { consoleTest, createAccount, openConsole, paintedWaveformPixels, PASSWORD, recordVoiceNote, SHOTS, signIn } from './console-support';
import { expect, newGuardedContext } from './csp-guard';

// What a new user met in a walk-through (issue 12), end to end through the web shell in Debian's Chromium on
// one real embedded backend: every page of it under the CSP guard (no securitypolicyviolation allowed).
const { test, cores } = consoleTest();

/** Exactly 12,000 characters (code points, as SQL's char_length counts them): Latin, Arabic, emoji and line breaks. */
function reading(length: number): string {
  const paragraphs = [
    'The Star, upright: hope after the storm, a quiet renewal. ',
    'النجمة في وضعها المستقيم: أمل بعد العاصفة، وتجدّد هادئ. ',
    'Three of Cups — friendship ✨🌙 — and the Tower reversed.\n',
    '“Trust the process,” the cards say; «ثق بالطريق» تقول الأوراق.\n\n',
  ];
  const chars: string[] = [];
  for (let i = 0; chars.length < length; i++) chars.push(...paragraphs[i % paragraphs.length]!);
  const text = chars.slice(0, length);
  text[0] = 'T';
  text[length - 1] = '.';
  return text.join('');
}

const visibleChat = (page: Page) => page.locator('.chat-view:not([hidden])');

test.describe.serial('a walk-through of the console as a new user', () => {
  let admin: Page;
  let reader: Page;
  let client: Page;
  let optedOut: Page;

  test('first run and account creation show the password rule up front; the limits form shows current values', async ({ browser, consoleShell }) => {
    admin = await openConsole(browser, consoleShell);
    await expect(admin.getByRole('heading', { name: 'Set up the console' })).toBeVisible();
    await expect(admin.getByTestId('password-rule')).toHaveText('At least 10 characters.');
    await admin.screenshot({ path: `${SHOTS}/ui-first-run-password-rule-en.png` });
    await admin.getByLabel('Your name').fill('Samia Admin');
    await admin.getByLabel('Email').fill('admin@samia.test');
    await admin.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await admin.getByRole('button', { name: 'Create the administrator account' }).click();
    await expect(admin.getByRole('heading', { name: 'Signed in as Samia Admin' })).toBeVisible();

    await admin.getByRole('tab', { name: 'Settings' }).click();
    await expect(admin.getByTestId('password-rule')).toHaveText('At least 10 characters.');
    await createAccount(admin, 'Rana Reader', 'reader@samia.test', 'reader');
    await createAccount(admin, 'Omar Reader', 'omar@samia.test', 'reader');
    await createAccount(admin, 'Karim Client', 'client@samia.test', 'client');

    // The limits form opens on the current values; one number (console.message.max_body_length) for everyone.
    const longest = admin.getByLabel('Longest message or caption (characters)', { exact: true });
    await expect(longest).toHaveValue('4000');
    await longest.fill('12000');
    await admin.getByRole('button', { name: 'Save Longest message or caption (characters)' }).click();
    await expect(admin.locator('[data-setting="console.message.max_body_length"]').getByTestId('limit-current')).toHaveText('Current: 12000');
    // Ring readers for 15 s instead of the default 60 s: long enough to look at the ringing call, short enough to wait for escalation.
    await admin.getByLabel('Emergency: seconds ringing readers before escalating', { exact: true }).fill('15');
    await admin.getByRole('button', { name: 'Save Emergency: seconds ringing readers before escalating' }).click();
    await expect(admin.locator('[data-setting="console.emergency.ring_timeout_seconds"]').getByTestId('limit-current')).toHaveText('Current: 15');
    await admin.getByTestId('console-limits').screenshot({ path: `${SHOTS}/ui-console-limits-current-en.png` });
  });

  test('a 12,000-character reading arrives byte-identical, with a counter near the limit and nothing cut', async ({ browser, consoleShell }) => {
    client = await openConsole(browser, consoleShell);
    await signIn(client, 'client@samia.test', 'Karim Client');
    await client.getByRole('button', { name: 'Contact support' }).click();
    const clientBox = visibleChat(client).getByRole('textbox', { name: 'Message' });
    await clientBox.fill('Hello, I would like a long reading, please.');
    await clientBox.press('Enter');
    await expect(client.getByTestId('message').filter({ hasText: 'a long reading' })).toBeVisible();

    await admin.getByRole('tab', { name: 'Chats' }).click();
    await admin.getByRole('button', { name: 'Refresh the list' }).click();
    await admin.getByTestId('session-item').filter({ hasText: 'Karim Client' }).click();
    await visibleChat(admin).getByLabel('Reader to assign').selectOption({ label: 'Rana Reader' });
    await visibleChat(admin).getByRole('button', { name: 'Assign reader' }).click();
    await expect(admin.getByText('Reader assigned.')).toBeVisible();

    reader = await openConsole(browser, consoleShell);
    await signIn(reader, 'reader@samia.test', 'Rana Reader');
    await reader.getByTestId('session-item').filter({ hasText: 'Karim Client' }).click();
    const box = visibleChat(reader).getByRole('textbox', { name: 'Message' });
    const counter = visibleChat(reader).getByTestId('composer-counter');
    const send = visibleChat(reader).getByRole('button', { name: 'Send', exact: true });

    // Near the limit the counter appears; past it, every character stays and Send waits.
    await box.fill('x'.repeat(11_990));
    await expect(counter).toHaveText('11,990 / 12,000 · 10 characters left');
    await box.fill('x'.repeat(12_010));
    await expect(counter).toHaveText('12,010 / 12,000 · 10 characters too many: shorten the message or send it in parts.');
    await expect(box).toHaveValue('x'.repeat(12_010));
    await expect(send).toBeDisabled();
    await visibleChat(reader).locator('.composer').screenshot({ path: `${SHOTS}/ui-composer-over-limit-en.png` });

    const text = reading(12_000);
    expect([...text]).toHaveLength(12_000);
    await box.fill(text);
    // Exactly at the limit: nothing left, nothing over, Send allowed.
    await expect(counter).toHaveText('12,000 / 12,000 · 0 characters left');
    await expect(send).toBeEnabled();
    await box.press('Enter');
    // The composer empties once the outbox holds the text.
    await expect(box).toHaveValue('');
    const arrived = client.getByTestId('message').filter({ hasText: 'The Star, upright' });
    await expect(arrived).toHaveCount(1);
    const body = await arrived.locator('.message__body').evaluate((p) => p.textContent ?? '');
    expect(body).toBe(text);
    expect(Buffer.byteLength(body, 'utf8')).toBe(Buffer.byteLength(text, 'utf8'));
    await client.screenshot({ path: `${SHOTS}/ui-long-reading-received-en.png` });
  });

  test('attachments are previewed and confirmed, images show inline, and a mislabelled file is refused by its bytes', async () => {
    const input = visibleChat(reader).locator('input[type=file]');
    await input.setInputFiles({ name: 'three-card spread.png', mimeType: 'image/png', buffer: Buffer.from(sample('image.png')) });
    const preview = reader.getByRole('dialog', { name: 'Send this file?' });
    await expect(preview.getByTestId('attachment-name')).toHaveText('three-card spread.png');
    await expect(preview.getByTestId('attachment-type')).toHaveText('Image · image/png');
    await expect.poll(() => preview.getByTestId('attachment-thumbnail').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(24);
    await reader.screenshot({ path: `${SHOTS}/ui-attachment-preview-en.png` });
    await preview.getByLabel('Caption (optional)').fill('Your spread for today');
    await preview.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(preview).toHaveCount(0);

    const thumbnail = client.getByRole('img', { name: 'Image three-card spread.png' });
    await expect(thumbnail).toBeVisible();
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(24);
    await expect(client.getByTestId('message').filter({ has: thumbnail })).toContainText('Your spread for today');
    await client.screenshot({ path: `${SHOTS}/ui-image-inline-en.png` });

    // Random bytes named .jpg: the browser says image/jpeg, the bytes say nothing of the sort.
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251));
    await input.setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: noise });
    // The preview cannot decode it and says so; sending is still the main process's decision, from the bytes.
    await expect(preview.getByTestId('attachment-not-an-image')).toBeVisible();
    await preview.getByRole('button', { name: 'Send', exact: true }).click();
    const refusal = preview.getByTestId('attachment-refusal');
    await expect(refusal).toHaveText('“photo.jpg” was not sent: its content is not a valid image/jpeg file, or it is damaged.');
    // Sending the same bytes again would be refused again: only Cancel is left.
    await expect(preview.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
    await reader.screenshot({ path: `${SHOTS}/ui-attachment-mislabelled-refused-en.png` });
    await preview.getByRole('button', { name: 'Cancel' }).click();

    // A real PNG under a JPEG's name and type.
    await input.setInputFiles({ name: 'spread.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(sample('image.png')) });
    await preview.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(refusal).toHaveText('“spread.jpg” was not sent: its content is not what its name or declared type (image/jpeg) says.');
    await preview.getByRole('button', { name: 'Cancel' }).click();
    await client.waitForTimeout(500);
    await expect(client.getByRole('img', { name: /photo\.jpg|spread\.jpg/ })).toHaveCount(0);
  });

  test('voice notes draw their waveform in the right-to-left layout too', async () => {
    await recordVoiceNote(reader, 1500);
    const note = visibleChat(reader).getByTestId('message').filter({ has: reader.getByTestId('audio-player') }).last();
    await expect(note.getByTestId('pending-approval')).toBeVisible();
    await expect.poll(() => paintedWaveformPixels(reader, note.getByTestId('audio-player'))).toBeGreaterThan(0);

    await reader.getByRole('combobox', { name: 'Language' }).first().selectOption('ar');
    await expect(reader.locator('html')).toHaveAttribute('dir', 'rtl');
    // The player drawn in English is redrawn in the mirrored layout...
    await expect.poll(() => paintedWaveformPixels(reader, note.getByTestId('audio-player'))).toBeGreaterThan(0);
    // ...and one created in Arabic is drawn from the start.
    await visibleChat(reader).getByRole('button', { name: 'تسجيل رسالة صوتية' }).click();
    await expect(reader.getByTestId('live-level')).toBeVisible();
    await reader.waitForTimeout(1200);
    await reader.getByRole('button', { name: 'إنهاء التسجيل', exact: true }).click();
    const preview = reader.getByRole('group', { name: 'معاينة الرسالة الصوتية' });
    await expect(preview).toBeVisible();
    await expect.poll(() => paintedWaveformPixels(reader, preview.getByTestId('audio-player'))).toBeGreaterThan(0);
    const box = await note.boundingBox();
    const list = await visibleChat(reader).boundingBox();
    // The layout mirrors: own messages, on the right in English, sit on the left in Arabic.
    expect(box!.x).toBeLessThan(list!.x + list!.width * 0.1);
    await reader.screenshot({ path: `${SHOTS}/ui-waveform-rtl-ar.png` });
    await preview.getByRole('button', { name: 'تجاهل' }).click();
    await reader.getByRole('combobox', { name: 'اللغة' }).first().selectOption('en');
  });

  test('an opted-out reader during an emergency is told why they see none; actions follow the state machine', async ({ browser, consoleShell }) => {
    test.setTimeout(120_000);
    optedOut = await openConsole(browser, consoleShell);
    await signIn(optedOut, 'omar@samia.test', 'Omar Reader');

    await reader.getByRole('tab', { name: 'Settings' }).click();
    const optIn = reader.getByRole('checkbox', { name: 'Receive emergency calls' });
    await expect(optIn).not.toBeChecked();
    await optIn.check();
    await reader.getByRole('button', { name: 'Save availability' }).click();
    await expect(reader.getByTestId('availability-form').getByRole('status')).toHaveText('Saved.');
    await reader.getByRole('tab', { name: 'Emergencies' }).click();
    await expect(reader.getByTestId('emergency-opt-in-on')).toBeVisible();

    await admin.getByRole('tab', { name: 'Emergencies' }).click();
    await client.getByRole('tab', { name: 'Emergencies' }).click();
    await client.getByRole('button', { name: 'Request emergency help' }).click();
    await expect(client.getByText('Your emergency request was sent.', { exact: false })).toBeVisible();

    // While it rings, staff are not offered Acknowledge (the server would refuse it): they see what it waits for.
    const adminItem = admin.getByTestId('emergency-item').first();
    await expect(adminItem).toHaveAttribute('data-state', 'ringing');
    await expect(adminItem.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
    await expect(adminItem.getByTestId('emergency-waiting')).toHaveText('Waiting for a reader to accept');
    await admin.screenshot({ path: `${SHOTS}/ui-emergency-ringing-admin-en.png` });

    // The opted-in reader is alerted and may accept; the opted-out one sees none, and why.
    await expect(reader.getByTestId('emergency-alert').getByRole('button', { name: 'Accept' })).toBeVisible();
    await optedOut.getByRole('tab', { name: 'Emergencies' }).click();
    await expect(optedOut.getByText('No emergencies.')).toBeVisible();
    await expect(optedOut.getByTestId('emergency-opt-in-missing')).toContainText('you have not opted in');
    await expect(optedOut.getByTestId('emergency-alert')).toHaveCount(0);
    await optedOut.screenshot({ path: `${SHOTS}/ui-emergency-opted-out-reader-en.png` });

    // Nobody accepts: escalated, staff may acknowledge, and the opted-in reader can still accept from the list.
    await expect(adminItem).toHaveAttribute('data-state', 'escalated', { timeout: 30_000 });
    await expect(adminItem.getByRole('button', { name: 'Acknowledge' })).toBeVisible();
    // The escalation alerts staff: the modal offers Acknowledge too; the admin leaves it to the reader here.
    const adminAlert = admin.getByTestId('emergency-alert');
    await expect(adminAlert.getByRole('button', { name: 'Acknowledge' })).toBeVisible();
    await adminAlert.getByRole('button', { name: 'Hide' }).click();
    await reader.getByTestId('emergency-alert').getByRole('button', { name: 'Hide' }).click();
    const readerItem = reader.getByTestId('emergency-item').first();
    await expect(readerItem).toHaveAttribute('data-state', 'escalated', { timeout: 30_000 });
    await expect(readerItem.getByRole('button', { name: 'Accept' })).toBeVisible();
    await reader.screenshot({ path: `${SHOTS}/ui-emergency-escalated-reader-accept-en.png` });
    await readerItem.getByRole('button', { name: 'Accept' }).click();
    await expect(readerItem).toHaveAttribute('data-state', 'accepted');
    await expect(adminItem).toHaveAttribute('data-state', 'accepted', { timeout: 15_000 });
    await expect(adminItem.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);

    await readerItem.getByRole('button', { name: 'Resolve' }).click();
    const dialog = reader.getByRole('dialog', { name: 'Resolve the emergency' });
    await dialog.getByLabel('What happened (required)').fill('Talked it through; the client is safe.');
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await expect(readerItem).toHaveAttribute('data-state', 'resolved');

    // The ended emergency session is read-only: no composer, and staff get no "Assign reader".
    await reader.getByRole('tab', { name: 'Chats' }).click();
    await reader.getByRole('button', { name: 'Refresh the list' }).click();
    const ended = reader.locator('[data-testid=session-item][data-session-type=emergency]');
    await expect(ended).toHaveAttribute('data-session-status', 'ended');
    await ended.click();
    await expect(visibleChat(reader).getByTestId('composer-read-only')).toBeVisible();
    await expect(visibleChat(reader).getByRole('textbox', { name: 'Message' })).toHaveCount(0);
    await admin.getByRole('tab', { name: 'Chats' }).click();
    await admin.getByRole('button', { name: 'Refresh the list' }).click();
    await admin.locator('[data-testid=session-item][data-session-type=emergency]').click();
    await expect(visibleChat(admin).getByTestId('composer-read-only')).toBeVisible();
    await expect(visibleChat(admin).getByRole('button', { name: 'Assign reader' })).toHaveCount(0);
    await reader.screenshot({ path: `${SHOTS}/ui-emergency-ended-read-only-en.png` });
  });

  test('same-named sessions read differently everywhere; Ctrl+/ lists the shortcuts; Ctrl+Tab moves between tabs', async () => {
    // The reader now has two conversations with Karim: the support one and the emergency one.
    const items = reader.getByTestId('session-item').filter({ hasText: 'Karim Client' });
    await expect(items).toHaveCount(2);
    // The list shows the type on its own line, so the name only gains the short id; tabs and the switcher say both.
    const qualifiers = await items.getByTestId('session-qualifier').allTextContents();
    expect(qualifiers).toHaveLength(2);
    expect(new Set(qualifiers).size).toBe(2);
    for (const q of qualifiers) expect(q).toMatch(/^#[0-9a-f]{6}$/);
    expect((await items.getByTestId('session-type').allTextContents()).sort()).toEqual(['Emergency · Ended', 'Support']);
    await reader.locator('.sidebar').screenshot({ path: `${SHOTS}/ui-distinct-session-names-en.png` });

    await reader.keyboard.press('Control+k');
    const switcher = reader.getByRole('dialog', { name: 'Switch conversation' });
    await switcher.getByRole('textbox').fill('Karim');
    await expect(switcher.getByTestId('switcher-item')).toHaveCount(2);
    const full = await switcher.getByTestId('session-qualifier').allTextContents();
    expect(full.map((q) => q.split(' ')[0]).sort()).toEqual(['Emergency', 'Support']);
    await reader.screenshot({ path: `${SHOTS}/ui-quick-switcher-en.png` });
    await reader.keyboard.press('Escape');

    await reader.keyboard.press('Control+/');
    const sheet = reader.getByTestId('shortcut-sheet');
    await expect(sheet).toBeVisible();
    for (const line of ['Find a conversation by name', 'Go to the message box', 'Next conversation in the list', 'Next open tab', 'Close a dialog, cancel a reply or an edit'])
      await expect(sheet).toContainText(line);
    await reader.screenshot({ path: `${SHOTS}/ui-shortcut-sheet-en.png` });
    await reader.keyboard.press('Escape');
    await expect(sheet).toHaveCount(0);

    // Two tabs open (the emergency one is active): Ctrl+Tab and Ctrl+Shift+Tab move between them.
    await items.filter({ has: reader.getByTestId('session-type').getByText('Support', { exact: true }) }).click();
    await items.filter({ has: reader.getByTestId('session-type').getByText('Emergency · Ended') }).click();
    const tabs = reader.getByRole('tablist', { name: 'Open conversations' }).getByRole('tab');
    await expect(tabs).toHaveCount(2);
    const selected = async () => (await tabs.evaluateAll((els) => els.map((e) => e.getAttribute('aria-selected')))).join(',');
    expect(await selected()).toBe('false,true');
    await reader.keyboard.press('Control+Tab');
    await expect.poll(selected).toBe('true,false');
    await reader.keyboard.press('Control+Shift+Tab');
    await expect.poll(selected).toBe('false,true');
    await reader.keyboard.press('Control+PageUp');
    await expect.poll(selected).toBe('true,false');
  });

  test('the connection shows in one place; a refused send keeps the text; the page reconnects by itself', async ({ browser, consoleShell }) => {
    await expect(reader.getByTestId('connection')).toHaveText('Connected');
    const readerCore = cores[2]!;
    readerCore.setOnline(false);
    await expect(reader.getByTestId('connection')).toHaveText('Offline: messages wait in the outbox and are sent when the connection returns.');
    await reader.getByTestId('connection').screenshot({ path: `${SHOTS}/ui-connection-offline-en.png` });
    readerCore.setOnline(true);
    await expect(reader.getByTestId('connection')).toHaveText('Connected');

    // The console process out of reach: a page whose bridge socket we can cut (Playwright's WebSocket route in front).
    const context = await newGuardedContext(browser, { viewport: { width: 1280, height: 800 } });
    let live: WebSocketRoute | null = null;
    let cut = false;
    await context.routeWebSocket(/\/bridge/, (ws) => {
      if (cut) return void ws.close();
      live = ws;
      ws.connectToServer();
    });
    const page = await context.newPage();
    await page.goto(consoleShell.pageUrl);
    await signIn(page, 'client@samia.test', 'Karim Client');
    await page.locator('[data-testid=session-item][data-session-type=support]').click();
    const box = visibleChat(page).getByRole('textbox', { name: 'Message' });
    cut = true;
    await live!.close();
    await expect(page.getByTestId('connection')).toHaveText('Connection to the console process lost. Reconnecting…');
    await box.fill('Are you still there?');
    await box.press('Enter');
    // Refused before anything was queued: the text stays, and the reason is said in the user's language.
    await expect(visibleChat(page).getByTestId('composer-refusal')).toHaveText('The console process is not reachable right now.');
    await expect(box).toHaveValue('Are you still there?');
    await page.screenshot({ path: `${SHOTS}/ui-send-refused-text-kept-en.png` });
    // The console process answers again: the page reconnects by itself instead of staying dead (this web shell
    // gives each connection a fresh core, so it asks for a sign-in again).
    cut = false;
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible({ timeout: 20_000 });
  });
});
