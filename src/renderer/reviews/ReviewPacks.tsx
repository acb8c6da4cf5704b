import { useCallback, useEffect, useState } from 'react';
import type { RequestOutput } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { AudioPlayer } from '../audio/AudioPlayer';

type Pack = RequestOutput<'reviews.packs'>['packs'][number];
type Item = RequestOutput<'reviews.packItems'>['items'][number];

/**
 * Review packs: pending voice notes (metadata and audio) taken along to review offline. Decisions on them
 * go through the outbox and meet the server's first-wins rule when they sync.
 */
export function ReviewPacks({ client }: { client: ConsoleClient }) {
  const { t, tx, errorText, formatDateTime } = useI18n();
  const [packs, setPacks] = useState<Pack[]>([]);
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [openPack, setOpenPack] = useState<string | null>(null);
  const [items, setItems] = useState<Item[]>([]);
  const [error, setError] = useState<IpcError | null>(null);
  const [reasons, setReasons] = useState<Record<string, string>>({});

  const load = useCallback(async () => {
    try {
      setPacks((await client.call('reviews.packs', {})).packs);
    } catch (failure) {
      setError(toIpcError(failure));
    }
  }, [client]);
  const loadItems = useCallback(
    async (packId: string) => {
      try {
        setItems((await client.call('reviews.packItems', { packId })).items);
      } catch (failure) {
        setError(toIpcError(failure));
      }
    },
    [client],
  );

  useEffect(() => {
    void Promise.resolve().then(load);
    return client.on('outbox.changed', ({ entry }) => {
      if (entry?.job === 'review') void load();
    });
  }, [client, load]);

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    setBusy(true);
    try {
      await action();
      await load();
      if (openPack) await loadItems(openPack);
    } catch (failure) {
      setError(toIpcError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="review-packs" aria-labelledby="packs-title">
      <h4 id="packs-title">{t('packs.title')}</h4>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (label.trim()) void run(() => client.call('reviews.downloadPack', { label: label.trim() })).then(() => setLabel(''));
        }}
      >
        <input aria-label={t('packs.label')} placeholder={t('packs.label')} maxLength={120} value={label} onChange={(e) => setLabel(e.target.value)} />
        <button type="submit" className="secondary" disabled={busy || !label.trim()}>
          {t('packs.download')}
        </button>
      </form>
      {error && (
        <p className="form-error" role="alert" data-error-code={error.code}>
          {errorText(error)}
        </p>
      )}
      {packs.length === 0 && <p className="muted">{t('packs.none')}</p>}
      <ul className="people-list">
        {packs.map((p) => (
          <li key={p.id} data-testid="review-pack">
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setOpenPack(p.id === openPack ? null : p.id);
                if (p.id !== openPack) void loadItems(p.id);
              }}
            >
              {p.label}
            </button>{' '}
            <span className="muted">
              {formatDateTime(new Date(p.downloadedAt))} · {t('packs.counts', { total: p.total, pending: p.pending, decided: p.decided, applied: p.applied, superseded: p.superseded })}
            </span>{' '}
            <button type="button" className="link-button" disabled={busy} onClick={() => void run(() => client.call('reviews.removePack', { packId: p.id }))}>
              {t('packs.remove')}
            </button>
            {openPack === p.id && (
              <ol className="review-list">
                {items.map((item) => (
                  <li key={item.messageId} className="review">
                    <div className="review__context">
                      <strong>{tx('approvals.from', { name: item.senderName || t('chat.someone') })}</strong>
                      <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time>
                      <span className="muted">{item.decision ? t(item.decision === 'approve' ? 'packs.decidedApprove' : 'packs.decidedReject') : t('packs.undecided')}</span>
                    </div>
                    <AudioPlayer client={client} storagePath={item.storagePath} mimeType={item.mimeType} peaks={item.waveform ?? []} durationMs={item.durationMs ?? 0} />
                    {!item.decision && (
                      <div className="review__actions">
                        <button type="button" disabled={busy} onClick={() => void run(() => client.call('reviews.decide', { messageId: item.messageId, decision: 'approve' }))}>
                          {t('approvals.approve')}
                        </button>
                        <input
                          aria-label={t('approvals.reason')}
                          placeholder={t('approvals.reason')}
                          maxLength={500}
                          value={reasons[item.messageId] ?? ''}
                          onChange={(e) => setReasons((r) => ({ ...r, [item.messageId]: e.target.value }))}
                        />
                        <button
                          type="button"
                          className="danger"
                          disabled={busy || !(reasons[item.messageId] ?? '').trim()}
                          onClick={() => void run(() => client.call('reviews.decide', { messageId: item.messageId, decision: 'reject', reason: (reasons[item.messageId] ?? '').trim() }))}
                        >
                          {t('approvals.reject')}
                        </button>
                      </div>
                    )}
                  </li>
                ))}
              </ol>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
