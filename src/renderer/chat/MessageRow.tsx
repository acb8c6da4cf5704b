import { useEffect, useState } from 'react';
import type { ChatMessage, OutboxItem, Profile } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import type { Person } from '../lib/directory';
import { base64ToBlob } from '../lib/peaks';
import { AudioPlayer } from '../audio/AudioPlayer';
import type { Receipt } from '../lib/receipts';
import { sizeParts } from '../lib/limits';
import { Name } from '../i18n/Name';
import { Highlighted } from '../search/Highlighted';

function Quote({ message, people }: { message: ChatMessage; people: ReadonlyMap<string, Person> }) {
  const { t } = useI18n();
  return (
    <blockquote className="message__quote" data-testid="reply-quote" dir="auto">
      <strong>
        <Name>{people.get(message.senderId)?.displayName || t('chat.someone')}</Name>
      </strong>{' '}
      {message.status === 'deleted' ? t('message.deleted') : message.type === 'text' ? message.body : t(`message.kind.${message.type}`)}
    </blockquote>
  );
}

/** A URL for an attachment: the main process's media route (cached, range requests); base64 over IPC only where there is none. */
function useMediaUrl(client: ConsoleClient, message: ChatMessage, wanted: boolean) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  useEffect(() => {
    if (!wanted || !message.storagePath) return;
    let live = true;
    let objectUrl: string | null = null;
    const storagePath = message.storagePath;
    void (async () => {
      try {
        const served = await client.call('media.url', { storagePath }).then((r) => r.url, () => null);
        if (served) {
          if (live) setUrl(served);
          return;
        }
        const { bytesBase64 } = await client.call('media.get', { storagePath });
        objectUrl = URL.createObjectURL(base64ToBlob(bytesBase64, message.mimeType ?? 'application/octet-stream'));
        if (live) setUrl(objectUrl);
      } catch (failure) {
        if (live) setError(toIpcError(failure));
      }
    })();
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [client, message.storagePath, message.mimeType, wanted]);
  return { url, error };
}

const fileNameOf = (message: ChatMessage) => message.storagePath?.split('/').at(-1) ?? '';

