import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { AccountChange, ManagedAccount, Profile } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/en';
import { Name } from '../i18n/Name';
import { toIpcError } from '../lib/errors';

const ROLES: Profile['role'][] = ['client', 'reader', 'monitor', 'admin', 'super_admin'];
const CHANGE_KEYS: ReadonlySet<string> = new Set(['account:create', 'account:disable', 'account:enable', 'account:password_reset', 'role_change']);

type Notice = { kind: 'done'; text: ReactNode } | { kind: 'error'; error: IpcError };

interface Props {
  client: ConsoleClient;
  selfId: string;
  /** Bumped by the settings screen when an account was created there: the list is read again. */
  version: number;
}

/**
 * Super admins: every account, searchable, with its role, whether it may sign in, and its history; role
 * changes, disabling and re-enabling, and password resets go through the admin-accounts Edge Function, and
 * every one of them is audited there. The list is re-read from the server after each change.
 */
export function AccountsPanel({ client, selfId, version }: Props) {
  const { t, tx, errorText } = useI18n();
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [accounts, setAccounts] = useState<ManagedAccount[] | null>(null);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [historyOf, setHistoryOf] = useState<string | null>(null);

  const reload = useCallback(
    () =>
      client
        .call('accounts.manage.list', search ? { search } : {})
        .then(({ accounts: list }) => {
          setAccounts(list);
          setLoadError(null);
        })
        .catch((failure: unknown) => setLoadError(toIpcError(failure))),
    [client, search],
  );
  useEffect(() => {
    void reload();
  }, [reload, version]);

  async function change(account: ManagedAccount, run: () => Promise<ManagedAccount>, done: (updated: ManagedAccount) => ReactNode) {
    setBusyId(account.id);
    setNotice(null);
    try {
      const updated = await run();
      setAccounts((list) => list?.map((a) => (a.id === updated.id ? updated : a)) ?? list);
      setNotice({ kind: 'done', text: done(updated) });
    } catch (failure) {
      setNotice({ kind: 'error', error: toIpcError(failure) });
      void reload();
    } finally {
      setBusyId(null);
    }
  }

  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    setSearch(draft.trim());
  };

  const nameOf = (id: string | null) => accounts?.find((a) => a.id === id)?.displayName || null;

  return (
    <section className="settings__group accounts-admin" aria-labelledby="accounts-admin-title" data-testid="accounts-admin">
      <h4 id="accounts-admin-title">{t('accountAdmin.title')}</h4>
      <form className="accounts-admin__search" role="search" onSubmit={submitSearch}>
        <label>
          <span>{t('accountAdmin.search')}</span>
          <input type="search" maxLength={320} value={draft} onChange={(e) => setDraft(e.target.value)} />
        </label>
        <button type="submit" className="secondary">
          {t('accountAdmin.searchButton')}
        </button>
      </form>
      {notice?.kind === 'done' && <p role="status">{notice.text}</p>}
      {notice?.kind === 'error' && (
        <p className="form-error" role="alert" data-error-code={notice.error.code}>
          {errorText(notice.error)}
        </p>
      )}
      {loadError && (
        <p className="form-error" role="alert" data-error-code={loadError.code}>
          {errorText(loadError)}
        </p>
      )}
      {!accounts && !loadError && (
        <p className="muted" role="status">
          {t('accountAdmin.loading')}
        </p>
      )}
      {accounts && (
        <>
          <p className="muted" data-testid="accounts-count">
            {accounts.length === 0 ? t('accountAdmin.none') : t('accountAdmin.count', { count: accounts.length })}
          </p>
          <ul className="people-list accounts-admin__list" aria-label={t('accountAdmin.title')}>
            {accounts.map((account) => (
              <AccountRow
                key={account.id}
                account={account}
                self={account.id === selfId}
                busy={busyId === account.id}
                historyOpen={historyOf === account.id}
                onToggleHistory={() => setHistoryOf((open) => (open === account.id ? null : account.id))}
                onRole={(role) =>
                  void change(account, () => client.call('accounts.manage.setRole', { userId: account.id, role }), (updated) =>
                    tx('accountAdmin.done.role', { name: updated.displayName, role: t(`role.${updated.role}`) }),
                  )
                }
                onDisabled={(disabled) =>
                  void change(account, () => client.call('accounts.manage.setDisabled', { userId: account.id, disabled }), (updated) =>
                    tx(updated.disabled ? 'accountAdmin.done.disabled' : 'accountAdmin.done.enabled', { name: updated.displayName }),
                  )
                }
                onReset={() =>
                  void change(account, () => client.call('accounts.manage.sendPasswordReset', { userId: account.id }), (updated) =>
                    tx('accountAdmin.done.reset', { email: updated.email }),
                  )
                }
              >
                {historyOf === account.id && <AccountHistory client={client} account={account} nameOf={nameOf} selfId={selfId} />}
              </AccountRow>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

interface RowProps {
  account: ManagedAccount;
  self: boolean;
  busy: boolean;
  historyOpen: boolean;
  onToggleHistory(): void;
  onRole(role: Profile['role']): void;
  onDisabled(disabled: boolean): void;
  onReset(): void;
  children: ReactNode;
}

function AccountRow({ account, self, busy, historyOpen, onToggleHistory, onRole, onDisabled, onReset, children }: RowProps) {
  const { t, formatDateTime, formatRelative } = useI18n();
  const name = account.displayName || account.email;
  return (
    <li className="accounts-admin__row" data-testid="account-row" data-email={account.email} data-disabled={account.disabled}>
      <div className="accounts-admin__who">
        <Name>{name}</Name>
        {self && <span className="muted"> · {t('accountAdmin.you')}</span>}
        <div className="muted" dir="ltr">
          {account.email}
        </div>
        <div className="muted">
          {account.lastSignInAt ? (
            <time dateTime={account.lastSignInAt} title={formatDateTime(account.lastSignInAt)}>
              {t('accountAdmin.lastSignIn', { when: formatRelative(account.lastSignInAt) })}
            </time>
          ) : (
            t('accountAdmin.neverSignedIn')
          )}
        </div>
      </div>
      <select aria-label={t('accountAdmin.roleOf', { name })} value={account.role} disabled={busy} onChange={(e) => onRole(e.target.value as Profile['role'])}>
        {ROLES.map((role) => (
          <option key={role} value={role}>
            {t(`role.${role}`)}
          </option>
        ))}
      </select>
      <span className={account.disabled ? 'badge accounts-admin__disabled' : 'muted'} data-testid="account-state">
        {account.disabled ? t('accountAdmin.disabled') : t('accountAdmin.active')}
      </span>
      <div className="accounts-admin__actions">
        {!self &&
          (account.disabled ? (
            <button type="button" className="secondary" disabled={busy} aria-label={t('accountAdmin.enableOf', { name })} onClick={() => onDisabled(false)}>
              {t('accountAdmin.enable')}
            </button>
          ) : (
            <button type="button" className="secondary" disabled={busy} aria-label={t('accountAdmin.disableOf', { name })} onClick={() => onDisabled(true)}>
              {t('accountAdmin.disable')}
            </button>
          ))}
        <button type="button" className="secondary" disabled={busy || !account.email} aria-label={t('accountAdmin.resetOf', { name })} onClick={onReset}>
          {t('accountAdmin.reset')}
        </button>
        <button type="button" className="secondary" aria-expanded={historyOpen} aria-label={t('accountAdmin.historyOf', { name })} onClick={onToggleHistory}>
          {t('accountAdmin.history')}
        </button>
      </div>
      {children}
    </li>
  );
}

function AccountHistory({ client, account, nameOf, selfId }: { client: ConsoleClient; account: ManagedAccount; nameOf(id: string | null): string | null; selfId: string }) {
  const { t, tx, errorText, formatDateTime } = useI18n();
  const [history, setHistory] = useState<AccountChange[] | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  // Read again whenever the account changes (a role change or a disable adds a line).
  const stamp = `${account.role}|${account.disabled}`;
  useEffect(() => {
    client
      .call('accounts.manage.history', { userId: account.id })
      .then(({ history: list }) => setHistory(list))
      .catch((failure: unknown) => setError(toIpcError(failure)));
  }, [client, account.id, stamp]);
  if (error) {
    return (
      <p className="form-error" role="alert" data-error-code={error.code}>
        {errorText(error)}
      </p>
    );
  }
  if (!history) return <p className="muted">{t('accountAdmin.loading')}</p>;
  if (history.length === 0) return <p className="muted">{t('accountAdmin.historyEmpty')}</p>;
  return (
    <ol className="accounts-admin__history" aria-label={t('accountAdmin.historyOf', { name: account.displayName || account.email })}>
      {history.map((h) => (
        <li key={h.id}>
          {tx('accountAdmin.changeLine', {
            when: formatDateTime(h.createdAt),
            action: t((CHANGE_KEYS.has(h.action) ? `accountAdmin.change.${h.action}` : 'accountAdmin.change.other') as MessageKey),
            actor: h.actorId === selfId ? t('accountAdmin.you') : (nameOf(h.actorId) ?? t('accountAdmin.someone')),
          })}
        </li>
      ))}
    </ol>
  );
}
