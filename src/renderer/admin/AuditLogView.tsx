import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { AuditEntry } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { Name } from '../i18n/Name';
import { toIpcError } from '../lib/errors';
import type { Person } from '../lib/directory';
import { localMidnightIso } from './figures-format';

/** Actions the console's triggers write (private.audit_row); any other can be typed. */
const KNOWN_ACTIONS = ['status:approved', 'status:rejected', 'status:deleted', 'flag', 'unflag', 'edit', 'delete', 'insert', 'update', 'role_change', 'state:accepted', 'state:escalated', 'state:acknowledged', 'state:resolved'];
const PAGE = 50;

interface Filters {
  actorId: string;
  action: string;
  fromDay: string;
  toDay: string;
}
type Cursor = { createdAt: string; id: string };

/** The audit log for admins, newest first, a page at a time; each entry opens to its old and new values. */
export function AuditLogView({ client, people }: { client: ConsoleClient; people: ReadonlyMap<string, Person> }) {
  const { t, errorText, formatDateTime } = useI18n();
  const [draft, setDraft] = useState<Filters>({ actorId: '', action: '', fromDay: '', toDay: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<Cursor | null>(null);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<IpcError | null>(null);
  const [open, setOpen] = useState<Set<string>>(new Set());

  const fetchPage = useCallback(
    async (before: Cursor | null) => {
      setStatus('loading');
      try {
        const page = await client.call('audit.list', {
          limit: PAGE,
          ...(before ? { before } : {}),
          ...(filters.actorId ? { actorId: filters.actorId } : {}),
          ...(filters.action.trim() ? { action: filters.action.trim() } : {}),
          ...(filters.fromDay ? { from: localMidnightIso(filters.fromDay) } : {}),
          ...(filters.toDay ? { to: localMidnightIso(filters.toDay, 1) } : {}),
        });
        setEntries((current) => (before ? [...current, ...page.entries] : page.entries));
        setNext(page.next);
        setStatus('ready');
      } catch (failure) {
        setError(toIpcError(failure));
        setStatus('error');
      }
    },
    [client, filters],
  );

  useEffect(() => {
    void Promise.resolve().then(() => fetchPage(null));
  }, [fetchPage]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setOpen(new Set());
    setFilters({ ...draft });
  };
  const toggle = (id: string) =>
    setOpen((current) => {
      const copy = new Set(current);
      if (copy.has(id)) copy.delete(id);
      else copy.add(id);
      return copy;
    });
  const actors = [...people.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
  const actorName = (e: AuditEntry) => e.actorName ?? (e.actorId ? people.get(e.actorId)?.displayName : null) ?? null;

  return (
    <section className="panel audit-log" aria-labelledby="audit-title" data-testid="audit-log-view">
      <header className="panel__header">
        <h3 id="audit-title">{t('audit.title')}</h3>
      </header>
      <form className="figures__range" onSubmit={apply}>
        <label>
          {t('audit.actor')}
          <select value={draft.actorId} onChange={(e) => setDraft({ ...draft, actorId: e.target.value })} data-testid="audit-actor">
            <option value="">{t('audit.anyActor')}</option>
            {actors.map((p) => (
              <option key={p.id} value={p.id}>
                {p.displayName}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.action')}
          <input list="audit-actions" value={draft.action} maxLength={200} placeholder={t('audit.anyAction')} onChange={(e) => setDraft({ ...draft, action: e.target.value })} data-testid="audit-action" />
          <datalist id="audit-actions">
            {KNOWN_ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label>
          {t('figures.from')}
          <input type="date" value={draft.fromDay} onChange={(e) => setDraft({ ...draft, fromDay: e.target.value })} data-testid="audit-from" />
        </label>
        <label>
          {t('figures.to')}
          <input type="date" value={draft.toDay} onChange={(e) => setDraft({ ...draft, toDay: e.target.value })} data-testid="audit-to" />
        </label>
        <button type="submit">{t('audit.filter')}</button>
      </form>
      {status === 'error' && error && (
        <p className="form-error" role="alert" data-error-code={error.code}>
          {errorText(error)}
        </p>
      )}
      {status === 'ready' && entries.length === 0 && <p className="empty-state">{t('audit.empty')}</p>}
      <table className="figures__table audit-log__table" data-testid="audit-entries">
        <thead>
          <tr>
            <th scope="col">{t('audit.when')}</th>
            <th scope="col">{t('audit.actor')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.row')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('audit.details')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const name = actorName(e);
            return [
              <tr key={e.id} data-entry-id={e.id} data-action={e.action} data-row-id={e.rowId ?? ''}>
                <td>
                  <time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time>
                </td>
                <td>{name ? <Name>{name}</Name> : <span className="muted">{e.actorId ? t('figures.unknownPerson') : t('audit.system')}</span>}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>
                  <code>{e.tableName}</code> <bdi className="muted">{e.rowId ?? ''}</bdi>
                </td>
                <td>
                  <button type="button" className="secondary" aria-expanded={open.has(e.id)} onClick={() => toggle(e.id)}>
                    {open.has(e.id) ? t('audit.hideDetails') : t('audit.details')}
                  </button>
                </td>
              </tr>,
              open.has(e.id) && (
                <tr key={`${e.id}:details`} className="audit-log__details">
                  <td colSpan={5}>
                    {e.sourceTable && (
                      <p className="muted">
                        {t('audit.source')} <code>{e.sourceTable}</code> <bdi>{e.sourceId ?? ''}</bdi>
                      </p>
                    )}
                    <div className="audit-log__values">
                      <div>
                        <h5>{t('audit.oldValues')}</h5>
                        <pre dir="ltr">{e.oldValues === null ? '—' : JSON.stringify(e.oldValues, null, 2)}</pre>
                      </div>
                      <div>
                        <h5>{t('audit.newValues')}</h5>
                        <pre dir="ltr" data-testid="audit-new-values">{e.newValues === null ? '—' : JSON.stringify(e.newValues, null, 2)}</pre>
                      </div>
                    </div>
                  </td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
      {status === 'loading' && <p className="empty-state" role="status">{t('audit.loading')}</p>}
      {status === 'ready' && next && (
        <button type="button" className="secondary" onClick={() => void fetchPage(next)} data-testid="audit-more">
          {t('audit.more')}
        </button>
      )}
    </section>
  );
}
