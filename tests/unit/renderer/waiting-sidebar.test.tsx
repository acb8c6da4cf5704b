// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { SessionSidebar } from '../../../src/renderer/workspace/SessionSidebar';
import { chatSession, fakeMain, ME, participant, wrap } from './fake-main';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  localStorage.clear();
});

const A = '00000000-0000-4000-8000-0000000000a1';
const B = '00000000-0000-4000-8000-0000000000a2';
const C = '00000000-0000-4000-8000-0000000000a3';

function sidebar(now: number) {
  const me = participant(ME.id, 'Rana', { role: 'reader', roleInSession: 'reader' });
  const ago = (ms: number) => new Date(now - ms).toISOString();
  // In the order the list comes (latest activity first): the longest waiting is last.
  const sessions = [
    chatSession(A, [me, participant('c-a', 'Amal')], { lastMessageAt: ago(1_000), waitingSince: null }),
    chatSession(B, [me, participant('c-b', 'Bassem')], { lastMessageAt: ago(2_000), waitingSince: ago(11 * 60_000 + 50_000) }),
    chatSession(C, [me, participant('c-c', 'Carla')], { lastMessageAt: ago(3_000), waitingSince: ago(20 * 60_000) }),
  ];
  const main = fakeMain({ 'settings.get': () => ({ settings: { 'console.reply.target_minutes': 15 } }) });
  wrap(
    <SessionSidebar
      client={main.client}
      profile={ME}
      sessions={sessions}
      labels={new Map()}
      load={{ status: 'ready' }}
      activeId={null}
      people={new Map()}
      typingFor={() => null}
      onOpen={() => {}}
      onRetry={() => {}}
    />,
  );
  return main;
}

const order = () => screen.getAllByTestId('session-item').map((el) => el.getAttribute('data-session-id'));
const figure = (id: string) => within(document.querySelector(`[data-session-id="${id}"]`) as HTMLElement).queryByTestId('waiting-figure');

describe('waiting clients in the sidebar', () => {
  it('shows each waiting time against the target, ticks on its own, and sorts longest waiting first', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const now = Date.UTC(2026, 0, 5, 9, 0);
    vi.setSystemTime(now);
    sidebar(now);
    await waitFor(() => expect(figure(C)?.getAttribute('data-level')).toBe('passed'));
    expect(figure(A)).toBeNull();
    expect(figure(B)?.getAttribute('data-level')).toBe('ok');
    expect(figure(B)?.textContent).toBe('11 min');
    expect(figure(C)?.getAttribute('aria-label')).toBe('Client waiting for 20 minutes: past the reply target of 15 min');
    expect(screen.getByTestId('waiting-summary').textContent).toBe('1 client is waiting past the reply target (15 min).');

    // Ten seconds on, B is within a fifth of the target: the figure warns, and the summary says so.
    act(() => {
      vi.setSystemTime(now + 10_000);
      vi.advanceTimersByTime(10_000);
    });
    expect(figure(B)?.getAttribute('data-level')).toBe('close');
    expect(figure(B)?.textContent).toBe('⚠ 12 min');
    expect(screen.getByTestId('waiting-summary').textContent).toContain('1 client is close to the reply target (15 min).');

    expect(order()).toEqual([A, B, C]);
    fireEvent.change(screen.getByTestId('session-sort'), { target: { value: 'waiting' } });
    expect(order()).toEqual([C, B, A]);
    expect(localStorage.getItem('samia.sidebar.sort')).toBe('waiting');
  });
});

describe('a sidebar over thousands of sessions', () => {
  it('draws the first page of rows, says how many are not shown, and shows more on request', async () => {
    const me = participant(ME.id, 'Rana', { role: 'monitor', roleInSession: 'staff' });
    const start = Date.UTC(2026, 0, 5, 9, 0);
    const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const sessions = Array.from({ length: 250 }, (_, i) =>
      chatSession(id(i), [me, participant(`c-${i}`, `Client ${i}`)], { lastMessageAt: new Date(start - i * 1_000).toISOString(), waitingSince: null }),
    );
    wrap(
      <SessionSidebar
        client={fakeMain({}).client}
        profile={ME}
        sessions={sessions}
        labels={new Map()}
        load={{ status: 'ready' }}
        activeId={null}
        people={new Map()}
        typingFor={() => null}
        onOpen={() => {}}
        onRetry={() => {}}
      />,
    );
    await waitFor(() => expect(order()).toHaveLength(100));
    expect(order()[0]).toBe(id(0));
    expect(screen.getByTestId('session-list').getAttribute('data-total')).toBe('250');
    fireEvent.click(screen.getByTestId('sidebar-show-more'));
    expect(order()).toHaveLength(200);
    expect(screen.getByTestId('sidebar-show-more').textContent).toBe('Show 50 more sessions (50 not shown)');
    fireEvent.click(screen.getByTestId('sidebar-show-more'));
    expect(order()).toHaveLength(250);
    expect(screen.queryByTestId('sidebar-show-more')).toBeNull();
  });
});
