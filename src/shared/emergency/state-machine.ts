/**
 * The emergency state machine as the SQL enforces it (supabase/migrations/*_emergency_rpc.sql:
 * accept_emergency, acknowledge_emergency, resolve_emergency, advance_emergencies; visibility in
 * *_access_rules.sql). The renderer offers an action exactly when this says the server will accept it;
 * tests/unit/shared/emergency-state-machine.test.ts runs every (state, person, action) through the real
 * RPCs on PGlite and fails if the two ever disagree. SQL stays the authority: this only predicts it.
 *
 *   ringing ──accept (opted-in reader, first wins)──▶ accepted ──resolve──▶ resolved
 *      │                                                ▲
 *      └─deadline (sweep)─▶ escalated L1 ─deadline─▶ escalated L2
 *                              │  └──accept (opted-in reader)──┘
 *                              └──acknowledge (monitor, admin, super admin)──▶ acknowledged ──resolve──▶ resolved
 *   cancelled: a closed state no RPC enters today.
 */

export type EmergencyState = 'ringing' | 'accepted' | 'escalated' | 'acknowledged' | 'resolved' | 'cancelled';
export type PersonRole = 'client' | 'reader' | 'monitor' | 'admin' | 'super_admin';
/** What a person can do to a call through an RPC. Escalation is the sweep's, never a person's. */
export type EmergencyAction = 'accept' | 'acknowledge' | 'resolve';

export interface EmergencyCallFacts {
  state: EmergencyState;
  escalationLevel: number;
  escalateAt: string | null;
  acceptedBy: string | null;
  acknowledgedBy: string | null;
  clientId: string;
}

export interface EmergencyActor {
  id: string;
  role: PersonRole;
  /** profiles.emergency_opt_in: only opted-in readers are alerted to, see and may accept open calls. */
  emergencyOptIn: boolean;
}

export interface Transition {
  action: EmergencyAction | 'escalate';
  from: readonly EmergencyState[];
  to: EmergencyState;
  /** Who may take it, in words (for the docs and the UI's explanations). */
  who: string;
  rpc: string;
}

export const OPEN_STATES: ReadonlySet<EmergencyState> = new Set(['ringing', 'escalated', 'accepted', 'acknowledged']);
/** Waiting for someone to take it: the states that alert people and count down to the next escalation. */
export const WAITING_STATES: ReadonlySet<EmergencyState> = new Set(['ringing', 'escalated']);
/** The highest escalation level (migrations: escalation_level between 0 and 2); at it the call stops escalating. */
export const MAX_ESCALATION_LEVEL = 2;
const STAFF: ReadonlySet<PersonRole> = new Set(['monitor', 'admin', 'super_admin']);
const ADMINS: ReadonlySet<PersonRole> = new Set(['admin', 'super_admin']);

export const TRANSITIONS: readonly Transition[] = [
  { action: 'accept', from: ['ringing', 'escalated'], to: 'accepted', who: 'an opted-in reader, while nobody has accepted (the first wins)', rpc: 'accept_emergency' },
  { action: 'escalate', from: ['ringing', 'escalated'], to: 'escalated', who: 'the sweep, once escalate_at has passed, one level at a time up to level 2', rpc: 'advance_emergencies' },
  { action: 'acknowledge', from: ['escalated'], to: 'acknowledged', who: 'a monitor, an admin or a super admin', rpc: 'acknowledge_emergency' },
  { action: 'resolve', from: ['accepted', 'acknowledged'], to: 'resolved', who: 'whoever accepted or acknowledged it, or an admin or super admin, with a note', rpc: 'resolve_emergency' },
];

const from = (action: Transition['action']) => TRANSITIONS.find((t) => t.action === action)!.from;

/** Will the server let this person take this action on this call now? */
export function mayTake(action: EmergencyAction, call: EmergencyCallFacts, actor: EmergencyActor): boolean {
  if (!from(action).includes(call.state)) return false;
  switch (action) {
    case 'accept':
      return actor.role === 'reader' && actor.emergencyOptIn && call.acceptedBy === null;
    case 'acknowledge':
      return STAFF.has(actor.role);
    case 'resolve':
      return actor.id === call.acceptedBy || actor.id === call.acknowledgedBy || ADMINS.has(actor.role);
  }
}

/** Every action this person may take on this call now, in the order the UI offers them. */
export function allowedActions(call: EmergencyCallFacts, actor: EmergencyActor): EmergencyAction[] {
  return (['accept', 'acknowledge', 'resolve'] as const).filter((action) => mayTake(action, call, actor));
}

/** Will the sweep (advance_emergencies) escalate this call at `now`? */
export function sweepEscalates(call: EmergencyCallFacts, now: number): boolean {
  return from('escalate').includes(call.state) && call.escalationLevel < MAX_ESCALATION_LEVEL && call.escalateAt !== null && Date.parse(call.escalateAt) <= now;
}

/** Does this person see the call at all (emergency_calls_select)? An opted-out reader sees no open call of others. */
export function maySee(call: EmergencyCallFacts, actor: EmergencyActor): boolean {
  if (actor.id === call.clientId || actor.id === call.acceptedBy || actor.id === call.acknowledgedBy || STAFF.has(actor.role)) return true;
  return WAITING_STATES.has(call.state) && actor.role === 'reader' && actor.emergencyOptIn;
}

/** Readers who have not opted in are never alerted and see no calls: the UI says so where they would look. */
export const needsOptInToHelp = (actor: EmergencyActor) => actor.role === 'reader' && !actor.emergencyOptIn;
