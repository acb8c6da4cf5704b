import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { CannedReply, ChatMessage } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n, type I18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import type { Person } from '../lib/directory';
import { checkAttachment } from '../lib/attachments';
import { characterCount, sizeParts, useConsoleLimits } from '../lib/limits';
import { blobToBase64 } from '../lib/peaks';
import { VoiceRecorder, type Recording } from './VoiceRecorder';
import { AttachmentPreview, type ConfirmedFile, type PickedFile } from './AttachmentPreview';
import { CannedReplyList, cannedOptionId } from './CannedReplyList';
import { fillVariables, filterReplies, formatReplyDate, insertReply, slashQueryAt } from '../lib/canned-replies';

const DRAFT_SAVE_MS = 400;
const TYPING_EVERY_MS = 2_500;

/** The counter appears once this share of the limit is used. */
const COUNTER_FROM_SHARE = 0.8;

interface Props {
  client: ConsoleClient;
  sessionId: string;
  disabled: boolean;
  replyTo: ChatMessage | null;
  people: ReadonlyMap<string, Person>;
  /** Who {client_name} and {reader_name} of a canned reply are in this session. */
  variables?: { clientName: string | null; readerName: string | null };
  onClearReply(): void;
  /** The user may write internal notes here (the session's reader, or staff): offers the Note mode. Never for clients. */
  canWriteNotes?: boolean;
}

const replyPreview = (message: ChatMessage, t: I18n['t']) => (message.type === 'text' ? (message.body ?? '') : t(`message.kind.${message.type}`));

/**
 * Enter sends, Shift+Enter breaks the line; the draft is saved (debounced) per session in the main process.
 * The text leaves the composer only when the main process answered that it is queued (the outbox row is
 * on disk); a refusal keeps the text and says why, in the user's language. Nothing is ever cut: over the
 * limit, the counter says by how much and Send waits.
 */
