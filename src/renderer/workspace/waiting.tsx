import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { ChatSession } from '../../shared/ipc/contract';
import { countWaiting, waitState, type WaitLevel } from '../../shared/waiting-time';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { column, defineColumn } from '../lib/session-list';

/** The console setting read for the target (supabase/migrations/20261201000500_app_settings.sql). */
export const REPLY_TARGET_KEY = 'console.reply.target_minutes';

/**
 * One clock for every waiting figure: a single one-second timer, started by the first figure shown and stopped with
 * the last. Each figure subscribes on its own and redraws only when what it shows changes, so the session list is
 * never re-rendered by the clock.
 */
class WaitClock {
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private now = Date.now();

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    if (!this.timer) {
      this.now = Date.now();
      this.timer = setInterval(() => {
        this.now = Date.now();
        for (const l of [...this.listeners]) l();
      }, 1_000);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  };

  read = () => this.now;
}

export const waitClock = new WaitClock();

/** The reply-time target in minutes from settings.get (read again when the window regains focus); null: none set. */
export function useReplyTarget(client: ConsoleClient): number | null {
  const [target, setTarget] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    const read = () =>
      client
        .call('settings.get', {})
        .then(({ settings }) => {
          const raw = settings[REPLY_TARGET_KEY];
          const minutes = typeof raw === 'string' ? Number(raw) : raw;
          if (live) setTarget(typeof minutes === 'number' && Number.isInteger(minutes) && minutes > 0 ? minutes : null);
        })
        .catch(() => {});
    void read();
    window.addEventListener('focus', read);
    return () => {
      live = false;
      window.removeEventListener('focus', read);
    };
  }, [client]);
  return target;
}

/** What a figure shows, as one comparable value: whole minutes and level. */
function useWait(waitingSince: string, target: number | null): { minutes: number; level: WaitLevel } {
  const key = useSyncExternalStore(waitClock.subscribe, () => {
    const state = waitState(waitingSince, waitClock.read(), target);
    return `${Math.floor(state.seconds / 60)}|${state.level}`;
  });
  const [minutes, level] = key.split('|') as [string, WaitLevel];
  return { minutes: Number(minutes), level };
}

/** The time a session's client has waited, in the sidebar row; warns when the target is close and when it is passed. */
export function WaitingFigure({ waitingSince, target }: { waitingSince: string; target: number | null }) {
  const { t } = useI18n();
  const { minutes, level } = useWait(waitingSince, target);
  const label =
    level === 'passed'
      ? t('waiting.passed', { count: minutes, target: target ?? 0 })
      : level === 'close'
        ? t('waiting.close', { count: minutes, target: target ?? 0 })
        : t('waiting.for', { count: minutes });
  return (
    <span className={`wait-figure wait-figure--${level}`} data-testid="waiting-figure" data-level={level} title={label} aria-label={label}>
      {level !== 'ok' && <span aria-hidden="true">⚠ </span>}
      {t('waiting.short', { count: minutes })}
    </span>
  );
}

/** When each row's client began to wait (NaN: nobody waits), carried with the list: worked out for the rows that come. */
const WAIT_START = defineColumn((s) => (s.status === 'active' && s.waitingSince ? Date.parse(s.waitingSince) : NaN));
const waitStarts = (sessions: readonly ChatSession[]): number[] => column(sessions, WAIT_START).filter((since) => !Number.isNaN(since));

/** Count of sessions whose client is past (or close to) the target; a visible, announced warning above the list. */
export function WaitingSummary({ sessions, target }: { sessions: readonly ChatSession[]; target: number | null }) {
  const { t } = useI18n();
  const waiting = useMemo(() => waitStarts(sessions), [sessions]);
  const key = useSyncExternalStore(waitClock.subscribe, () => {
    if (target === null) return '0|0';
    const { passed, close } = countWaiting(waiting, waitClock.read(), target);
    return `${passed}|${close}`;
  });
  const [passed, close] = key.split('|').map(Number) as [number, number];
  return (
    <div role="status" aria-live="polite" className="wait-summary" data-testid="waiting-summary">
      {passed > 0 && <p className="wait-summary__passed">{t('waiting.summaryPassed', { count: passed, target: target ?? 0 })}</p>}
      {close > 0 && <p className="wait-summary__close">{t('waiting.summaryClose', { count: close, target: target ?? 0 })}</p>}
    </div>
  );
}
