// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { en } from '../../../src/renderer/i18n/en';
import { ar } from '../../../src/renderer/i18n/ar';
import { receiptFor } from '../../../src/renderer/lib/receipts';
import { MessageRow } from '../../../src/renderer/chat/MessageRow';
import { ChatView } from '../../../src/renderer/chat/ChatView';
import { Workspace } from '../../../src/renderer/workspace/Workspace';
import { Composer } from '../../../src/renderer/chat/Composer';
import { VoiceRecorder } from '../../../src/renderer/chat/VoiceRecorder';
import { MicrophoneSettings } from '../../../src/renderer/settings/MicrophoneSettings';
import { limitsFromSettings, FALLBACK_LIMITS } from '../../../src/renderer/lib/limits';
import { ME, S, chatSession, fakeMain, msg, participant, wrap } from './fake-main';

// wavesurfer.js needs a canvas that jsdom lacks; these tests never look at the player.
vi.mock('wavesurfer.js', () => ({ default: { create: () => ({ on: () => () => {}, destroy() {}, getWrapper: () => document.createElement('div'), getRenderer: () => ({ renderProgress() {} }) }) } }));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

const KARIM = '00000000-0000-4000-8000-0000000000b2';
const MONA = '00000000-0000-4000-8000-0000000000b3';
const self = participant(ME.id, 'Rana', { role: 'reader', roleInSession: 'reader', lastReadAt: '2026-01-01T12:00:00Z' });

describe('read receipts', () => {
  it('say sent until every other participant has read past the message, then read with the latest read time', () => {
    const sent = msg({ createdAt: '2026-01-01T10:00:00Z' });
    const none = chatSession(S, [self, participant(KARIM, 'Karim', { lastReadAt: '2026-01-01T09:59:59Z' }), participant(MONA, 'Mona', { role: 'monitor', roleInSession: 'staff' })]);
    expect(receiptFor(sent, none, ME.id)).toEqual({ state: 'sent' });
    const some = chatSession(S, [self, participant(KARIM, 'Karim', { lastReadAt: '2026-01-01T10:00:00Z' }), participant(MONA, 'Mona', { roleInSession: 'staff' })]);
    expect(receiptFor(sent, some, ME.id)).toEqual({ state: 'partial', readers: 1, of: 2 });
    const all = chatSession(S, [self, participant(KARIM, 'Karim', { lastReadAt: '2026-01-01T10:00:00Z' }), participant(MONA, 'Mona', { lastReadAt: '2026-01-01T10:05:00.000Z' })]);
    expect(receiptFor(sent, all, ME.id)).toEqual({ state: 'read', readAt: '2026-01-01T10:05:00.000Z' });
  });

  it('are not shown on others’ messages, on notes still pending or rejected, or with nobody else in the session', () => {
    const read = chatSession(S, [self, participant(KARIM, 'Karim', { lastReadAt: '2026-02-01T00:00:00Z' })]);
    expect(receiptFor(msg({ senderId: KARIM }), read, ME.id)).toBeNull();
    expect(receiptFor(msg({ type: 'audio', status: 'pending_approval' }), read, ME.id)).toBeNull();
    expect(receiptFor(msg({ type: 'audio', status: 'rejected' }), read, ME.id)).toBeNull();
    expect(receiptFor(msg({ type: 'audio', status: 'approved' }), read, ME.id)).toMatchObject({ state: 'read' });
    expect(receiptFor(msg(), chatSession(S, [self]), ME.id)).toBeNull();
    expect(receiptFor(msg(), null, ME.id)).toBeNull();
  });

  it('render on the row, translated, with the read time in the title', () => {
    const main = fakeMain({});
    wrap(<MessageRow client={main.client} profile={ME} message={msg()} quoted={null} people={new Map()} receipt={{ state: 'read', readAt: '2026-01-01T10:05:00Z' }} onReply={() => {}} onError={() => {}} />, 'ar');
    const mark = screen.getByTestId('receipt');
    expect(mark.textContent).toBe(ar['receipt.read']);
    expect(mark.getAttribute('title')).toMatch(/^قُرئت بحلول /);
  });

  it('turn from sent to read when the session is listed again after a read receipt', async () => {
    const main = fakeMain({ 'messages.page': () => ({ messages: [msg({ body: 'the cards' })], pending: [] }), 'drafts.get': () => ({ body: '', replyTo: null }) });
    const before = chatSession(S, [self, participant(KARIM, 'Karim')]);
    const view = (session: typeof before) => (
      <ChatView client={main.client} profile={ME} sessionId={S} session={session} label={null} people={new Map()} visible focused={false} typingName={null} />
    );
    const { rerender } = wrap(view(before));
    const row = (await screen.findByText('the cards')).closest('article')!;
    expect(within(row).getByTestId('receipt').textContent).toBe(en['receipt.sent']);
    // The workspace refetches sessions.list on sessions.changed (that is how read receipts arrive) and passes the session down.
    const after = chatSession(S, [self, participant(KARIM, 'Karim', { lastReadAt: '2026-01-01T10:00:01Z' })]);
    rerender(view(after));
    await waitFor(() => expect(within(row).getByTestId('receipt').textContent).toBe(en['receipt.read']));
  });
});

