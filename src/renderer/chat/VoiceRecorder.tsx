import { useEffect, useRef, useState } from 'react';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { analyseRecording } from '../lib/peaks';
import { AudioPlayer } from '../audio/AudioPlayer';
import { FALLBACK_LIMITS, sizeParts } from '../lib/limits';
import { microphoneConstraints } from '../lib/microphone';

// The recorder hands over data every 250 ms: stopping this much early keeps the note within the maximum.
const STOP_MARGIN_MS = 300;
const RECORDING_MIME = 'audio/webm;codecs=opus';

export interface Recording {
  blob: Blob;
  peaks: number[];
  durationMs: number;
}

const monotonicNow = () => performance.now();
const elapsedOf = (c: { startedAt: number; accumulated: number; paused: boolean }) => c.accumulated + (c.paused ? 0 : monotonicNow() - c.startedAt);

type Phase =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'recording'; paused: boolean }
  | { kind: 'analysing' }
  | { kind: 'preview'; recording: Recording }
  | { kind: 'error'; key: 'voice.micDenied' | 'voice.unsupported' | 'voice.decodeFailed' };

/** Records a voice note; the peaks are computed once, when recording ends, and travel with the note. */
interface Props {
  client: ConsoleClient;
  onSend(recording: Recording): Promise<boolean>;
  disabled: boolean;
  /** From the console settings (console.audio.max_duration_ms, console.audio.max_size_bytes). */
  maxDurationMs?: number;
  maxBytes?: number;
}

