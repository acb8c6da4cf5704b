import type { Page } from '@playwright/test';
import { test as guarded, expect } from './csp-guard';
import type { WebShell } from '../../src/main/webshell/webshell-server';
import type { HeadlessAlertPlatform } from '../../src/main/alerts';
import { createAccount, openConsole, PASSWORD, recordVoiceNote, SHOTS, signIn, startConsoleWorld } from './console-support';

// Two monitors on one review queue, through the real parts: one embedded backend (PGlite with the migrations),
// the web shell, one core per page. Each page's headless alert platform is kept (in connection order) so the
// pending count the tray would show can be read from its record.
const platforms: HeadlessAlertPlatform[] = [];
const test = guarded.extend<object, { queueShell: WebShell }>({
  queueShell: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const world = await startConsoleWorld({ tmpPrefix: 'samia-review-queue-e2e-', platforms });
      await use(world.shell);
      await world.close();
    },
    { scope: 'worker' },
  ],
});

const visibleChat = (page: Page) => page.locator('.chat-view:not([hidden])');

test('two monitors on one queue: a claimed note is theirs alone, bulk approval reports each note, a listed reason reaches the reader', async ({ browser, queueShell }) => {
  test.setTimeout(240_000);
  const admin = await openConsole(browser, queueShell);
  await admin.getByLabel('Your name').fill('Samia Admin');
  await admin.getByLabel('Email').fill('admin@samia.test');
  await admin.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await admin.getByRole('button', { name: 'Create the administrator account' }).click();
  await expect(admin.getByRole('heading', { name: 'Signed in as Samia Admin' })).toBeVisible();
  await admin.getByRole('tab', { name: 'Settings' }).click();
  await createAccount(admin, 'Rana Reader', 'reader@samia.test', 'reader');
  await createAccount(admin, 'Karim Client', 'client@samia.test', 'client');
  await createAccount(admin, 'Mona Monitor', 'mona@samia.test', 'monitor');
  await createAccount(admin, 'Omar Monitor', 'omar@samia.test', 'monitor');

  // The admin keeps the list of rejection reasons, in both languages.
  const reasons = admin.getByTestId('rejection-reasons');
  await expect(reasons.getByText('No reasons yet', { exact: false })).toBeVisible();
  await reasons.getByLabel('English').fill('Audio unclear');
  await reasons.getByLabel('Arabic').fill('الصوت غير واضح');
  await reasons.getByRole('button', { name: 'Add reason' }).click();
  await expect(reasons.getByTestId('rejection-reason')).toHaveCount(1);
  await expect(reasons.getByLabel('English').last()).toHaveValue('');
  await reasons.getByLabel('English').last().fill('Off topic');
  await reasons.getByLabel('Arabic').last().fill('خارج الموضوع');
  await reasons.getByRole('button', { name: 'Add reason' }).click();
  await expect(reasons.getByTestId('rejection-reason')).toHaveCount(2);
  await reasons.getByTestId('rejection-reason').nth(1).getByRole('button', { name: 'Archive' }).click();
  await expect(reasons.getByTestId('rejection-reason').nth(1)).toHaveAttribute('data-active', 'false');
  await admin.screenshot({ path: `${SHOTS}/review-queue-reasons-en.png`, fullPage: true });

  // A client with a reader, and three voice notes from the reader waiting for approval.
  const client = await openConsole(browser, queueShell);
  await signIn(client, 'client@samia.test', 'Karim Client');
  await client.getByRole('button', { name: 'Contact support' }).click();
  const clientBox = visibleChat(client).getByRole('textbox', { name: 'Message' });
  await clientBox.fill('I would like a reading, please.');
  await clientBox.press('Enter');
  await admin.getByRole('tab', { name: 'Chats' }).click();
  await admin.getByRole('button', { name: 'Refresh the list' }).click();
  await admin.getByTestId('session-item').filter({ hasText: 'Karim Client' }).click();
  await visibleChat(admin).getByLabel('Reader to assign').selectOption({ label: 'Rana Reader' });
  await visibleChat(admin).getByRole('button', { name: 'Assign reader' }).click();
  await expect(admin.getByText('Reader assigned.')).toBeVisible();

  const reader = await openConsole(browser, queueShell);
  await signIn(reader, 'reader@samia.test', 'Rana Reader');
  await reader.getByTestId('session-item').filter({ hasText: 'Karim Client' }).click();
  for (let i = 0; i < 3; i++) {
    await recordVoiceNote(reader, 800);
    await expect(reader.getByTestId('pending-approval')).toHaveCount(i + 1);
  }

  // The first monitor opens the queue: oldest first, how long each has waited, the count on the tab and in the tray.
  const monaPlatform = platforms.length;
  const mona = await openConsole(browser, queueShell);
  await signIn(mona, 'mona@samia.test', 'Mona Monitor');
  await expect(mona.getByRole('tab', { name: 'Approvals' }).getByTestId('approvals-count')).toHaveText('3');
  await expect.poll(() => platforms[monaPlatform]?.pendingReviewsState()).toEqual({ count: 3, text: '3 voice notes waiting for review' });
  await mona.getByRole('tab', { name: 'Approvals' }).click();
  const monaItems = mona.getByTestId('review-item');
  await expect(monaItems).toHaveCount(3);
  await expect(mona.getByTestId('approvals-pending')).toHaveText('3 voice notes waiting');
  await expect(monaItems.first().getByTestId('review-waiting')).toHaveText(/^Waiting (less than a minute|\d+ minutes?)$/);
  // The note she is on is hers: claimed for her.
  await expect(monaItems.first()).toHaveAttribute('aria-current', 'true');
  await expect(monaItems.first()).toHaveAttribute('data-claimed', 'mine');

  // The second monitor sees who is reviewing it, cannot play or decide it, and works on the next one.
  const omar = await openConsole(browser, queueShell);
  await signIn(omar, 'omar@samia.test', 'Omar Monitor');
  await omar.getByRole('tab', { name: 'Approvals' }).click();
  const omarItems = omar.getByTestId('review-item');
  await expect(omarItems).toHaveCount(3);
  await expect(omarItems.first().getByTestId('review-claim')).toHaveText(/^Being reviewed by Mona Monitor \(until \d/);
  await expect(omarItems.first().getByRole('button', { name: 'Approve' })).toBeDisabled();
  await expect(omarItems.first().getByRole('button', { name: 'Reject' })).toBeDisabled();
  await expect(omarItems.first().getByTestId('audio-player')).toHaveCount(0);
  await expect(omarItems.nth(1)).toHaveAttribute('aria-current', 'true');
  await expect(omarItems.nth(1)).toHaveAttribute('data-claimed', 'mine');
  // ...and Mona sees Omar on the second, live.
  await expect(monaItems.nth(1).getByTestId('review-claim')).toContainText('Being reviewed by Omar Monitor');
  await omar.screenshot({ path: `${SHOTS}/review-queue-claimed-by-other-en.png` });

  // Omar insists on Mona's note (the A key): the server refuses, naming her and when her claim ends.
  await omarItems.first().click();
  await omar.getByTestId('approval-queue').focus();
  await omar.keyboard.press('a');
  await expect(omar.getByTestId('review-claimed-error')).toHaveText(/^Mona Monitor is reviewing this voice note; their claim ends at \d/);
  // Moving to a note someone else holds let go of his own: Mona sees the second note free again.
  await expect(monaItems.nth(1).getByTestId('review-claim')).toHaveCount(0);

  // He goes back to his own (claimed again). Leaving the queue releases Mona's claim at once; coming back claims it again.
  await omarItems.nth(1).click();
  await expect(omarItems.nth(1)).toHaveAttribute('data-claimed', 'mine');
  await expect(monaItems.nth(1).getByTestId('review-claim')).toContainText('Being reviewed by Omar Monitor');
  await mona.getByRole('tab', { name: 'Chats' }).click();
  await expect(omarItems.first().getByTestId('review-claim')).toHaveCount(0);
  await expect(omarItems.first().getByRole('button', { name: 'Approve' })).toBeEnabled();
  await mona.getByRole('tab', { name: 'Approvals' }).click();
  await expect(monaItems.first()).toHaveAttribute('data-claimed', 'mine');
  await expect(omarItems.first().getByTestId('review-claim')).toContainText('Being reviewed by Mona Monitor');

  // Omar approves everything in bulk: his and the free one are approved; Mona's is not, and the report says why.
  await omar.getByLabel('Select all').check();
  await omar.getByTestId('bulk-approve').click();
  const results = omar.getByTestId('bulk-results');
  await expect(results).toContainText('2 approved; not approved:');
  await expect(results.getByTestId('bulk-result')).toHaveCount(1);
  await expect(results.getByTestId('bulk-result')).toHaveAttribute('data-outcome', 'claimed');
  await expect(results.getByTestId('bulk-result')).toContainText('Being reviewed by Mona Monitor');
  await expect(omarItems).toHaveCount(1);
  await expect(monaItems).toHaveCount(1);
  await omar.screenshot({ path: `${SHOTS}/review-queue-bulk-en.png` });
  await expect(client.getByTestId('audio-player')).toHaveCount(2);
  await expect(mona.getByRole('tab', { name: 'Approvals' }).getByTestId('approvals-count')).toHaveText('1');

  // Mona rejects hers with a reason from the list (archived ones are not offered) and a word of her own.
  await mona.getByTestId('approval-queue').focus();
  await mona.keyboard.press('r');
  const dialog = mona.getByRole('dialog', { name: 'Reject this voice note' });
  const picker = dialog.getByRole('combobox', { name: 'Reason' });
  await expect(picker.locator('option')).toHaveText(['Other (write it below)', 'Audio unclear']);
  await picker.selectOption({ label: 'Audio unclear' });
  await dialog.getByLabel('More for the reader').fill('Please speak closer to the microphone');
  await mona.screenshot({ path: `${SHOTS}/review-queue-reject-reason-en.png` });
  await dialog.getByRole('button', { name: 'Reject' }).click();
  await expect(mona.getByText('Nothing to review.')).toBeVisible();
  await expect(omar.getByText('Nothing to review.')).toBeVisible();
  await expect(reader.getByTestId('rejected')).toHaveText('Rejected: Audio unclear — Please speak closer to the microphone');
  await reader.screenshot({ path: `${SHOTS}/review-queue-reader-rejected-en.png` });

  // Nothing waits any more: the tab and the tray say so.
  await expect(mona.getByRole('tab', { name: 'Approvals' }).getByTestId('approvals-count')).toHaveCount(0);
  await expect.poll(() => platforms[monaPlatform]?.pendingReviewsState()).toEqual({ count: 0, text: '' });
});
