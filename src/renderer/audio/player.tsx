import { useEffect, useSyncExternalStore, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { ConsoleClient } from '../bridge/console-client';
import { toIpcError } from '../lib/errors';
import { base64ToBlob } from '../lib/peaks';
import { useI18n } from '../i18n/i18n';
import { PlayerStore, SKIP_SECONDS, SPEEDS, type PlayerState, type VoiceNote } from './player-store';

const stores = new WeakMap<ConsoleClient, PlayerStore>();

/** The console's one player (one per connection to the main process, so one per window). */
export function playerFor(client: ConsoleClient): PlayerStore {
  let store = stores.get(client);
  if (!store) {
    const objectUrls = new Set<string>();
    // Kept in the document (hidden, no controls) so that it is one inspectable element; it plays the same either way.
    const media = new Audio();
    media.hidden = true;
    media.dataset.testid = 'voice-player-media';
    document.body.appendChild(media);
    store = new PlayerStore({
      media,
      storage: window.localStorage,
      toError: toIpcError,
      async resolveUrl(note: VoiceNote) {
        if (note.blob) {
          const url = URL.createObjectURL(note.blob);
          objectUrls.add(url);
          return url;
        }
        if (!note.storagePath) throw new Error('This voice note has no audio file.');
        // Streamed from the main process's media route (range requests); base64 over IPC only where there is none.
        const routed = await client.call('media.url', { storagePath: note.storagePath }).then((r) => r.url, () => null);
        if (routed) return routed;
        const { bytesBase64 } = await client.call('media.get', { storagePath: note.storagePath });
        const url = URL.createObjectURL(base64ToBlob(bytesBase64, note.mimeType ?? 'audio/webm'));
        objectUrls.add(url);
        return url;
      },
      releaseUrl(url) {
        if (objectUrls.delete(url)) URL.revokeObjectURL(url);
      },
    });
    stores.set(client, store);
  }
  return store;
}

export function usePlayerState<T>(store: PlayerStore, select: (state: PlayerState) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}

/**
 * The player's keys: Space or K play/pause, ←/→ or J/L 5 s back/forward (in time, whatever the text direction),
 * < and > (or [ and ]) slower and faster. Returns whether the key was the player's.
 */
export function handlePlayerKey(store: PlayerStore, event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>, note?: VoiceNote): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const current = !note || store.isCurrent(note.id);
  switch (key) {
    case ' ':
    case 'k':
      void store.toggle(note);
      return true;
    case 'ArrowLeft':
    case 'j':
      if (current) store.skip(-SKIP_SECONDS);
      return true;
    case 'ArrowRight':
    case 'l':
      if (current) store.skip(SKIP_SECONDS);
      return true;
    case '<':
    case '[':
      store.stepSpeed(-1);
      return true;
    case '>':
    case ']':
      store.stepSpeed(1);
      return true;
    default:
      return false;
  }
}

export const onPlayerKeyDown = (store: PlayerStore, note?: VoiceNote) => (event: ReactKeyboardEvent) => {
  // Keys typed into a field of the player (the speed list) stay that field's.
  if (event.target instanceof HTMLSelectElement) return;
  if (event.target instanceof HTMLButtonElement && (event.key === ' ' || event.key === 'Enter')) return;
  if (handlePlayerKey(store, event, note)) {
    event.preventDefault();
    event.stopPropagation();
  }
};

export function useClock() {
  const { formatNumber } = useI18n();
  return (seconds: number) => {
    const s = Math.max(0, Math.round(seconds));
    return `${formatNumber(Math.floor(s / 60))}:${formatNumber(s % 60).padStart(2, formatNumber(0))}`;
  };
}

export function SpeedSelect({ store }: { store: PlayerStore }) {
  const { t, formatNumber } = useI18n();
  const speed = usePlayerState(store, (s) => s.speed);
  return (
    <select aria-label={t('audio.speed')} value={speed} data-testid="player-speed" onChange={(e) => store.setSpeed(Number(e.target.value))}>
      {SPEEDS.map((s) => (
        <option key={s} value={s}>
          {formatNumber(s)}×
        </option>
      ))}
    </select>
  );
}