/** Images show inline as a thumbnail (the row is only mounted while near the viewport); a click opens it full size. */
function ImageAttachment({ client, message }: { client: ConsoleClient; message: ChatMessage }) {
  const { t, errorText } = useI18n();
  const { url, error } = useMediaUrl(client, message, true);
  const [open, setOpen] = useState(false);
  const name = fileNameOf(message);
  return (
    <div className="message__attachment">
      {url ? (
        <button type="button" className="message__thumb" aria-label={t('message.openImage', { name })} onClick={() => setOpen(true)}>
          <img src={url} alt={t('message.imageAlt', { name })} className="message__image" decoding="async" data-testid="image-thumbnail" />
        </button>
      ) : (
        !error && (
          <span className="message__thumb message__thumb--loading muted" role="status">
            {t('message.imageLoading')}
          </span>
        )
      )}
      {error && <span className="form-error">{errorText(error)}</span>}
      {open && url && (
        <div
          className="dialog-backdrop"
          onMouseDown={() => setOpen(false)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              setOpen(false);
            }
          }}
        >
          <div className="dialog dialog--image" role="dialog" aria-modal="true" aria-label={t('message.imageAlt', { name })} onMouseDown={(e) => e.stopPropagation()}>
            <img src={url} alt={t('message.imageAlt', { name })} className="dialog__image" />
            <div className="dialog__actions">
              <a href={url} download={name}>
                {t('message.save', { name })}
              </a>
              <button type="button" className="secondary" autoFocus onClick={() => setOpen(false)}>
                {t('message.closeImage')}
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

/** Other files: name, size and type at once; the bytes are fetched when the user asks for them. */
function FileAttachment({ client, message }: { client: ConsoleClient; message: ChatMessage }) {
  const { t, errorText } = useI18n();
  const [wanted, setWanted] = useState(false);
  const { url, error } = useMediaUrl(client, message, wanted);
  const name = fileNameOf(message);
  const size = message.sizeBytes ? sizeParts(message.sizeBytes) : null;
  return (
    <div className="message__attachment message__file" data-testid="file-attachment">
      <Name clip className="message__file-name">
        {name}
      </Name>
      <span className="muted">
        {size && t(`size.${size.unit}`, { value: size.value })}
        {size && message.mimeType && ' · '}
        {message.mimeType && <bdi dir="ltr">{message.mimeType}</bdi>}
      </span>
      {url ? (
        <a href={url} download={name}>
          {t('message.save', { name })}
        </a>
      ) : (
        <button type="button" className="secondary" disabled={wanted && !error} onClick={() => setWanted(true)}>
          {t('message.openFile', { name })}
        </button>
      )}
      {error && <span className="form-error">{errorText(error)}</span>}
    </div>
  );
}

interface RowProps {
  client: ConsoleClient;
  profile: Profile;
  message: ChatMessage;
  quoted: ChatMessage | null;
  people: ReadonlyMap<string, Person>;
  /** Own messages only: how far the other participants have read (see receiptFor). */
  receipt?: Receipt | null;
  onReply(message: ChatMessage): void;
  onError(error: IpcError): void;
  /** The search this message was opened from: the row is marked and the query's terms highlighted in its body. */
  highlightQuery?: string | null;
}

function ReceiptMark({ receipt }: { receipt: Receipt }) {
  const { t, formatDateTime } = useI18n();
  const label =
    receipt.state === 'read' ? t('receipt.read') : receipt.state === 'partial' ? t('receipt.partial', { readers: receipt.readers, of: receipt.of }) : t('receipt.sent');
  return (
    <span
      className={`message__receipt message__receipt--${receipt.state}`}
      data-testid="receipt"
      data-state={receipt.state}
      title={receipt.state === 'read' ? t('receipt.readAt', { time: formatDateTime(receipt.readAt) }) : undefined}
    >
      {label}
    </span>
  );
}

export function MessageRow({ client, profile, message, quoted, people, receipt = null, onReply, onError, highlightQuery = null }: RowProps) {
  const { t, tx, formatDateTime } = useI18n();
  const [editing, setEditing] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const own = message.senderId === profile.id;
  const sender = own ? t('message.you') : (people.get(message.senderId)?.displayName || t('chat.someone'));
  const deleted = message.status === 'deleted';
  const special = message.type === 'system' || message.type === 'emergency';

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
      setEditing(null);
    } catch (failure) {
      onError(toIpcError(failure));
    } finally {
      setBusy(false);
    }
  };

  if (message.type === 'note') {
    // Internal: styled apart and labelled, so nobody reads it as part of the conversation with the client.
    return (
      <article className="message message--note" data-testid="internal-note" data-message-id={message.id} aria-label={t('note.label')}>
        <header className="message__head">
          <span className="message__special-label">{t('note.label')}</span> <strong>{sender}</strong>{' '}
          <time className="message__time" dateTime={message.createdAt}>
            {formatDateTime(message.createdAt)}
          </time>
        </header>
        {deleted ? <p className="message__body muted">{t('message.deleted')}</p> : <p className="message__body" dir="auto">{message.body}</p>}
      </article>
    );
  }

  if (special) {
    return (
      <div className={`message message--${message.type}`} role="note" data-message-id={message.id}>
        <span className="message__special-label">{t(`message.kind.${message.type}`)}</span> {message.body}
        <time className="message__time" dateTime={message.createdAt}>
          {formatDateTime(message.createdAt)}
        </time>
      </div>
    );
  }

  return (
    <article
      className={`message ${own ? 'message--own' : 'message--other'} message--status-${message.status}${highlightQuery ? ' message--search-hit' : ''}`}
      data-message-id={message.id}
      data-testid="message"
      aria-label={t('message.from', { name: sender })}
    >
      <header className="message__head">
        <strong>
          <Name clip>{sender}</Name>
        </strong>
        <time className="message__time" dateTime={message.createdAt}>
          {formatDateTime(message.createdAt)}
        </time>
        {message.editedAt && !deleted && <span className="muted">{t('message.edited')}</span>}
        {own && receipt && !deleted && <ReceiptMark receipt={receipt} />}
      </header>
      {quoted && <Quote message={quoted} people={people} />}
      {deleted ? (
        <p className="message__body muted">{t('message.deleted')}</p>
      ) : editing !== null ? (
        <form
          className="message__edit"
          onSubmit={(e) => {
            e.preventDefault();
            if (editing.trim()) void run(() => client.call('messages.edit', { messageId: message.id, body: editing.trim() }));
          }}
        >
          <textarea
            aria-label={t('message.editLabel')}
            value={editing}
            dir="auto"
            onChange={(e) => setEditing(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.stopPropagation();
                setEditing(null);
              }
            }}
          />
          <button type="submit" disabled={busy}>
            {t('common.save')}
          </button>
          <button type="button" className="secondary" onClick={() => setEditing(null)}>
            {t('common.cancel')}
          </button>
        </form>
      ) : (
        <>
          {message.body && (
            <p className="message__body" dir="auto">
              <Highlighted text={message.body} query={highlightQuery} />
            </p>
          )}
          {message.type === 'audio' && (
            <AudioPlayer
              client={client}
              storagePath={message.storagePath}
              mimeType={message.mimeType}
              peaks={message.waveform ?? []}
              durationMs={message.durationMs ?? 0}
              message={{ id: message.id, sessionId: message.sessionId, senderId: message.senderId, createdAt: message.createdAt }}
            />
          )}
          {message.type === 'image' && <ImageAttachment client={client} message={message} />}
          {message.type === 'file' && <FileAttachment client={client} message={message} />}
        </>
      )}
      {message.status === 'pending_approval' && (
        <p className="message__status message__status--pending" data-testid="pending-approval">
          {t('message.pendingApproval')}
        </p>
      )}
      {message.status === 'rejected' && (
        <p className="message__status message__status--rejected" data-testid="rejected">
          {tx('message.rejected', { reason: message.reviewReason ?? '' })}
        </p>
      )}
      {!deleted && editing === null && (
        <footer className="message__actions">
          <button type="button" className="link-button" onClick={() => onReply(message)}>
            {t('message.reply')}
          </button>
          {own && message.type === 'text' && (
            <button type="button" className="link-button" onClick={() => setEditing(message.body ?? '')}>
              {t('message.edit')}
            </button>
          )}
          {own && (
            <button
              type="button"
              className="link-button"
              disabled={busy}
              onClick={() => {
                if (window.confirm(t('message.confirmDelete'))) void run(() => client.call('messages.delete', { messageId: message.id }));
              }}
            >
              {t('message.delete')}
            </button>
          )}
        </footer>
      )}
    </article>
  );
}

