import { useEffect, useMemo, useRef, useState } from 'react';
import type { ChatSession, Profile } from '../../shared/ipc/contract';
import { useI18n } from '../i18n/i18n';
import type { Person, SessionLabel } from '../lib/directory';
import { LastMessagePreview, SessionTitle } from './session-labels';

interface Props {
  sessions: readonly ChatSession[];
  labels: ReadonlyMap<string, SessionLabel>;
  profile: Profile;
  people: ReadonlyMap<string, Person>;
  onPick(id: string): void;
  onClose(): void;
}

/** Ctrl+K: type part of a name (or the booking / short id), Enter opens the first match, arrows move, Esc closes. */
export function QuickSwitcher({ sessions, labels, profile, people, onPick, onClose }: Props) {
  const { t, formatNumber } = useI18n();
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const matches = useMemo(() => {
    const q = query.trim().toLocaleLowerCase();
    return sessions
      .map((s) => ({ s, label: labels.get(s.id) ?? { title: t('session.untitled'), qualifier: null, shortQualifier: null } }))
      .filter(({ label }) => !q || `${label.title} ${label.qualifier ?? ''}`.toLocaleLowerCase().includes(q));
  }, [sessions, labels, query, t]);

  return (
    <div className="dialog-backdrop" onMouseDown={onClose}>
      <div
        className="dialog switcher"
        role="dialog"
        aria-modal="true"
        aria-label={t('switcher.title')}
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            onClose();
          } else if (event.key === 'ArrowDown') {
            event.preventDefault();
            setIndex((i) => Math.min(matches.length - 1, i + 1));
          } else if (event.key === 'ArrowUp') {
            event.preventDefault();
            setIndex((i) => Math.max(0, i - 1));
          } else if (event.key === 'Enter') {
            event.preventDefault();
            const pick = matches[index] ?? matches[0];
            if (pick) onPick(pick.s.id);
          }
        }}
      >
        <input
          ref={input}
          aria-label={t('switcher.search')}
          placeholder={t('switcher.search')}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setIndex(0);
          }}
        />
        <ul role="listbox" aria-label={t('switcher.title')}>
          {matches.length === 0 && <li className="muted">{t('switcher.none')}</li>}
          {matches.map(({ s, label }, i) => (
            <li
              key={s.id}
              role="option"
              aria-selected={i === index}
              className={i === index ? 'switcher__item switcher__item--active' : 'switcher__item'}
              data-testid="switcher-item"
              onMouseDown={() => onPick(s.id)}
            >
              <span className="switcher__line">
                <SessionTitle label={label} />
                <span className="muted switcher__type">{t(`session.type.${s.type}`)}</span>
                {s.unreadCount > 0 && <span className="badge">{formatNumber(s.unreadCount)}</span>}
              </span>
              <LastMessagePreview session={s} selfId={profile.id} people={people} />
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
