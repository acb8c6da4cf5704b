/**
 * Autovacuum's work for PGlite, which has no autovacuum: a PostgreSQL server (Supabase's) vacuums and analyses
 * its tables in the background; PGlite does neither on its own. Without ANALYZE the planner works from guesses
 * (a table never analysed is taken as nearly empty), so a query that is a walk of an index on a server can become
 * a nested loop that reads a whole session per message; without VACUUM, dead row versions and index entries pile
 * up all day (every send updates its session's row).
 *
 * A pass picks the tables past autovacuum's own default thresholds, from the statistics PostgreSQL keeps anyway:
 * vacuum when the dead rows exceed 50 + 20 % of the table or the rows inserted since the last vacuum exceed 1,000 +
 * 20 % (that keeps the visibility map current for index-only scans); analyse when the rows changed since the last
 * analysis exceed 50 + 10 %, or when a table holding rows was never analysed. Only those tables, one statement
 * each: PGlite has one connection, so the requests wait meanwhile, and a pass that finds nothing due costs one
 * catalogue query.
 */

/** What a pass needs of PGlite: statements outside any transaction (VACUUM refuses to run inside one). */
export interface MaintenanceTarget {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  exec(text: string): Promise<unknown>;
}

export interface MaintenanceReport {
  /** Tables vacuumed (and analysed, when that was due too), as schema.table. */
  vacuumed: string[];
  /** Tables analysed only. */
  analysed: string[];
}

const DUE_TABLES = `
  select pg_catalog.format('%I.%I', s.schemaname, s.relname) as name,
         s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0)
           or s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0) as vacuum,
         s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
           or (c.reltuples < 0 and s.n_live_tup > 0) as analyse
    from pg_catalog.pg_stat_user_tables s
    join pg_catalog.pg_class c on c.oid = s.relid
   where c.relkind in ('r', 'm')
   order by 1`;

/** One pass over every user table; runs what is due and says what it ran. */
export async function maintainTables(db: MaintenanceTarget): Promise<MaintenanceReport> {
  // The counters of the statements just run reach the statistics at the next flush (at most once a second
  // otherwise): forced, the pass sees every change made before it.
  await db.query('select pg_catalog.pg_stat_force_next_flush()');
  const { rows } = await db.query<{ name: string; vacuum: boolean; analyse: boolean }>(DUE_TABLES);
  const report: MaintenanceReport = { vacuumed: [], analysed: [] };
  for (const table of rows) {
    // The names come from the catalogue, quoted by format('%I'), never from a request.
    if (table.vacuum) {
      await db.exec(`vacuum ${table.analyse ? '(analyze) ' : ''}${table.name}`);
      report.vacuumed.push(table.name);
    } else if (table.analyse) {
      await db.exec(`analyze ${table.name}`);
      report.analysed.push(table.name);
    }
  }
  return report;
}
