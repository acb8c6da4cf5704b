// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { ChatSession, Emergency, Profile } from '../../../src/shared/ipc/contract';
import { en } from '../../../src/renderer/i18n/en';
import { ar } from '../../../src/renderer/i18n/ar';
import { EmergencyConsole } from '../../../src/renderer/emergencies/EmergencyConsole';
import { EmergencyAlerts } from '../../../src/renderer/emergencies/EmergencyAlerts';
import { ChatView } from '../../../src/renderer/chat/ChatView';
import { Workspace } from '../../../src/renderer/workspace/Workspace';
import { FirstRunScreen } from '../../../src/renderer/screens/FirstRunScreen';
import { SettingsPanel } from '../../../src/renderer/settings/SettingsPanel';
import { summarise } from '../../../src/renderer/workspace/ConnectionIndicator';
import { SessionLabeler } from '../../../src/renderer/lib/directory';
import { chatSession, fakeMain, ME, participant, wrap } from './fake-main';

vi.mock('wavesurfer.js', () => ({ default: { create: () => ({ getWrapper: () => document.createElement('div'), getRenderer: () => ({ renderProgress() {} }), on: () => () => {}, destroy() {} }) } }));
afterEach(cleanup);

const CLIENT = '00000000-0000-4000-8000-00000000c001';
const call = (extra: Partial<Emergency> = {}): Emergency => ({
  id: '00000000-0000-4000-8000-00000000e001', sessionId: '00000000-0000-4000-8000-00000000e501', clientId: CLIENT, state: 'ringing', escalationLevel: 0,
  escalateAt: new Date(Date.now() + 60_000).toISOString(), acceptedBy: null, acknowledgedBy: null, resolvedBy: null, resolutionNote: null,
  createdAt: new Date(Date.now() - 30_000).toISOString(), ...extra,
});
const admin: Profile = { ...ME, id: '00000000-0000-4000-8000-0000000000ad', displayName: 'Samia', role: 'admin' };
const emergencyConsole = (profile: Profile, list: Emergency[], emergencyOptIn: boolean | null, onOpenSettings = () => {}) => {
  const main = fakeMain({ 'emergencies.list': () => ({ emergencies: list }) });
  wrap(<EmergencyConsole client={main.client} profile={profile} people={new Map()} emergencyOptIn={emergencyOptIn} onOpenSession={() => {}} onOpenSettings={onOpenSettings} />);
  return main;
};
const buttonsOf = (item: HTMLElement) => within(item).queryAllByRole('button').map((b) => b.textContent);

