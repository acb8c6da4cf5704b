import { useEffect, useState, type FormEvent } from 'react';
import type { Profile, RequestOutput } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n, type Language } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { rememberedPeople, rememberPerson } from '../lib/directory';
import { BackendSettings } from './BackendSettings';
import { MicrophoneSettings } from './MicrophoneSettings';
import { Name } from '../i18n/Name';

type Preferences = RequestOutput<'alerts.getPreferences'>;
type Availability = 'online' | 'busy' | 'away' | 'offline';
const ROLES: Profile['role'][] = ['client', 'reader', 'monitor', 'admin', 'super_admin'];

export function SettingsPanel({ client, profile, onPeopleChanged }: { client: ConsoleClient; profile: Profile; onPeopleChanged(): void }) {
  const { t, errorText, language, setLanguage } = useI18n();
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    client
      .call('alerts.getPreferences', {})
      .then(setPrefs)
      .catch((failure: unknown) => setError(toIpcError(failure)));
  }, [client]);

  const update = async (change: Partial<Preferences>) => {
    setError(null);
    setSaved(false);
    try {
      setPrefs(await client.call('alerts.setPreferences', change));
      setSaved(true);
    } catch (failure) {
      setError(toIpcError(failure));
    }
  };

  return (
    <section className="panel settings" aria-labelledby="settings-title">
      <header className="panel__header">
        <h3 id="settings-title">{t('settings.title')}</h3>
        {saved && <span role="status">{t('settings.saved')}</span>}
      </header>
      {error && (
        <p className="form-error" role="alert" data-error-code={error.code}>
          {errorText(error)}
        </p>
      )}
      <fieldset className="settings__group">
        <legend>{t('settings.general')}</legend>
        <label>
          <span>{t('settings.language')}</span>
          <select
            aria-label={t('settings.language')}
            value={language}
            onChange={(e) => {
              const next = e.target.value as Language;
              // Saved to the profile and to the notification preferences by the workspace (App's useAccountLanguage).
              setLanguage(next);
            }}
          >
            <option value="en">{t('app.language.en')}</option>
            <option value="ar">{t('app.language.ar')}</option>
          </select>
        </label>
        {prefs ? (
          <>
            <label>
              <span>{t('settings.privacy')}</span>
              <select aria-label={t('settings.privacy')} value={prefs.privacy} onChange={(e) => void update({ privacy: e.target.value as Preferences['privacy'] })}>
                <option value="full">{t('settings.privacy.full')}</option>
                <option value="sender">{t('settings.privacy.sender')}</option>
                <option value="count">{t('settings.privacy.count')}</option>
              </select>
            </label>
            <label className="checkbox">
              <input type="checkbox" checked={prefs.doNotDisturb} onChange={(e) => void update({ doNotDisturb: e.target.checked })} />
              <span>{t('settings.dnd')}</span>
            </label>
          </>
        ) : (
          !error && <p className="muted" role="status">{t('settings.loading')}</p>
        )}
      </fieldset>
      <MicrophoneSettings />
      {profile.role === 'reader' && <AvailabilityForm client={client} />}
      {(profile.role === 'admin' || profile.role === 'super_admin') && <CreateAccountForm client={client} profile={profile} onCreated={onPeopleChanged} />}
      {profile.role === 'super_admin' && <ConsoleLimitsForm client={client} />}
      {(profile.role === 'admin' || profile.role === 'super_admin') && <BackendSettings client={client} />}
    </section>
  );
}

