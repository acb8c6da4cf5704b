import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { SessionTriage } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { isSnoozed, snoozeChoices } from '../lib/session-list';

interface Props {
  client: ConsoleClient;
  sessionId: string;
  /** The session's name as the list shows it, for the button's label. */
  title: string;
  triage: SessionTriage | undefined;
  now: number;
}

/**
 * A session's triage actions beside its row in the list: mark unread, mute, snooze (an hour, until tomorrow morning,
 * until the client writes) and wake. A menu button: Enter or Space opens it, ↑/↓ move, Esc closes and gives the focus
 * back to the button.
 */
export function TriageMenu({ client, sessionId, title, triage, now }: Props) {
  const { t, errorText } = useI18n();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  // The session list hands a row's elements on to another session (OrderedList): a menu left open, or its error,
  // belongs to the session it was opened for, so both close when the row starts showing another one. Reset while
  // rendering rather than by a key: a key would tear the button down and build it again for every such hand-off.
  const [openedFor, setOpenedFor] = useState(sessionId);
  const current = useRef(sessionId);
  useLayoutEffect(() => {
    current.current = sessionId;
  }, [sessionId]);
  if (openedFor !== sessionId) {
    setOpenedFor(sessionId);
    setOpen(false);
    setError(null);
  }
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
  }, [open]);

  const run = async (action: () => Promise<unknown>) => {
    const forSession = sessionId;
    setError(null);
    try {
      await action();
      if (current.current !== forSession) return; // the row shows another session now: its menu is not this one
      setOpen(false);
      button.current?.focus();
    } catch (failure) {
      if (current.current === forSession) setError(toIpcError(failure));
    }
  };
  // Worked out only while open: every row of the list has a menu, and most rows are drawn again with each message.
  const items = open ? menuItems() : [];
  function menuItems(): { key: string; label: string; act: () => Promise<unknown> }[] {
    const snoozed = isSnoozed(triage, now);
    const choices = snoozeChoices(new Date(now));
    return [
      triage?.markedUnread
        ? { key: 'read', label: t('triage.markRead'), act: () => client.call('triage.markUnread', { sessionId, unread: false }) }
        : { key: 'unread', label: t('triage.markUnread'), act: () => client.call('triage.markUnread', { sessionId, unread: true }) },
      triage?.muted
        ? { key: 'unmute', label: t('triage.unmute'), act: () => client.call('triage.mute', { sessionId, muted: false }) }
        : { key: 'mute', label: t('triage.mute'), act: () => client.call('triage.mute', { sessionId, muted: true }) },
      ...(snoozed
        ? [{ key: 'wake', label: t('triage.wake'), act: () => client.call('triage.snooze', { sessionId }) }]
        : [
            { key: 'snooze-hour', label: t('triage.snoozeHour'), act: () => client.call('triage.snooze', { sessionId, until: choices.hour }) },
            { key: 'snooze-tomorrow', label: t('triage.snoozeTomorrow'), act: () => client.call('triage.snooze', { sessionId, until: choices.tomorrow }) },
            { key: 'snooze-reply', label: t('triage.snoozeReply'), act: () => client.call('triage.snooze', { sessionId, untilReply: true }) },
          ]),
    ];
  }

  return (
    <div className="triage-menu">
      <button
        ref={button}
        type="button"
        className="icon-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={t('triage.menu', { title })}
        data-testid="triage-menu-button"
        onClick={() => setOpen((v) => !v)}
      >
        ⋯
      </button>
      {open && (
        <div
          ref={menu}
          role="menu"
          className="triage-menu__items"
          aria-label={t('triage.menu', { title })}
          onKeyDown={(event) => {
            const entries = [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
            const at = entries.indexOf(document.activeElement as HTMLButtonElement);
            if (event.key === 'Escape') {
              event.preventDefault();
              event.stopPropagation();
              setOpen(false);
              button.current?.focus();
            } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
              event.preventDefault();
              const step = event.key === 'ArrowDown' ? 1 : entries.length - 1;
              entries[(at + step) % entries.length]?.focus();
            }
          }}
        >
          {items.map((item) => (
            <button key={item.key} type="button" role="menuitem" data-triage-action={item.key} onClick={() => void run(item.act)}>
              {item.label}
            </button>
          ))}
          {error && (
            <p className="form-error" role="alert" data-error-code={error.code}>
              {errorText(error)}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
