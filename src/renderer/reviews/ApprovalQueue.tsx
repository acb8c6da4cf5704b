import { useCallback, useEffect, useRef, useState } from 'react';
import type { BulkApproveResult, ChatMessage, ChatSession, Profile, RejectionReason, ReviewClaim } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { sessionTitle, withSessionRoles, type Person } from '../lib/directory';
import { AudioPlayer, type AudioPlayerHandle } from '../audio/AudioPlayer';
import { ReviewPacks } from './ReviewPacks';
import { claimedByOther, currentNote, liveClaim, useNow, waitingParts } from './review-queue-state';

const oldestFirst = (a: ChatMessage, b: ChatMessage) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

type Notice =
  | { kind: 'decided'; decision: 'approve' | 'reject' }
  | { kind: 'error'; error: IpcError }
  | { kind: 'taken' }
  | { kind: 'claimed'; name: string; expiresAt: string }
  | { kind: 'bulk'; results: BulkApproveResult[]; notes: Map<string, ChatMessage> };

/** The claim's default length (console.review.claim_seconds) until the settings are read. */
const DEFAULT_CLAIM_SECONDS = 120;
const claimedNotice = (error: IpcError): Notice | null =>
  error.code === 'SA510' && typeof error.params?.expires_at === 'string'
    ? { kind: 'claimed', name: String(error.params.claimed_by_name ?? ''), expiresAt: error.params.expires_at }
    : null;

/**
 * Voice notes waiting for a decision, oldest first, with how long each has waited. The note one works on is
 * claimed (renewed while it stays current, let go of when moving on or leaving), so other reviewers see who
 * is listening to it and leave it alone; a super admin may still decide it. Notes can be approved in bulk.
 * Space plays, A approves, R rejects (with a reason from the list and/or a text), J/K move.
 */
