// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { ChatMessage, ChatSession, OutboxItem, Profile } from '../../../src/shared/ipc/contract';
import { en } from '../../../src/renderer/i18n/en';
import { ar } from '../../../src/renderer/i18n/ar';
import { Composer } from '../../../src/renderer/chat/Composer';
import { MessageRow, PendingRow } from '../../../src/renderer/chat/MessageRow';
import { EmergencyAlerts } from '../../../src/renderer/emergencies/EmergencyAlerts';
import { ApprovalQueue } from '../../../src/renderer/reviews/ApprovalQueue';
import { Workspace } from '../../../src/renderer/workspace/Workspace';
import { fakeMain, wrap } from './fake-main';
import { playerFor } from '../../../src/renderer/audio/player';

// jsdom has no canvas or media elements: wavesurfer.js cannot draw here, so it is replaced by a
// recorder of what the player asked of it (the real one is exercised by the Playwright specs).
const waveCalls: { create: unknown[]; load: unknown[][] } = { create: [], load: [] };
vi.mock('wavesurfer.js', () => {
  class FakeWaveSurfer {
    private playing = false;
    static create(options: unknown) {
      waveCalls.create.push(options);
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
      return this.playing;
    }
    getCurrentTime() {
      return 0;
    }
    setPlaybackRate() {}
    setTime() {}
    async load(...args: unknown[]) {
      waveCalls.load.push(args);
    }
    async loadBlob(...args: unknown[]) {
      waveCalls.load.push(args);
    }
    async play() {
      this.playing = true;
    }
    pause() {
      this.playing = false;
    }
  }
  return { default: FakeWaveSurfer };
});

// The main process stands in as a table of answers (tests/unit/renderer/fake-main.tsx).


const S = '00000000-0000-4000-8000-0000000000a1';
const ME: Profile = { id: '00000000-0000-4000-8000-0000000000b1', displayName: 'Rana', role: 'reader', preferredLanguage: 'en' };
const msg = (extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id: '00000000-0000-4000-8000-0000000000c1', sessionId: S, senderId: ME.id, type: 'text', body: 'hello', storagePath: null, mimeType: null,
  sizeBytes: null, durationMs: null, waveform: null, replyTo: null, status: 'sent', clientMessageId: null, createdAt: '2026-01-01T10:00:00Z',
  editedAt: null, reviewedBy: null, reviewedAt: null, reviewReason: null, ...extra,
});
const outbox = (extra: Partial<OutboxItem> = {}): OutboxItem => ({
  clientMessageId: '00000000-0000-4000-8000-0000000000d1', job: 'message', sessionId: S, kind: 'text', body: 'queued text', fileName: null,
  mimeType: null, sizeBytes: null, durationMs: null, waveform: null, replyTo: null, createdAt: 1, state: 'queued', attempts: 0, lastError: null,
  serverMessageId: null, ...extra,
});

