import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChatMessage, ChatSession } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { sessionTitle, withSessionRoles, type Person } from '../lib/directory';
import { AudioPlayer, type AudioPlayerHandle } from '../audio/AudioPlayer';
import { ReviewPacks } from './ReviewPacks';

const oldestFirst = (a: ChatMessage, b: ChatMessage) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

type Notice = { kind: 'decided'; decision: 'approve' | 'reject' } | { kind: 'error'; error: IpcError } | { kind: 'taken' };

/** Voice notes waiting for a decision, oldest first. Space plays, A approves, R rejects (with a reason), J/K move. */
export function ApprovalQueue({ client, selfId, people, sessions }: { client: ConsoleClient; selfId: string; people: Map<string, Person>; sessions: ChatSession[] }) {
  const { t, tx, errorText, formatDateTime } = useI18n();
  const [items, setItems] = useState<ChatMessage[]>([]);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [index, setIndex] = useState(0);
  const [rejecting, setRejecting] = useState<ChatMessage | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  // Decisions in flight: clientMessageId of the review job → the message it decides.
  const inFlight = useRef(new Map<string, string>());
  const players = useRef(new Map<string, AudioPlayerHandle>());
  const root = useRef<HTMLElement>(null);

  const load = useCallback(async () => {
    try {
      const { messages } = await client.call('reviews.pending', {});
      setItems(messages.filter((m) => m.status === 'pending_approval').sort(oldestFirst));
      setStatus('ready');
    } catch (failure) {
      setLoadError(toIpcError(failure));
      setStatus('error');
    }
  }, [client]);

  useEffect(() => {
    void Promise.resolve().then(load);
    const offMessages = client.on('messages.changed', ({ messages }) =>
      setItems((current) => {
        let next = current;
        for (const m of messages) {
          if (m.type !== 'audio') continue;
          if (m.status === 'pending_approval') {
            if (!next.some((x) => x.id === m.id)) next = [...next, m].sort(oldestFirst);
          } else if (next.some((x) => x.id === m.id)) {
            next = next.filter((x) => x.id !== m.id);
          }
        }
        return next;
      }),
    );
    const offOutbox = client.on('outbox.changed', ({ entry, clientMessageId, state }) => {
      const messageId = inFlight.current.get(clientMessageId);
      if (!messageId) return;
      if (state === 'sent' || state === 'cancelled') {
        inFlight.current.delete(clientMessageId);
        setItems((current) => current.filter((x) => x.id !== messageId));
      } else if (state === 'failed' && entry?.lastError) {
        inFlight.current.delete(clientMessageId);
        if (entry.lastError.messageKey === 'review.already_decided' || entry.lastError.messageKey === 'review.not_reviewable') {
          setNotice({ kind: 'taken' });
          setItems((current) => current.filter((x) => x.id !== messageId));
        } else {
          setNotice({ kind: 'error', error: { code: entry.lastError.code, messageKey: entry.lastError.messageKey } });
        }
      }
    });
    return () => {
      offMessages();
      offOutbox();
    };
  }, [client, load]);


  const decide = useCallback(
    async (message: ChatMessage, decision: 'approve' | 'reject', reason?: string) => {
      setNotice(null);
      try {
        const result = await client.call('reviews.decide', { messageId: message.id, decision, ...(reason ? { reason } : {}) });
        // Decided on the server at once, or (a voice note from a downloaded review pack) queued in the outbox.
        if (result.via === 'server') setItems((current) => current.filter((x) => x.id !== message.id));
        else inFlight.current.set(result.entry.clientMessageId, message.id);
        setNotice({ kind: 'decided', decision });
        return true;
      } catch (failure) {
        const error = toIpcError(failure);
        if (error.messageKey === 'review.already_decided') {
          setNotice({ kind: 'taken' });
          setItems((current) => current.filter((x) => x.id !== message.id));
        } else setNotice({ kind: 'error', error });
        return false;
      }
    },
    [client],
  );

  const current = items[Math.min(index, items.length - 1)] ?? null;
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (rejecting || !current) return;
    const target = event.target as HTMLElement;
    if (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT' || target.tagName === 'SELECT') return;
    const key = event.key.toLowerCase();
    if (key === ' ') {
      event.preventDefault();
      players.current.get(current.id)?.toggle();
    } else if (key === 'a') {
      event.preventDefault();
      void decide(current, 'approve');
    } else if (key === 'r') {
      event.preventDefault();
      setRejecting(current);
    } else if (key === 'j') {
      event.preventDefault();
      setIndex((i) => Math.min(items.length - 1, Math.min(i, items.length - 1) + 1));
    } else if (key === 'k') {
      event.preventDefault();
      setIndex((i) => Math.max(0, Math.min(i, items.length - 1) - 1));
    }
  };

  const sessionsById = new Map(sessions.map((s) => [s.id, s]));

  return (
    <section className="panel approvals" ref={root} tabIndex={0} onKeyDown={onKeyDown} aria-labelledby="approvals-title" data-testid="approval-queue">
      <header className="panel__header">
        <h3 id="approvals-title">{t('approvals.title')}</h3>
        <span className="muted">{t('approvals.keys')}</span>
      </header>
      {notice?.kind === 'taken' && (
        <p className="banner" role="status" data-testid="review-taken">
          {t('approvals.taken')}
        </p>
      )}
      {notice?.kind === 'decided' && (
        <p className="banner" role="status">
          {t(notice.decision === 'approve' ? 'approvals.approvedNotice' : 'approvals.rejectedNotice')}
        </p>
      )}
      {notice?.kind === 'error' && (
        <p className="form-error" role="alert" data-error-code={notice.error.code}>
          {errorText(notice.error)}
        </p>
      )}
      {status === 'loading' && <p className="empty-state" role="status">{t('approvals.loading')}</p>}
      {status === 'error' && loadError && (
        <div className="empty-state" role="alert">
          <p>{errorText(loadError)}</p>
          <button type="button" className="secondary" onClick={() => void load()}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {status === 'ready' && items.length === 0 && <p className="empty-state">{t('approvals.empty')}</p>}
      <ol className="review-list">
        {items.map((m, i) => {
          const session = sessionsById.get(m.sessionId);
          const sender = withSessionRoles(people, session ?? null, (r) => t(`participant.${r}`)).get(m.senderId)?.displayName || t('chat.someone');
          return (
            <li
              key={m.id}
              className={m === current ? 'review review--current' : 'review'}
              aria-current={m === current ? 'true' : undefined}
              data-testid="review-item"
              onClick={() => setIndex(i)}
            >
              <div className="review__context">
                <strong>{tx('approvals.from', { name: sender })}</strong>
                <span className="muted">
                  {session ? tx('approvals.inSession', { title: sessionTitle(session, selfId, t('session.untitled'), (r) => t(`participant.${r}`)) }) : t('approvals.sessionId', { id: m.sessionId.slice(0, 8) })}
                </span>
                <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
              </div>
              <AudioPlayer
                ref={(handle) => {
                  if (handle) players.current.set(m.id, handle);
                  else players.current.delete(m.id);
                }}
                client={client}
                storagePath={m.storagePath}
                mimeType={m.mimeType}
                peaks={m.waveform ?? []}
                durationMs={m.durationMs ?? 0}
              />
              <div className="review__actions">
                <button type="button" onClick={() => void decide(m, 'approve')}>
                  {t('approvals.approve')}
                </button>
                <button type="button" className="danger" onClick={() => setRejecting(m)}>
                  {t('approvals.reject')}
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      <ReviewPacks client={client} />
      {rejecting && (
        <RejectDialog
          onCancel={() => {
            setRejecting(null);
            root.current?.focus();
          }}
          onConfirm={async (reason) => {
            if (await decide(rejecting, 'reject', reason)) {
              setRejecting(null);
              root.current?.focus();
            }
          }}
        />
      )}
    </section>
  );
}

function RejectDialog({ onCancel, onConfirm }: { onCancel(): void; onConfirm(reason: string): Promise<void> }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => field.current?.focus(), []);
  return (
    <div className="dialog-backdrop">
      <form
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="reject-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onCancel();
          }
        }}
        onSubmit={(e) => {
          e.preventDefault();
          if (!reason.trim()) {
            setMissing(true);
            return;
          }
          void onConfirm(reason.trim());
        }}
      >
        <h4 id="reject-title">{t('approvals.rejectTitle')}</h4>
        <label>
          <span>{t('approvals.reason')}</span>
          <textarea ref={field} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} aria-invalid={missing} />
        </label>
        {missing && (
          <p className="form-error" role="alert">
            {t('review.reason_required')}
          </p>
        )}
        <div className="dialog__actions">
          <button type="submit" className="danger">
            {t('approvals.confirmReject')}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}