describe('presence', () => {
  const A = '00000000-0000-4000-8000-00000000aaa1';

  it('shows the other participants’ availability in the sidebar and the chat header, live on sessions.changed, and switches the user’s own', async () => {
    let karim = participant(KARIM, 'Karim', { availability: 'online' });
    const main = fakeMain({
      'sessions.list': () => ({ sessions: [chatSession(A, [participant(ME.id, 'Rana', { role: 'reader', roleInSession: 'reader', availability: 'busy' }), karim])] }),
      'accounts.list': () => ({ people: [] }),
      'messages.page': () => ({ messages: [], pending: [] }),
      'drafts.get': () => ({ body: '', replyTo: null }),
      'alerts.openEmergencies': () => ({ emergencies: [] }),
      'profile.setAvailability': () => ME,
    });
    wrap(<Workspace client={main.client} profile={ME} />);
    const item = await screen.findByTestId('session-item');
    expect(within(item).getByTestId('presence').dataset.availability).toBe('online');
    expect(within(item).getByTestId('presence').textContent).toBe(en['availability.online']);
    // Only the others: the user's own presence is the switch in the bar.
    expect(within(item).getAllByTestId('presence')).toHaveLength(1);

    fireEvent.click(item);
    const header = (await screen.findByRole('heading', { name: 'Karim', level: 3 })).closest('header')!;
    // A tooltip is a plain string: the name is isolated with FSI…PDI so its direction stays its own.
    expect(within(header).getByTestId('presence').getAttribute('title')).toBe('\u2068Karim\u2069: Online');

    karim = { ...karim, availability: 'away' };
    main.emit('sessions.changed', { sessionId: A });
    await waitFor(() => expect(within(header).getByTestId('presence').dataset.availability).toBe('away'));
    expect(within(item).getByTestId('presence').textContent).toBe(en['availability.away']);

    const mine = screen.getByRole<HTMLSelectElement>('combobox', { name: en['presence.mine'] });
    expect(mine.value).toBe('busy');
    fireEvent.change(mine, { target: { value: 'away' } });
    await waitFor(() => expect(main.named('profile.setAvailability')).toHaveLength(1));
    expect(main.named('profile.setAvailability')[0]!.input).toEqual({ availability: 'away' });
    await waitFor(() => expect(mine.value).toBe('away'));
  });

  it('is translated in Arabic', async () => {
    const main = fakeMain({
      'sessions.list': () => ({ sessions: [chatSession(A, [participant(ME.id, 'Rana'), participant(KARIM, 'Karim', { availability: 'offline' })])] }),
      'accounts.list': () => ({ people: [] }),
      'alerts.openEmergencies': () => ({ emergencies: [] }),
    });
    wrap(<Workspace client={main.client} profile={ME} />, 'ar');
    const item = await screen.findByTestId('session-item');
    expect(within(item).getByTestId('presence').textContent).toBe(ar['availability.offline']);
  });
});

/**
 * jsdom has no MediaRecorder, Web Audio or capture devices: these stand-ins record what the recorder asks of
 * them and hand back a recording of a chosen size and length (the real ones run in the Playwright specs with
 * Chromium's fake capture device).
 */
