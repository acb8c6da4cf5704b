import { useEffect, useRef, useState } from 'react';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { Name } from '../i18n/Name';
import { characterCount, sizeParts } from '../lib/limits';
import { analyseRecording } from '../lib/peaks';
import { AudioPlayer } from '../audio/AudioPlayer';

export interface PickedFile {
  file: File;
  kind: 'audio' | 'image' | 'file';
  mimeType: string;
}

export interface ConfirmedFile extends PickedFile {
  caption: string | null;
  /** Audio only: measured here, as the recorder does for voice notes (the outbox needs both). */
  durationMs?: number;
  peaks?: number[];
}

const FILE_REFUSALS: ReadonlySet<string> = new Set([
  'outbox.error.content_mismatch',
  'outbox.error.content_unrecognised',
  'outbox.error.type_not_allowed',
  'outbox.error.file_too_large',
  'chat.mime_not_allowed',
  'chat.file_too_large',
]);

type Analysis = { state: 'none' } | { state: 'running' } | { state: 'done'; durationMs: number; peaks: number[] } | { state: 'failed' };

interface Props {
  client: ConsoleClient;
  picked: PickedFile;
  maxCaptionChars: number;
  /** Resolves with null once queued (the dialog closes), or with the refusal to show in the dialog. */
  onConfirm(file: ConfirmedFile): Promise<IpcError | null>;
  onCancel(): void;
}

/**
 * What is about to be sent, before anything is queued: a thumbnail for an image, the waveform for audio, and
 * the name, size and type for every file. Send queues it; a refusal (a file whose content is not what its
 * name says, a limit) is shown here, with the file still in hand.
 */
export function AttachmentPreview({ client, picked, maxCaptionChars, onConfirm, onCancel }: Props) {
  const { t, errorRich, language } = useI18n();
  const [caption, setCaption] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<IpcError | null>(null);
  // Decoded before it is shown: an <img> that fails to decode a blob: URL makes Chromium report a CSP
  // violation (connect-src), and the user learns at once that the file is not the image it claims to be.
  const [thumbnail, setThumbnail] = useState<{ state: 'none' | 'checking' | 'undecodable' } | { state: 'ready'; url: string }>(() =>
    picked.kind === 'image' ? { state: 'checking' } : { state: 'none' },
  );
  const [analysis, setAnalysis] = useState<Analysis>(() => (picked.kind === 'audio' ? { state: 'running' } : { state: 'none' }));
  const sendButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (picked.kind !== 'image') return;
    let live = true;
    let url: string | null = null;
    const decoded = typeof createImageBitmap === 'function' ? createImageBitmap(picked.file).then((bitmap) => bitmap.close()) : Promise.resolve();
    decoded
      .then(() => {
        if (!live) return;
        url = URL.createObjectURL(picked.file);
        setThumbnail({ state: 'ready', url });
      })
      .catch(() => live && setThumbnail({ state: 'undecodable' }));
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [picked]);
  useEffect(() => sendButton.current?.focus(), []);

  useEffect(() => {
    if (picked.kind !== 'audio') return;
    let live = true;
    analyseRecording(picked.file, 200)
      .then((result) => live && setAnalysis({ state: 'done', ...result }))
      .catch(() => live && setAnalysis({ state: 'failed' }));
    return () => {
      live = false;
    };
  }, [picked]);

  const size = sizeParts(picked.file.size);
  const captionTooLong = characterCount(caption) > maxCaptionChars;
  const ready = picked.kind !== 'audio' || analysis.state === 'done';
  // Refused for what the file is (its bytes, type or size): sending it again cannot succeed.
  const refusedForGood = refusal !== null && FILE_REFUSALS.has(refusal.messageKey);

  async function confirm() {
    if (!ready || busy || captionTooLong || refusedForGood) return;
    setBusy(true);
    setRefusal(null);
    const result = await onConfirm({
      ...picked,
      caption: caption.trim() ? caption : null,
      ...(analysis.state === 'done' ? { durationMs: analysis.durationMs, peaks: analysis.peaks } : {}),
    });
    setBusy(false);
    if (result) setRefusal(result);
  }

  return (
    <div className="dialog-backdrop">
      <form
        className="dialog attachment-preview"
        role="dialog"
        aria-modal="true"
        aria-labelledby="attachment-preview-title"
        data-testid="attachment-preview"
        onSubmit={(event) => {
          event.preventDefault();
          void confirm();
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            onCancel();
          }
        }}
      >
        <h4 id="attachment-preview-title">{t('attach.title')}</h4>
        {thumbnail.state === 'ready' && (
          <img className="attachment-preview__image" src={thumbnail.url} alt={t('attach.previewOf', { name: picked.file.name })} data-testid="attachment-thumbnail" />
        )}
        {thumbnail.state === 'undecodable' && (
          <p className="form-error" role="alert" data-testid="attachment-not-an-image">
            {t('attach.notAnImage')}
          </p>
        )}
        {picked.kind === 'audio' && analysis.state === 'running' && (
          <p className="muted" role="status">
            {t('attach.analysing')}
          </p>
        )}
        {picked.kind === 'audio' && analysis.state === 'done' && (
          <AudioPlayer client={client} storagePath={null} mimeType={picked.mimeType} peaks={analysis.peaks} durationMs={analysis.durationMs} blob={picked.file} />
        )}
        {analysis.state === 'failed' && (
          <p className="form-error" role="alert">
            {t('attach.undecodable')}
          </p>
        )}
        <dl className="attachment-preview__facts">
          <dt>{t('attach.name')}</dt>
          <dd>
            <Name clip testId="attachment-name">
              {picked.file.name}
            </Name>
          </dd>
          <dt>{t('attach.size')}</dt>
          <dd data-testid="attachment-size">{t(`size.${size.unit}`, { value: size.value })}</dd>
          <dt>{t('attach.type')}</dt>
          <dd data-testid="attachment-type">
            {t(`message.kind.${picked.kind}`)} · <bdi dir="ltr">{picked.mimeType}</bdi>
          </dd>
        </dl>
        <label>
          <span>{t('attach.caption')}</span>
          <textarea dir="auto" rows={2} value={caption} onChange={(e) => setCaption(e.target.value)} aria-invalid={captionTooLong} lang={language} />
        </label>
        {captionTooLong && (
          <p className="form-error" role="alert">
            {t('composer.tooLong', { over: characterCount(caption) - maxCaptionChars })}
          </p>
        )}
        {refusal && (
          <p className="form-error" role="alert" data-error-code={refusal.code} data-testid="attachment-refusal">
            {errorRich(refusal, { fileName: picked.file.name, declared: picked.mimeType })}
          </p>
        )}
        <div className="dialog__actions">
          <button type="submit" ref={sendButton} disabled={!ready || busy || captionTooLong || refusedForGood}>
            {busy ? t('attach.sending') : t('attach.send')}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}
