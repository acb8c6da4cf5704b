// Figures and the audit log, as an admin meets them in the web shell: after a client waited for a reader and a
// monitor rejected the reader's voice note, the admin opens the figures for today, exports them as CSV (the
// downloaded file is read back: BOM, escaping, formula neutralising, an Arabic name), and finds the review in
// the audit log with what it changed. The people and the chat are written through the embedded backend's
// supabase-js connections (the same RPCs the console calls); the admin works only in the page.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { WebShell } from '../../src/main/webshell/webshell-server';
import type { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';
import type { UserConnection } from '../../src/main/backend/backend-port';
import { expect, newGuardedContext, test as guarded } from './csp-guard';
import { PASSWORD, SHOTS, signIn, startConsoleWorld } from './console-support';

const MONITOR = '=Mona, "the monitor"';
const READER = 'نور القارئة';
const REASON = 'Background noise';

const test = guarded.extend<object, { figuresWorld: { shell: WebShell; backend: EmbeddedSupabase } }>({
  figuresWorld: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const world = await startConsoleWorld({ tmpPrefix: 'samia-figures-e2e-', emergencySweepMs: 0 });
      await use({ shell: world.shell, backend: world.backend });
      await world.close();
    },
    { scope: 'worker' },
  ],
});

let noteId = '';

async function account(owner: UserConnection, backend: EmbeddedSupabase, displayName: string, role: 'admin' | 'monitor' | 'reader' | 'client') {
  const email = `${role}-${randomUUID().slice(0, 8)}@samia.test`;
  await owner.createAccount({ email, password: PASSWORD, displayName, role });
  return { email, connection: await backend.signIn(email, PASSWORD) };
}

