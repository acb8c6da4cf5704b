import { AlertCenter, type AlertPreferences, type EmergencyAlertInput, type IncomingMessageAlert } from '../../../src/main/alerts';
import { HeadlessAlertPlatform } from '../../../src/main/alerts/headless-alert-platform';
import { FakeClock } from './fake-clock';

/** Names in notifications are wrapped in Unicode isolates (FSI … PDI) so mixed Arabic/Latin text keeps its order. */
export const iso = (text: string) => `\u2068${text}\u2069`;

export function setup(options: { focused?: boolean; preferences?: Partial<AlertPreferences> } = {}) {
  const clock = new FakeClock();
  const platform = new HeadlessAlertPlatform({ now: () => clock.now(), focused: options.focused ?? false });
  const visibleSessions = new Set<string>();
  const center = new AlertCenter(platform, {
    clock,
    isSessionVisible: (sessionId) => visibleSessions.has(sessionId),
    ...(options.preferences ? { preferences: options.preferences } : {}),
  });
  return { clock, platform, center, visibleSessions };
}

let messageSeq = 0;
export function message(overrides: Partial<IncomingMessageAlert> = {}): IncomingMessageAlert {
  messageSeq += 1;
  return {
    id: `m-${messageSeq}`,
    sessionId: 's-1',
    senderName: 'Layla',
    type: 'text',
    body: 'Hello, are you there?',
    ...overrides,
  };
}

export function emergency(overrides: Partial<EmergencyAlertInput> = {}): EmergencyAlertInput {
  return {
    id: 'e-1',
    sessionId: 'es-1',
    state: 'ringing',
    escalationLevel: 0,
    clientName: 'Omar',
    createdAt: '2025-03-01T09:00:00.000Z',
    ...overrides,
  };
}
