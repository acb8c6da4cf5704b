import { useCallback, useState, type FormEvent } from 'react';
import type { Figures } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { Name } from '../i18n/Name';
import { toIpcError } from '../lib/errors';
import { dayInputValue, dayRange, formatDuration, formatPercent } from './figures-format';

type Load = { status: 'idle' } | { status: 'loading' } | { status: 'ready'; figures: Figures } | { status: 'error'; error: IpcError };
type Exported = { kind: 'saved'; fileName: string } | { kind: 'downloaded'; fileName: string } | { kind: 'cancelled' } | { kind: 'error'; error: IpcError };

/** The page downloads a CSV the main process built (web shell: no save dialog there). */
function download(fileName: string, csv: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Reviewer and reader figures for a range of days (admins): decisions, decision and reply times, rejections. */
export function FiguresView({ client }: { client: ConsoleClient }) {
  const { t, tx, errorText, formatNumber, locale } = useI18n();
  const [fromDay, setFromDay] = useState(() => dayInputValue(29));
  const [toDay, setToDay] = useState(() => dayInputValue(0));
  const [load, setLoad] = useState<Load>({ status: 'idle' });
  const [exported, setExported] = useState<Exported | null>(null);
  const [exporting, setExporting] = useState(false);
  const range = dayRange(fromDay, toDay);

  const show = useCallback(
    async (event?: FormEvent) => {
      event?.preventDefault();
      if (!range) return;
      setLoad({ status: 'loading' });
      setExported(null);
      try {
        setLoad({ status: 'ready', figures: await client.call('figures.get', range) });
      } catch (failure) {
        setLoad({ status: 'error', error: toIpcError(failure) });
      }
    },
    [client, range],
  );

  const exportCsv = async () => {
    if (!range) return;
    setExporting(true);
    try {
      const result = await client.call('figures.exportCsv', range);
      if (result.via === 'download') {
        download(result.fileName, result.csv);
        setExported({ kind: 'downloaded', fileName: result.fileName });
      } else {
        setExported(result.saved && result.fileName ? { kind: 'saved', fileName: result.fileName } : { kind: 'cancelled' });
      }
    } catch (failure) {
      setExported({ kind: 'error', error: toIpcError(failure) });
    } finally {
      setExporting(false);
    }
  };

  const duration = (seconds: number | null) => (seconds === null ? '—' : formatDuration(seconds, locale));
  const percent = (fraction: number | null) => (fraction === null ? '—' : formatPercent(fraction, locale));
  const person = (name: string | null, id: string | null) => (id === null ? <strong>{t('figures.everyone')}</strong> : <Name>{name ?? t('figures.unknownPerson')}</Name>);

  return (
    <section className="panel figures" aria-labelledby="figures-title" data-testid="figures-view">
      <header className="panel__header">
        <h3 id="figures-title">{t('figures.title')}</h3>
      </header>
      <form className="figures__range" onSubmit={(e) => void show(e)}>
        <label>
          {t('figures.from')}
          <input type="date" value={fromDay} max={toDay || undefined} onChange={(e) => setFromDay(e.target.value)} data-testid="figures-from" required />
        </label>
        <label>
          {t('figures.to')}
          <input type="date" value={toDay} min={fromDay || undefined} onChange={(e) => setToDay(e.target.value)} data-testid="figures-to" required />
        </label>
        <button type="submit" disabled={!range || load.status === 'loading'}>
          {t('figures.show')}
        </button>
        <button type="button" className="secondary" disabled={!range || exporting} onClick={() => void exportCsv()} data-testid="figures-export">
          {t('figures.exportCsv')}
        </button>
        {!range && <span className="form-error">{t('figures.invalidRange')}</span>}
      </form>
      {exported?.kind === 'saved' && <p className="banner" role="status">{tx('figures.saved', { file: exported.fileName })}</p>}
      {exported?.kind === 'downloaded' && <p className="banner" role="status">{tx('figures.downloaded', { file: exported.fileName })}</p>}
      {exported?.kind === 'cancelled' && <p className="banner" role="status">{t('figures.exportCancelled')}</p>}
      {exported?.kind === 'error' && (
        <p className="form-error" role="alert" data-error-code={exported.error.code}>
          {errorText(exported.error)}
        </p>
      )}
      {load.status === 'idle' && <p className="empty-state">{t('figures.pickRange')}</p>}
      {load.status === 'loading' && <p className="empty-state" role="status">{t('figures.loading')}</p>}
      {load.status === 'error' && (
        <p className="form-error" role="alert" data-error-code={load.error.code}>
          {errorText(load.error)}
        </p>
      )}
      {load.status === 'ready' && (
        <>
          <h4>{t('figures.reviewers')}</h4>
          <table className="figures__table" data-testid="figures-reviewers">
            <thead>
              <tr>
                <th scope="col">{t('figures.reviewer')}</th>
                <th scope="col">{t('figures.decisions')}</th>
                <th scope="col">{t('figures.approvals')}</th>
                <th scope="col">{t('figures.rejections')}</th>
                <th scope="col">{t('figures.decisionP50')}</th>
                <th scope="col">{t('figures.decisionP90')}</th>
              </tr>
            </thead>
            <tbody>
              {load.figures.reviewers.map((r) => (
                <tr key={r.reviewerId ?? 'all'} data-person={r.reviewerId ?? 'all'}>
                  <th scope="row">{person(r.reviewerName, r.reviewerId)}</th>
                  <td>{formatNumber(r.decisions)}</td>
                  <td>{formatNumber(r.approvals)}</td>
                  <td>{formatNumber(r.rejections)}</td>
                  <td>{duration(r.decisionP50Seconds)}</td>
                  <td>{duration(r.decisionP90Seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4>{t('figures.readers')}</h4>
          <table className="figures__table" data-testid="figures-readers">
            <thead>
              <tr>
                <th scope="col">{t('figures.reader')}</th>
                <th scope="col">{t('figures.notesDecided')}</th>
                <th scope="col">{t('figures.rejectionRate')}</th>
                <th scope="col">{t('figures.replies')}</th>
                <th scope="col">{t('figures.unanswered')}</th>
                <th scope="col">{t('figures.replyP50')}</th>
                <th scope="col">{t('figures.replyP90')}</th>
              </tr>
            </thead>
            <tbody>
              {load.figures.readers.map((r) => (
                <tr key={r.readerId ?? 'all'} data-person={r.readerId ?? 'all'}>
                  <th scope="row">{person(r.readerName, r.readerId)}</th>
                  <td>{formatNumber(r.notesDecided)}</td>
                  <td>{percent(r.rejectionRate)}</td>
                  <td>{formatNumber(r.replies)}</td>
                  <td>{r.readerId === null ? formatNumber(r.unanswered) : '—'}</td>
                  <td>{duration(r.replyP50Seconds)}</td>
                  <td>{duration(r.replyP90Seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4>{t('figures.reasons')}</h4>
          {load.figures.reasons.length === 0 ? (
            <p className="muted">{t('figures.noRejections')}</p>
          ) : (
            <table className="figures__table" data-testid="figures-reasons">
              <thead>
                <tr>
                  <th scope="col">{t('figures.reader')}</th>
                  <th scope="col">{t('figures.reason')}</th>
                  <th scope="col">{t('figures.rejections')}</th>
                  <th scope="col">{t('figures.shareOfDecisions')}</th>
                </tr>
              </thead>
              <tbody>
                {load.figures.reasons.map((r, i) => (
                  <tr key={`${r.readerId ?? 'all'}:${r.reason ?? ''}:${i}`}>
                    <th scope="row">{person(r.readerName, r.readerId)}</th>
                    <td>
                      <Name>{r.reason ?? '—'}</Name>
                    </td>
                    <td>{formatNumber(r.rejections)}</td>
                    <td>{percent(r.rate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