function AvailabilityForm({ client }: { client: ConsoleClient }) {
  const { t, errorText } = useI18n();
  const [availability, setAvailability] = useState<Availability>('online');
  const [optIn, setOptIn] = useState(false);
  const [state, setState] = useState<{ kind: 'idle' | 'saved' } | { kind: 'error'; error: IpcError }>({ kind: 'idle' });
  return (
    <form
      className="settings__group"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await client.call('profile.setAvailability', { availability, emergencyOptIn: optIn });
          setState({ kind: 'saved' });
        } catch (failure) {
          setState({ kind: 'error', error: toIpcError(failure) });
        }
      }}
    >
      <fieldset>
        <legend>{t('settings.availability')}</legend>
        <label>
          <span>{t('settings.availability.status')}</span>
          <select aria-label={t('settings.availability.status')} value={availability} onChange={(e) => setAvailability(e.target.value as Availability)}>
            {(['online', 'busy', 'away', 'offline'] as const).map((a) => (
              <option key={a} value={a}>
                {t(`availability.${a}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={optIn} onChange={(e) => setOptIn(e.target.checked)} />
          <span>{t('settings.emergencyOptIn')}</span>
        </label>
        <button type="submit">{t('settings.availability.save')}</button>
        {state.kind === 'saved' && <span role="status">{t('settings.saved')}</span>}
        {state.kind === 'error' && (
          <span className="form-error" role="alert" data-error-code={state.error.code}>
            {errorText(state.error)}
          </span>
        )}
      </fieldset>
    </form>
  );
}

function CreateAccountForm({ client, profile, onCreated }: { client: ConsoleClient; profile: Profile; onCreated(): void }) {
  const { t, tx, errorText } = useI18n();
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Profile['role']>('reader');
  const [lang, setLang] = useState<Language>('en');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ kind: 'created'; name: string } | { kind: 'error'; error: IpcError } | null>(null);
  const [people, setPeople] = useState(() => rememberedPeople(profile.id));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setResult(null);
    try {
      const { id } = await client.call('accounts.create', { email, password, displayName, role, preferredLanguage: lang });
      rememberPerson(profile.id, { id, displayName: displayName.trim(), role });
      setPeople(rememberedPeople(profile.id));
      setResult({ kind: 'created', name: displayName.trim() });
      setDisplayName('');
      setEmail('');
      setPassword('');
      onCreated();
    } catch (failure) {
      setResult({ kind: 'error', error: toIpcError(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="settings__group" onSubmit={(e) => void submit(e)} aria-labelledby="create-account-title">
      <fieldset>
        <legend id="create-account-title">{t('accounts.title')}</legend>
        <label>
          <span>{t('accounts.name')}</span>
          <input required maxLength={80} value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
        <label>
          <span>{t('accounts.email')}</span>
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          <span>{t('accounts.password')}</span>
          <input type="password" autoComplete="new-password" required minLength={10} value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <label>
          <span>{t('accounts.role')}</span>
          <select aria-label={t('accounts.role')} value={role} onChange={(e) => setRole(e.target.value as Profile['role'])}>
            {ROLES.filter((r) => profile.role === 'super_admin' || r !== 'super_admin').map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('accounts.language')}</span>
          <select aria-label={t('accounts.language')} value={lang} onChange={(e) => setLang(e.target.value as Language)}>
            <option value="en">{t('app.language.en')}</option>
            <option value="ar">{t('app.language.ar')}</option>
          </select>
        </label>
        <button type="submit" disabled={busy}>
          {t('accounts.create')}
        </button>
        {result?.kind === 'created' && <p role="status">{tx('accounts.created', { name: result.name })}</p>}
        {result?.kind === 'error' && (
          <p className="form-error" role="alert" data-error-code={result.error.code}>
            {errorText(result.error)}
          </p>
        )}
      </fieldset>
      {people.length > 0 && (
        <ul className="people-list" aria-label={t('accounts.createdHere')}>
          {people.map((p) => (
            <li key={p.id}>
              <Name>{p.displayName}</Name> · {t(`role.${p.role}`)}
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

/** The typed console limits most often tuned; the migrations validate every value and bound. */
const LIMIT_KEYS = [
  'console.emergency.ring_timeout_seconds',
  'console.emergency.level1_timeout_seconds',
  'console.rate_limit.messages_per_minute',
  'console.audio.max_duration_ms',
] as const;

function ConsoleLimitsForm({ client }: { client: ConsoleClient }) {
  const { t, errorText } = useI18n();
  const [key, setKey] = useState<string>(LIMIT_KEYS[0]);
  const [value, setValue] = useState('');
  const [state, setState] = useState<{ kind: 'idle' | 'saved' } | { kind: 'error'; error: IpcError }>({ kind: 'idle' });
  return (
    <form
      className="settings__group"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await client.call('settings.set', { key, value: value.trim() });
          setState({ kind: 'saved' });
        } catch (failure) {
          setState({ kind: 'error', error: toIpcError(failure) });
        }
      }}
    >
      <fieldset>
        <legend>{t('limits.title')}</legend>
        <label>
          <span>{t('limits.key')}</span>
          <select aria-label={t('limits.key')} value={key} onChange={(e) => setKey(e.target.value)}>
            {LIMIT_KEYS.map((k) => (
              <option key={k} value={k}>
                {t(`limits.${k.replace(/^console\./, '').replace(/\./g, '_')}` as Parameters<typeof t>[0])}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('limits.value')}</span>
          <input required inputMode="numeric" value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
        <button type="submit">{t('limits.save')}</button>
        {state.kind === 'saved' && <span role="status">{t('settings.saved')}</span>}
        {state.kind === 'error' && (
          <span className="form-error" role="alert" data-error-code={state.error.code}>
            {errorText(state.error)}
          </span>
        )}
      </fieldset>
    </form>
  );
}