export function ApprovalQueue({ client, selfId, selfRole, people, sessions }: { client: ConsoleClient; selfId: string; selfRole?: Profile['role']; people: ReadonlyMap<string, Person>; sessions: ChatSession[] }) {
  const { t, tx, errorText, formatDateTime, language } = useI18n();
  const [items, setItems] = useState<ChatMessage[]>([]);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [chosenId, setChosenId] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<ChatMessage | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [claims, setClaims] = useState<Map<string, ReviewClaim>>(() => new Map());
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [reasons, setReasons] = useState<RejectionReason[]>([]);
  const [claimSeconds, setClaimSeconds] = useState(DEFAULT_CLAIM_SECONDS);
  const [bulkBusy, setBulkBusy] = useState(false);
  const now = useNow(5_000);
  const superAdmin = selfRole === 'super_admin';
  // Decisions in flight: clientMessageId of the review job → the message it decides.
  const inFlight = useRef(new Map<string, string>());
  const players = useRef(new Map<string, AudioPlayerHandle>());
  /** The note this reviewer holds a claim on, as far as this queue knows. */
  const held = useRef<string | null>(null);
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
    // Who reviews what, the reasons to offer and the claim's length: the queue works without them (the server decides).
    client
      .call('reviews.claims', {})
      .then(({ claims: list }) => setClaims(new Map((list ?? []).map((c) => [c.messageId, c]))))
      .catch(() => {});
    client
      .call('reviews.reasons', {})
      .then(({ reasons: list }) => setReasons(list ?? []))
      .catch(() => {});
    client
      .call('settings.get', {})
      .then(({ settings }) => {
        const seconds = Number(settings?.['console.review.claim_seconds']);
        if (Number.isInteger(seconds) && seconds > 0) setClaimSeconds(seconds);
      })
      .catch(() => {});
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
    const offClaims = client.on('reviews.claimChanged', ({ messageId, claim }) =>
      setClaims((current) => {
        const next = new Map(current);
        if (claim) next.set(messageId, claim);
        else next.delete(messageId);
        return next;
      }),
    );
    return () => {
      offMessages();
      offOutbox();
      offClaims();
      // Leaving the queue lets go of the note one was on, so the next reviewer need not wait for it to expire.
      void client.call('reviews.release', {}).catch(() => {});
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
        } else setNotice(claimedNotice(error) ?? { kind: 'error', error });
        return false;
      }
    },
    [client],
  );

  /** A rejection naming a listed reason goes through reject_audio; a text alone keeps the outbox path of packs. */
  const reject = useCallback(
    async (message: ChatMessage, reasonId: string | null, note: string) => {
      if (!reasonId) return decide(message, 'reject', note);
      setNotice(null);
      try {
        await client.call('reviews.reject', { messageId: message.id, reasonId, ...(note ? { note } : {}) });
        setItems((current) => current.filter((x) => x.id !== message.id));
        setNotice({ kind: 'decided', decision: 'reject' });
        return true;
      } catch (failure) {
        const error = toIpcError(failure);
        if (error.messageKey === 'review.already_decided') {
          setNotice({ kind: 'taken' });
          setItems((current) => current.filter((x) => x.id !== message.id));
        } else setNotice(claimedNotice(error) ?? { kind: 'error', error });
        return false;
      }
    },
    [client, decide],
  );

  const bulkApprove = async () => {
    const ids = items.filter((m) => selected.has(m.id)).map((m) => m.id);
    if (ids.length === 0) return;
    setBulkBusy(true);
    setNotice(null);
    try {
      const { results } = await client.call('reviews.bulkApprove', { messageIds: ids });
      const gone = new Set(results.filter((r) => r.outcome !== 'claimed').map((r) => r.messageId));
      setItems((current) => current.filter((x) => !gone.has(x.id)));
      setSelected((current) => new Set([...current].filter((id) => !gone.has(id))));
      setNotice({ kind: 'bulk', results, notes: new Map(items.filter((m) => ids.includes(m.id)).map((m) => [m.id, m])) });
    } catch (failure) {
      setNotice({ kind: 'error', error: toIpcError(failure) });
    } finally {
      setBulkBusy(false);
    }
  };

  const current = currentNote(items, chosenId, claims, selfId, now);
  const currentId = current?.id ?? null;
  const currentBlocked = current ? claimedByOther(claims, current.id, selfId, now) !== null : false;
  // The note one is on is claimed, and the claim renewed at half its length while it stays current. Claiming
  // another lets go of this one (in SQL); a note someone else holds is not claimed (a super admin decides anyway).
  useEffect(() => {
    if (!currentId || currentBlocked) {
      // Moved to a note someone else holds (or none is left): the one this reviewer held is free again.
      if (held.current) void client.call('reviews.release', {}).catch(() => {});
      held.current = null;
      return;
    }
    let live = true;
    const claim = () =>
      client
        .call('reviews.claim', { messageId: currentId })
        .then((c) => {
          if (!live || !c?.messageId) return;
          held.current = c.messageId;
          setClaims((m) => new Map(m).set(c.messageId, c));
        })
        .catch((failure: unknown) => {
          const error = toIpcError(failure);
          const params = error.params ?? {};
          if (live && error.code === 'SA510' && typeof params.claimed_by === 'string' && typeof params.expires_at === 'string') {
            const held: ReviewClaim = {
              messageId: currentId,
              claimedBy: params.claimed_by,
              claimedByName: typeof params.claimed_by_name === 'string' ? params.claimed_by_name : null,
              claimedAt: typeof params.claimed_at === 'string' ? params.claimed_at : new Date().toISOString(),
              expiresAt: params.expires_at,
            };
            setClaims((m) => new Map(m).set(currentId, held));
          }
        });
    void claim();
    const timer = setInterval(() => void claim(), Math.max(5, claimSeconds / 2) * 1000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, currentId, currentBlocked, claimSeconds]);

  const move = (step: 1 | -1) => {
    if (items.length === 0) return;
    const at = Math.max(0, items.findIndex((m) => m.id === currentId));
    const next = items[Math.min(items.length - 1, Math.max(0, at + step))];
    if (next) setChosenId(next.id);
  };
  const blockedClaim = current && !superAdmin ? claimedByOther(claims, current.id, selfId, now) : null;
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (rejecting || !current) return;
    const target = event.target as HTMLElement;
    if (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT' || target.tagName === 'SELECT') return;
    const key = event.key.toLowerCase();
    if (key === ' ') {
      event.preventDefault();
      if (blockedClaim) setNotice({ kind: 'claimed', name: blockedClaim.claimedByName ?? '', expiresAt: blockedClaim.expiresAt });
      else players.current.get(current.id)?.toggle();
    } else if (key === 'a') {
      event.preventDefault();
      // Sent even when someone else holds the note: the server's answer names them and when their claim ends.
      void decide(current, 'approve');
    } else if (key === 'r') {
      event.preventDefault();
      if (blockedClaim) setNotice({ kind: 'claimed', name: blockedClaim.claimedByName ?? '', expiresAt: blockedClaim.expiresAt });
      else setRejecting(current);
    } else if (key === 'j') {
      event.preventDefault();
      move(1);
    } else if (key === 'k') {
      event.preventDefault();
      move(-1);
    }
  };

  const sessionsById = new Map(sessions.map((s) => [s.id, s]));
  const selectedCount = items.filter((m) => selected.has(m.id)).length;
  const toggleSelected = (id: string) =>
    setSelected((currentSet) => {
      const next = new Set(currentSet);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const timeOf = (iso: string) => new Date(iso).toLocaleTimeString(language === 'ar' ? 'ar-EG' : 'en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const resultText = (r: BulkApproveResult) => {
    switch (r.outcome) {
      case 'approved':
        return t('approvals.bulk.approved');
      case 'already_decided':
        return r.reviewedByName ? tx('approvals.bulk.alreadyDecidedBy', { name: r.reviewedByName }) : t('approvals.bulk.alreadyDecided');
      case 'claimed':
        return tx('approvals.bulk.claimed', { name: r.claimedByName ?? t('chat.someone'), time: r.expiresAt ? timeOf(r.expiresAt) : '' });
      case 'own_message':
        return t('review.own_message');
      default:
        return t('approvals.bulk.notAvailable');
    }
  };
  const senderOf = (m: ChatMessage) => {
    const session = sessionsById.get(m.sessionId);
    return withSessionRoles(people, session ?? null, (r) => t(`participant.${r}`)).get(m.senderId)?.displayName || t('chat.someone');
  };

  return (
    <section className="panel approvals" ref={root} tabIndex={0} onKeyDown={onKeyDown} aria-labelledby="approvals-title" data-testid="approval-queue">
      <header className="panel__header">
        <h3 id="approvals-title">{t('approvals.title')}</h3>
        {status === 'ready' && (
          <span className="muted" data-testid="approvals-pending">
            {t('approvals.pendingCount', { count: items.length })}
          </span>
        )}
        <span className="muted">{t('approvals.keys')}</span>
      </header>
      {notice?.kind === 'taken' && (
        <p className="banner" role="status" data-testid="review-taken">
          {t('approvals.taken')}
        </p>
      )}
      {notice?.kind === 'claimed' && (
        <p className="form-error" role="alert" data-testid="review-claimed-error" data-error-code="SA510">
          {tx('approvals.claimedError', { name: notice.name || t('chat.someone'), time: timeOf(notice.expiresAt) })}
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
      {notice?.kind === 'bulk' && (
        <div className="banner" role="status" data-testid="bulk-results">
          <p>
            {t('approvals.bulk.summary', {
              approved: notice.results.filter((r) => r.outcome === 'approved').length,
              others: notice.results.filter((r) => r.outcome !== 'approved').length,
            })}
          </p>
          {notice.results.some((r) => r.outcome !== 'approved') && (
            <ul>
              {notice.results
                .filter((r) => r.outcome !== 'approved')
                .map((r) => (
                  <li key={r.messageId} data-testid="bulk-result" data-outcome={r.outcome}>
                    {notice.notes.has(r.messageId) && (
                      <span className="muted">
                        {tx('approvals.from', { name: senderOf(notice.notes.get(r.messageId)!) })} · {formatDateTime(notice.notes.get(r.messageId)!.createdAt)} ·{' '}
                      </span>
                    )}
                    {resultText(r)}
                  </li>
                ))}
            </ul>
          )}
        </div>
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
      {items.length > 0 && (
        <div className="review-bulk">
          <label>
            <input
              type="checkbox"
              checked={selectedCount === items.length}
              onChange={(e) => setSelected(e.target.checked ? new Set(items.map((m) => m.id)) : new Set())}
            />
            <span>{t('approvals.selectAll')}</span>
          </label>
          <button type="button" disabled={selectedCount === 0 || bulkBusy} onClick={() => void bulkApprove()} data-testid="bulk-approve">
            {t('approvals.approveSelected', { count: selectedCount })}
          </button>
        </div>
      )}
      <ol className="review-list">
        {items.map((m) => {
          const session = sessionsById.get(m.sessionId);
          const sender = senderOf(m);
          const held = claimedByOther(claims, m.id, selfId, now);
          const mine = liveClaim(claims, m.id, now)?.claimedBy === selfId;
          const locked = held !== null && !superAdmin;
          const waited = waitingParts(m.createdAt, now);
          return (
            <li
              key={m.id}
              className={[m === current ? 'review review--current' : 'review', held ? 'review--claimed' : ''].join(' ').trim()}
              aria-current={m === current ? 'true' : undefined}
              data-testid="review-item"
              data-claimed={held ? 'other' : mine ? 'mine' : undefined}
              onClick={() => setChosenId(m.id)}
            >
              <div className="review__context">
                <input type="checkbox" aria-label={t('approvals.select', { name: sender })} checked={selected.has(m.id)} onChange={() => toggleSelected(m.id)} onClick={(e) => e.stopPropagation()} />
                <strong>{tx('approvals.from', { name: sender })}</strong>
                <span className="muted">
                  {session ? tx('approvals.inSession', { title: sessionTitle(session, selfId, t('session.untitled'), (r) => t(`participant.${r}`)) }) : t('approvals.sessionId', { id: m.sessionId.slice(0, 8) })}
                </span>
                <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
                <span className="muted" data-testid="review-waiting">
                  {waited.hours > 0 ? t('approvals.waitingHours', { hours: waited.hours, minutes: waited.minutes }) : t('approvals.waitingMinutes', { minutes: waited.minutes })}
                </span>
              </div>
              {held && (
                <p className="review__claim" role="status" data-testid="review-claim">
                  {tx('approvals.beingReviewedBy', { name: held.claimedByName ?? t('chat.someone'), time: timeOf(held.expiresAt) })}
                </p>
              )}
              {!locked && (
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
              )}
              <div className="review__actions">
                <button type="button" disabled={locked} onClick={() => void decide(m, 'approve')}>
                  {t('approvals.approve')}
                </button>
                <button type="button" className="danger" disabled={locked} onClick={() => setRejecting(m)}>
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
          reasons={reasons}
          language={language}
          onCancel={() => {
            setRejecting(null);
            root.current?.focus();
          }}
          onConfirm={async (reasonId, note) => {
            if (await reject(rejecting, reasonId, note)) {
              setRejecting(null);
              root.current?.focus();
            }
          }}
        />
      )}
    </section>
  );
}

function RejectDialog({
  reasons,
  language,
  onCancel,
  onConfirm,
}: {
  reasons: RejectionReason[];
  language: 'ar' | 'en';
  onCancel(): void;
  onConfirm(reasonId: string | null, note: string): Promise<void>;
}) {
  const { t } = useI18n();
  const [reasonId, setReasonId] = useState('');
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLSelectElement>(null);
  useEffect(() => (reasons.length > 0 ? picker.current?.focus() : field.current?.focus()), [reasons.length]);
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
          if (!reason.trim() && !reasonId) {
            setMissing(true);
            return;
          }
          void onConfirm(reasonId || null, reason.trim());
        }}
      >
        <h4 id="reject-title">{t('approvals.rejectTitle')}</h4>
        {reasons.length > 0 && (
          <label>
            <span>{t('approvals.reasonList')}</span>
            <select ref={picker} value={reasonId} onChange={(e) => setReasonId(e.target.value)}>
              <option value="">{t('approvals.reasonOther')}</option>
              {reasons.map((r) => (
                <option key={r.id} value={r.id}>
                  {language === 'ar' ? r.labelAr : r.labelEn}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          <span>{t(reasons.length > 0 ? 'approvals.reasonNote' : 'approvals.reason')}</span>
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