interface MiniPlayerProps {
  client: ConsoleClient;
  /** The signed-in user: whose played notes are remembered. */
  userId: string;
  senderName(senderId: string | null): string | null;
  sessionTitle(sessionId: string | null): string | null;
  onOpenSession(sessionId: string): void;
}

/**
 * The workspace's mini-player: the note playing (whichever view started it), its session and sender, play/pause,
 * ±5 s, speed and close; and the live region that tells screen readers what the player did.
 */
export function MiniPlayer({ client, userId, senderName, sessionTitle, onOpenSession }: MiniPlayerProps) {
  const { t, tx } = useI18n();
  const store = playerFor(client);
  useEffect(() => store.setUser(userId), [store, userId]);
  const note = usePlayerState(store, (s) => s.note);
  const playing = usePlayerState(store, (s) => s.playing);
  const loading = usePlayerState(store, (s) => s.loading);
  const position = usePlayerState(store, (s) => s.position);
  const error = usePlayerState(store, (s) => s.error);
  const announcement = usePlayerState(store, (s) => s.announcement);
  const clock = useClock();
  const { errorText, formatNumber } = useI18n();

  // Keys reach the player from anywhere but a field being typed in (the composer keeps its Space).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!store.getState().note) return;
      const target = event.target as HTMLElement | null;
      // Only keys pressed on the page itself: a focused control or field keeps its own keys; the players' own
      // elements handle theirs (onPlayerKeyDown).
      if (target && target !== document.body) return;
      if (handlePlayerKey(store, event)) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);

  const spoken = (() => {
    if (!announcement) return '';
    switch (announcement.kind) {
      case 'playing':
        return t('player.announce.playing', { sender: senderName(announcement.senderId) ?? t('player.someone') });
      case 'next':
        return t('player.announce.next', { sender: senderName(announcement.senderId) ?? t('player.someone') });
      case 'paused':
        return t('player.announce.paused');
      case 'finished':
        return t('player.announce.finished');
      case 'speed':
        return t('player.announce.speed', { speed: formatNumber(announcement.speed) });
      case 'position':
        return t('player.announce.position', { time: clock(announcement.seconds) });
    }
  })();

  const title = note ? sessionTitle(note.sessionId) : null;
  const sender = note ? senderName(note.senderId) : null;
  return (
    <>
      {/* One live region that stays in place (a new one is not announced); the same sentence twice differs by an
          invisible character so that it is announced again. */}
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="player-announcement">
        {spoken}
        {announcement && announcement.seq % 2 === 1 ? '\u200b' : ''}
      </p>
      {note && (
        <div className="mini-player" role="region" aria-label={t('player.label')} data-testid="mini-player" data-note-id={note.id} data-playing={playing} data-player-keys tabIndex={0} onKeyDown={onPlayerKeyDown(store)}>
          <button type="button" className="audio-player__play" aria-label={playing ? t('player.pauseCurrent') : t('player.resumeCurrent')} onClick={() => void store.toggle()} disabled={loading} data-testid="mini-player-toggle">
            {loading ? '…' : playing ? '❚❚' : '▶'}
          </button>
          <button type="button" className="icon-button" aria-label={t('player.back')} onClick={() => store.skip(-SKIP_SECONDS)}>
            ⟲
          </button>
          <button type="button" className="icon-button" aria-label={t('player.forward')} onClick={() => store.skip(SKIP_SECONDS)}>
            ⟳
          </button>
          <span className="mini-player__what">
            {note.sessionId ? (
              <button type="button" className="link-button" onClick={() => onOpenSession(note.sessionId!)} data-testid="mini-player-title">
                {tx('player.nowPlaying', { sender: sender ?? t('player.someone'), session: title ?? t('session.untitled') })}
              </button>
            ) : (
              t('player.preview')
            )}
          </span>
          <span className="audio-player__time" dir="ltr" data-testid="mini-player-time">
            {clock(position)} / {clock(note.durationMs / 1000)}
          </span>
          <SpeedSelect store={store} />
          <button type="button" className="icon-button" aria-label={t('player.close')} onClick={() => store.close()} data-testid="mini-player-close">
            ×
          </button>
          {error && (
            <span className="form-error" role="alert">
              {errorText(error)}
            </span>
          )}
        </div>
      )}
    </>
  );
}
