import { describe, expect, it } from 'vitest';
import { AlertCenter } from '../../../src/main/alerts';
import { HeadlessAlertPlatform } from '../../../src/main/alerts/headless-alert-platform';
import { EventHub } from '../../../src/main/ipc/event-hub';
import { SessionTriageState } from '../../../src/main/core/session-triage';
import type { UserConnection } from '../../../src/main/backend/backend-port';
import type { ChatMessage, ChatSession, SessionTriage } from '../../../src/shared/ipc/contract';

const ME = '00000000-0000-4000-8000-0000000000b1';
const CLIENT = '00000000-0000-4000-8000-0000000000c1';
const STAFF = '00000000-0000-4000-8000-0000000000d1';
const S = '00000000-0000-4000-8000-0000000000a1';

const session: ChatSession = {
  id: S, type: 'support', status: 'active', bookingId: null, lastMessageAt: null, createdAt: '2026-01-01T09:00:00Z', unreadCount: 0, lastReadAt: null,
  participants: [
    { userId: CLIENT, displayName: 'Karim', role: 'client', roleInSession: 'client', availability: 'online', lastReadAt: null },
    { userId: ME, displayName: 'Rana', role: 'reader', roleInSession: 'reader', availability: 'online', lastReadAt: null },
    { userId: STAFF, displayName: 'Mona', role: 'monitor', roleInSession: 'staff', availability: 'online', lastReadAt: null },
  ],
};
const message = (senderId: string, id: string): ChatMessage => ({
  id, sessionId: S, senderId, type: 'text', body: 'hi', storagePath: null, mimeType: null, sizeBytes: null, durationMs: null, waveform: null,
  replyTo: null, status: 'sent', clientMessageId: null, createdAt: '2026-01-01T10:00:00Z', editedAt: null, reviewedBy: null, reviewedAt: null, reviewReason: null,
});

/** Stands in for the backend port (its SQL runs in tests/sql): only the triage calls this state makes, answering what SQL would. */
function connection(initial: SessionTriage[]): UserConnection {
  const snoozed = (entry: Partial<SessionTriage>): SessionTriage => ({ sessionId: S, muted: false, markedUnread: false, snoozedUntil: null, snoozedUntilReply: false, ...entry });
  return {
    userId: ME,
    listSessionTriage: async () => initial,
    getDoNotDisturb: async () => ({ manual: false, until: null, schedule: null }),
    snoozeSession: async (_id: string, s: { untilReply?: boolean }) => snoozed({ snoozedUntilReply: s.untilReply === true }),
  } as unknown as UserConnection;
}

describe('SessionTriageState', () => {
  it('a session snoozed until the next message wakes when its client writes, not for the user\'s own or a staff member\'s message', async () => {
    const platform = new HeadlessAlertPlatform({});
    const alerts = new AlertCenter(platform, { isSessionVisible: () => false });
    const hub = new EventHub();
    const changes: unknown[] = [];
    hub.attach((name, payload) => name === 'triage.changed' && changes.push(payload));
    const triage = new SessionTriageState(connection([]), alerts, hub);
    await triage.load();
    await triage.snooze(S, { untilReply: true });
    expect(alerts.isSessionQuiet(S)).toBe(true);
    triage.messageArrived(message(ME, '00000000-0000-4000-8000-000000000001'), session);
    triage.messageArrived(message(STAFF, '00000000-0000-4000-8000-000000000002'), session);
    expect(alerts.isSessionQuiet(S)).toBe(true);
    triage.messageArrived(message(CLIENT, '00000000-0000-4000-8000-000000000003'), session);
    expect(alerts.isSessionQuiet(S)).toBe(false);
    expect(triage.state().sessions).toEqual([]);
    expect(changes.at(-1)).toEqual({ sessions: [], doNotDisturb: { manual: false, until: null, schedule: null } });
    alerts.dispose();
  });
});
