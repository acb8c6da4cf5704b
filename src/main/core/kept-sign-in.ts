import { z } from 'zod';
import type { ProfileRow } from '../backend/backend-port';
import type { SecretStores } from '../backend/secret-stores';
import { profileSchema, type Profile } from '../../shared/ipc/contract';

/** A sign-in kept for the next start: whose, the token slot its session is in, and the profile to draw at once. */
export interface KeptSignIn {
  userId: string;
  slot: string;
  /** As the console last showed it (the user's own availability choice, their language). */
  profile: Profile;
}

const keptSchema = z.object({ backend: z.string(), userId: z.uuid(), slot: z.string().min(1), profile: profileSchema });

/** The kept profile as a sign-in reads it (my_profile): what the console starts from until the backend's own answers. */
export function keptProfileRow(profile: Profile): ProfileRow {
  const availability = profile.availability ?? 'online';
  return { ...profile, availability, availabilityChoice: availability, emergencyOptIn: profile.emergencyOptIn ?? false };
}

// Beside the tokens, in a slot no sign-in uses (theirs are random UUIDs).
const SLOT = 'kept-sign-in';
const KEY = 'sign-in';

/**
 * The one sign-in this console keeps across restarts, as desktop chat apps stay signed in: the last user who signed
 * in and did not sign out. The shell makes one per process over the secret store its backend keeps tokens in
 * (Electron: encrypted with the OS keyring; the web shell on the embedded backend: a file in the data folder;
 * otherwise memory, so only this run's later windows see it) and gives it to every core. The first window or page
 * that starts takes it and opens that user's workspace from the local store at once, while the backend takes the
 * session up again (restoring-connection.ts); the others show the sign-in form. Signing out, or the backend
 * refusing the session, forgets it and empties its token slot.
 */
export class KeptSignIns {
  /** The slot a live core holds: a second window is not given the same session. */
  private held: string | null = null;

  constructor(
    private readonly secrets: SecretStores,
    /** backend-config.ts's backendIdentity: a sign-in kept on another backend is not taken up. */
    private readonly backend: string,
  ) {}

  private read(): KeptSignIn | null {
    const raw = this.secrets(SLOT).getItem(KEY);
    if (raw === null) return null;
    let parsed: z.infer<typeof keptSchema>;
    try {
      parsed = keptSchema.parse(JSON.parse(raw));
    } catch {
      // Written by another version, or damaged: nothing is taken up from it, and the user signs in.
      return null;
    }
    if (parsed.backend !== this.backend || parsed.profile.id !== parsed.userId) return null;
    const { backend: _backend, ...kept } = parsed;
    return kept;
  }

  /** The kept sign-in, for the first core that asks while no other holds it; null otherwise. */
  take(): KeptSignIn | null {
    if (this.held) return null;
    const kept = this.read();
    if (kept) this.held = kept.slot;
    return kept;
  }

  /** A core signed in (or learnt a newer profile): this sign-in is the one kept, replacing any before it. */
  keep(signIn: KeptSignIn): void {
    this.secrets(SLOT).setItem(KEY, JSON.stringify({ backend: this.backend, ...signIn }));
    this.held = signIn.slot;
  }

  isKept(slot: string): boolean {
    return this.read()?.slot === slot;
  }

  /** The core holding it closed without signing out (a window closed, the app quit): the next may take it up. */
  release(slot: string): void {
    if (this.held === slot) this.held = null;
  }

  /** Signed out, or refused by the backend: not taken up again, and its tokens are gone from the store. */
  forget(slot: string): void {
    if (this.read()?.slot === slot) this.secrets(SLOT).removeItem(KEY);
    this.secrets.forget(slot);
    if (this.held === slot) this.held = null;
  }
}
