import type { IpcError } from '../../shared/ipc/errors';

/** A voice note the console can play: a chat message's audio, or a local recording (blob) before it is sent. */
export interface VoiceNote {
  /** The message id; for a local recording, any id unique to it (never remembered as played). */
  id: string;
  /** The chat session it belongs to; null for notes outside a conversation (reviews, previews). */
  sessionId: string | null;
  senderId: string | null;
  createdAt: string | null;
  storagePath: string | null;
  mimeType: string | null;
  durationMs: number;
  blob?: Blob;
}

/** What of HTMLMediaElement the store uses; the console passes `new Audio()`. */
export interface MediaElementLike {
  src: string;
  currentTime: number;
  playbackRate: number;
  defaultPlaybackRate: number;
  readonly paused: boolean;
  play(): Promise<void>;
  pause(): void;
  removeAttribute(name: 'src'): void;
  load(): void;
  addEventListener(type: 'play' | 'pause' | 'ended' | 'timeupdate' | 'error', listener: () => void): void;
}

/** The Storage subset kept across restarts (localStorage in the console). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export type Announcement =
  | { kind: 'playing'; noteId: string; senderId: string | null }
  | { kind: 'next'; noteId: string; senderId: string | null }
  | { kind: 'paused' }
  | { kind: 'finished' }
  | { kind: 'speed'; speed: number }
  | { kind: 'position'; seconds: number };

export interface PlayerState {
  note: VoiceNote | null;
  playing: boolean;
  loading: boolean;
  /** Seconds into the current note. */
  position: number;
  speed: number;
  error: IpcError | null;
  /** The latest event worth telling a screen reader, with a sequence number so the same one twice is announced twice. */
  announcement: (Announcement & { seq: number }) | null;
}

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2] as const;
export const SKIP_SECONDS = 5;
export const SPEED_KEY = 'samia.player.speed';
/** Played notes per user; the newest PLAYED_CAP ids are kept, so the list cannot grow for ever. */
export const playedKey = (userId: string) => `samia.player.played.${userId}`;
export const PLAYED_CAP = 5_000;

export interface PlayerStoreOptions {
  media: MediaElementLike;
  storage: KeyValueStore;
  /** A URL the media element can load for a note (the main process's media route, or an object URL). */
  resolveUrl(note: VoiceNote): Promise<string>;
  /** Called when a URL from resolveUrl is no longer used (object URLs are revoked). */
  releaseUrl?(url: string): void;
  toError(failure: unknown): IpcError;
}

/**
 * The one playback owner of the console: one media element, so one note plays at a time wherever it was started;
 * it outlives the views (a tab switch keeps it playing), remembers the speed and the notes each user has played,
 * and at the end of a note plays the next unplayed note of the same session.
 */
export class PlayerStore {
  private state: PlayerState;
  private readonly listeners = new Set<() => void>();
  /** Voice notes of each session as its view last listed them, oldest first. */
  private readonly sessions = new Map<string, VoiceNote[]>();
  private played: string[] = [];
  private playedSet = new Set<string>();
  private userId: string | null = null;
  private url: string | null = null;
  /** Bumped by every load: an answer for an older load is dropped. */
  private generation = 0;
  private seq = 0;

  constructor(private readonly options: PlayerStoreOptions) {
    this.state = { note: null, playing: false, loading: false, position: 0, speed: readSpeed(options.storage), error: null, announcement: null };
    const media = options.media;
    media.defaultPlaybackRate = this.state.speed;
    media.playbackRate = this.state.speed;
    media.addEventListener('play', () => this.set({ playing: true }));
    media.addEventListener('pause', () => this.set({ playing: false }));
    media.addEventListener('timeupdate', () => this.set({ position: media.currentTime }));
    media.addEventListener('ended', () => void this.finished());
    media.addEventListener('error', () => {
      if (this.state.note) this.set({ playing: false, loading: false, error: { code: 'audio.unplayable', messageKey: 'errors.audio.unplayable' } as IpcError });
    });
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = () => this.state;

  private set(patch: Partial<PlayerState>, announce?: Announcement) {
    this.state = { ...this.state, ...patch, ...(announce ? { announcement: { ...announce, seq: ++this.seq } } : {}) };
    for (const listener of [...this.listeners]) listener();
  }

  /** Whose played notes are remembered (the signed-in user); their own notes count as played. */
  setUser(userId: string | null) {
    if (userId === this.userId) return;
    this.userId = userId;
    this.played = [];
    if (userId) {
      try {
        const parsed: unknown = JSON.parse(this.options.storage.getItem(playedKey(userId)) ?? '[]');
        if (Array.isArray(parsed)) this.played = parsed.filter((id): id is string => typeof id === 'string').slice(-PLAYED_CAP);
      } catch {
        this.played = [];
      }
    }
    this.playedSet = new Set(this.played);
  }

  isPlayed(note: VoiceNote): boolean {
    return this.playedSet.has(note.id) || (note.senderId !== null && note.senderId === this.userId);
  }

  private markPlayed(note: VoiceNote) {
    if (!this.userId || !note.sessionId || this.playedSet.has(note.id)) return;
    this.played.push(note.id);
    this.playedSet.add(note.id);
    if (this.played.length > PLAYED_CAP) {
      for (const id of this.played.splice(0, this.played.length - PLAYED_CAP)) this.playedSet.delete(id);
    }
    this.options.storage.setItem(playedKey(this.userId), JSON.stringify(this.played));
  }

  /** The voice notes of a session, as its view has them (any order): what "the next note" is chosen from. */
  knowSession(sessionId: string, notes: readonly VoiceNote[]) {
    this.sessions.set(
      sessionId,
      [...notes].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.id.localeCompare(b.id)),
    );
  }