describe('emergency actions', () => {
  it('tell an opted-out reader why there are no emergencies and how to opt in', async () => {
    const onOpenSettings = vi.fn();
    emergencyConsole(ME, [], false, onOpenSettings);
    expect(await screen.findByText(en['emergency.empty'])).toBeTruthy();
    const note = screen.getByTestId('emergency-opt-in-missing');
    expect(note.textContent).toContain('you have not opted in');
    fireEvent.click(within(note).getByRole('button', { name: en['emergency.optIn.openSettings'] }));
    expect(onOpenSettings).toHaveBeenCalled();
  });

  it('offer an opted-in reader Accept while ringing and after escalation, and staff Acknowledge only once escalated', async () => {
    const escalated = call({ id: '00000000-0000-4000-8000-00000000e002', state: 'escalated', escalationLevel: 1, clientId: '00000000-0000-4000-8000-00000000c002' });
    emergencyConsole(ME, [call(), escalated], true);
    const items = await screen.findAllByTestId('emergency-item');
    expect(items.map((i) => i.dataset.actions)).toEqual(['accept', 'accept']);
    expect(items.map((i) => buttonsOf(i))).toEqual([['Accept'], ['Accept']]);
    expect(screen.getByTestId('emergency-opt-in-on')).toBeTruthy();
    cleanup();

    emergencyConsole(admin, [call(), escalated], null);
    const staffItems = await screen.findAllByTestId('emergency-item');
    // Sorted by urgency: the escalated call first. No Acknowledge on the ringing one (the server would refuse it).
    expect(staffItems.map((i) => i.dataset.state)).toEqual(['escalated', 'ringing']);
    expect(staffItems.map((i) => buttonsOf(i))).toEqual([['Acknowledge', 'Join session'], ['Join session']]);
    expect(within(staffItems[1]!).getByTestId('emergency-waiting').textContent).toBe(en['emergency.waiting.reader']);
  });

  it('offer Resolve only to whoever took the call or an admin', async () => {
    const monitor: Profile = { ...admin, id: '00000000-0000-4000-8000-0000000000e1', role: 'monitor' };
    const acknowledged = call({ state: 'acknowledged', escalationLevel: 1, acknowledgedBy: admin.id, escalateAt: null });
    emergencyConsole(monitor, [acknowledged], null);
    const item = await screen.findByTestId('emergency-item');
    expect(buttonsOf(item)).toEqual(['Join session']);
    expect(item.textContent).toContain(en['emergency.noAction']);
    cleanup();
    emergencyConsole(admin, [acknowledged], null);
    expect(buttonsOf(await screen.findByTestId('emergency-item'))).toEqual(['Open session', 'Resolve']);
  });

  it('offer in the alert only what the person may do: a monitor waits while it rings', async () => {
    const monitor: Profile = { ...admin, role: 'monitor' };
    const alert = { id: 'e1', sessionId: 's1', state: 'ringing' as const, escalationLevel: 0, clientName: 'Karim', createdAt: new Date().toISOString(), lastAlertAt: new Date().toISOString(), alertCount: 1 };
    const main = fakeMain({ 'alerts.openEmergencies': () => ({ emergencies: [alert] }) });
    wrap(<EmergencyAlerts client={main.client} profile={monitor} onOpenConsole={() => {}} />);
    const dialog = await screen.findByTestId('emergency-alert');
    expect(within(dialog).queryByRole('button', { name: en['emergency.acknowledge'] })).toBeNull();
    expect(within(dialog).getByTestId('alert-waiting').textContent).toBe(en['emergency.waiting.reader']);
    main.emit('alerts.emergencies', { emergencies: [{ ...alert, state: 'escalated', escalationLevel: 1 }], changedId: 'e1', reason: 'escalated' });
    expect(within(dialog).getByRole('button', { name: en['emergency.acknowledge'] })).toBeTruthy();
  });
});

describe('a closed session', () => {
  it('is read-only: no composer and no "Assign reader"', async () => {
    const ended = chatSession('00000000-0000-4000-8000-00000000e501', [participant(CLIENT, 'Karim')], { type: 'emergency', status: 'ended' });
    const main = fakeMain({ 'messages.page': () => ({ messages: [], pending: [] }), 'accounts.list': () => ({ people: [] }) });
    wrap(<ChatView client={main.client} profile={admin} sessionId={ended.id} session={ended} label={{ title: 'Karim', qualifier: null, shortQualifier: null }} people={new Map([['r1', { id: 'r1', displayName: 'Rana', role: 'reader' }]])} visible focused typingName={null} />);
    expect(await screen.findByTestId('composer-read-only')).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: en['composer.label'] })).toBeNull();
    expect(screen.queryByRole('button', { name: en['assign.submit'] })).toBeNull();
  });
});