export function PendingRow({ client, entry, quoted, people, onError }: { client: ConsoleClient; entry: OutboxItem; quoted: ChatMessage | null; people: ReadonlyMap<string, Person>; onError(error: IpcError): void }) {
  const { t, errorText } = useI18n();
  const act = (name: 'messages.retry' | 'messages.cancel') =>
    client.call(name, { clientMessageId: entry.clientMessageId }).catch((failure: unknown) => onError(toIpcError(failure)));
  return (
    <article className={`message message--own message--outbox message--${entry.state}`} data-testid="outbox-message" data-state={entry.state}>
      <header className="message__head">
        <strong>{t('message.you')}</strong>
        <span className="message__state">{t(`outbox.${entry.state}`)}</span>
      </header>
      {quoted && <Quote message={quoted} people={people} />}
      <p className="message__body">
        {entry.body ?? (entry.kind === 'audio' ? t('message.kind.audio') : entry.fileName ?? t(`message.kind.file`))}
      </p>
      {entry.lastError && (
        <p className="form-error" role="alert" data-error-code={entry.lastError.code}>
          {errorText({ code: entry.lastError.code, messageKey: entry.lastError.messageKey })}
        </p>
      )}
      <footer className="message__actions">
        {entry.state === 'failed' && (
          <button type="button" className="link-button" onClick={() => void act('messages.retry')}>
            {t('common.retry')}
          </button>
        )}
        {entry.state !== 'sent' && entry.state !== 'sending' && (
          <button type="button" className="link-button" onClick={() => void act('messages.cancel')}>
            {t('common.cancel')}
          </button>
        )}
      </footer>
    </article>
  );
}
