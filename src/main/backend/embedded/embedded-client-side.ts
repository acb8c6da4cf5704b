import type { Backend, NewAccount, UserConnection } from '../backend-port';
import type { SupabaseBackend } from '../supabase-connection';
import type { LocalApi } from './embedded-server';

/**
 * What both embedded backends (in one thread, embedded-supabase.ts; in two, embedded-thread.ts) answer through the
 * one supabase-js adapter once it points at their started local API. Only types of the adapter here: the thread's
 * host must not load supabase-js before it has started the backend's thread.
 */
export abstract class EmbeddedClientSide implements Backend {
  readonly kind = 'embedded' as const;
  /** The adapter, set once the local API answers; null before the start and after the stop. */
  protected inner: SupabaseBackend | null = null;
  abstract readonly api: LocalApi | null;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  private get backend(): SupabaseBackend {
    if (!this.inner) throw new Error('The embedded backend is not started.');
    return this.inner;
  }

  async needsFirstRun(): Promise<boolean> {
    return this.backend.needsFirstRun();
  }

  async createFirstAccount(account: Omit<NewAccount, 'role'>): Promise<UserConnection> {
    return this.backend.createFirstAccount(account);
  }

  async signIn(email: string, password: string): Promise<UserConnection> {
    return this.backend.signIn(email, password);
  }

  async restore(slot: string, userId: string): Promise<UserConnection> {
    return this.backend.restore(slot, userId);
  }

  setPowerState(awake: boolean): void {
    this.inner?.setPowerState(awake);
  }
}
