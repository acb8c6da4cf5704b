import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySchema } from '../../../src/main/schema/index';
import { allowedActions, maySee, mayTake, sweepEscalates, type EmergencyAction, type EmergencyActor, type EmergencyCallFacts, type EmergencyState } from '../../../src/shared/emergency/state-machine';
import { pgliteEngine, type Engine } from '../../sql/engines';
import { actAs, ID, loadFixtures, type Who } from '../../sql/fixtures';

/**
 * The shared description of the emergency state machine against the SQL that enforces it: every call state the
 * UI can meet, every kind of person, every action, run through the real RPCs on PGlite (the migrations from
 * zero, the SQL suite's fixtures). Each pair must succeed exactly when mayTake says so.
 */
let db: Engine;
beforeAll(async () => {
  db = pgliteEngine();
  await applySchema(db);
  await loadFixtures(db);
}, 120_000);
afterAll(() => db?.close());

// The SQL suite's people (tests/sql/fixtures.ts): reader is opted in, otherReader is not.
const ACTORS: Record<Exclude<Who, 'anon' | 'otherClient'>, EmergencyActor> = {
  client: { id: ID.client, role: 'client', emergencyOptIn: false },
  reader: { id: ID.reader, role: 'reader', emergencyOptIn: true },
  otherReader: { id: ID.otherReader, role: 'reader', emergencyOptIn: false },
  monitor: { id: ID.monitor, role: 'monitor', emergencyOptIn: false },
  admin: { id: ID.admin, role: 'admin', emergencyOptIn: false },
  superAdmin: { id: ID.superAdmin, role: 'super_admin', emergencyOptIn: false },
};

interface Scenario {
  name: string;
  state: EmergencyState;
  level: number;
  acceptedBy?: string;
  acknowledgedBy?: string;
  /** Seconds from now; negative: overdue. */
  escalateIn?: number | null;
}

const SCENARIOS: Scenario[] = [
  { name: 'ringing', state: 'ringing', level: 0, escalateIn: 60 },
  { name: 'ringing, overdue', state: 'ringing', level: 0, escalateIn: -5 },
  { name: 'escalated to monitors and admins', state: 'escalated', level: 1, escalateIn: 60 },
  { name: 'escalated to super admins (last level)', state: 'escalated', level: 2, escalateIn: null },
  { name: 'accepted by the reader', state: 'accepted', level: 0, acceptedBy: ID.reader, escalateIn: null },
  { name: 'accepted after escalation', state: 'accepted', level: 1, acceptedBy: ID.reader, escalateIn: null },
  { name: 'acknowledged by the monitor', state: 'acknowledged', level: 1, acknowledgedBy: ID.monitor, escalateIn: null },
  { name: 'acknowledged by the admin', state: 'acknowledged', level: 2, acknowledgedBy: ID.admin, escalateIn: null },
  { name: 'resolved', state: 'resolved', level: 0, acceptedBy: ID.reader, escalateIn: null },
  { name: 'cancelled', state: 'cancelled', level: 0, escalateIn: null },
];

const RPC: Record<EmergencyAction, string> = {
  accept: 'select public.accept_emergency($1)',
  acknowledge: 'select public.acknowledge_emergency($1)',
  resolve: `select public.resolve_emergency($1, 'Called the client back')`,
};

