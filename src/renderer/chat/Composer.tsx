import { useEffect, useRef, useState } from 'react';
import type { ChatMessage } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n, type I18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import type { Person } from '../lib/directory';
import { checkAttachment } from '../lib/attachments';
import { sizeParts, useConsoleLimits } from '../lib/limits';
import { blobToBase64 } from '../lib/peaks';
import { VoiceRecorder, type Recording } from './VoiceRecorder';

const DRAFT_SAVE_MS = 400;
const TYPING_EVERY_MS = 2_500;

interface Props {
  client: ConsoleClient;
  sessionId: string;
  disabled: boolean;
  replyTo: ChatMessage | null;
  people: Map<string, Person>;
  onClearReply(): void;
  onError(error: IpcError): void;
}

const replyPreview = (message: ChatMessage, t: I18n['t']) => (message.type === 'text' ? (message.body ?? '') : t(`message.kind.${message.type}`));

/** Enter sends, Shift+Enter breaks the line; the draft is saved (debounced) per session in the main process. */
export function Composer({ client, sessionId, disabled, replyTo, people, onClearReply, onError }: Props) {
  const { t, tx } = useI18n();
  const limits = useConsoleLimits(client);
  const [body, setBody] = useState('');
  const [draftLoaded, setDraftLoaded] = useState(false);
  const [attachError, setAttachError] = useState<string | null>(null);
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastTyping = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const latest = useRef({ body: '', replyTo: null as string | null });

  useEffect(() => {
    let live = true;
    client
      .call('drafts.get', { sessionId })
      .then((draft) => {
        if (!live) return;
        setBody((current) => current || draft.body);
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

  async function send() {
    const text = body.trim();
    if (!text || disabled) return;
    const reply = replyTo?.id ?? null;
    setBody('');
    onClearReply();
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = null;
    try {
      await client.call('messages.sendText', { sessionId, body: text, replyTo: reply });
    } catch (failure) {
      setBody(text); // refused before queuing: the text is given back, nothing lost
      onError(toIpcError(failure));
    }
  }

  async function attach(file: File) {
    setAttachError(null);
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
    try {
      await client.call('messages.sendFile', {
        sessionId,
        kind: check.kind,
        fileName: file.name,
        mimeType: check.mimeType,
        bytesBase64: await blobToBase64(file),
        replyTo: replyTo?.id ?? null,
      });
      onClearReply();
    } catch (failure) {
      onError(toIpcError(failure));
    }
  }

  async function sendVoice(recording: Recording): Promise<boolean> {
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
      onError(toIpcError(failure));
      return false;
    }
  }

  return (
    <div className="composer">
      {disabled && <p className="muted">{t('composer.closed')}</p>}
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
          data-composer
          dir="auto"
          aria-label={t('composer.label')}
          placeholder={draftLoaded ? t('composer.placeholder') : t('chat.loading')}
          rows={2}
          maxLength={4000}
          value={body}
          disabled={disabled}
          onChange={(event) => {
            setBody(event.target.value);
            saveDraft(event.target.value, replyTo?.id ?? null);
            const now = Date.now();
            if (event.target.value && now - lastTyping.current > TYPING_EVERY_MS) {
              lastTyping.current = now;
              void client.call('sessions.typing', { sessionId }).catch(() => {});
            }
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              void send();
            } else if (event.key === 'Escape' && replyTo) {
              onClearReply();
            }
          }}
        />
        <button type="button" onClick={() => void send()} disabled={disabled || !body.trim()}>
          {t('composer.send')}
        </button>
      </div>
      <div className="composer__tools">
        <input
          ref={fileInput}
          type="file"
          className="visually-hidden"
          aria-label={t('composer.attach')}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void attach(file);
          }}
        />
        <button type="button" className="secondary" disabled={disabled} onClick={() => fileInput.current?.click()}>
          {t('composer.attach')}
        </button>
        <VoiceRecorder client={client} onSend={sendVoice} disabled={disabled} maxDurationMs={limits.audioMaxDurationMs} maxBytes={limits.audioMaxBytes} />
        {attachError && (
          <span className="form-error" role="alert">
            {attachError}
          </span>
        )}
      </div>
    </div>
  );
}
