import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import WaveSurfer, { type WaveSurferOptions } from 'wavesurfer.js';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { base64ToBlob } from '../lib/peaks';

export const SPEEDS = [0.5, 1, 1.5, 2] as const;

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
}

/** Draws the stored peaks at once; the audio itself is fetched only when the user presses play. */
export const AudioPlayer = forwardRef<AudioPlayerHandle, Props>(function AudioPlayer({ client, storagePath, mimeType, peaks, durationMs, blob }, ref) {
  const { t, errorText, formatNumber } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const ws = useRef<WaveSurfer | null>(null);
  const loaded = useRef(false);
  const [playing, setPlaying] = useState(false);
  const [loading, setLoading] = useState(false);
  const [speed, setSpeed] = useState(1);
  const [position, setPosition] = useState(0);
  const [error, setError] = useState<IpcError | null>(null);
  const duration = Math.max(0.001, durationMs / 1000);

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
    const subs = [
      instance.on('play', () => setPlaying(true)),
      instance.on('pause', () => setPlaying(false)),
      instance.on('finish', () => setPlaying(false)),
      instance.on('timeupdate', (time) => setPosition(time)),
      instance.on('interaction', (time) => setPosition(time)),
    ];
    return () => {
      for (const off of subs) off();
      instance.destroy();
      ws.current = null;
      loaded.current = false;
    };
    // Peaks and duration are fixed for a given note.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  async function ensureLoaded(): Promise<boolean> {
    const instance = ws.current;
    if (!instance) return false;
    if (loaded.current) return true;
    setLoading(true);
    setError(null);
    try {
      const at = instance.getCurrentTime();
      const drawn = [peaks.length > 0 ? peaks : [0]];
      if (blob) await instance.loadBlob(blob, drawn, duration);
      else if (!storagePath) return false;
      else {
        // Streamed from the main process's media route (range requests); base64 over IPC only where there is none.
        const url = await client.call('media.url', { storagePath }).then((r) => r.url, () => null);
        if (url) await instance.load(url, drawn, duration);
        else {
          const { bytesBase64 } = await client.call('media.get', { storagePath });
          await instance.loadBlob(base64ToBlob(bytesBase64, mimeType ?? 'audio/webm'), drawn, duration);
        }
      }
      instance.setPlaybackRate(speed);
      if (at > 0) instance.setTime(at);
      loaded.current = true;
      return true;
    } catch (failure) {
      setError(toIpcError(failure));
      return false;
    } finally {
      setLoading(false);
    }
  }

  async function toggle() {
    const instance = ws.current;
    if (!instance) return;
    if (instance.isPlaying()) {
      instance.pause();
      return;
    }
    if (await ensureLoaded()) await instance.play().catch(() => setPlaying(false));
  }

  useImperativeHandle(ref, () => ({ toggle: () => void toggle() }));

  const clock = (seconds: number) => {
    const s = Math.max(0, Math.round(seconds));
    return `${formatNumber(Math.floor(s / 60))}:${formatNumber(s % 60).padStart(2, formatNumber(0))}`;
  };

  return (
    <div className="audio-player" data-testid="audio-player">
      <button type="button" className="audio-player__play" onClick={() => void toggle()} aria-label={playing ? t('audio.pause') : t('audio.play')} disabled={loading}>
        {loading ? '…' : playing ? '❚❚' : '▶'}
      </button>
      {/* The waveform is drawn LTR in both languages: time flows left to right on every audio timeline. */}
      <div className="audio-player__wave" ref={container} dir="ltr" data-testid="waveform" />
      <span className="audio-player__time" dir="ltr">
        {clock(position)} / {clock(duration)}
      </span>
      <select
        aria-label={t('audio.speed')}
        value={speed}
        onChange={(e) => {
          const next = Number(e.target.value);
          setSpeed(next);
          ws.current?.setPlaybackRate(next);
        }}
      >
        {SPEEDS.map((s) => (
          <option key={s} value={s}>
            {formatNumber(s)}×
          </option>
        ))}
      </select>
      {error && (
        <span className="form-error" role="alert">
          {errorText(error)}
        </span>
      )}
    </div>
  );
});
