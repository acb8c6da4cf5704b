import { useState } from 'react';
import type { ChatSession } from '../../shared/ipc/contract';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { isolate } from '../i18n/format';

export type Availability = ChatSession['participants'][number]['availability'];
export const AVAILABILITIES: readonly Availability[] = ['online', 'busy', 'away', 'offline'];

/** A dot and a word: the colour alone would not reach everyone. */
export function Presence({ availability, name, showName = false }: { availability: Availability; name?: string; showName?: boolean }) {
  const { t, tx } = useI18n();
  const label = t(`availability.${availability}`);
  return (
    <span className={`presence presence--${availability}`} data-testid="presence" data-availability={availability} title={name ? t('presence.of', { name: isolate(name), status: label }) : label}>
      <span className="presence__dot" aria-hidden="true" />
      {/* One flex item: the gap between the dot and the words must not open inside the sentence. */}
      <span className="presence__label">{showName && name ? tx('presence.of', { name, status: label }) : label}</span>
    </span>
  );
}

/**
 * The other participants of a session, each with their presence. Keyed by place, not by person: Presence keeps no
 * state, and a list row handed on to another session (OrderedList) then redraws its presences in place instead of
 * tearing them down and building new ones for other people.
 */
export function SessionPresence({ session, selfId, fallbackName }: { session: ChatSession; selfId: string; fallbackName(role: ChatSession['participants'][number]['roleInSession']): string }) {
  const others = session.participants.filter((p) => p.userId !== selfId);
  if (others.length === 0) return null;
  return (
    <span className="presence-list">
      {others.map((p, place) => (
        <Presence key={place} availability={p.availability} name={p.displayName || fallbackName(p.roleInSession)} showName={others.length > 1} />
      ))}
    </span>
  );
}

/** The user's own availability, as others see it. */
export function AvailabilitySwitch({ client, value, onChange }: { client: ConsoleClient; value: Availability | null; onChange(next: Availability): void }) {
  const { t, errorText } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <span className="availability-switch">
      {value && <span className={`presence presence--${value}`} aria-hidden="true"><span className="presence__dot" /></span>}
      <select
        aria-label={t('presence.mine')}
        value={value ?? ''}
        disabled={busy}
        onChange={async (e) => {
          const next = e.target.value as Availability;
          setBusy(true);
          setError(null);
          try {
            await client.call('profile.setAvailability', { availability: next });
            onChange(next);
          } catch (failure) {
            setError(errorText(toIpcError(failure)));
          } finally {
            setBusy(false);
          }
        }}
      >
        {value === null && <option value="">{t('presence.unknown')}</option>}
        {AVAILABILITIES.map((a) => (
          <option key={a} value={a}>
            {t(`availability.${a}`)}
          </option>
        ))}
      </select>
      {error && (
        <span className="form-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