export function VoiceRecorder({ client, onSend, disabled, maxDurationMs = FALLBACK_LIMITS.audioMaxDurationMs, maxBytes = FALLBACK_LIMITS.audioMaxBytes }: Props) {
  const { t, formatNumber } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [reachedMax, setReachedMax] = useState(false);
  // The draw loop outlives renders: it reads the limit through a ref, so a limit that arrives mid-recording applies.
  const maxMs = useRef(maxDurationMs);
  useEffect(() => {
    maxMs.current = maxDurationMs;
  }, [maxDurationMs]);
  const [elapsed, setElapsed] = useState(0);
  const recorder = useRef<MediaRecorder | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const audio = useRef<AudioContext | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const frame = useRef(0);
  const clock = useRef({ startedAt: 0, accumulated: 0, paused: false });
  const chunks = useRef<Blob[]>([]);

  const release = () => {
    cancelAnimationFrame(frame.current);
    stream.current?.getTracks().forEach((track) => track.stop());
    stream.current = null;
    void audio.current?.close().catch(() => {});
    audio.current = null;
  };
  useEffect(() => () => {
    if (recorder.current && recorder.current.state !== 'inactive') recorder.current.stop();
    release();
  }, []);

  const elapsedNow = () => elapsedOf(clock.current);

  async function start() {
    if (typeof MediaRecorder === 'undefined' || !navigator.mediaDevices?.getUserMedia) {
      setPhase({ kind: 'error', key: 'voice.unsupported' });
      return;
    }
    setPhase({ kind: 'starting' });
    try {
      stream.current = await navigator.mediaDevices.getUserMedia(microphoneConstraints());
    } catch {
      setPhase({ kind: 'error', key: 'voice.micDenied' });
      return;
    }
    const mimeType = MediaRecorder.isTypeSupported(RECORDING_MIME) ? RECORDING_MIME : 'audio/webm';
    const rec = new MediaRecorder(stream.current, { mimeType });
    chunks.current = [];
    rec.ondataavailable = (event) => {
      if (event.data.size > 0) chunks.current.push(event.data);
    };
    rec.onstop = () => void finish();
    recorder.current = rec;
    rec.start(250);
    clock.current = { startedAt: monotonicNow(), accumulated: 0, paused: false };
    setElapsed(0);
    setReachedMax(false);
    setPhase({ kind: 'recording', paused: false });

    // Live level: an analyser on the microphone, drawn as a scrolling bar graph.
    audio.current = new AudioContext();
    const analyser = audio.current.createAnalyser();
    analyser.fftSize = 1024;
    audio.current.createMediaStreamSource(stream.current).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const levels: number[] = [];
    const draw = () => {
      const ms = elapsedNow();
      setElapsed(ms);
      if (ms >= maxMs.current - STOP_MARGIN_MS && rec.state !== 'inactive') {
        setReachedMax(true);
        rec.stop();
        return;
      }
      if (!clock.current.paused) {
        analyser.getFloatTimeDomainData(samples);
        let peak = 0;
        for (const v of samples) peak = Math.max(peak, Math.abs(v));
        levels.push(Math.min(1, peak * 1.5));
        if (levels.length > 120) levels.shift();
      }
      const c = canvas.current;
      const g = c?.getContext('2d');
      if (c && g) {
        g.clearRect(0, 0, c.width, c.height);
        g.fillStyle = '#c9a24d';
        const bar = c.width / 120;
        levels.forEach((level, i) => {
          const h = Math.max(2, level * c.height);
          g.fillRect(i * bar, (c.height - h) / 2, Math.max(1, bar - 1), h);
        });
      }
      frame.current = requestAnimationFrame(draw);
    };
    frame.current = requestAnimationFrame(draw);
  }

  async function finish() {
    release();
    setPhase({ kind: 'analysing' });
    const blob = new Blob(chunks.current, { type: 'audio/webm' });
    try {
      const { peaks, durationMs } = await analyseRecording(blob, 200);
      setPhase({ kind: 'preview', recording: { blob, peaks, durationMs } });
    } catch {
      setPhase({ kind: 'error', key: 'voice.decodeFailed' });
    }
  }

  function pauseResume() {
    const rec = recorder.current;
    if (!rec) return;
    if (rec.state === 'recording') {
      rec.pause();
      clock.current.accumulated += monotonicNow() - clock.current.startedAt;
      clock.current.paused = true;
      setPhase({ kind: 'recording', paused: true });
    } else if (rec.state === 'paused') {
      rec.resume();
      clock.current.startedAt = monotonicNow();
      clock.current.paused = false;
      setPhase({ kind: 'recording', paused: false });
    }
  }

  const discard = () => {
    if (recorder.current && recorder.current.state !== 'inactive') {
      recorder.current.onstop = null;
      recorder.current.stop();
    }
    release();
    setPhase({ kind: 'idle' });
  };

  const mmss = (ms: number) => {
    const s = Math.floor(ms / 1000);
    return `${formatNumber(Math.floor(s / 60))}:${formatNumber(s % 60).padStart(2, formatNumber(0))}`;
  };

  if (phase.kind === 'idle' || phase.kind === 'error') {
    return (
      <span className="voice">
        <button type="button" className="secondary" onClick={() => void start()} disabled={disabled}>
          {t('voice.record')}
        </button>
        {phase.kind === 'error' && (
          <span className="form-error" role="alert">
            {t(phase.key)}
          </span>
        )}
      </span>
    );
  }
  if (phase.kind === 'starting' || phase.kind === 'analysing') {
    return (
      <span className="voice muted" role="status">
        {t(phase.kind === 'starting' ? 'voice.starting' : 'voice.analysing')}
      </span>
    );
  }
  if (phase.kind === 'recording') {
    return (
      <div className="voice voice--recording" role="group" aria-label={t('voice.recording')}>
        <span className="voice__dot" aria-hidden="true" />
        <canvas ref={canvas} width={240} height={32} className="voice__level" data-testid="live-level" aria-hidden="true" />
        <span dir="ltr" data-testid="recording-time">
          {mmss(elapsed)} / {mmss(maxDurationMs)}
        </span>
        <button type="button" className="secondary" onClick={pauseResume}>
          {phase.paused ? t('voice.resume') : t('voice.pause')}
        </button>
        <button type="button" onClick={() => recorder.current?.stop()}>
          {t('voice.stop')}
        </button>
        <button type="button" className="secondary" onClick={discard}>
          {t('voice.discard')}
        </button>
      </div>
    );
  }
  const { recording } = phase;
  const size = sizeParts(maxBytes);
  // Checked again here: the limits may have arrived (or changed) after recording began.
  const overLimit =
    recording.blob.size > maxBytes
      ? t('voice.tooLarge', { limit: t(`size.${size.unit}`, { value: size.value }) })
      : recording.durationMs > maxDurationMs
        ? t('voice.tooLong', { limit: mmss(maxDurationMs) })
        : null;
  return (
    <div className="voice voice--preview" role="group" aria-label={t('voice.preview')}>
      <AudioPlayer client={client} storagePath={null} mimeType="audio/webm" peaks={recording.peaks} durationMs={recording.durationMs} blob={recording.blob} />
      {reachedMax && !overLimit && (
        <span className="muted" role="status" data-testid="voice-reached-max">
          {t('voice.reachedMax', { limit: mmss(maxDurationMs) })}
        </span>
      )}
      {overLimit && (
        <span className="form-error" role="alert" data-testid="voice-over-limit">
          {overLimit}
        </span>
      )}
      <button
        type="button"
        disabled={overLimit !== null}
        onClick={async () => {
          if (await onSend(recording)) setPhase({ kind: 'idle' });
        }}
      >
        {t('voice.send')}
      </button>
      <button type="button" className="secondary" onClick={() => setPhase({ kind: 'idle' })}>
        {t('voice.discard')}
      </button>
    </div>
  );
}
