import { forwardRef, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef } from 'react';
import WaveSurfer, { type WaveSurferOptions } from 'wavesurfer.js';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { onPlayerKeyDown, playerFor, SpeedSelect, useClock, usePlayerState } from './player';
import type { VoiceNote } from './player-store';

export { SPEEDS } from './player-store';

/**
 * wavesurfer.js writes a <style> element into its shadow root, which a strict CSP (style-src without
 * 'unsafe-inline') refuses, reporting a violation per player. So the player is built on a host element that is
 * not yet in the document, where a <style> is inert; its rules are moved into a constructed stylesheet
 * (CSSOM, which the CSP does not govern) and the <style> is removed before the host is attached.
 */
export function createWaveSurferWithoutInlineStyle(container: HTMLElement, options: Omit<WaveSurferOptions, 'container'>): WaveSurfer {
  const host = document.createElement('div');
  host.className = 'audio-player__wave-host';
  const instance = WaveSurfer.create({ ...options, container: host });
  const root = instance.getWrapper().getRootNode();
  if (root instanceof ShadowRoot) {
    const styles = [...root.querySelectorAll('style')];
    const css = styles.map((style) => style.textContent ?? '').join('\n');
    for (const style of styles) style.remove();
    if (typeof CSSStyleSheet !== 'undefined' && 'adoptedStyleSheets' in root) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    }
  }
  container.appendChild(host);
  return instance;
}

export interface AudioPlayerHandle {
  toggle(): void;
}

interface Props {
  client: ConsoleClient;
  storagePath: string | null;
  mimeType: string | null;
  peaks: number[];
  durationMs: number;
  /** A local recording (preview before sending): no download needed. */
  blob?: Blob;
  /** The chat message this note is (its id, session, sender and time): remembered as played, followed by the next one. */
  message?: { id: string; sessionId: string; senderId: string; createdAt: string };
}

let previews = 0;

/**
 * One note's waveform and controls. It plays nothing itself: it drives the console's one player (player-store.ts),
 * which keeps playing when this view goes away, and draws the player's position when the player holds this note.
 * The stored peaks are drawn at once; the audio is fetched only when the user presses play.
 */
export const AudioPlayer = forwardRef<AudioPlayerHandle, Props>(function AudioPlayer({ client, storagePath, mimeType, peaks, durationMs, blob, message }, ref) {
  const { t, errorText } = useI18n();
  const store = playerFor(client);
  const container = useRef<HTMLDivElement>(null);
  const ws = useRef<WaveSurfer | null>(null);
  const previewId = useRef<string | null>(null);
  if (!message && !storagePath && previewId.current === null) previewId.current = `preview:${++previews}`;
  const note: VoiceNote = useMemo(
    () => ({
      id: message?.id ?? (storagePath ? `file:${storagePath}` : previewId.current!),
      sessionId: message?.sessionId ?? null,
      senderId: message?.senderId ?? null,
      createdAt: message?.createdAt ?? null,
      storagePath,
      mimeType,
      durationMs,
      ...(blob ? { blob } : {}),
    }),
    [message?.id, message?.sessionId, message?.senderId, message?.createdAt, storagePath, mimeType, durationMs, blob],
  );
  const current = usePlayerState(store, (s) => s.note?.id === note.id);
  const playing = usePlayerState(store, (s) => s.note?.id === note.id && s.playing);
  const loading = usePlayerState(store, (s) => s.note?.id === note.id && s.loading);
  const position = usePlayerState(store, (s) => (s.note?.id === note.id ? s.position : 0));
  const error = usePlayerState(store, (s) => (s.note?.id === note.id ? s.error : null));
  const clock = useClock();
  const duration = Math.max(0.001, durationMs / 1000);
  const noteRef = useRef(note);
  useLayoutEffect(() => {
    noteRef.current = note;
  }, [note]);

  useEffect(() => {
    if (!container.current) return;
    const instance = createWaveSurferWithoutInlineStyle(container.current, {
      peaks: [peaks.length > 0 ? peaks : [0]],
      duration,
      height: 40,
      barWidth: 2,
      barGap: 1,
      barRadius: 2,
      waveColor: '#7d6fa3',
      progressColor: '#c9a24d',
      cursorColor: '#efeaf8',
      normalize: false,
      interact: true,
    });
    ws.current = instance;
    // A click on the wave: the current note moves there; another note starts playing from there.
    const off = instance.on('interaction', (time) => {
      if (store.isCurrent(noteRef.current.id)) store.seek(time);
      else void store.play(noteRef.current, time);
    });
    return () => {
      off();
      instance.destroy();
      ws.current = null;
    };
    // Peaks and duration are fixed for a given note.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // The player's position, drawn on this note's wave (zero when another note holds the player).
  useEffect(() => {
    ws.current?.getRenderer().renderProgress(Math.min(1, position / duration), playing);
  }, [position, duration, playing]);

  useImperativeHandle(ref, () => ({ toggle: () => void store.toggle(noteRef.current) }), [store]);

  return (
    <div
      className="audio-player"
      data-testid="audio-player"
      data-note-id={note.id}
      data-current={current}
      data-playing={playing}
      data-player-keys
      onKeyDown={onPlayerKeyDown(store, note)}
    >
      <button type="button" className="audio-player__play" onClick={() => void store.toggle(note)} aria-label={playing ? t('audio.pause') : t('audio.play')} disabled={loading}>
        {loading ? '…' : playing ? '❚❚' : '▶'}
      </button>
      {/* The waveform is drawn LTR in both languages: time flows left to right on every audio timeline. */}
      <div className="audio-player__wave" ref={container} dir="ltr" data-testid="waveform" />
      <span className="audio-player__time" dir="ltr">
        {clock(position)} / {clock(duration)}
      </span>
      <SpeedSelect store={store} />
      {error && (
        <span className="form-error" role="alert">
          {errorText(error)}
        </span>
      )}
    </div>
  );
});
