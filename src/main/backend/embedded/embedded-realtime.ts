import type { RealtimeEvent } from '../backend-port';
import type { EmbeddedDatabase, UserClaims } from './embedded-database';

interface Subscriber {
  claims: UserClaims;
  topics: () => readonly string[];
  onEvent: (event: RealtimeEvent) => void;
}

/**
 * Supabase Realtime's broadcast-from-database, embedded: triggers write `realtime.messages` and NOTIFY;
 * each subscriber re-reads the row under its own claims with the topic set, so RLS on `realtime.messages`
 * decides delivery exactly as Supabase's private channels do.
 */
export class EmbeddedRealtime {
  private readonly subscribers = new Set<Subscriber>();
  private unlisten: (() => Promise<void>) | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly database: EmbeddedDatabase) {}

  async start(): Promise<void> {
    this.unlisten = await this.database.listen('realtime', (raw) => {
      // One delivery at a time keeps events in commit order for every subscriber.
      this.queue = this.queue.then(() => this.deliver(raw)).catch(() => {});
    });
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  private async deliver(raw: string): Promise<void> {
    let note: { id?: string; topic?: string };
    try {
      note = JSON.parse(raw) as typeof note;
    } catch {
      return;
    }
    if (!note.id || !note.topic) return;
    for (const subscriber of this.subscribers) {
      if (!subscriber.topics().includes(note.topic)) continue;
      const { rows } = await this.database
        .asUser(
          subscriber.claims,
          (sql) =>
            sql.query<{ topic: string; event: string | null; payload: Record<string, unknown> | null }>(
              'select topic, event, payload from realtime.messages where id = $1 and topic = realtime.topic()',
              [note.id],
            ),
          { 'realtime.topic': note.topic },
        )
        .catch(() => ({ rows: [] }));
      for (const row of rows) {
        subscriber.onEvent({ topic: row.topic, event: row.event ?? '', payload: row.payload ?? {} });
      }
    }
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = null;
    this.subscribers.clear();
    await this.queue;
  }
}