beforeEach(() => {
  waveCalls.create.length = 0;
  waveCalls.load.length = 0;
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('the composer', () => {
  it('sends on Enter, keeps Shift+Enter for a new line, signals typing and saves the draft', async () => {
    const main = fakeMain({ 'drafts.get': () => ({ body: 'saved draft', replyTo: null }), 'messages.sendText': () => outbox() });
    wrap(<Composer client={main.client} sessionId={S} disabled={false} replyTo={null} people={new Map()} onClearReply={() => {}} />);
    const box = screen.getByRole<HTMLTextAreaElement>('textbox', { name: en['composer.label'] });
    await waitFor(() => expect(box.value).toBe('saved draft'));
    fireEvent.change(box, { target: { value: 'line one' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(main.named('messages.sendText')).toHaveLength(0);
    expect(main.named('sessions.typing')).toHaveLength(1);
    await waitFor(() => expect(main.named('drafts.set').at(-1)?.input).toMatchObject({ sessionId: S, body: 'line one' }), { timeout: 2000 });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(main.named('messages.sendText')).toHaveLength(1));
    expect(main.named('messages.sendText')[0]!.input).toEqual({ sessionId: S, body: 'line one', replyTo: null });
    expect(box.value).toBe('');
  });

  it('keeps the text and shows the refusal in the composer, in the user language', async () => {
    const main = fakeMain({
      'drafts.get': () => ({ body: '', replyTo: null }),
      'messages.sendText': () => {
        throw { code: 'outbox.invalid_input', messageKey: 'outbox.error.invalid_input' };
      },
    });
    wrap(<Composer client={main.client} sessionId={S} disabled={false} replyTo={null} people={new Map()} onClearReply={() => {}} />, 'ar');
    const box = screen.getByRole<HTMLTextAreaElement>('textbox', { name: ar['composer.label'] });
    fireEvent.change(box, { target: { value: 'keep me' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect((await screen.findByTestId('composer-refusal')).textContent).toBe(ar['outbox.error.invalid_input']);
    expect(box.value).toBe('keep me');
  });

  it('refuses an attachment that is too large or of a refused type before queuing it', async () => {
    const main = fakeMain({ 'drafts.get': () => ({ body: '', replyTo: null }) });
    wrap(<Composer client={main.client} sessionId={S} disabled={false} replyTo={null} people={new Map()} onClearReply={() => {}} />);
    const input = screen.getByLabelText(en['composer.attach'], { selector: 'input' });
    fireEvent.change(input, { target: { files: [new File(['MZ'], 'tool.exe', { type: 'application/x-msdownload' })] } });
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'tool.exe: this type of file cannot be sent.');
    expect(main.named('messages.sendFile')).toHaveLength(0);
  });
});

describe('message rows', () => {
  it('label a pending voice note and a rejected one with its reason, and draw stored peaks without downloading', () => {
    const main = fakeMain({});
    const audio = msg({ type: 'audio', body: null, storagePath: `${S}/x/voice.webm`, mimeType: 'audio/webm', durationMs: 4200, waveform: [0.1, 0.9, 0.4] });
    wrap(
      <>
        <MessageRow client={main.client} profile={ME} message={{ ...audio, status: 'pending_approval' }} quoted={null} people={new Map()} onReply={() => {}} onError={() => {}} />
        <MessageRow client={main.client} profile={ME} message={{ ...audio, id: '00000000-0000-4000-8000-0000000000c2', status: 'rejected', reviewReason: 'Noise' }} quoted={null} people={new Map()} onReply={() => {}} onError={() => {}} />
      </>,
    );
    expect(screen.getByTestId('pending-approval').textContent).toBe('Pending approval');
    expect(screen.getByTestId('rejected').textContent).toBe('Rejected: Noise');
    expect(waveCalls.create[0]).toMatchObject({ peaks: [[0.1, 0.9, 0.4]], duration: 4.2 });
    expect(main.named('media.url').length + main.named('media.get').length).toBe(0);
  });

  it('loads the audio only when play is pressed', async () => {
    const main = fakeMain({ 'media.url': () => ({ url: 'http://127.0.0.1/media/k/a' }) });
    const audio = msg({ type: 'audio', body: null, storagePath: `${S}/x/voice.webm`, mimeType: 'audio/webm', durationMs: 1000, waveform: [0.5] });
    wrap(<MessageRow client={main.client} profile={ME} message={audio} quoted={null} people={new Map()} onReply={() => {}} onError={() => {}} />);
    // The waveform only draws: the console's one player (src/renderer/audio/player-store.ts) loads and plays the note.
    // jsdom implements no playback, so its media element's play/pause/load stand in as no-ops (the real element is
    // exercised in Chromium by tests/e2e/waiting-player.spec.ts).
    const play = vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(() => Promise.resolve());
    vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => {});
    vi.spyOn(HTMLMediaElement.prototype, 'load').mockImplementation(() => {});
    expect(main.named('media.url')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: en['audio.play'] }));
    await waitFor(() => expect(play).toHaveBeenCalledTimes(1));
    expect(main.named('media.url')).toHaveLength(1);
    expect(waveCalls.load).toHaveLength(0);
    expect(playerFor(main.client).getState().note).toMatchObject({ id: audio.id, sessionId: S, storagePath: audio.storagePath });
    playerFor(main.client).close();
    vi.restoreAllMocks();
  });

  it('show a quoted reply, and edit own text through messages.edit with typed errors', async () => {
    const onError = vi.fn();
    const main = fakeMain({
      'messages.edit': () => {
        throw { code: 'SA412', messageKey: 'chat.edit_window_passed' };
      },
    });
    const quoted = msg({ id: '00000000-0000-4000-8000-0000000000c9', senderId: 'other', body: 'the question' });
    wrap(
      <MessageRow client={main.client} profile={ME} message={msg({ replyTo: quoted.id })} quoted={quoted} people={new Map([['other', { id: 'other', displayName: 'Karim', role: 'client' }]])} onReply={() => {}} onError={onError} />,
    );
    expect(screen.getByTestId('reply-quote').textContent).toBe('Karim the question');
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    fireEvent.change(screen.getByRole('textbox', { name: en['message.editLabel'] }), { target: { value: 'better' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onError).toHaveBeenCalledWith({ code: 'SA412', messageKey: 'chat.edit_window_passed' }));
    expect(main.named('messages.edit')[0]!.input).toEqual({ messageId: msg().id, body: 'better' });
  });

  it('offer retry and cancel on a failed outbox entry, with the reason translated', async () => {
    const main = fakeMain({ 'messages.retry': () => outbox() });
    wrap(
      <PendingRow
        client={main.client}
        entry={outbox({ state: 'failed', lastError: { code: 'SA429', messageKey: 'chat.rate_limited', permanent: false } })}
        quoted={null}
        people={new Map()}
        onError={() => {}}
      />,
      'ar',
    );
    expect(screen.getByRole('alert').textContent).toBe(ar['chat.rate_limited']);
    fireEvent.click(screen.getByRole('button', { name: ar['common.retry'] }));
    fireEvent.click(screen.getByRole('button', { name: ar['common.cancel'] }));
    await waitFor(() => expect(main.named('messages.cancel')).toHaveLength(1));
    expect(main.named('messages.retry')[0]!.input).toEqual({ clientMessageId: outbox().clientMessageId });
  });
});

describe('emergency alerts', () => {
  it('open the modal from alerts.emergencies, play the siren once per command, and close when cleared', async () => {
    const played = vi.fn(async () => {});
    const paused = vi.fn();
    vi.stubGlobal(
      'Audio',
      class {
        currentTime = 0;
        constructor(readonly src: string) {}
        play = played;
        pause = paused;
      },
    );
    const main = fakeMain({ 'alerts.openEmergencies': () => ({ emergencies: [] }), 'emergencies.accept': () => ({}) });
    wrap(<EmergencyAlerts client={main.client} profile={ME} onOpenConsole={() => {}} />);
    const alert = { id: '00000000-0000-4000-8000-0000000000e1', sessionId: S, state: 'ringing', escalationLevel: 0, clientName: 'Karim', createdAt: '2026-01-01T00:00:00Z', lastAlertAt: '2026-01-01T00:00:00Z', alertCount: 1 };
    main.emit('alerts.emergencies', { emergencies: [alert], changedId: alert.id, reason: 'raised' });
    main.emit('alerts.siren', { action: 'play', sound: 'siren' });
    main.emit('alerts.siren', { action: 'play', sound: 'siren' });
    const dialog = screen.getByRole('alertdialog');
    expect(within(dialog).getByText('Karim')).toBeTruthy();
    expect(played).toHaveBeenCalledTimes(2);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Accept' }));
    await waitFor(() => expect(main.named('emergencies.accept')[0]?.input).toEqual({ callId: alert.id }));
    main.emit('alerts.siren', { action: 'stop', sound: 'siren' });
    expect(paused).toHaveBeenCalled();
    main.emit('alerts.emergencies', { emergencies: [], changedId: alert.id, reason: 'handled' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    vi.unstubAllGlobals();
  });
});

describe('the approval queue', () => {
  const MONITOR: Profile = { ...ME, id: '00000000-0000-4000-8000-0000000000b9', role: 'monitor' };
  const note = (id: string, createdAt: string) =>
    msg({ id, type: 'audio', body: null, status: 'pending_approval', storagePath: `${S}/${id}/v.webm`, mimeType: 'audio/webm', durationMs: 2000, waveform: [0.2], createdAt, senderId: ME.id });
  const first = note('00000000-0000-4000-8000-0000000000f1', '2026-01-01T10:00:00Z');
  const second = note('00000000-0000-4000-8000-0000000000f2', '2026-01-01T09:00:00Z');

  it('lists oldest first; A approves, R asks for a reason, J/K move; another reviewer deciding removes the item', async () => {
    const main = fakeMain({
      'reviews.pending': () => ({ messages: [first, second] }),
      'reviews.packs': () => ({ packs: [] }),
      'reviews.decide': (input: { messageId: string }) => {
        if (input.messageId === first.id) throw { code: 'SA443', messageKey: 'review.already_decided' };
        return { via: 'server', message: { ...second, status: 'approved' } };
      },
    });
    wrap(<ApprovalQueue client={main.client} selfId={MONITOR.id} people={new Map([[ME.id, { id: ME.id, displayName: 'Rana', role: 'reader' }]])} sessions={[] as ChatSession[]} />);
    const queue = screen.getByTestId('approval-queue');
    await waitFor(() => expect(screen.getAllByTestId('review-item')).toHaveLength(2));
    expect(screen.getAllByTestId('review-item')[0]!.getAttribute('aria-current')).toBe('true');
    expect(screen.getAllByTestId('review-item')[0]!.textContent).toContain('From Rana');

    // R opens the reason dialog; a blank reason is refused in place.
    fireEvent.keyDown(queue, { key: 'r' });
    const dialog = screen.getByRole('dialog', { name: en['approvals.rejectTitle'] });
    fireEvent.click(within(dialog).getByRole('button', { name: en['approvals.confirmReject'] }));
    expect(within(dialog).getByRole('alert').textContent).toBe(en['review.reason_required']);
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();

    // The oldest (second) is current: A approves it on the server at once.
    fireEvent.keyDown(queue, { key: 'a' });
    await waitFor(() => expect(screen.getAllByTestId('review-item')).toHaveLength(1));
    expect(main.named('reviews.decide')[0]!.input).toEqual({ messageId: second.id, decision: 'approve' });

    // Someone else decided the other one first.
    fireEvent.keyDown(queue, { key: 'a' });
    expect(await screen.findByTestId('review-taken')).toHaveProperty('textContent', 'Already decided by someone else.');
    expect(screen.queryAllByTestId('review-item')).toHaveLength(0);

    // A note decided elsewhere disappears live; a new pending one appears.
    main.emit('messages.changed', { messages: [first] });
    expect(screen.getAllByTestId('review-item')).toHaveLength(1);
    main.emit('messages.changed', { messages: [{ ...first, status: 'rejected' }] });
    expect(screen.queryAllByTestId('review-item')).toHaveLength(0);
  });
});

describe('the workspace', () => {
  const session = (id: string, name: string, unread: number, type: ChatSession['type'] = 'support'): ChatSession => ({
    id, type, status: 'active', bookingId: null, lastMessageAt: '2026-01-01T10:00:00Z', createdAt: '2026-01-01T09:00:00Z', unreadCount: unread, lastReadAt: null,
    participants: [
      { userId: ME.id, displayName: 'Rana', role: 'reader', roleInSession: 'reader', availability: 'online', lastReadAt: null },
      { userId: `u-${id}`, displayName: name, role: 'client', roleInSession: 'client', availability: 'offline', lastReadAt: null },
    ],
  });
  const A = '00000000-0000-4000-8000-00000000aaa1';
  const B = '00000000-0000-4000-8000-00000000aaa2';

  it('lists sessions with unread counts, emergency badges and typing; opens tabs; Ctrl+K switches; reports what is visible', async () => {
    const main = fakeMain({
      'sessions.list': () => ({ sessions: [session(A, 'Karim', 2), session(B, 'Laila', 0, 'emergency')] }),
      'messages.page': () => ({ messages: [], pending: [] }),
      'drafts.get': () => ({ body: '', replyTo: null }),
      'alerts.openEmergencies': () => ({ emergencies: [] }),
    });
    wrap(<Workspace client={main.client} profile={ME} />);
    const items = await screen.findAllByTestId('session-item');
    expect(items.map((i) => i.textContent)).toEqual([expect.stringContaining('Laila'), expect.stringContaining('Karim')]);
    expect(within(items[0]!).getAllByText('Emergency').some((el) => el.classList.contains('badge--danger'))).toBe(true);
    expect(within(items[1]!).getByTestId('unread-count').textContent).toBe('2');

    main.emit('sessions.typing', { sessionId: A, userId: `u-${A}` });
    expect(within(items[1]!).getByTestId('typing-indicator').textContent).toBe('Karim is typing…');

    fireEvent.click(items[1]!);
    await waitFor(() => expect(main.named('app.setViewState').at(-1)?.input).toMatchObject({ visibleSessionId: A }));
    expect(screen.getByRole('tab', { name: /Karim/ })).toBeTruthy();

    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const switcher = screen.getByRole('dialog', { name: en['switcher.title'] });
    fireEvent.change(within(switcher).getByRole('textbox'), { target: { value: 'lai' } });
    fireEvent.keyDown(within(switcher).getByRole('textbox'), { key: 'Enter' });
    await waitFor(() => expect(main.named('app.setViewState').at(-1)?.input).toMatchObject({ visibleSessionId: B }));
    expect(screen.queryByRole('dialog')).toBeNull();
    // Both sessions stay open as tabs, each with its own composer.
    expect(screen.getAllByRole('tab', { name: /Karim|Laila/ })).toHaveLength(2);

    fireEvent.keyDown(window, { key: 'l', ctrlKey: true });
    await waitFor(() => expect(document.activeElement?.getAttribute('data-composer')).not.toBeNull());
    expect(document.activeElement?.closest('.chat-view')?.getAttribute('data-session-id')).toBe(B);

    fireEvent.keyDown(window, { key: 'ArrowDown', altKey: true });
    await waitFor(() => expect(main.named('app.setViewState').at(-1)?.input).toMatchObject({ visibleSessionId: A }));
    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('a session view', () => {
  it('pages older history with a keyset cursor when scrolled to the top, merging live changes by id', async () => {
    const { ChatView } = await import('../../../src/renderer/chat/ChatView');
    const page = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => {
        const n = from - i;
        return msg({ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, body: `m${n}`, createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString() });
      });
    const main = fakeMain({
      'messages.page': (input: { before?: { id: string } }) => ({ messages: input.before ? page(49, 50) : page(99, 50), pending: [outbox()] }),
      'drafts.get': () => ({ body: '', replyTo: null }),
    });
    const { container } = wrap(
      <ChatView client={main.client} profile={ME} sessionId={S} session={null} label={null} people={new Map()} visible focused={false} typingName={null} />,
    );
    await screen.findByText('m50');
    const list = screen.getByRole('log');
    fireEvent.scroll(list);
    await waitFor(() => expect(main.named('messages.page')).toHaveLength(2));
    expect(main.named('messages.page')[1]!.input).toEqual({
      sessionId: S,
      before: { createdAt: new Date(Date.UTC(2026, 0, 1, 0, 50)).toISOString(), id: '00000000-0000-4000-8000-000000000050' },
      limit: 50,
    });
    // The older page is merged in front, and the reader's place kept (here, jsdom has no layout: the top).
    expect(await screen.findByText('m0')).toBeTruthy();
    // A live edit replaces the row with the same id.
    main.emit('messages.changed', { messages: [msg({ id: '00000000-0000-4000-8000-000000000000', body: 'm0 edited', createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0)).toISOString() })] });
    expect(await screen.findByText('m0 edited')).toBeTruthy();
    expect(container.querySelectorAll('[data-message-id="00000000-0000-4000-8000-000000000000"]')).toHaveLength(1);
    // Not focused: nothing is marked read.
    expect(main.named('sessions.markRead')).toHaveLength(0);
  });
});