function fakeMediaStack({ bytes = 10, seconds = 2 } = {}) {
  const getUserMedia = vi.fn(async () => ({ getTracks: () => [{ stop() {} }] }));
  class FakeRecorder {
    state: 'inactive' | 'recording' | 'paused' = 'inactive';
    ondataavailable: ((e: { data: Blob }) => void) | null = null;
    onstop: (() => void) | null = null;
    static isTypeSupported = () => true;
    start() {
      this.state = 'recording';
    }
    stop() {
      this.state = 'inactive';
      this.ondataavailable?.({ data: new Blob([new Uint8Array(bytes)], { type: 'audio/webm' }) });
      this.onstop?.();
    }
    pause() {
      this.state = 'paused';
    }
    resume() {
      this.state = 'recording';
    }
  }
  class FakeAudioContext {
    createAnalyser = () => ({ fftSize: 0, getFloatTimeDomainData() {} });
    createMediaStreamSource = () => ({ connect() {} });
    decodeAudioData = async () => ({ duration: seconds, numberOfChannels: 1, getChannelData: () => new Float32Array(400).fill(0.5) });
    close = async () => {};
  }
  vi.stubGlobal('MediaRecorder', FakeRecorder);
  vi.stubGlobal('AudioContext', FakeAudioContext);
  Object.defineProperty(navigator, 'mediaDevices', {
    configurable: true,
    value: {
      getUserMedia,
      enumerateDevices: async () => [
        { kind: 'videoinput', deviceId: 'cam', label: 'Camera' },
        { kind: 'audioinput', deviceId: 'mic-a', label: 'Desk microphone' },
        { kind: 'audioinput', deviceId: 'mic-b', label: 'Headset' },
      ],
      addEventListener() {},
      removeEventListener() {},
    },
  });
  return { getUserMedia };
}

