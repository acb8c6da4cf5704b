import { useState } from 'react';
import type { DoNotDisturb } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n, useNow } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { useTriage } from '../workspace/use-triage';

const TIMERS_MINUTES = [30, 60, 120, 480];

/**
 * Do-not-disturb beyond the on/off switch: for a while (a timer) or every day (a schedule in the computer's time
 * zone). Stored for the user in SQL, so it follows them to every computer; emergencies ring whatever it says.
 */
export function DoNotDisturbSettings({ client }: { client: ConsoleClient }) {
  const { t, errorText, formatDateTime } = useI18n();
  const { state } = useTriage(client);
  const now = useNow();
  const plan = state.doNotDisturb;
  const [start, setStart] = useState(plan.schedule?.start ?? '22:00');
  const [end, setEnd] = useState(plan.schedule?.end ?? '07:00');
  // The stored schedule arrives after the first render (and may change on another window): the fields follow it.
  const [shownSchedule, setShownSchedule] = useState(plan.schedule);
  if (shownSchedule !== plan.schedule) {
    setShownSchedule(plan.schedule);
    if (plan.schedule) {
      setStart(plan.schedule.start);
      setEnd(plan.schedule.end);
    }
  }
  const [error, setError] = useState<IpcError | null>(null);

  const save = async (next: DoNotDisturb) => {
    setError(null);
    try {
      await client.call('triage.setDoNotDisturb', next);
    } catch (failure) {
      setError(toIpcError(failure));
    }
  };
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const timed = plan.until !== null && Date.parse(plan.until) > now;

  return (
    <fieldset className="settings__group" data-testid="dnd-settings">
      <legend>{t('dnd.title')}</legend>
      <p className="muted">{t('dnd.help')}</p>
      {timed && plan.until ? (
        <p role="status" data-testid="dnd-until">
          {t('dnd.until', { time: formatDateTime(plan.until) })}{' '}
          <button type="button" className="link-button" onClick={() => void save({ ...plan, until: null })}>
            {t('dnd.endNow')}
          </button>
        </p>
      ) : (
        <label>
          <span>{t('dnd.timer')}</span>
          <select
            value=""
            data-testid="dnd-timer"
            onChange={(e) => {
              const minutes = Number(e.target.value);
              if (minutes > 0) void save({ ...plan, until: new Date(Date.now() + minutes * 60_000).toISOString() });
            }}
          >
            <option value="">{t('dnd.timerPick')}</option>
            {TIMERS_MINUTES.map((minutes) => (
              <option key={minutes} value={minutes}>
                {t('dnd.forMinutes', { minutes })}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={plan.schedule !== null}
          data-testid="dnd-schedule"
          onChange={(e) => void save({ ...plan, schedule: e.target.checked ? { start, end, timeZone } : null })}
        />
        <span>{t('dnd.schedule')}</span>
      </label>
      <label>
        <span>{t('dnd.from')}</span>
        <input type="time" value={start} onChange={(e) => setStart(e.target.value)} onBlur={() => plan.schedule && start !== end && void save({ ...plan, schedule: { start, end, timeZone } })} />
      </label>
      <label>
        <span>{t('dnd.to')}</span>
        <input type="time" value={end} onChange={(e) => setEnd(e.target.value)} onBlur={() => plan.schedule && start !== end && void save({ ...plan, schedule: { start, end, timeZone } })} />
      </label>
      {plan.schedule && <p className="muted">{t('dnd.timeZone', { zone: plan.schedule.timeZone })}</p>}
      {error && (
        <p className="form-error" role="alert" data-error-code={error.code}>
          {errorText(error)}
        </p>
      )}
    </fieldset>
  );
}
