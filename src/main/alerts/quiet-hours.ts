/**
 * When the console keeps quiet: the user's do-not-disturb (a manual switch, a timer, a daily schedule in their time
 * zone) and the triage of each session (muted, snoozed). Pure functions of the time, so the alert center and its tests
 * share one definition. Emergencies never ask.
 */

export interface DoNotDisturbPlan {
  manual: boolean;
  /** ISO timestamp; null: no timer. */
  until: string | null;
  /** Wall-clock HH:MM in timeZone; an end before the start runs past midnight. */
  schedule: { start: string; end: string; timeZone: string } | null;
}

export const NO_DND: Readonly<DoNotDisturbPlan> = { manual: false, until: null, schedule: null };

export interface SessionQuiet {
  muted: boolean;
  /** ms since the epoch; null: not snoozed by time. */
  snoozedUntil: number | null;
  /** Snoozed until the client writes (the core ends it when they do). */
  snoozedUntilReply: boolean;
}

const DAY_MINUTES = 24 * 60;

const minutesOf = (clock: string): number => {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(clock);
  if (!match) throw new RangeError(`Do-not-disturb: a schedule time must be HH:MM (00:00-23:59), got ${JSON.stringify(clock)}.`);
  return Number(match[1]) * 60 + Number(match[2]);
};

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    } catch {
      throw new RangeError(`Do-not-disturb: unknown time zone ${JSON.stringify(timeZone)}.`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock time at `now` in the zone, in seconds since its midnight. */
function wallSeconds(now: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(now));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return part('hour') * 3600 + part('minute') * 60 + part('second');
}

/** Throws a specific error for a plan the alert center cannot apply. */
export function validatePlan(plan: DoNotDisturbPlan): DoNotDisturbPlan {
  if (typeof plan !== 'object' || plan === null) throw new TypeError('Do-not-disturb: the plan must be an object.');
  if (typeof plan.manual !== 'boolean') throw new TypeError('Do-not-disturb: manual must be true or false.');
  if (plan.until !== null && (typeof plan.until !== 'string' || Number.isNaN(Date.parse(plan.until)))) {
    throw new TypeError(`Do-not-disturb: until must be an ISO timestamp or null, got ${JSON.stringify(plan.until)}.`);
  }
  if (plan.schedule !== null) {
    const { start, end, timeZone } = plan.schedule;
    if (minutesOf(start) === minutesOf(end)) throw new RangeError('Do-not-disturb: a schedule starts and ends at different times.');
    formatterFor(timeZone);
  }
  return { manual: plan.manual, until: plan.until, schedule: plan.schedule ? { ...plan.schedule } : null };
}

export function inSchedule(schedule: NonNullable<DoNotDisturbPlan['schedule']>, now: number): boolean {
  const minute = Math.floor(wallSeconds(now, schedule.timeZone) / 60);
  const start = minutesOf(schedule.start);
  const end = minutesOf(schedule.end);
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

export function doNotDisturbActive(plan: DoNotDisturbPlan, now: number): boolean {
  if (plan.manual) return true;
  if (plan.until !== null && now < Date.parse(plan.until)) return true;
  return plan.schedule !== null && inSchedule(plan.schedule, now);
}

/**
 * The next moment the plan may change its answer (the timer's end, the schedule's next start or end), or null. Across
 * a daylight-saving change it may come an hour early: whoever wakes then asks again.
 */
export function nextPlanChange(plan: DoNotDisturbPlan, now: number): number | null {
  const candidates: number[] = [];
  if (plan.until !== null && now < Date.parse(plan.until)) candidates.push(Date.parse(plan.until));
  if (plan.schedule !== null) {
    const seconds = wallSeconds(now, plan.schedule.timeZone);
    for (const boundary of [minutesOf(plan.schedule.start), minutesOf(plan.schedule.end)]) {
      let wait = boundary * 60 - seconds;
      if (wait <= 0) wait += DAY_MINUTES * 60;
      // Back to the whole second the wall clock showed, so the boundary is reached, not missed by the milliseconds.
      candidates.push(now - (now % 1000) + wait * 1000);
    }
  }
  return candidates.length === 0 ? null : Math.min(...candidates);
}

export function sessionQuiet(quiet: SessionQuiet | undefined, now: number): boolean {
  if (!quiet) return false;
  return quiet.muted || quiet.snoozedUntilReply || (quiet.snoozedUntil !== null && now < quiet.snoozedUntil);
}