test.describe.serial('figures and the audit log (admin)', () => {
  let adminEmail = '';

  test('a client waits for a reader, and a monitor rejects the reader\'s voice note', async ({ figuresWorld: { backend } }) => {
    const owner = await backend.createFirstAccount({ email: 'owner@samia.test', password: PASSWORD, displayName: 'Owner', preferredLanguage: 'en' });
    adminEmail = (await account(owner, backend, 'Amal Admin', 'admin')).email;
    const monitor = (await account(owner, backend, MONITOR, 'monitor')).connection;
    const reader = (await account(owner, backend, READER, 'reader')).connection;
    const client = (await account(owner, backend, 'Karim Client', 'client')).connection;

    const session = await client.openSupportSession();
    await monitor.assignReader(session.id, reader.userId);
    await client.sendMessage({ sessionId: session.id, clientMessageId: randomUUID(), type: 'text', body: 'Is anyone there?' });
    await reader.sendMessage({ sessionId: session.id, clientMessageId: randomUUID(), type: 'text', body: 'Yes, here I am.' });
    const clientMessageId = randomUUID();
    const storagePath = `${session.id}/${clientMessageId}/note.webm`;
    const bytes = new Uint8Array([26, 69, 223, 163, 1, 2, 3, 4]);
    await reader.uploadFile(storagePath, bytes, 'audio/webm');
    const note = await reader.sendMessage({
      sessionId: session.id,
      clientMessageId,
      type: 'audio',
      file: { storagePath, mimeType: 'audio/webm', sizeBytes: bytes.byteLength, durationMs: 1500, waveform: [0.2, 0.6, 0.3] },
    });
    const rejected = await monitor.reviewAudio(note.id, 'reject', REASON);
    expect(rejected.status).toBe('rejected');
    noteId = note.id;
    for (const c of [owner, monitor, reader, client]) await c.signOut();
  });

  test('the admin opens today\'s figures and exports them as CSV', async ({ browser, figuresWorld: { shell } }) => {
    const context = await newGuardedContext(browser, { viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(shell.pageUrl);
    await signIn(page, adminEmail, 'Amal Admin');
    await page.getByRole('tab', { name: 'Figures' }).click();
    const view = page.getByTestId('figures-view');
    await view.getByRole('button', { name: 'Show' }).click();

    const reviewers = view.getByTestId('figures-reviewers');
    const monitorRow = reviewers.locator('tbody tr').filter({ hasText: MONITOR });
    await expect(monitorRow.locator('td')).toHaveText(['1', '0', '1', /sec|min/, /sec|min/]);
    await expect(reviewers.locator('tr[data-person=all] td').first()).toHaveText('1');
    const readers = view.getByTestId('figures-readers');
    const readerRow = readers.locator('tbody tr').filter({ hasText: READER });
    // One note decided, rejected: 100 %; one wait answered; unanswered waits belong to the total row.
    await expect(readerRow.locator('td')).toHaveText(['1', '100%', '1', '—', /sec|min/, /sec|min/]);
    await expect(readers.locator('tr[data-person=all] td').nth(3)).toHaveText('0');
    await expect(view.getByTestId('figures-reasons').locator('tbody tr').filter({ hasText: READER })).toContainText(REASON);
    await page.screenshot({ path: `${SHOTS}/console-figures-en.png` });

    const [download] = await Promise.all([page.waitForEvent('download'), view.getByTestId('figures-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^figures-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    await expect(view.getByRole('status')).toContainText(`Downloaded ${download.suggestedFilename()}`);
    const bytes = await readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(lines[0]).toBe('from,to,figure,person_id,person_name,reason,decisions,approvals,rejections,rejection_rate,replies,unanswered,p50_seconds,p90_seconds');
    expect(lines.at(-1)).toBe('');
    const fields = (line: string) => line.split(',').slice(2);
    const monitorLine = lines.find((l) => l.includes('reviewer,') && l.includes('Mona'))!;
    // The monitor's name: quoted (comma, quotes) and neutralised (a leading =), so a spreadsheet shows it as text.
    expect(monitorLine).toContain(`,"'=Mona, ""the monitor""",`);
    expect(monitorLine).toMatch(/,,1,0,1,1,,,\d+(\.\d+)?,\d+(\.\d+)?$/);
    const readerLine = lines.find((l) => fields(l)[0] === 'reader' && l.includes(READER))!;
    expect(fields(readerLine).slice(2, 10)).toEqual([READER, '', '1', '', '1', '1', '1', '0']);
    const reasonLines = lines.filter((l) => l.includes('rejection_reason,'));
    expect(reasonLines.map((l) => fields(l).slice(2, 8))).toEqual([
      ['', REASON, '1', '', '1', '1'],
      [READER, REASON, '1', '', '1', '1'],
    ]);
    await context.close();
  });

  test('the admin finds the review in the audit log, with what it changed, in English and in Arabic', async ({ browser, figuresWorld: { shell } }) => {
    const context = await newGuardedContext(browser, { viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(shell.pageUrl);
    await signIn(page, adminEmail, 'Amal Admin');
    await page.getByRole('tab', { name: 'Audit log' }).click();
    const view = page.getByTestId('audit-log-view');
    await view.getByTestId('audit-action').fill('status:rejected');
    await view.getByRole('button', { name: 'Filter' }).click();
    const row = view.locator(`tr[data-row-id="${noteId}"]`);
    await expect(row).toHaveAttribute('data-action', 'status:rejected');
    await expect(view.locator('tbody tr[data-entry-id]')).toHaveCount(1);
    await expect(row).toContainText(MONITOR);
    await row.getByRole('button', { name: 'Details' }).click();
    const after = view.getByTestId('audit-new-values');
    await expect(after).toContainText(`"review_reason": "${REASON}"`);
    await expect(after).toContainText('"status": "rejected"');

    // Filtered by the monitor: the review is theirs; by another actor: nothing.
    await view.getByTestId('audit-actor').selectOption({ label: MONITOR });
    await view.getByTestId('audit-action').fill('');
    await view.getByRole('button', { name: 'Filter' }).click();
    await expect(view.locator(`tr[data-row-id="${noteId}"][data-action="status:rejected"]`)).toHaveCount(1);
    await view.getByTestId('audit-actor').selectOption({ label: 'Karim Client' });
    await view.getByRole('button', { name: 'Filter' }).click();
    await expect(view.getByText('No entries match.')).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/console-audit-log-en.png` });

    // In Arabic: the views are translated and the figures are written with Arabic digits.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ar');
    await page.getByRole('tab', { name: 'الأرقام' }).click();
    await page.getByTestId('figures-view').getByRole('button', { name: 'عرض' }).click();
    await expect(page.getByTestId('figures-readers').locator('tbody tr').filter({ hasText: READER }).locator('td').first()).toHaveText('١');
    // A Latin name in the Arabic layout keeps its own direction (isolated, dir=auto).
    const monitorName = page.getByTestId('figures-reviewers').locator('tbody tr').filter({ hasText: 'Mona' }).locator('bdi').first();
    expect(await monitorName.evaluate((b) => [b.tagName, b.getAttribute('dir'), b.matches(':dir(ltr)')])).toEqual(['BDI', 'auto', true]);
    await page.screenshot({ path: `${SHOTS}/console-figures-ar.png` });
    await context.close();
  });
});
