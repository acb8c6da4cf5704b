import { AppError } from '../../shared/ipc/errors';
import type { RealtimeListener, RealtimeSubscription, UserConnection } from '../backend/backend-port';
import { keptProfileRow, type KeptSignIn } from './kept-sign-in';

/** Between attempts while the backend cannot be reached: 1 s, doubling, at most 30 s. */
const retryDelay = (failures: number) => Math.min(1_000 * 2 ** failures, 30_000);

/** A failure that a later attempt can get past (the backend did not answer); any other ends the restore. */
const passes = (error: unknown) => error instanceof AppError && error.code === 'backend.unavailable';

/**
 * How long a call waits for the restore before it fails as the backend being unavailable (the restore goes on). A
 * backend away at the start can hold an attempt for half a minute: auth-js retries a refresh that long itself.
 */
const RESTORE_WAIT_MS = 15_000;

const notYet = () =>
  new AppError({ code: 'backend.unavailable', messageKey: 'errors.backend.unavailable' }, { permanent: false, detail: 'the backend has not taken the kept session up yet' });

const closedError = () => new AppError({ code: 'auth.required', messageKey: 'auth.required' }, { permanent: true, detail: 'the kept sign-in was closed before it was restored' });

/**
 * A kept sign-in's connection while the backend takes its session up again (Backend.restore): the console opens
 * the user's workspace from the local store at once, as desktop chat apps do, and this stands in for the
 * connection meanwhile. Every call waits for the restore and then goes to the restored connection; the realtime
 * subscription and expiry listeners are made on it once it exists. While the backend cannot be reached, calls fail
 * as they would against a backend that is down, at the latest after RESTORE_WAIT_MS (the outbox retries, the
 * screens say so), and the restore is tried again, at once when a call needs it and otherwise after a growing delay.
 * Refused (the session revoked, the account gone) or the backend unable to start: `restored` rejects with the
 * reason, and so does every call.
 */
export class RestoringConnection {
  readonly connection: UserConnection;
  /** The restored connection; rejects when the restore is refused or fails for good, or this is closed first. */
  readonly restored: Promise<UserConnection>;
  private real: UserConnection | null = null;
  private attempt: Promise<UserConnection> | null = null;
  private ended: unknown = null;
  private failures = 0;
  private retry: NodeJS.Timeout | null = null;
  private settle!: { resolve(connection: UserConnection): void; reject(error: unknown): void };
  private readonly pending: ((connection: UserConnection) => void)[] = [];

  constructor(
    private readonly kept: KeptSignIn,
    private readonly restore: () => Promise<UserConnection>,
  ) {
    this.restored = new Promise<UserConnection>((resolve, reject) => (this.settle = { resolve, reject }));
    this.restored.catch(() => {});
    this.connection = this.forwarder();
    void this.current().catch(() => {});
  }

  /** The restored connection, or the attempt under way (one is started if none is). */
  private current(): Promise<UserConnection> {
    if (this.real) return Promise.resolve(this.real);
    if (this.ended) return Promise.reject(this.ended);
    if (this.attempt) return this.attempt;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const attempt = this.restore().then(
      (connection) => {
        this.attempt = null;
        if (this.ended) {
          void connection.close().catch(() => {});
          throw this.ended;
        }
        this.real = connection;
        for (const run of this.pending.splice(0)) run(connection);
        this.settle.resolve(connection);
        return connection;
      },
      (error: unknown) => {
        this.attempt = null;
        if (this.ended) throw this.ended;
        if (!passes(error)) this.end(error);
        else {
          this.retry = setTimeout(() => void this.current().catch(() => {}), retryDelay(this.failures++));
          this.retry.unref?.();
        }
        throw error;
      },
    );
    this.attempt = attempt;
    return attempt;
  }

  /** For a call: the restored connection, or the backend unavailable after RESTORE_WAIT_MS. */
  private forCall(): Promise<UserConnection> {
    if (this.real) return Promise.resolve(this.real);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(notYet()), RESTORE_WAIT_MS);
      timer.unref?.();
    });
    return Promise.race([this.current(), late]).finally(() => clearTimeout(timer));
  }

  private end(reason: unknown) {
    this.ended = reason;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.pending.length = 0;
    this.settle.reject(reason);
  }

  /** Runs `use` on the restored connection now, or once it is restored (never, if the restore ends first). */
  private whenRestored(use: (connection: UserConnection) => void) {
    if (this.real) use(this.real);
    else if (!this.ended) this.pending.push(use);
  }

  private subscribe(listener: RealtimeListener): RealtimeSubscription {
    let real: RealtimeSubscription | null = null;
    let open: readonly string[] | null = null;
    let closed = false;
    this.whenRestored((connection) => {
      if (closed) return;
      real = connection.subscribe(listener);
      if (open) real.setOpenSessions(open);
    });
    return {
      setOpenSessions: (sessionIds) => {
        open = sessionIds;
        real?.setOpenSessions(sessionIds);
      },
      close: () => {
        closed = true;
        real?.close();
      },
    };
  }

  private onExpired(listener: () => void): () => void {
    let off: (() => void) | null = null;
    let removed = false;
    this.whenRestored((connection) => {
      if (!removed) off = connection.onExpired(listener);
    });
    return () => {
      removed = true;
      off?.();
    };
  }

  /** Closed before it was restored: nothing more is tried, and a restore that succeeds late is closed at once. */
  private async close(): Promise<void> {
    if (this.real) return this.real.close();
    if (!this.ended) this.end(closedError());
  }

  private async signOut(): Promise<void> {
    // Not restored yet: the core forgets the kept sign-in and empties its slot; the server session, never taken up
    // again, ends when its refresh token does.
    if (this.real) return this.real.signOut();
    await this.close();
  }

  /**
   * The stand-in: what the kept sign-in knows answers at once (who, which slot, the profile kept), what needs the
   * session waits for it. A Proxy rather than a class listing UserConnection's sixty methods, each only forwarding.
   */
  private forwarder(): UserConnection {
    const own: Partial<Record<keyof UserConnection, unknown>> = {
      slot: this.kept.slot,
      userId: this.kept.userId,
      signedInProfile: keptProfileRow(this.kept.profile),
      subscribe: (listener: RealtimeListener) => this.subscribe(listener),
      onExpired: (listener: () => void) => this.onExpired(listener),
      close: () => this.close(),
      signOut: () => this.signOut(),
    };
    return new Proxy({} as UserConnection, {
      get: (_target, name) => {
        if (typeof name !== 'string' || name === 'then') return undefined;
        if (Object.hasOwn(own, name)) return own[name as keyof UserConnection];
        if (name === 'signedInCursor') {
          if (!this.real) throw new Error('The change cursor of a kept sign-in is known once it is restored (RestoringConnection.restored).');
          return this.real.signedInCursor;
        }
        return (...args: unknown[]) =>
          this.forCall().then((connection) => (connection[name as keyof UserConnection] as (...a: unknown[]) => unknown).apply(connection, args));
      },
    });
  }
}
