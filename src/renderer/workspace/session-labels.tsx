import { useMemo } from 'react';
import type { ChatSession } from '../../shared/ipc/contract';
import { useI18n } from '../i18n/i18n';
import { Name } from '../i18n/Name';
import { SessionLabeler, type Person, type SessionLabel } from '../lib/directory';

/** One label per session for every place that names one (list, tabs, switcher, header), so they always agree. */
export function useSessionLabels(sessions: readonly ChatSession[], selfId: string): ReadonlyMap<string, SessionLabel> {
  const { t } = useI18n();
  // A session's title depends on who is in it, this user and the language: one labeler for those.
  const labeler = useMemo(
    () =>
      new SessionLabeler(selfId, {
        untitled: t('session.untitled'),
        role: (r) => t(`participant.${r}`),
        type: (type) => t(`session.type.${type}`),
        booking: (id) => t('session.booking', { id }),
      }),
    [selfId, t],
  );
  // Once per list (the workspace draws again for typing, focus and the clock too); safe to repeat all the same: the
  // same list gives the same labels and the same view.
  return useMemo(() => labeler.label(sessions), [labeler, sessions]);
}

/** The names (isolated, clipped at their own end) and, when they collide with another session's, what tells them apart. */
export function SessionTitle({ label, className, compact = false }: { label: SessionLabel; className?: string; compact?: boolean }) {
  const qualifier = compact ? label.shortQualifier : label.qualifier;
  return (
    <span className={['session-title', className ?? ''].filter(Boolean).join(' ')}>
      <Name clip className="session-title__names">
        {label.title}
      </Name>
      {qualifier && (
        <bdi dir="auto" className="session-title__qualifier" data-testid="session-qualifier">
          {qualifier}
        </bdi>
      )}
    </span>
  );
}

/** "You: Let me shuffle the cards", "Sara: Voice note": the newest message, on one line. */
export function LastMessagePreview({ session, selfId, people }: { session: ChatSession; selfId: string; people: ReadonlyMap<string, Person> }) {
  const { t, tx } = useI18n();
  const last = session.lastMessage;
  if (last === undefined) return null;
  if (last === null)
    return (
      <span className="session-item__preview muted" data-testid="last-message">
        {t('session.noMessages')}
      </span>
    );
  const preview = last.type === 'text' && last.preview ? last.preview.replace(/\s+/g, ' ') : t(`message.kind.${last.type}`);
  const name = people.get(last.senderId)?.displayName || session.participants.find((p) => p.userId === last.senderId)?.displayName || t('chat.someone');
  return (
    <span className="session-item__preview" data-testid="last-message">
      {last.senderId === selfId ? tx('session.lastMessage.you', { preview }) : tx('session.lastMessage.other', { name, preview })}
    </span>
  );
}
