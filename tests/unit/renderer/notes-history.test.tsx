// @vitest-environment jsdom
// Internal notes and client history in the renderer: the Note mode (offered to readers and staff only, styled apart,
// its own text, no typing signal, @mentions), a note in the list, and the history panel beside the conversation.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { en } from '../../../src/renderer/i18n/en';
import { ar } from '../../../src/renderer/i18n/ar';
import { Composer } from '../../../src/renderer/chat/Composer';
import { MessageRow } from '../../../src/renderer/chat/MessageRow';
import { ChatView } from '../../../src/renderer/chat/ChatView';
import { ClientHistoryPanel, lastReadingAt } from '../../../src/renderer/chat/ClientHistoryPanel';
import type { ClientHistorySession, Profile } from '../../../src/shared/ipc/contract';
import { chatSession, fakeMain, ME, msg, participant, S, wrap } from './fake-main';

afterEach(cleanup);

const MONITOR = '00000000-0000-4000-8000-0000000000e1';
const CLIENT = '00000000-0000-4000-8000-0000000000f1';
const OTHER_SESSION = '00000000-0000-4000-8000-0000000000a2';

const history = (extra: Partial<ClientHistorySession> = {}): ClientHistorySession => ({
  sessionId: OTHER_SESSION, type: 'booking', status: 'ended', createdAt: '2026-11-01T10:00:00Z', lastActivityAt: '2026-11-02T10:00:00Z',
  readers: [{ userId: 'r2', displayName: 'Reader Two' }], tookPart: false, ...extra,
});

const noteMain = (extra: Record<string, (input: never) => unknown> = {}) =>
  fakeMain({
    'drafts.get': () => ({ body: '', replyTo: null }),
    'notes.mentionCandidates': () => ({ people: [{ id: MONITOR, displayName: 'Mona', role: 'monitor' }] }),
    'notes.add': (input: { body: string }) => msg({ type: 'note', body: input.body }),
    ...extra,
  });

describe('the Note mode of the composer', () => {
  it('is not offered where the user may not write notes (a client)', () => {
    const main = noteMain();
    wrap(<Composer client={main.client} sessionId={S} disabled={false} replyTo={null} people={new Map()} onClearReply={() => {}} />);
    expect(screen.queryByTestId('note-mode')).toBeNull();
  });

  it('is labelled and styled apart, keeps its own text, sends no typing, and sends the note with its mentions', async () => {
    const main = noteMain();
    wrap(<Composer client={main.client} sessionId={S} disabled={false} replyTo={null} people={new Map()} onClearReply={() => {}} canWriteNotes />);
    fireEvent.change(screen.getByLabelText(en['composer.label']), { target: { value: 'a message for the client' } });
    const typingBefore = main.named('sessions.typing').length;
    fireEvent.click(screen.getByTestId('note-mode'));
    const note = await screen.findByTestId('note-composer');
    expect(note.className).toContain('composer--note');
    expect(within(note).getByRole('note').textContent).toContain(en['note.label']);
    const area = within(note).getByLabelText(en['message.kind.note']) as HTMLTextAreaElement;
    expect(area.value).toBe('');
    await waitFor(() => expect(main.named('notes.mentionCandidates')).toHaveLength(1));
    fireEvent.change(area, { target: { value: 'Client asks about love spreads, @' } });
    fireEvent.click(within(await screen.findByTestId('note-mention-list')).getByRole('button', { name: '@Mona' }));
    expect(area.value).toBe('Client asks about love spreads, @Mona ');
    expect(screen.getByTestId('note-mentioned').textContent).toBe('Mentioned: Mona');
    fireEvent.keyDown(area, { key: 'Enter' });
    await waitFor(() => expect(main.named('notes.add')).toHaveLength(1));
    expect(main.named('notes.add')[0]!.input).toEqual({ sessionId: S, body: 'Client asks about love spreads, @Mona ', mentions: [MONITOR] });
    await waitFor(() => expect(area.value).toBe(''));
    // The note never went near the message path: no typing signal, no draft, no outbox.
    expect(main.named('sessions.typing')).toHaveLength(typingBefore);
    expect(main.named('messages.sendText')).toHaveLength(0);
    expect(main.calls.filter((c) => c.name === 'drafts.set' && JSON.stringify(c.input).includes('love spreads'))).toHaveLength(0);
    fireEvent.click(screen.getByTestId('note-mode-off'));
    expect((screen.getByLabelText(en['composer.label']) as HTMLTextAreaElement).value).toBe('a message for the client');
  });

  it('drops a mention whose name was deleted from the text, and shows a refusal in the user language', async () => {
    const main = noteMain({
      'notes.add': () => {
        throw { code: 'SA562', messageKey: 'note.invalid_mention', params: {} };
      },
    });
    wrap(<Composer client={main.client} sessionId={S} disabled={false} replyTo={null} people={new Map()} onClearReply={() => {}} canWriteNotes />, 'ar');
    fireEvent.click(screen.getByTestId('note-mode'));
    const area = (await screen.findByLabelText(ar['message.kind.note'])) as HTMLTextAreaElement;
    await waitFor(() => expect(main.named('notes.mentionCandidates')).toHaveLength(1));
    fireEvent.change(screen.getByTestId('note-mention-picker'), { target: { value: MONITOR } });
    expect(area.value).toBe('@Mona ');
    fireEvent.change(area, { target: { value: 'no mention after all' } });
    fireEvent.click(screen.getByRole('button', { name: ar['note.send'] }));
    expect((await screen.findByTestId('note-refusal')).textContent).toBe(ar['note.invalid_mention']);
    expect(main.named('notes.add')[0]!.input).toMatchObject({ mentions: [] });
  });
});

