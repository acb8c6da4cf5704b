// The adversarial suite: the database attacked as a client who holds a valid session and a raw SQL prompt
// as `authenticated` (or as anon, or with the service role) would attack it. Every case name starts with
// "adversarial"; run.ts counts them as a section.
//   privileges   every privilege of every API role, object by object, against tests/sql/expected/privileges.txt
//   definer      every SECURITY DEFINER function × every identity × hostile input (adversarial-definers.ts)
//   pg_temp      the search_path hijack class against every SECURITY DEFINER function and trigger (adversarial-pgtemp.ts)
//   topic        every realtime topic × identity × event, read and write (adversarial-realtime.ts)
//   workflows    the findings one by one: review internals, emergency fan-out, four eyes, blank text, rate
//                limits in rolling windows, the emergency state guard, payload sizes (adversarial-workflows.ts)
import type { Engine } from './engines';
import type { CaseResult } from './rls-matrix';
import { comparePrivileges } from './privileges';
import { runDefinerSweep } from './adversarial-definers';
import { runPgTemp } from './adversarial-pgtemp';
import { runTopicMatrix } from './adversarial-realtime';
import { ADVERSARIAL_WORKFLOWS } from './adversarial-workflows';
import { ADVERSARIAL_NOTES } from './adversarial-notes';
import { runWorkflows } from './workflows';

export async function runAdversarial(db: Engine): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const sections: [string, () => Promise<CaseResult[]>][] = [
    ['privileges', () => comparePrivileges(db, 'adversarial')],
    ['definer', () => runDefinerSweep(db)],
    ['pg_temp', () => runPgTemp(db)],
    ['topic', () => runTopicMatrix(db)],
    ['workflow', () => runWorkflows(db, ADVERSARIAL_WORKFLOWS, 'adversarial')],
    ['notes', () => runWorkflows(db, ADVERSARIAL_NOTES, 'adversarial')],
  ];
  for (const [name, run] of sections) {
    try {
      results.push(...(await run()));
    } catch (error) {
      // A section that cannot finish is one failure, and the others still run.
      await db.exec('rollback').catch(() => undefined);
      results.push({ name: `adversarial ${name} section crashed`, ok: false, detail: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  }
  return results;
}