describe('limits from the server', () => {
  const MB = 1024 * 1024;

  it('are read from settings.get by key, keeping the fallback for a missing or malformed one', () => {
    const limits = limitsFromSettings({
      'console.audio.max_duration_ms': 3_600_000,
      'console.image.max_size_bytes': 2 * MB,
      'console.file.max_size_bytes': 'lots',
      'console.file.mime_types': ['application/pdf'],
    });
    expect(limits).toMatchObject({ audioMaxDurationMs: 3_600_000, imageMaxBytes: 2 * MB, fileMaxBytes: FALLBACK_LIMITS.fileMaxBytes, fromServer: true });
    expect([...limits.fileMimeTypes]).toEqual(['application/pdf']);
    expect(limits.imageMimeTypes).toBe(FALLBACK_LIMITS.imageMimeTypes);
  });

  it('check attachments against the server’s size and type lists, with a translated error naming the limit', async () => {
    const main = fakeMain({
      'drafts.get': () => ({ body: '', replyTo: null }),
      'settings.get': () => ({ settings: { 'console.image.max_size_bytes': 2 * MB, 'console.file.mime_types': ['application/pdf'] } }),
    });
    wrap(<Composer client={main.client} sessionId={S} disabled={false} replyTo={null} people={new Map()} onClearReply={() => {}} />);
    await waitFor(() => expect(main.named('settings.get')).toHaveLength(1));
    const input = screen.getByLabelText(en['composer.attach'], { selector: 'input' });
    // 3 MB passes the 20 MB fallback, but not the server's 2 MB for images.
    fireEvent.change(input, { target: { files: [new File([new Uint8Array(3 * MB)], 'spread.png', { type: 'image/png' })] } });
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'spread.png is larger than the 2 MB allowed.');
    // text/plain is in the fallback list but not in the server's.
    fireEvent.change(input, { target: { files: [new File(['notes'], 'notes.txt', { type: 'text/plain' })] } });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('notes.txt: this type of file cannot be sent.'));
    expect(main.named('messages.sendFile')).toHaveLength(0);
  });

  it('say the limit in Arabic', async () => {
    const main = fakeMain({ 'drafts.get': () => ({ body: '', replyTo: null }), 'settings.get': () => ({ settings: { 'console.image.max_size_bytes': 512 * 1024 } }) });
    wrap(<Composer client={main.client} sessionId={S} disabled={false} replyTo={null} people={new Map()} onClearReply={() => {}} />, 'ar');
    await waitFor(() => expect(main.named('settings.get')).toHaveLength(1));
    fireEvent.change(screen.getByLabelText(ar['composer.attach'], { selector: 'input' }), { target: { files: [new File([new Uint8Array(MB)], 'spread.png', { type: 'image/png' })] } });
    expect((await screen.findByRole('alert')).textContent).toBe('حجم spread.png أكبر من الحد المسموح (٥١٢ كيلوبايت).');
  });

  it('cap a recording at the server’s maximum duration, and say so', async () => {
    fakeMediaStack({ seconds: 0.7 });
    const main = fakeMain({ 'drafts.get': () => ({ body: '', replyTo: null }), 'settings.get': () => ({ settings: { 'console.audio.max_duration_ms': 1000 } }) });
    wrap(<Composer client={main.client} sessionId={S} disabled={false} replyTo={null} people={new Map()} onClearReply={() => {}} />);
    await waitFor(() => expect(main.named('settings.get')).toHaveLength(1));
    fireEvent.click(screen.getByRole('button', { name: en['voice.record'] }));
    expect((await screen.findByTestId('recording-time')).textContent).toBe('0:00 / 0:01');
    // Nobody presses Stop: the recorder stops itself before the maximum.
    expect((await screen.findByTestId('voice-reached-max', {}, { timeout: 3000 })).textContent).toBe('Recording stopped at the maximum length (0:01).');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: en['voice.send'] }).disabled).toBe(false);
  });

  it('refuse to send a note over the size limit, with the reason', async () => {
    fakeMediaStack({ bytes: 4096, seconds: 2 });
    const onSend = vi.fn(async () => true);
    const main = fakeMain({});
    wrap(<VoiceRecorder client={main.client} onSend={onSend} disabled={false} maxDurationMs={60_000} maxBytes={1024} />);
    fireEvent.click(screen.getByRole('button', { name: en['voice.record'] }));
    fireEvent.click(await screen.findByRole('button', { name: en['voice.stop'] }));
    expect((await screen.findByTestId('voice-over-limit')).textContent).toBe('This voice note is larger than the 1 KB allowed. Record a shorter one.');
    const send = screen.getByRole<HTMLButtonElement>('button', { name: en['voice.send'] });
    expect(send.disabled).toBe(true);
    fireEvent.click(send);
    expect(onSend).not.toHaveBeenCalled();
  });
});

describe('the microphone choice', () => {
  it('lists the audio inputs, remembers the chosen one, and the recorder asks for it', async () => {
    const { getUserMedia } = fakeMediaStack();
    wrap(<MicrophoneSettings />);
    const select = await screen.findByRole<HTMLSelectElement>('combobox', { name: en['mic.input'] });
    expect([...select.options].map((o) => o.textContent)).toEqual([en['mic.systemDefault'], 'Desk microphone', 'Headset']);
    fireEvent.change(select, { target: { value: 'mic-b' } });
    expect(localStorage.getItem('samia.microphone')).toBe('mic-b');
    cleanup();

    const main = fakeMain({});
    wrap(<VoiceRecorder client={main.client} onSend={async () => true} disabled={false} />);
    fireEvent.click(screen.getByRole('button', { name: en['voice.record'] }));
    await screen.findByTestId('recording-time');
    expect(getUserMedia).toHaveBeenCalledWith({ audio: { deviceId: 'mic-b' } });
  });

  it('falls back to the default input when none was chosen, and says when the chosen one is unplugged', async () => {
    const { getUserMedia } = fakeMediaStack();
    const main = fakeMain({});
    wrap(<VoiceRecorder client={main.client} onSend={async () => true} disabled={false} />);
    fireEvent.click(screen.getByRole('button', { name: en['voice.record'] }));
    await screen.findByTestId('recording-time');
    expect(getUserMedia).toHaveBeenCalledWith({ audio: true });
    cleanup();

    localStorage.setItem('samia.microphone', 'gone');
    wrap(<MicrophoneSettings />, 'ar');
    expect(await screen.findByText(ar['mic.missing'])).toBeTruthy();
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: ar['mic.input'] }).value).toBe('gone');
  });
});