export function Composer({ client, sessionId, disabled, replyTo, people, variables, onClearReply, canWriteNotes = false }: Props) {
  const { t, tx, errorRich, language, locale } = useI18n();
  const limits = useConsoleLimits(client);
  const [body, setBody] = useState('');
  const [draftLoaded, setDraftLoaded] = useState(false);
  const [queuing, setQueuing] = useState(false);
  const [refusal, setRefusal] = useState<IpcError | null>(null);
  const [attachError, setAttachError] = useState<string | null>(null);
  const [picked, setPicked] = useState<PickedFile | null>(null);
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastTyping = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const latest = useRef({ body: '', replyTo: null as string | null });
  const [noteMode, setNoteMode] = useState(false);
  const textarea = useRef<HTMLTextAreaElement>(null);
  // Canned replies: typing `/` lists them (filtered by what follows); keyboard only, the focus stays in the text.
  const [cannedReplies, setCannedReplies] = useState<CannedReply[]>([]);
  const [caret, setCaret] = useState(0);
  const [activeCanned, setActiveCanned] = useState({ query: '', index: 0 });
  const [dismissedSlash, setDismissedSlash] = useState<number | null>(null);
  const pendingCaret = useRef<number | null>(null);
  useEffect(() => {
    let live = true;
    client
      .call('canned.list', {})
      // A console whose main process predates canned replies answers without a list: none to offer.
      .then(({ replies }) => live && setCannedReplies(Array.isArray(replies) ? replies : []))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [client]);
  useLayoutEffect(() => {
    if (pendingCaret.current === null || !textarea.current) return;
    textarea.current.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = null;
  });
  const slash = slashQueryAt(body, caret);
  const cannedMatches = slash && cannedReplies.length > 0 ? filterReplies(cannedReplies, slash.query, language) : [];
  const cannedOpen = slash !== null && dismissedSlash !== slash.start && cannedMatches.length > 0;
  const cannedIndex = cannedOpen && activeCanned.query === slash.query ? Math.min(activeCanned.index, cannedMatches.length - 1) : 0;
  const cannedListId = `canned-list-${sessionId}`;
  const fillReply = (reply: CannedReply) =>
    fillVariables(reply.body, { clientName: variables?.clientName ?? null, readerName: variables?.readerName ?? null, date: formatReplyDate(new Date(), locale) });
  function insertCanned(reply: CannedReply) {
    if (!slash) return;
    const next = insertReply(body, slash, fillReply(reply));
    setBody(next.text);
    setCaret(next.caret);
    pendingCaret.current = next.caret;
    setRefusal(null);
    saveDraft(next.text, replyTo?.id ?? null);
  }

  useEffect(() => {
    let live = true;
    client
      .call('drafts.get', { sessionId })
      .then((draft) => {
        if (!live) return;
        setBody((current) => current || (typeof draft.body === 'string' ? draft.body : ''));
        setDraftLoaded(true);
      })
      .catch(() => live && setDraftLoaded(true));
    return () => {
      live = false;
    };
  }, [client, sessionId]);

  const saveDraft = (text: string, reply: string | null) => {
    latest.current = { body: text, replyTo: reply };
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = setTimeout(() => {
      saveTimer.current = null;
      void client.call('drafts.set', { sessionId, body: text, replyTo: reply }).catch(() => {});
    }, DRAFT_SAVE_MS);
  };
  // Closing the tab flushes the draft instead of dropping the last keystrokes.
  useEffect(
    () => () => {
      if (saveTimer.current) {
        clearTimeout(saveTimer.current);
        void client.call('drafts.set', { sessionId, body: latest.current.body, replyTo: latest.current.replyTo }).catch(() => {});
      }
    },
    [client, sessionId],
  );

  const max = limits.messageMaxChars;
  const used = characterCount(body);
  const over = used - max;
  const showCounter = used >= max * COUNTER_FROM_SHARE;

  async function send() {
    // Sent exactly as typed (a reading keeps its leading spaces and final line breaks); blank text is not a message.
    const text = body;
    if (!text.trim() || disabled || queuing || over > 0) return;
    const reply = replyTo?.id ?? null;
    setQueuing(true);
    setRefusal(null);
    try {
      await client.call('messages.sendText', { sessionId, body: text, replyTo: reply });
      // Queued durably: now the composer may let go of the text (the textarea was read-only meanwhile).
      if (saveTimer.current) clearTimeout(saveTimer.current);
      saveTimer.current = null;
      latest.current = { body: '', replyTo: null };
      setBody('');
      onClearReply();
    } catch (failure) {
      setRefusal(toIpcError(failure));
    } finally {
      setQueuing(false);
    }
  }

  function pick(file: File) {
    setAttachError(null);
    setRefusal(null);
    const check = checkAttachment(file, limits);
    if (!check.ok) {
      if (check.reason === 'composer.attachTooLarge') {
        const size = sizeParts(check.limitBytes);
        setAttachError(t(check.reason, { name: file.name, limit: t(`size.${size.unit}`, { value: size.value }) }));
      } else {
        setAttachError(t(check.reason, { name: file.name }));
      }
      return;
    }
    setPicked({ file, kind: check.kind, mimeType: check.mimeType });
  }

  async function sendPicked(file: ConfirmedFile): Promise<IpcError | null> {
    try {
      await client.call('messages.sendFile', {
        sessionId,
        kind: file.kind,
        fileName: file.file.name,
        mimeType: file.mimeType,
        bytesBase64: await blobToBase64(file.file),
        body: file.caption,
        replyTo: replyTo?.id ?? null,
        ...(file.kind === 'audio' ? { durationMs: file.durationMs, waveform: file.peaks } : {}),
      });
      setPicked(null);
      onClearReply();
      return null;
    } catch (failure) {
      return toIpcError(failure);
    }
  }

  async function sendVoice(recording: Recording): Promise<boolean> {
    setRefusal(null);
    try {
      await client.call('messages.sendFile', {
        sessionId,
        kind: 'audio',
        fileName: `voice-${new Date().toISOString().replace(/[:.]/g, '-')}.webm`,
        mimeType: 'audio/webm',
        bytesBase64: await blobToBase64(recording.blob),
        durationMs: recording.durationMs,
        waveform: recording.peaks,
        replyTo: replyTo?.id ?? null,
      });
      onClearReply();
      return true;
    } catch (failure) {
      setRefusal(toIpcError(failure));
      return false;
    }
  }

  if (noteMode && canWriteNotes && !disabled) {
    return <NoteComposer client={client} sessionId={sessionId} maxChars={max} onLeave={() => setNoteMode(false)} />;
  }

  if (disabled) {
    return (
      <div className="composer composer--read-only" data-testid="composer-read-only">
        <p className="muted" role="note">
          {t('composer.readOnly')}
        </p>
      </div>
    );
  }

  return (
    <div className="composer">
      {replyTo && (
        <div className="composer__reply" data-testid="composer-reply">
          <span>
            {tx('composer.replyingTo', { name: people.get(replyTo.senderId)?.displayName || t('chat.someone') })}: <bdi dir="auto">{replyPreview(replyTo, t)}</bdi>
          </span>
          <button type="button" className="icon-button" aria-label={t('composer.cancelReply')} onClick={onClearReply}>
            ×
          </button>
        </div>
      )}
      <div className="composer__row">
        <textarea
          ref={textarea}
          data-composer
          dir="auto"
          // A textbox that owns the `/` listbox (aria-activedescendant names the active option): it keeps the textbox
          // role, which screen readers, shortcuts and every test expect of the message box.
          aria-autocomplete="list"
          aria-controls={cannedOpen ? cannedListId : undefined}
          aria-activedescendant={cannedOpen ? cannedOptionId(cannedListId, cannedIndex) : undefined}
          aria-label={t('composer.label')}
          aria-describedby={`composer-counter-${sessionId}`}
          aria-invalid={over > 0}
          placeholder={draftLoaded ? t('composer.placeholder') : t('chat.loading')}
          rows={2}
          value={body}
          readOnly={queuing}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onChange={(event) => {
            setBody(event.target.value);
            setCaret(event.target.selectionStart);
            if (!slashQueryAt(event.target.value, event.target.selectionStart)) setDismissedSlash(null);
            setRefusal(null);
            saveDraft(event.target.value, replyTo?.id ?? null);
            const now = Date.now();
            if (event.target.value && now - lastTyping.current > TYPING_EVERY_MS) {
              lastTyping.current = now;
              void client.call('sessions.typing', { sessionId }).catch(() => {});
            }
          }}
          onKeyDown={(event) => {
            if (cannedOpen && slash && !event.nativeEvent.isComposing) {
              const count = cannedMatches.length;
              if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
                event.preventDefault();
                const step = event.key === 'ArrowDown' ? 1 : count - 1;
                setActiveCanned({ query: slash.query, index: (cannedIndex + step) % count });
                return;
              }
              if ((event.key === 'Enter' && !event.shiftKey) || (event.key === 'Tab' && !event.shiftKey)) {
                event.preventDefault();
                insertCanned(cannedMatches[cannedIndex]!);
                return;
              }
              if (event.key === 'Escape') {
                // Closes the list only: the reply being answered (if any) stays.
                event.preventDefault();
                event.stopPropagation();
                setDismissedSlash(slash.start);
                return;
              }
            }
            if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              void send();
            } else if (event.key === 'Escape' && replyTo) {
              onClearReply();
            }
          }}
        />
        <button type="button" onClick={() => void send()} disabled={!body.trim() || queuing || over > 0}>
          {queuing ? t('composer.queuing') : t('composer.send')}
        </button>
      </div>
      {cannedOpen && <CannedReplyList id={cannedListId} replies={cannedMatches} activeIndex={cannedIndex} preview={fillReply} onPick={insertCanned} />}
      <p
        id={`composer-counter-${sessionId}`}
        className={over > 0 ? 'composer__counter composer__counter--over' : 'composer__counter'}
        data-testid="composer-counter"
        hidden={!showCounter}
        aria-live={over > 0 ? 'polite' : 'off'}
      >
        {t('composer.counter', { used, max })} · {over > 0 ? t('composer.tooLong', { over }) : t('composer.left', { left: max - used })}
      </p>
      {refusal && (
        <p className="form-error" role="alert" data-error-code={refusal.code} data-testid="composer-refusal">
          {errorRich(refusal, { length: used, max })}
        </p>
      )}
      <div className="composer__tools">
        <input
          ref={fileInput}
          type="file"
          className="visually-hidden"
          aria-label={t('composer.attach')}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) pick(file);
          }}
        />
        <button type="button" className="secondary" onClick={() => fileInput.current?.click()}>
          {t('composer.attach')}
        </button>
        {canWriteNotes && (
          <button type="button" className="secondary note-toggle" aria-pressed={false} data-testid="note-mode" onClick={() => setNoteMode(true)}>
            {t('note.mode')}
          </button>
        )}
        <VoiceRecorder client={client} onSend={sendVoice} disabled={false} maxDurationMs={limits.audioMaxDurationMs} maxBytes={limits.audioMaxBytes} />
        {attachError && (
          <span className="form-error" role="alert">
            {attachError}
          </span>
        )}
      </div>
      {picked && <AttachmentPreview client={client} picked={picked} maxCaptionChars={max} onConfirm={sendPicked} onCancel={() => setPicked(null)} />}
    </div>
  );
}