/** Creates the call in a transaction (rolled back afterwards): one open call per client is a unique rule. */
async function withCall<T>(scenario: Scenario, run: (call: EmergencyCallFacts & { id: string }) => Promise<T>): Promise<T> {
  await db.exec('begin');
  try {
    await actAs(db, 'postgres');
    // The fixtures' own open call for this client would clash with the one-open-call-per-client rule.
    await db.query(`update public.emergency_calls set state = 'cancelled' where id = $1`, [ID.call]);
    const [row] = await db.rows<{ id: string; escalate_at: string | null }>(
      `insert into public.emergency_calls (session_id, client_id, state, escalation_level, escalate_at, accepted_by, acknowledged_by, resolved_by, resolution_note)
       values ($1, $2, $3, $4, case when $5::int is null then null else now() + make_interval(secs => $5::int) end, $6, $7, $8, $9)
       returning id, escalate_at::text`,
      [
        ID.se,
        ID.client,
        scenario.state,
        scenario.level,
        scenario.escalateIn ?? null,
        scenario.acceptedBy ?? null,
        scenario.acknowledgedBy ?? null,
        scenario.state === 'resolved' ? ID.reader : null,
        scenario.state === 'resolved' ? 'done' : null,
      ],
    );
    return await run({
      id: row!.id,
      state: scenario.state,
      escalationLevel: scenario.level,
      escalateAt: row!.escalate_at ? new Date(row!.escalate_at).toISOString() : null,
      acceptedBy: scenario.acceptedBy ?? null,
      acknowledgedBy: scenario.acknowledgedBy ?? null,
      clientId: ID.client,
    });
  } finally {
    await db.exec('rollback');
  }
}

/** Runs one RPC as one person inside a savepoint: did the server accept it? */
async function serverAllows(who: Who, sql: string, callId: string): Promise<boolean> {
  await db.exec('savepoint attempt');
  try {
    await actAs(db, who);
    await db.rows(sql, [callId]);
    return true;
  } catch {
    return false;
  } finally {
    await db.exec('rollback to savepoint attempt');
  }
}

async function serverShows(who: Who, callId: string): Promise<boolean> {
  await actAs(db, who);
  const rows = await db.rows(`select 1 from public.emergency_calls where id = $1`, [callId]);
  await actAs(db, 'postgres');
  return rows.length === 1;
}

describe('the emergency state machine (src/shared/emergency/state-machine.ts) against the SQL', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: every person, every action, exactly as the RPCs decide', async (_name, scenario) => {
    const differences: string[] = [];
    await withCall(scenario, async (call) => {
      for (const [who, actor] of Object.entries(ACTORS) as [Who, EmergencyActor][]) {
        for (const action of ['accept', 'acknowledge', 'resolve'] as const) {
          const predicted = mayTake(action, call, actor);
          const actual = await serverAllows(who, RPC[action], call.id);
          if (predicted !== actual) differences.push(`${who} ${action}: shared says ${predicted}, SQL says ${actual}`);
        }
        const seen = await serverShows(who, call.id);
        if (seen !== maySee(call, actor)) differences.push(`${who} sees it: shared says ${maySee(call, actor)}, SQL says ${seen}`);
      }
    });
    expect(differences).toEqual([]);
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: the sweep escalates it exactly when predicted', async (_name, scenario) => {
    await withCall(scenario, async (call) => {
      const predicted = sweepEscalates(call, Date.now());
      await actAs(db, 'postgres');
      await db.rows('select public.advance_emergencies()');
      const [after] = await db.rows<{ state: string; escalation_level: number }>('select state, escalation_level from public.emergency_calls where id = $1', [call.id]);
      const escalated = after!.escalation_level === scenario.level + 1 && after!.state === 'escalated';
      expect(escalated).toBe(predicted);
    });
  });

  it('offers an opted-out reader nothing, and an opted-in one Accept while ringing and after escalation', () => {
    const ringing: EmergencyCallFacts = { state: 'ringing', escalationLevel: 0, escalateAt: null, acceptedBy: null, acknowledgedBy: null, clientId: ID.client };
    expect(allowedActions(ringing, ACTORS.otherReader)).toEqual([]);
    expect(allowedActions(ringing, ACTORS.reader)).toEqual(['accept']);
    expect(allowedActions({ ...ringing, state: 'escalated', escalationLevel: 1 }, ACTORS.reader)).toEqual(['accept']);
    // Acknowledge is for escalated calls only: while it rings, staff wait for the readers.
    expect(allowedActions(ringing, ACTORS.admin)).toEqual([]);
    expect(allowedActions({ ...ringing, state: 'escalated', escalationLevel: 1 }, ACTORS.admin)).toEqual(['acknowledge']);
  });
});
