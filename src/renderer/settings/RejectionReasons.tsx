import { useCallback, useEffect, useState } from 'react';
import type { RejectionReason } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';

/**
 * Admins: the rejection reasons reviewers pick from, in English and Arabic. Added, relabelled, archived (no
 * longer offered) and offered again; never deleted, so a past rejection keeps its reason. The SQL decides
 * who may change them (RLS on review_rejection_reasons).
 */
export function RejectionReasons({ client }: { client: ConsoleClient }) {
  const { t, errorText } = useI18n();
  const [reasons, setReasons] = useState<RejectionReason[] | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [labelEn, setLabelEn] = useState('');
  const [labelAr, setLabelAr] = useState('');
  const [busy, setBusy] = useState(false);

  const reload = useCallback(
    () =>
      client
        .call('reviews.reasons', { includeArchived: true })
        .then(({ reasons: list }) => setReasons(list))
        .catch((failure: unknown) => setError(toIpcError(failure))),
    [client],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  const save = async (input: Parameters<typeof client.call<'reviews.saveReason'>>[1]) => {
    setBusy(true);
    setError(null);
    try {
      await client.call('reviews.saveReason', input);
      await reload();
      return true;
    } catch (failure) {
      setError(toIpcError(failure));
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset className="settings__group rejection-reasons" data-testid="rejection-reasons">
      <legend>{t('reasons.title')}</legend>
      <p className="muted">{t('reasons.hint')}</p>
      {reasons === null && !error && (
        <p className="muted" role="status">
          {t('reasons.loading')}
        </p>
      )}
      {reasons?.length === 0 && <p className="muted">{t('reasons.empty')}</p>}
      {reasons && reasons.length > 0 && (
        <ul className="people-list">
          {reasons.map((r) => (
            <ReasonRow key={`${r.id}:${r.labelEn}:${r.labelAr}`} reason={r} busy={busy} onSave={save} />
          ))}
        </ul>
      )}
      <form
        className="reason-new"
        onSubmit={async (e) => {
          e.preventDefault();
          const [en, ar] = [labelEn.trim(), labelAr.trim()];
          // Cleared once saved, unless the admin has already started typing the next one.
          if (await save({ labelEn: en, labelAr: ar })) {
            setLabelEn((typed) => (typed.trim() === en ? '' : typed));
            setLabelAr((typed) => (typed.trim() === ar ? '' : typed));
          }
        }}
      >
        <label>
          <span>{t('reasons.labelEn')}</span>
          <input dir="ltr" lang="en" required maxLength={200} value={labelEn} onChange={(e) => setLabelEn(e.target.value)} />
        </label>
        <label>
          <span>{t('reasons.labelAr')}</span>
          <input dir="rtl" lang="ar" required maxLength={200} value={labelAr} onChange={(e) => setLabelAr(e.target.value)} />
        </label>
        <button type="submit" className="secondary" disabled={busy || !labelEn.trim() || !labelAr.trim()}>
          {t('reasons.add')}
        </button>
      </form>
      {error && (
        <p className="form-error" role="alert" data-error-code={error.code}>
          {errorText(error)}
        </p>
      )}
    </fieldset>
  );
}

function ReasonRow({
  reason,
  busy,
  onSave,
}: {
  reason: RejectionReason;
  busy: boolean;
  onSave(input: { id: string; labelEn?: string; labelAr?: string; active?: boolean }): Promise<boolean>;
}) {
  const { t } = useI18n();
  const [labelEn, setLabelEn] = useState(reason.labelEn);
  const [labelAr, setLabelAr] = useState(reason.labelAr);
  const changed = labelEn.trim() !== reason.labelEn || labelAr.trim() !== reason.labelAr;
  return (
    <li data-testid="rejection-reason" data-active={reason.active}>
      <form
        className="reason-row"
        onSubmit={(e) => {
          e.preventDefault();
          void onSave({ id: reason.id, labelEn: labelEn.trim(), labelAr: labelAr.trim() });
        }}
      >
        <input aria-label={t('reasons.labelEn')} dir="ltr" lang="en" required maxLength={200} value={labelEn} onChange={(e) => setLabelEn(e.target.value)} />
        <input aria-label={t('reasons.labelAr')} dir="rtl" lang="ar" required maxLength={200} value={labelAr} onChange={(e) => setLabelAr(e.target.value)} />
        {!reason.active && <span className="muted">{t('reasons.archived')}</span>}
        <button type="submit" className="secondary" disabled={busy || !changed}>
          {t('reasons.save')}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => void onSave({ id: reason.id, active: !reason.active })}>
          {t(reason.active ? 'reasons.archive' : 'reasons.restore')}
        </button>
      </form>
    </li>
  );
}