describe('a note in the conversation', () => {
  it('is labelled as internal and never looks like a message', () => {
    const main = noteMain();
    wrap(<MessageRow client={main.client} profile={ME} message={msg({ type: 'note', body: 'Prefers evening readings' })} quoted={null} people={new Map()} onReply={() => {}} onError={() => {}} />);
    const row = screen.getByTestId('internal-note');
    expect(row.className).toContain('message--note');
    expect(row.textContent).toContain(en['note.label']);
    expect(row.textContent).toContain('Prefers evening readings');
  });
});

describe('the client history panel', () => {
  it("lists the client's sessions (this one marked), their last reading, and the notes", async () => {
    const main = fakeMain({
      'history.client': () => ({
        sessions: [history({ sessionId: S, status: 'active', tookPart: true, lastActivityAt: '2026-12-01T10:00:00Z', readers: [{ userId: ME.id, displayName: 'Rana' }] }), history()],
        notes: [msg({ type: 'note', body: 'Asked for a follow-up in January' })],
      }),
    });
    wrap(<ClientHistoryPanel client={main.client} sessionId={S} clientId={CLIENT} people={new Map([[ME.id, { id: ME.id, displayName: 'Rana', role: 'reader' }]])} />);
    const sessions = await screen.findAllByTestId('history-session');
    expect(sessions.map((s) => s.getAttribute('data-session-id'))).toEqual([S, OTHER_SESSION]);
    expect(sessions[0]!.textContent).toContain(en['history.current']);
    expect(sessions[1]!.textContent).toContain('with Reader Two');
    expect(screen.getByTestId('history-last-reading').textContent).toMatch(/^Last reading: /);
    expect(screen.getByTestId('history-note').textContent).toContain('Asked for a follow-up in January');
    expect(main.named('history.client')[0]!.input).toEqual({ clientId: CLIENT });
  });

  it('says why when the server refuses', async () => {
    const main = fakeMain({
      'history.client': () => {
        throw { code: 'SA563', messageKey: 'history.client_not_found', params: {} };
      },
    });
    wrap(<ClientHistoryPanel client={main.client} sessionId={S} clientId={CLIENT} people={new Map()} />);
    expect((await screen.findByRole('alert')).textContent).toBe(en['history.client_not_found']);
  });

  it('dates the last reading by the newest other session with a reader', () => {
    expect(lastReadingAt([history({ sessionId: S, lastActivityAt: '2026-12-01T00:00:00Z' }), history(), history({ sessionId: 'x', readers: [], lastActivityAt: '2026-11-30T00:00:00Z' })], S)).toBe('2026-11-02T10:00:00Z');
    expect(lastReadingAt([history({ sessionId: S })], S)).toBeNull();
  });
});

describe('the conversation offers notes and history to the reader and staff only', () => {
  const session = chatSession(S, [participant(CLIENT, 'Karim'), participant(ME.id, 'Rana', { role: 'reader', roleInSession: 'reader' })]);
  const main = () =>
    noteMain({ 'messages.page': () => ({ messages: [], pending: [] }), 'history.client': () => ({ sessions: [history()], notes: [] }) });

  it("the session's reader gets the Note mode and the panel", async () => {
    const m = main();
    localStorage.clear();
    const first = wrap(<ChatView client={m.client} profile={ME} sessionId={S} session={session} label={null} people={new Map()} visible focused={false} typingName={null} />);
    expect(await screen.findByTestId('note-mode')).toBeTruthy();
    expect(screen.queryByTestId('client-history')).toBeNull();
    fireEvent.click(screen.getByTestId('history-toggle'));
    expect(await screen.findByTestId('client-history')).toBeTruthy();
    first.unmount();
    // Remembered: the next conversation opens with the panel.
    wrap(<ChatView client={m.client} profile={ME} sessionId={S} session={session} label={null} people={new Map()} visible focused={false} typingName={null} />);
    expect(await screen.findByTestId('client-history')).toBeTruthy();
    fireEvent.click(screen.getByTestId('history-toggle'));
    expect(screen.queryByTestId('client-history')).toBeNull();
    localStorage.clear();
  });

  it('the client gets neither', async () => {
    const m = main();
    const client: Profile = { id: CLIENT, displayName: 'Karim', role: 'client', preferredLanguage: 'en' };
    wrap(<ChatView client={m.client} profile={client} sessionId={S} session={session} label={null} people={new Map()} visible focused={false} typingName={null} />);
    await waitFor(() => expect(m.named('messages.page')).toHaveLength(1));
    expect(screen.queryByTestId('note-mode')).toBeNull();
    expect(screen.queryByTestId('client-history')).toBeNull();
    expect(m.named('history.client')).toHaveLength(0);
  });
});
