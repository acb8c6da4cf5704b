// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { en } from '../../../src/renderer/i18n/en';
import { ar } from '../../../src/renderer/i18n/ar';
import { receiptFor } from '../../../src/renderer/lib/receipts';
import { MessageRow } from '../../../src/renderer/chat/MessageRow';
import { ChatView } from '../../../src/renderer/chat/ChatView';
import { Workspace } from '../../../src/renderer/workspace/Workspace';
import { ME, S, chatSession, fakeMain, msg, participant, wrap } from './fake-main';

// wavesurfer.js needs a canvas that jsdom lacks; these tests never look at the player.
vi.mock('wavesurfer.js', () => ({ default: { create: () => ({ on: () => () => {}, destroy() {}, getWrapper: () => document.createElement('div') }) } }));

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
      <ChatView client={main.client} profile={ME} sessionId={S} session={session} people={new Map()} visible focused={false} typingName={null} />
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
    expect(within(header).getByTestId('presence').getAttribute('title')).toBe('Karim: Online');

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
