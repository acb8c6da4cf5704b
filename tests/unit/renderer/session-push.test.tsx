// @vitest-environment jsdom
// A pushed session row is merged into the sidebar without reloading the list: the work per event must not grow
// with the number of sessions (issue 15, busy platform).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { Workspace } from '../../../src/renderer/workspace/Workspace';
import { ME, chatSession, fakeMain, participant, wrap } from './fake-main';
import type * as SessionLabels from '../../../src/renderer/workspace/session-labels';

// Counts the sidebar rows drawn: each row draws its last-message preview once per render.
const previewRenders = vi.hoisted(() => [] as string[]);
vi.mock('../../../src/renderer/workspace/session-labels', async (importOriginal) => {
  const actual = await importOriginal<typeof SessionLabels>();
  return {
    ...actual,
    LastMessagePreview: (props: Parameters<typeof actual.LastMessagePreview>[0]) => {
      previewRenders.push(props.session.id);
      return actual.LastMessagePreview(props);
    },
  };
});
vi.mock('wavesurfer.js', () => ({ default: { create: () => ({ on: () => () => {}, destroy() {}, getWrapper: () => document.createElement('div'), getRenderer: () => ({ renderProgress() {} }) }) } }));

afterEach(() => cleanup());

const A = '00000000-0000-4000-8000-00000000aaa1';
const B = '00000000-0000-4000-8000-00000000aaa2';
const C = '00000000-0000-4000-8000-00000000aaa3';
const people = (name: string) => [participant(ME.id, 'Rana', { role: 'reader', roleInSession: 'reader' }), participant(`00000000-0000-4000-8000-0000000001${name.length}0`, name)];

describe('a pushed session row', () => {
  it('updates the sidebar without asking for the list again; a change without a row still refetches it', async () => {
    const main = fakeMain({
      'sessions.list': () => ({ sessions: [chatSession(A, people('Karim')), chatSession(B, people('Mona'))] }),
      'accounts.list': () => ({ people: [] }),
      'alerts.openEmergencies': () => ({ emergencies: [] }),
    });
    wrap(<Workspace client={main.client} profile={ME} />);
    await waitFor(() => expect(screen.getAllByTestId('session-item')).toHaveLength(2));
    const lists = main.named('sessions.list').length;

    main.emit('sessions.changed', { sessionId: A, session: chatSession(A, people('Karim'), { unreadCount: 7, lastMessageAt: '2026-01-02T10:00:00Z' }) });
    const item = () => screen.getAllByTestId('session-item').find((el) => el.dataset.sessionId === A)!;
    await waitFor(() => expect(within(item()).getByTestId('unread-count').textContent).toBe('7'));
    // The chats tab counts every session's unread messages, as the pushes leave them.
    const chatsTab = () => screen.getByRole('tab', { name: /chats/i });
    expect(within(chatsTab()).getByText('7')).toBeTruthy();
    main.emit('sessions.changed', { sessionId: C, session: chatSession(C, people('Sami'), { unreadCount: 2 }) });
    await waitFor(() => expect(screen.getAllByTestId('session-item')).toHaveLength(3));
    expect(within(chatsTab()).getByText('9')).toBeTruthy();
    main.emit('sessions.changed', { sessionId: A, session: null });
    await waitFor(() => expect(screen.getAllByTestId('session-item')).toHaveLength(2));
    expect(within(chatsTab()).getByText('2')).toBeTruthy();
    main.emit('sessions.changed', { sessionId: B, session: null });
    await waitFor(() => expect(screen.getAllByTestId('session-item')).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(main.named('sessions.list')).toHaveLength(lists);

    main.emit('sessions.changed', { sessionId: null });
    await waitFor(() => expect(main.named('sessions.list')).toHaveLength(lists + 1));
  });

  it('redraws only its own row in the sidebar', async () => {
    const main = fakeMain({
      'sessions.list': () => ({ sessions: [chatSession(A, people('Karim')), chatSession(B, people('Mona')), chatSession(C, people('Sami'))] }),
      'accounts.list': () => ({ people: [] }),
      'alerts.openEmergencies': () => ({ emergencies: [] }),
    });
    wrap(<Workspace client={main.client} profile={ME} />);
    await waitFor(() => expect(screen.getAllByTestId('session-item')).toHaveLength(3));
    await new Promise((resolve) => setTimeout(resolve, 100));
    previewRenders.length = 0;
    const lastMessage = { id: '00000000-0000-4000-8000-0000000000d1', type: 'text' as const, preview: 'a new message', senderId: ME.id, createdAt: '2026-01-02T10:00:00Z' };
    main.emit('sessions.changed', { sessionId: B, session: chatSession(B, people('Mona'), { unreadCount: 1, lastMessage, lastMessageAt: lastMessage.createdAt }) });
    await waitFor(() => expect(screen.getByText(/a new message/)).toBeTruthy());
    expect(new Set(previewRenders)).toEqual(new Set([B]));
  });
});

describe('a row handed on to another session', () => {
  it('shows the newcomer’s people in the same presence elements', async () => {
    // More sessions than the sidebar draws: a message in one not drawn brings it in, and the last drawn leaves.
    const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const two = (i: number) => [
      participant(id(10_000 + i), `Client ${i}`, { availability: 'online' }),
      participant(id(20_000 + i), `Reader ${i}`, { role: 'reader', roleInSession: 'reader', availability: i === 150 ? 'away' : 'busy' }),
    ];
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 10) - i * 60_000).toISOString();
    const sessions = Array.from({ length: 160 }, (_, i) => chatSession(id(i), two(i), { lastMessageAt: at(i) }));
    const main = fakeMain({
      'sessions.list': () => ({ sessions }),
      'accounts.list': () => ({ people: [] }),
      'alerts.openEmergencies': () => ({ emergencies: [] }),
    });
    wrap(<Workspace client={main.client} profile={ME} />);
    await waitFor(() => expect(screen.getAllByTestId('session-item')).toHaveLength(100));
    const leaving = document.querySelector<HTMLElement>(`[data-row-id="${id(99)}"]`)!;
    const spans = within(leaving).getAllByTestId('presence');
    expect(spans.map((s) => s.textContent)).toEqual(['Client 99: Online', 'Reader 99: Busy']);

    main.emit('sessions.changed', { sessionId: id(150), session: chatSession(id(150), two(150), { lastMessageAt: '2026-01-02T10:00:00Z' }) });
    await waitFor(() => expect(document.querySelector(`[data-row-id="${id(99)}"]`)).toBeNull());
    const came = document.querySelector<HTMLElement>(`[data-row-id="${id(150)}"]`)!;
    expect(came).toBe(leaving);
    expect(came.parentElement!.firstElementChild).toBe(came);
    const now = within(came).getAllByTestId('presence');
    expect(now.map((s) => [s.textContent, s.dataset.availability])).toEqual([
      ['Client 150: Online', 'online'],
      ['Reader 150: Away', 'away'],
    ]);
    expect(now.every((s, i) => s === spans[i])).toBe(true);
  });
});
