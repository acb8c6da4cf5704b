// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { ChatMessage, ChatSession, ReviewClaim } from '../../../src/shared/ipc/contract';
import { ApprovalQueue } from '../../../src/renderer/reviews/ApprovalQueue';
import { RejectionReasons } from '../../../src/renderer/settings/RejectionReasons';
import { claimedByOther, currentNote, waitingParts } from '../../../src/renderer/reviews/review-queue-state';
import { fakeMain, msg, wrap } from './fake-main';

// jsdom has no canvas or media elements: wavesurfer.js cannot draw here, so it is replaced by an inert
// stand-in (the real player is exercised by the Playwright specs).
vi.mock('wavesurfer.js', () => {
  class FakeWaveSurfer {
    static create() {
      return new FakeWaveSurfer();
    }
    getWrapper() {
      return document.createElement('div');
    }
    getRenderer() {
      return { renderProgress() {} };
    }
    on() {
      return () => {};
    }
    destroy() {}
    isPlaying() {
      return false;
    }
    getCurrentTime() {
      return 0;
    }
    setPlaybackRate() {}
    setTime() {}
    async load() {}
    async loadBlob() {}
    async play() {}
    pause() {}
  }
  return { default: FakeWaveSurfer };
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const SELF = '00000000-0000-4000-8000-0000000000e1';
const OTHER = '00000000-0000-4000-8000-0000000000e2';
const READER = '00000000-0000-4000-8000-0000000000b1';
const note = (n: number, minutesAgo: number): ChatMessage =>
  msg({
    id: `00000000-0000-4000-8000-00000000f00${n}`, type: 'audio', body: null, status: 'pending_approval', senderId: READER,
    storagePath: `s/${n}/v.webm`, mimeType: 'audio/webm', durationMs: 2000, waveform: [0.2], createdAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  });
const claimOf = (messageId: string, by: string, name: string, seconds = 120): ReviewClaim => ({
  messageId, claimedBy: by, claimedByName: name, claimedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + seconds * 1000).toISOString(),
});
const people = new Map([[READER, { id: READER, displayName: 'Rana', role: 'reader' as const }]]);

describe('review queue state', () => {
  it('treats an expired claim as none, and starts on the oldest note nobody else reviews', () => {
    const [a, b] = [note(1, 90), note(2, 5)];
    const claims = new Map([[a.id, claimOf(a.id, OTHER, 'Omar')]]);
    expect(claimedByOther(claims, a.id, SELF, Date.now())?.claimedByName).toBe('Omar');
    expect(claimedByOther(claims, a.id, OTHER, Date.now())).toBeNull();
    expect(claimedByOther(claims, a.id, SELF, Date.now() + 121_000)).toBeNull();
    expect(currentNote([a, b], null, claims, SELF, Date.now())?.id).toBe(b.id);
    expect(currentNote([a, b], a.id, claims, SELF, Date.now())?.id).toBe(a.id);
    expect(currentNote([a, b], null, claims, SELF, Date.now() + 121_000)?.id).toBe(a.id);
    expect(waitingParts(a.createdAt, Date.now())).toEqual({ hours: 1, minutes: 30 });
  });
});

describe('the approval queue', () => {
  it('claims the note one is on, shows who reviews the others (live), and shows the waiting time', async () => {
    const [a, b] = [note(1, 90), note(2, 3)];
    const main = fakeMain({
      'reviews.pending': () => ({ messages: [b, a] }),
      'reviews.claims': () => ({ claims: [claimOf(a.id, OTHER, 'Omar')] }),
      'reviews.claim': (input: { messageId: string }) => claimOf(input.messageId, SELF, 'Me'),
      'reviews.reasons': () => ({ reasons: [] }),
      'settings.get': () => ({ settings: { 'console.review.claim_seconds': 120 } }),
      'reviews.packs': () => ({ packs: [] }),
      'reviews.decide': () => {
        throw { code: 'SA510', messageKey: 'review.claimed', params: { claimed_by: OTHER, claimed_by_name: 'Omar', expires_at: new Date(Date.now() + 60_000).toISOString() } };
      },
    });
    const { unmount } = wrap(<ApprovalQueue client={main.client} selfId={SELF} selfRole="monitor" people={people} sessions={[] as ChatSession[]} />);
    await waitFor(() => expect(screen.getAllByTestId('review-item')).toHaveLength(2));
    const [first, second] = screen.getAllByTestId('review-item');
    expect(screen.getByTestId('approvals-pending').textContent).toBe('2 voice notes waiting');
    expect(within(first!).getByTestId('review-waiting').textContent).toBe('Waiting 1 hour 30 minutes');
    expect(within(second!).getByTestId('review-waiting').textContent).toBe('Waiting 3 minutes');
    // The oldest is Omar's: it cannot be played or decided here, and the next one is claimed instead.
    await waitFor(() => expect(within(first!).getByTestId('review-claim').textContent).toMatch(/^Being reviewed by Omar \(until /));
    expect(within(first!).getByRole('button', { name: 'Approve' })).toHaveProperty('disabled', true);
    expect(within(first!).queryByTestId('audio-player')).toBeNull();
    await waitFor(() => expect(main.named('reviews.claim').map((c) => c.input)).toEqual([{ messageId: b.id }]));
    expect(second!.getAttribute('aria-current')).toBe('true');

    // A key on Omar's note asks the server, whose refusal names him.
    fireEvent.click(first!);
    fireEvent.keyDown(screen.getByTestId('approval-queue'), { key: 'a' });
    expect((await screen.findByTestId('review-claimed-error')).textContent).toMatch(/^Omar is reviewing this voice note; their claim ends at /);
    // Moving onto it let go of the note held before.
    await waitFor(() => expect(main.named('reviews.release')).toHaveLength(1));

    // Omar's claim ends (live): the note is free, and claimed for this reviewer now that it is current.
    main.emit('reviews.claimChanged', { messageId: a.id, claim: null });
    await waitFor(() => expect(within(first!).queryByTestId('review-claim')).toBeNull());
    await waitFor(() => expect(main.named('reviews.claim').at(-1)?.input).toEqual({ messageId: a.id }));
    unmount();
    // Leaving lets go of every claim.
    expect(main.named('reviews.release').at(-1)?.input).toEqual({});
  });

  it("a super admin may decide a note someone else holds", async () => {
    const a = note(1, 10);
    const main = fakeMain({
      'reviews.pending': () => ({ messages: [a] }),
      'reviews.claims': () => ({ claims: [claimOf(a.id, OTHER, 'Omar')] }),
      'reviews.reasons': () => ({ reasons: [] }),
      'reviews.packs': () => ({ packs: [] }),
      'reviews.decide': () => ({ via: 'server', message: { ...a, status: 'approved' } }),
    });
    wrap(<ApprovalQueue client={main.client} selfId={SELF} selfRole="super_admin" people={people} sessions={[] as ChatSession[]} />);
    await waitFor(() => expect(screen.getByTestId('review-claim')).toBeTruthy());
    const approve = within(screen.getByTestId('review-item')).getByRole('button', { name: 'Approve' });
    expect(approve).toHaveProperty('disabled', false);
    fireEvent.click(approve);
    await waitFor(() => expect(screen.queryAllByTestId('review-item')).toHaveLength(0));
    expect(main.named('reviews.claim')).toHaveLength(0);
  });

  it('approves the selected notes in bulk and reports the ones decided or claimed by someone else', async () => {
    const [a, b, c] = [note(1, 30), note(2, 20), note(3, 10)];
    const main = fakeMain({
      'reviews.pending': () => ({ messages: [a, b, c] }),
      'reviews.claims': () => ({ claims: [] }),
      'reviews.reasons': () => ({ reasons: [] }),
      'reviews.packs': () => ({ packs: [] }),
      'reviews.bulkApprove': () => ({
        results: [
          { messageId: a.id, outcome: 'approved', errorCode: null, reviewedByName: null, claimedByName: null, expiresAt: null },
          { messageId: b.id, outcome: 'already_decided', errorCode: 'SA443', reviewedByName: 'Sami', claimedByName: null, expiresAt: null },
          { messageId: c.id, outcome: 'claimed', errorCode: 'SA510', reviewedByName: null, claimedByName: 'Omar', expiresAt: new Date(Date.now() + 60_000).toISOString() },
        ],
      }),
    });
    wrap(<ApprovalQueue client={main.client} selfId={SELF} selfRole="monitor" people={people} sessions={[] as ChatSession[]} />);
    await waitFor(() => expect(screen.getAllByTestId('review-item')).toHaveLength(3));
    const bulk = screen.getByTestId('bulk-approve');
    expect(bulk).toHaveProperty('disabled', true);
    fireEvent.click(screen.getByLabelText('Select all'));
    expect(bulk.textContent).toBe('Approve selected (3)');
    fireEvent.click(bulk);
    const results = await screen.findByTestId('bulk-results');
    expect(main.named('reviews.bulkApprove')[0]!.input).toEqual({ messageIds: [a.id, b.id, c.id] });
    expect(results.textContent).toContain('1 approved; not approved:');
    const rows = within(results).getAllByTestId('bulk-result');
    expect(rows.map((r) => r.getAttribute('data-outcome'))).toEqual(['already_decided', 'claimed']);
    expect(rows[0]!.textContent).toContain('Already decided by Sami');
    expect(rows[1]!.textContent).toMatch(/Being reviewed by Omar \(until /);
    // Decided notes leave the queue; the claimed one stays.
    expect(screen.getAllByTestId('review-item')).toHaveLength(1);
  });

  it('rejects with a reason from the list (in the reviewer’s language) plus a text, or with a text alone', async () => {
    const [a, b] = [note(1, 30), note(2, 20)];
    const reason = { id: '00000000-0000-4000-8000-0000000000aa', labelEn: 'Audio unclear', labelAr: 'الصوت غير واضح', position: 0, active: true };
    const main = fakeMain({
      'reviews.pending': () => ({ messages: [a, b] }),
      'reviews.claims': () => ({ claims: [] }),
      'reviews.reasons': () => ({ reasons: [reason] }),
      'reviews.packs': () => ({ packs: [] }),
      'reviews.reject': () => ({ message: { ...a, status: 'rejected' } }),
      'reviews.decide': () => ({ via: 'server', message: { ...b, status: 'rejected' } }),
    });
    wrap(<ApprovalQueue client={main.client} selfId={SELF} selfRole="monitor" people={people} sessions={[] as ChatSession[]} />, 'ar');
    await waitFor(() => expect(screen.getAllByTestId('review-item')).toHaveLength(2));
    const queue = screen.getByTestId('approval-queue');
    fireEvent.keyDown(queue, { key: 'r' });
    let dialog = screen.getByRole('dialog');
    const picker = within(dialog).getByRole('combobox') as HTMLSelectElement;
    await waitFor(() => expect([...picker.options].map((o) => o.textContent)).toEqual(['سبب آخر (اكتبه أدناه)', 'الصوت غير واضح']));
    fireEvent.submit(dialog.querySelector('form') ?? dialog);
    expect(within(dialog).getByRole('alert')).toBeTruthy();
    fireEvent.change(picker, { target: { value: reason.id } });
    fireEvent.change(within(dialog).getByRole('textbox'), { target: { value: 'أقرب إلى الميكروفون' } });
    fireEvent.submit(dialog);
    await waitFor(() => expect(main.named('reviews.reject')[0]?.input).toEqual({ messageId: a.id, reasonId: reason.id, note: 'أقرب إلى الميكروفون' }));
    await waitFor(() => expect(screen.getAllByTestId('review-item')).toHaveLength(1));

    fireEvent.keyDown(queue, { key: 'r' });
    dialog = screen.getByRole('dialog');
    fireEvent.change(within(dialog).getByRole('textbox'), { target: { value: 'Background noise' } });
    fireEvent.submit(dialog);
    await waitFor(() => expect(main.named('reviews.decide')[0]?.input).toEqual({ messageId: b.id, decision: 'reject', reason: 'Background noise' }));
  });
});

describe('the rejection reasons in settings', () => {
  it('lists, adds, archives and shows refusals', async () => {
    const list = [{ id: '00000000-0000-4000-8000-0000000000aa', labelEn: 'Audio unclear', labelAr: 'الصوت غير واضح', position: 0, active: true }];
    const main = fakeMain({
      'reviews.reasons': () => ({ reasons: list.map((r) => ({ ...r })) }),
      'reviews.saveReason': (input: { id?: string; labelEn?: string; labelAr?: string; active?: boolean }) => {
        if (input.labelEn === 'Audio unclear') throw { code: 'SA514', messageKey: 'review.reason_duplicate' };
        if (input.id) Object.assign(list.find((r) => r.id === input.id)!, input);
        else list.push({ id: '00000000-0000-4000-8000-0000000000ab', labelEn: input.labelEn!, labelAr: input.labelAr!, position: 1, active: true });
        return list.at(-1);
      },
    });
    wrap(<RejectionReasons client={main.client} />);
    const box = await screen.findByTestId('rejection-reasons');
    await waitFor(() => expect(within(box).getAllByTestId('rejection-reason')).toHaveLength(1));
    expect(main.named('reviews.reasons')[0]!.input).toEqual({ includeArchived: true });
    const form = box.querySelector('form.reason-new') as HTMLFormElement;
    fireEvent.change(within(form).getByLabelText('English'), { target: { value: 'Audio unclear' } });
    fireEvent.change(within(form).getByLabelText('Arabic'), { target: { value: 'مكرر' } });
    fireEvent.submit(form);
    expect((await within(box).findByRole('alert')).textContent).toBe('A rejection reason with this label exists already.');
    fireEvent.change(within(form).getByLabelText('English'), { target: { value: 'Off topic' } });
    fireEvent.change(within(form).getByLabelText('Arabic'), { target: { value: 'خارج الموضوع' } });
    fireEvent.submit(form);
    await waitFor(() => expect(within(box).getAllByTestId('rejection-reason')).toHaveLength(2));
    fireEvent.click(within(within(box).getAllByTestId('rejection-reason')[0]!).getByRole('button', { name: 'Archive' }));
    await waitFor(() => expect(within(box).getAllByTestId('rejection-reason')[0]!.getAttribute('data-active')).toBe('false'));
    expect(main.named('reviews.saveReason').at(-1)?.input).toEqual({ id: list[0]!.id, active: false });
  });
});
