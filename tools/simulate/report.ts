import type { EmergencyRow, MessageRow, SessionRow } from '../../src/main/backend/backend-port';

/** What the simulator says about a session: the console's session row (type, status, participants). */
export type SessionView = SessionRow;

const size = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const STATE: Record<MessageRow['status'], string> = {
  sent: 'sent',
  pending_approval: 'pending approval (a monitor or admin approves it under Approvals before the client can hear it)',
  approved: 'approved',
  rejected: 'rejected',
  deleted: 'deleted',
};

export function describeMessage(
  message: MessageRow,
  context: { elapsedMs?: number; fileName?: string; measured?: boolean; received?: boolean; session?: SessionView },
): string {
  const took = context.elapsedMs !== undefined ? ` in ${context.elapsedMs} ms` : '';
  let what: string;
  if (message.type === 'text' && message.body !== null) {
    what = `text (${plural([...message.body].length, 'character', 'characters')}, ${size(Buffer.byteLength(message.body))})`;
  } else if (message.type === 'audio') {
    const peaks = message.waveform?.length ?? 0;
    what = `voice note${context.fileName ? ` ${context.fileName}` : ''} (${message.mimeType ?? 'audio'}, ${size(message.sizeBytes ?? 0)}, ${seconds(message.durationMs ?? 0)}, ${plural(peaks, 'peak', 'peaks')}${context.measured ? ' measured from the WAV' : ''})`;
  } else {
    what = `${message.type}${message.sizeBytes !== null ? ` (${size(message.sizeBytes)})` : ''}`;
  }
  if (context.received) {
    const sender = context.session?.participants.find((p) => p.userId === message.senderId);
    const from = sender ? `${sender.displayName} (${sender.roleInSession})` : (message.senderId ?? 'the system');
    const quoted = message.type === 'text' && message.body !== null ? `: "${message.body}"` : '';
    return `Received ${what} from ${from} at ${message.createdAt}, message ${message.id}${quoted}`;
  }
  return `Sent ${what}${took}: message ${message.id}, ${STATE[message.status]}.`;
}

export function describeEmergency(call: EmergencyRow, elapsedMs: number): string {
  const escalates = call.escalateAt ? `; escalates at ${call.escalateAt} unless a reader accepts it` : '';
  return `Raised emergency call ${call.id} in ${elapsedMs} ms: ${call.state}, escalation level ${call.escalationLevel}${escalates}.`;
}

export function describeSession(session: SessionView): string {
  const people = session.participants.map((p) => `${p.displayName} (${p.roleInSession})`).join(', ') || 'nobody';
  const booking = session.bookingId ? `, booking ${session.bookingId}` : '';
  return `Session ${session.id}: ${session.type}${booking}, ${session.status}; participants: ${people}.`;
}

const names = (people: SessionView['participants']) => people.map((p) => p.displayName).join(', ');

/** What has to happen for the other side to see (or hear) what was sent, in the console's own words. */
export function nextSteps(session: SessionView, myId: string, sent: MessageRow | null): string[] {
  const others = session.participants.filter((p) => p.userId !== myId);
  const readers = others.filter((p) => p.roleInSession === 'reader');
  const clients = others.filter((p) => p.roleInSession === 'client');
  const iAmReader = session.participants.some((p) => p.userId === myId && p.roleInSession === 'reader');
  const steps: string[] = [];
  if (session.status !== 'active') steps.push(`This session is ${session.status}: nobody can write in it any more.`);
  if (session.type === 'emergency') {
    steps.push('Staff and the readers who opted in to emergency calls are alerted; a reader answers with "Accept" under Emergencies, and then writes in this session.');
  } else if (iAmReader) {
    if (clients.length > 0) steps.push(`${names(clients)} (client) ${clients.length === 1 ? 'is' : 'are'} in this session: it is in the session list of their app.`);
  } else if (readers.length > 0) {
    steps.push(`${names(readers)} (reader) ${readers.length === 1 ? 'is' : 'are'} in this session: it is in the session list of their console.`);
  } else {
    steps.push(
      'No reader is in this session yet. Staff (monitors and admins) see it in their session list; one of them opens it and presses "Assign reader" in the session header to bring a reader in.',
      "On a project with bookings, --booking <id> writes in the booking's session instead, where its reader is already a participant.",
    );
  }
  if (sent?.status === 'pending_approval') {
    steps.push('The voice note is pending approval: a monitor or admin approves it under Approvals; until then only staff and its sender can play it.');
  }
  return steps;
}