describe('orientation', () => {
  const KARIM = '00000000-0000-4000-8000-00000000c0c1';
  const sessions: ChatSession[] = [
    chatSession('1a2b3c4d-0000-4000-8000-000000000001', [participant(KARIM, 'Sara Client')], { type: 'booking', bookingId: 'b00c1e55-0000-4000-8000-000000000000' }),
    chatSession('9f8e7d6c-0000-4000-8000-000000000002', [participant(KARIM, 'Sara Client')], { type: 'support' }),
    chatSession('77777777-0000-4000-8000-000000000003', [participant('00000000-0000-4000-8000-00000000c0c2', 'Omar')], { type: 'support' }),
  ];

  it('gives same-named sessions distinct names (booking, type, short id), and leaves unique ones alone', () => {
    const labels = new SessionLabeler(ME.id, { untitled: '?', role: (r) => r, type: (t) => (t === 'support' ? 'Support' : t), booking: (id) => `Booking ${id}` }).label(sessions);
    expect([...labels.values()]).toEqual([
      { title: 'Sara Client', qualifier: 'Booking b00c1e', shortQualifier: 'Booking b00c1e' },
      { title: 'Sara Client', qualifier: 'Support #9f8e7d', shortQualifier: '#9f8e7d' },
      { title: 'Omar', qualifier: null, shortQualifier: null },
    ]);
  });

  it('shows distinct names, the real type and the last message in the list, and Ctrl+/ lists every shortcut; Ctrl+Tab moves between tabs', async () => {
    const withPreview = [
      { ...sessions[0]!, lastMessage: { id: '00000000-0000-4000-8000-0000000000f1', type: 'text' as const, preview: 'The Star, reversed,\nmeans…', senderId: KARIM, createdAt: '2026-01-01T10:00:00Z' } },
      { ...sessions[1]!, lastMessage: { id: '00000000-0000-4000-8000-0000000000f2', type: 'audio' as const, preview: null, senderId: ME.id, createdAt: '2026-01-01T09:00:00Z' } },
      { ...sessions[2]!, lastMessage: null },
    ];
    const main = fakeMain({
      'sessions.list': () => ({ sessions: withPreview }),
      'accounts.list': () => ({ people: [] }),
      'messages.page': () => ({ messages: [], pending: [] }),
      'drafts.get': () => ({ body: '', replyTo: null }),
      'alerts.openEmergencies': () => ({ emergencies: [] }),
      'connection.getState': () => ({ backend: 'reachable', realtime: 'joined', online: true }),
    });
    wrap(<Workspace client={main.client} profile={ME} />);
    const items = await screen.findAllByTestId('session-item');
    expect(items.map((i) => i.dataset.sessionType)).toEqual(['booking', 'support', 'support']);
    expect(items.map((i) => within(i).getByTestId('session-type').textContent)).toEqual(['Booking', 'Support', 'Support']);
    expect(items.map((i) => within(i).queryByTestId('session-qualifier')?.textContent ?? null)).toEqual(['Booking b00c1e', '#9f8e7d', null]);
    expect(items.map((i) => within(i).getByTestId('last-message').textContent)).toEqual(['Sara Client: The Star, reversed, means…', 'You: Voice note', 'No messages yet']);
    expect(screen.getByTestId('connection').dataset.state).toBe('ok');

    fireEvent.keyDown(window, { key: '/', ctrlKey: true });
    const sheet = screen.getByTestId('shortcut-sheet');
    for (const does of ['shortcuts.switcher', 'shortcuts.composer', 'shortcuts.nextSession', 'shortcuts.previousSession', 'shortcuts.nextTab', 'shortcuts.escape'] as const)
      expect(sheet.textContent).toContain(en[does]);
    expect(sheet.textContent).toContain('Alt+↓');
    expect(sheet.textContent).toContain('Ctrl+Tab');
    fireEvent.keyDown(sheet, { key: 'Escape' });
    expect(screen.queryByTestId('shortcut-sheet')).toBeNull();

    fireEvent.click(items[0]!);
    fireEvent.click(items[2]!);
    const tabs = () => within(screen.getByRole('tablist', { name: en['tabs.label'] })).getAllByRole('tab');
    expect(tabs().map((t) => t.getAttribute('aria-selected'))).toEqual(['false', 'true']);
    fireEvent.keyDown(window, { key: 'Tab', ctrlKey: true });
    expect(tabs().map((t) => t.getAttribute('aria-selected'))).toEqual(['true', 'false']);
    fireEvent.keyDown(window, { key: 'Tab', ctrlKey: true, shiftKey: true });
    expect(tabs().map((t) => t.getAttribute('aria-selected'))).toEqual(['false', 'true']);
    expect(tabs()[0]!.textContent).toBe('Sara ClientBooking b00c1e');
  });

  it('shows the password rule before the first submit, in both languages', () => {
    const main = fakeMain({});
    wrap(<FirstRunScreen client={main.client} />, 'ar');
    expect(screen.getByTestId('password-rule').textContent).toBe('١٠ أحرف على الأقل.');
    cleanup();
    wrap(<FirstRunScreen client={main.client} />);
    expect(screen.getByTestId('password-rule').textContent).toBe('At least 10 characters.');
  });

  it('opens the settings forms on their current values', async () => {
    const superAdmin: Profile = { ...admin, role: 'super_admin' };
    const main = fakeMain({
      'alerts.getPreferences': () => ({ language: 'en', privacy: 'sender', doNotDisturb: true }),
      'settings.get': () => ({ settings: { 'console.message.max_body_length': 20000, 'console.file.mime_types': ['application/pdf', 'text/plain'] } }),
      'app.backendSettings': () => ({ current: 'embedded', saved: null, fromEnvironment: false }),
    });
    wrap(<SettingsPanel client={main.client} profile={superAdmin} standing={{ availability: null, emergencyOptIn: null }} onStandingChanged={() => {}} onPeopleChanged={() => {}} />);
    const longest = await screen.findByLabelText<HTMLInputElement>(en['limits.message_max_body_length']);
    expect(longest.value).toBe('20000');
    expect(screen.getByLabelText<HTMLInputElement>(en['limits.file_mime_types']).value).toBe('application/pdf,text/plain');
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: en['settings.privacy'] }).value).toBe('sender');
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: en['settings.dnd'] }).checked).toBe(true);
    fireEvent.change(longest, { target: { value: '12000' } });
    fireEvent.click(screen.getByRole('button', { name: `Save ${en['limits.message_max_body_length']}` }));
    await waitFor(() => expect(main.named('settings.set').map((c) => c.input)).toEqual([{ key: 'console.message.max_body_length', value: '12000' }]));
    cleanup();

    const reader = fakeMain({ 'alerts.getPreferences': () => ({ language: 'ar', privacy: 'full', doNotDisturb: false }) });
    wrap(<SettingsPanel client={reader.client} profile={ME} standing={{ availability: 'busy', emergencyOptIn: true }} onStandingChanged={() => {}} onPeopleChanged={() => {}} />, 'ar');
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: ar['settings.availability.status'] }).value).toBe('busy');
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: ar['settings.emergencyOptIn'] }).checked).toBe(true);
  });
});