  /** The next unplayed note of the session after `note`, or null. */
  nextUnplayed(note: VoiceNote): VoiceNote | null {
    if (!note.sessionId) return null;
    const notes = this.sessions.get(note.sessionId) ?? [];
    const at = notes.findIndex((n) => n.id === note.id);
    const after = at >= 0 ? notes.slice(at + 1) : notes.filter((n) => (n.createdAt ?? '') > (note.createdAt ?? ''));
    return after.find((n) => !this.isPlayed(n)) ?? null;
  }

  isCurrent(noteId: string) {
    return this.state.note?.id === noteId;
  }

  /** Plays `note` from `at` seconds (or from where it was, if it is the current one); whatever played stops. */
  async play(note: VoiceNote, at?: number, announce: 'playing' | 'next' = 'playing'): Promise<void> {
    const media = this.options.media;
    if (this.isCurrent(note.id) && this.url) {
      if (at !== undefined) media.currentTime = at;
      await this.start(note, announce);
      return;
    }
    const generation = ++this.generation;
    media.pause();
    this.dropUrl();
    this.set({ note, playing: false, loading: true, position: at ?? 0, error: null });
    let url: string;
    try {
      url = await this.options.resolveUrl(note);
    } catch (failure) {
      if (generation === this.generation) this.set({ loading: false, error: this.options.toError(failure) });
      return;
    }
    if (generation !== this.generation) {
      this.options.releaseUrl?.(url);
      return;
    }
    this.url = url;
    media.src = url;
    // Loading a new source resets the rate to the default one: both carry the chosen speed.
    media.defaultPlaybackRate = this.state.speed;
    media.playbackRate = this.state.speed;
    if (at) media.currentTime = at;
    await this.start(note, announce);
  }

  private async start(note: VoiceNote, announce: 'playing' | 'next') {
    const generation = this.generation;
    try {
      await this.options.media.play();
      if (generation !== this.generation) return;
      this.markPlayed(note);
      this.set({ loading: false, playing: true, error: null }, { kind: announce, noteId: note.id, senderId: note.senderId });
    } catch (failure) {
      if (generation === this.generation) this.set({ loading: false, playing: false, error: this.options.toError(failure) });
    }
  }

  pause() {
    if (!this.state.note) return;
    this.options.media.pause();
    this.set({ playing: false }, { kind: 'paused' });
  }

  /** Play/pause: `note` given, it becomes the current one (the waveform pressed); else the current one. */
  async toggle(note?: VoiceNote): Promise<void> {
    const target = note ?? this.state.note;
    if (!target) return;
    if (this.isCurrent(target.id) && this.state.playing) {
      this.pause();
      return;
    }
    await this.play(target);
  }

  /** Moves the current note to `seconds` (clamped to the note). A waveform clicked that is not current starts there. */
  seek(seconds: number) {
    const note = this.state.note;
    if (!note) return;
    const end = note.durationMs > 0 ? note.durationMs / 1000 : Number.POSITIVE_INFINITY;
    const at = Math.min(Math.max(0, seconds), end);
    if (this.url) this.options.media.currentTime = at;
    this.set({ position: at }, { kind: 'position', seconds: Math.round(at) });
  }

  skip(deltaSeconds: number) {
    this.seek((this.url ? this.options.media.currentTime : this.state.position) + deltaSeconds);
  }

  /** Sets the speed (one of SPEEDS), for this note and the next ones, and remembers it. */
  setSpeed(speed: number) {
    if (!(SPEEDS as readonly number[]).includes(speed)) throw new RangeError(`Playback speed must be one of ${SPEEDS.join(', ')}, got ${speed}.`);
    const media = this.options.media;
    media.defaultPlaybackRate = speed;
    media.playbackRate = speed;
    this.options.storage.setItem(SPEED_KEY, String(speed));
    this.set({ speed }, { kind: 'speed', speed });
  }

  /** One step faster (+1) or slower (-1) along SPEEDS; stays at the ends. */
  stepSpeed(direction: 1 | -1) {
    const at = SPEEDS.indexOf(this.state.speed as (typeof SPEEDS)[number]);
    const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (at < 0 ? SPEEDS.indexOf(1) : at) + direction))]!;
    if (next !== this.state.speed) this.setSpeed(next);
  }

  /** Stops and forgets the current note (the mini-player's close). */
  close() {
    this.generation += 1;
    this.options.media.pause();
    this.dropUrl();
    this.set({ note: null, playing: false, loading: false, position: 0, error: null });
  }

  private async finished() {
    const note = this.state.note;
    if (!note) return;
    const next = this.nextUnplayed(note);
    if (next) {
      await this.play(next, undefined, 'next');
      return;
    }
    this.set({ playing: false, position: note.durationMs / 1000 }, { kind: 'finished' });
  }

  private dropUrl() {
    const media = this.options.media;
    if (this.url) {
      media.removeAttribute('src');
      media.load();
      this.options.releaseUrl?.(this.url);
    }
    this.url = null;
  }
}

function readSpeed(storage: KeyValueStore): number {
  const stored = Number(storage.getItem(SPEED_KEY));
  return (SPEEDS as readonly number[]).includes(stored) ? stored : 1;
}