interface NoteComposerProps {
  client: ConsoleClient;
  sessionId: string;
  maxChars: number;
  onLeave(): void;
}

/**
 * The Note mode: an internal note for the session's reader and staff, styled apart (yellow, labelled) so that
 * nobody mistakes it for a message to the client. It has its own text, never the message draft, and sends no
 * typing signal (the client would see someone typing). "@" opens the list of people it may mention.
 */
export function NoteComposer({ client, sessionId, maxChars, onLeave }: NoteComposerProps) {
  const { t, errorRich } = useI18n();
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<IpcError | null>(null);
  const [candidates, setCandidates] = useState<{ id: string; displayName: string; role: string }[]>([]);
  const [mentioned, setMentioned] = useState<{ id: string; displayName: string }[]>([]);
  const [picking, setPicking] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    let live = true;
    client
      .call('notes.mentionCandidates', { sessionId })
      .then((answer) => live && setCandidates(answer.people))
      .catch((failure: unknown) => live && setRefusal(toIpcError(failure)));
    area.current?.focus();
    return () => {
      live = false;
    };
  }, [client, sessionId]);

  const used = characterCount(body);
  const over = used - maxChars;
  // A mention counts while its "@name" is still in the text: deleting it from the text takes it back.
  const mentions = mentioned.filter((m) => body.includes(`@${m.displayName}`));

  function mention(person: { id: string; displayName: string }) {
    setPicking(false);
    const text = body.endsWith('@') ? body.slice(0, -1) : body;
    const spaced = text === '' || /\s$/.test(text) ? text : `${text} `;
    setBody(`${spaced}@${person.displayName} `);
    setMentioned((current) => (current.some((m) => m.id === person.id) ? current : [...current, person]));
    area.current?.focus();
  }

  async function add() {
    if (!body.trim() || busy || over > 0) return;
    setBusy(true);
    setRefusal(null);
    try {
      await client.call('notes.add', { sessionId, body, mentions: mentions.map((m) => m.id) });
      setBody('');
      setMentioned([]);
    } catch (failure) {
      setRefusal(toIpcError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="composer composer--note" data-testid="note-composer">
      <p className="composer__note-label" role="note">
        <strong>{t('note.label')}</strong> <span>{t('note.modeOn')}</span>
      </p>
      <div className="composer__row">
        <textarea
          ref={area}
          dir="auto"
          aria-label={t('message.kind.note')}
          placeholder={t('note.placeholder')}
          rows={2}
          value={body}
          readOnly={busy}
          aria-invalid={over > 0}
          onChange={(event) => {
            setBody(event.target.value);
            setRefusal(null);
            setPicking(event.target.value.endsWith('@') && candidates.length > 0);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              void add();
            } else if (event.key === 'Escape') {
              if (picking) setPicking(false);
              else onLeave();
            }
          }}
        />
        <button type="button" onClick={() => void add()} disabled={!body.trim() || busy || over > 0}>
          {t('note.send')}
        </button>
      </div>
      {picking && (
        <ul className="mention-list" role="list" aria-label={t('note.mentions')} data-testid="note-mention-list">
          {candidates.map((c) => (
            <li key={c.id}>
              <button type="button" className="link-button" onClick={() => mention(c)}>
                @{c.displayName}
              </button>
            </li>
          ))}
        </ul>
      )}
      {over > 0 && (
        <p className="composer__counter composer__counter--over" aria-live="polite">
          {t('composer.counter', { used, max: maxChars })} · {t('composer.tooLong', { over })}
        </p>
      )}
      {refusal && (
        <p className="form-error" role="alert" data-error-code={refusal.code} data-testid="note-refusal">
          {errorRich(refusal, { length: used, max: maxChars })}
        </p>
      )}
      <div className="composer__tools">
        <select
          aria-label={t('note.mentions')}
          data-testid="note-mention-picker"
          value=""
          onChange={(event) => {
            const person = candidates.find((c) => c.id === event.target.value);
            if (person) mention(person);
          }}
        >
          <option value="">{t('note.mentions')}…</option>
          {candidates.map((c) => (
            <option key={c.id} value={c.id}>
              {c.displayName}
            </option>
          ))}
        </select>
        {mentions.length > 0 && (
          <span className="muted" data-testid="note-mentioned">
            {t('note.mentioned', { names: mentions.map((m) => m.displayName).join(', ') })}
          </span>
        )}
        <button type="button" className="secondary note-toggle" aria-pressed={true} data-testid="note-mode-off" onClick={onLeave}>
          {t('note.modeOff')}
        </button>
      </div>
    </div>
  );
}