describe('the connection indicator', () => {
  it('says the most serious thing first', () => {
    const fine = { backend: 'reachable', realtime: 'joined', online: true } as const;
    expect(summarise('open', fine)).toBe('ok');
    expect(summarise('open', { ...fine, realtime: 'joining' })).toBe('joining');
    expect(summarise('open', { ...fine, realtime: 'down' })).toBe('realtime-down');
    expect(summarise('open', { ...fine, backend: 'unreachable', realtime: 'down' })).toBe('backend-down');
    expect(summarise('open', { ...fine, online: false, backend: 'unreachable' })).toBe('offline');
    expect(summarise('closed', fine)).toBe('console-down');
    expect(summarise('open', null)).toBe('checking');
  });

  it('follows connection.changed', async () => {
    const main = fakeMain({
      'sessions.list': () => ({ sessions: [] }),
      'accounts.list': () => ({ people: [] }),
      'alerts.openEmergencies': () => ({ emergencies: [] }),
      'connection.getState': () => ({ backend: 'reachable', realtime: 'joining', online: true }),
    });
    wrap(<Workspace client={main.client} profile={ME} />, 'ar');
    const indicator = await screen.findByTestId('connection');
    await waitFor(() => expect(indicator.textContent).toBe(ar['connection.joining']));
    main.emit('connection.changed', { backend: 'unreachable', realtime: 'down', online: true });
    expect(indicator.textContent).toBe(ar['connection.backendDown']);
    main.emit('connection.changed', { backend: 'reachable', realtime: 'joined', online: true });
    expect(indicator.textContent).toBe(ar['connection.ok']);
  });
});
