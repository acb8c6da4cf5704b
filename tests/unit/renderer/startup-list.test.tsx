// @vitest-environment jsdom
// Start-up (issue 15 item 3) as the renderer sees it: the cached session list drawn with a quiet "refreshing" line
// until the backend's list replaces it; a failed refresh takes the cached rows away; the sign-in form drawn while
// the backend opens. The main process is the fake bridge of fake-main.tsx (the renderer's only neighbour).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { Workspace } from '../../../src/renderer/workspace/Workspace';
import { SignInScreen } from '../../../src/renderer/screens/SignInScreen';
import { ME, chatSession, fakeMain, participant, wrap } from './fake-main';

vi.mock('wavesurfer.js', () => ({ default: { create: () => ({ on: () => () => {}, destroy() {}, getWrapper: () => document.createElement('div'), getRenderer: () => ({ renderProgress() {} }) }) } }));

afterEach(() => cleanup());

const A = '00000000-0000-4000-8000-00000000bbb1';
const B = '00000000-0000-4000-8000-00000000bbb2';
const C = '00000000-0000-4000-8000-00000000bbb3';
const people = (name: string) => [participant(ME.id, 'Rana', { role: 'reader', roleInSession: 'reader' }), participant(`00000000-0000-4000-8000-0000000002${name.length}0`, name)];
const shownIds = () => screen.queryAllByTestId('session-item').map((el) => el.dataset.sessionId);

describe('the cached session list', () => {
  it('is drawn at once, says it is refreshing, and the backend’s list replaces it', async () => {
    const main = fakeMain({
      'sessions.list': () => ({ sessions: [chatSession(A, people('Karim')), chatSession(B, people('Mona'))], refreshing: true }),
      'accounts.list': () => ({ people: [] }),
      'alerts.openEmergencies': () => ({ emergencies: [] }),
    });
    wrap(<Workspace client={main.client} profile={ME} />);
    await waitFor(() => expect(shownIds()).toEqual([A, B]));
    expect(screen.getByTestId('sessions-refreshing').textContent).toBe('Refreshing the list…');
    // A row pushed meanwhile is merged as usual.
    main.emit('sessions.changed', { sessionId: C, session: chatSession(C, people('Sami'), { lastMessageAt: '2026-01-03T10:00:00Z' }) });
    await waitFor(() => expect(shownIds()).toContain(C));
    // The backend's list: A is no longer there, C and B are, once each.
    main.emit('sessions.listed', { sessions: [chatSession(C, people('Sami'), { lastMessageAt: '2026-01-03T10:00:00Z' }), chatSession(B, people('Mona'))] });
    await waitFor(() => expect(shownIds()).toEqual([C, B]));
    expect(screen.queryByTestId('sessions-refreshing')).toBeNull();
  });

  it('never outlives a refresh that fails: the rows go and the failure is shown', async () => {
    let answer: 'cached' | 'refused' = 'cached';
    const main = fakeMain({
      'sessions.list': () => {
        if (answer === 'cached') return { sessions: [chatSession(A, people('Karim'))], refreshing: true };
        throw { code: 'backend.unavailable', messageKey: 'errors.backend.unavailable' };
      },
      'accounts.list': () => ({ people: [] }),
      'alerts.openEmergencies': () => ({ emergencies: [] }),
    });
    wrap(<Workspace client={main.client} profile={ME} />);
    await waitFor(() => expect(shownIds()).toEqual([A]));
    answer = 'refused';
    // The core says the list is stale (its read failed): the renderer asks again and is refused.
    main.emit('sessions.changed', { sessionId: null });
    await waitFor(() => expect(shownIds()).toEqual([]));
    expect(screen.queryByTestId('sessions-refreshing')).toBeNull();
    expect(screen.getAllByRole('alert').length).toBeGreaterThan(0);
  });

  it('says so in Arabic too', async () => {
    const main = fakeMain({
      'sessions.list': () => ({ sessions: [chatSession(A, people('Karim'))], refreshing: true }),
      'accounts.list': () => ({ people: [] }),
      'alerts.openEmergencies': () => ({ emergencies: [] }),
    });
    wrap(<Workspace client={main.client} profile={{ ...ME, preferredLanguage: 'ar' }} />, 'ar');
    await waitFor(() => expect(screen.getByTestId('sessions-refreshing').textContent).toBe('جارٍ تحديث القائمة…'));
  });
});

describe('the sign-in form while the backend opens', () => {
  it('can be filled and sent at once; the submit says it waits for the console', async () => {
    let finish!: () => void;
    const main = fakeMain({ 'auth.signIn': () => new Promise((resolve) => (finish = () => resolve({ profile: ME, backend: 'embedded', firstRun: false }))) });
    wrap(<SignInScreen client={main.client} backend="embedded" starting />);
    expect(screen.getByTestId('sign-in-starting').textContent).toMatch(/still starting/);
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'rana@samia.test' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'correct horse battery' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Waiting for the console to start…' })).toBeDefined());
    expect(main.named('auth.signIn')).toEqual([{ name: 'auth.signIn', input: { email: 'rana@samia.test', password: 'correct horse battery' } }]);
    finish();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Sign in' })).toBeDefined());
  });

  it('says why the user was signed out when the backend no longer took the session', () => {
    const main = fakeMain({});
    wrap(<SignInScreen client={main.client} backend="embedded" signedOutReason="expired" />);
    expect(screen.getByTestId('signed-out-reason').textContent).toMatch(/no longer accepts this session/);
  });
});
