import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Profile, RequestOutput } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n, type Language } from '../i18n/i18n';
import type { MessageKey } from '../i18n/en';
import { toIpcError } from '../lib/errors';
import { sizeParts } from '../lib/limits';
import { rememberedPeople, rememberPerson } from '../lib/directory';
import { BackendSettings } from './BackendSettings';
import { MicrophoneSettings } from './MicrophoneSettings';
import { RejectionReasons } from './RejectionReasons';
import { Name } from '../i18n/Name';
import type { Standing } from '../workspace/Workspace';
import { PASSWORD_MIN_LENGTH } from '../../shared/accounts/password-rule';
import { playAlertSound } from '../alerts/alert-sounds';
import { AccountsPanel } from '../accounts/AccountsPanel';
import { CannedRepliesSettings } from './CannedRepliesSettings';
import { DoNotDisturbSettings } from './DoNotDisturbSettings';

type Preferences = RequestOutput<'alerts.getPreferences'>;
type Availability = NonNullable<Standing['availability']>;
const ROLES: Profile['role'][] = ['client', 'reader', 'monitor', 'admin', 'super_admin'];
const SOUNDS: Preferences['messageSound'][] = ['chime', 'bell', 'pulse', 'none'];

interface Props {
  client: ConsoleClient;
  profile: Profile;
  /** The user's availability and opt-in as last known, so the forms open on the current values. */
  standing: Standing;
  onStandingChanged(next: Partial<Standing>): void;
  onPeopleChanged(): void;
}

export function SettingsPanel({ client, profile, standing, onStandingChanged, onPeopleChanged }: Props) {
  const { t, errorText, language, setLanguage } = useI18n();
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [saved, setSaved] = useState(false);
  const [accountsVersion, setAccountsVersion] = useState(0);

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
            <AlertSoundPreferences prefs={prefs} onChange={(change) => void update(change)} />
          </>
        ) : (
          !error && <p className="muted" role="status">{t('settings.loading')}</p>
        )}
      </fieldset>
      <DoNotDisturbSettings client={client} />
      {profile.role !== 'client' && <CannedRepliesSettings client={client} profile={profile} />}
      <MicrophoneSettings />
      {profile.role === 'reader' && <AvailabilityForm client={client} standing={standing} onSaved={onStandingChanged} />}
      {(profile.role === 'admin' || profile.role === 'super_admin') && (
        <CreateAccountForm
          client={client}
          profile={profile}
          onCreated={() => {
            onPeopleChanged();
            setAccountsVersion((v) => v + 1);
          }}
        />
      )}
      {profile.role === 'super_admin' && <AccountsPanel client={client} selfId={profile.id} version={accountsVersion} />}
      {profile.role === 'super_admin' && <ConsoleLimitsForm client={client} />}
      {(profile.role === 'admin' || profile.role === 'super_admin') && <RejectionReasons client={client} />}
      {(profile.role === 'admin' || profile.role === 'super_admin') && <BackendSettings client={client} />}
    </section>
  );
}

/** How a message alert gets attention: flashing, the sound and its volume (previewable), the reply reminder's repeat. */
function AlertSoundPreferences({ prefs, onChange }: { prefs: Preferences; onChange(change: Partial<Preferences>): void }) {
  const { t } = useI18n();
  // The slider moves freely; the preference is saved when it is let go (one save, not one per step).
  const [volume, setVolume] = useState(prefs.soundVolume);
  const [shownVolume, setShownVolume] = useState(prefs.soundVolume);
  if (shownVolume !== prefs.soundVolume) {
    setShownVolume(prefs.soundVolume);
    setVolume(prefs.soundVolume);
  }
  const [repeat, setRepeat] = useState(String(prefs.reminderRepeatMinutes));
  const repeatValue = Number(repeat);
  const repeatValid = Number.isInteger(repeatValue) && repeatValue >= 1 && repeatValue <= 120;
  const commitVolume = () => {
    if (volume !== prefs.soundVolume) onChange({ soundVolume: volume });
  };
  return (
    <>
      <label className="checkbox">
        <input type="checkbox" checked={prefs.flashFrame} onChange={(e) => onChange({ flashFrame: e.target.checked })} />
        <span>{t('settings.flashFrame')}</span>
      </label>
      <label>
        <span>{t('settings.sound')}</span>
        <select aria-label={t('settings.sound')} value={prefs.messageSound} onChange={(e) => onChange({ messageSound: e.target.value as Preferences['messageSound'] })}>
          {SOUNDS.map((sound) => (
            <option key={sound} value={sound}>
              {t(`settings.sound.${sound}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('settings.volume')}</span>
        <input
          type="range"
          min={0}
          max={100}
          step={5}
          aria-label={t('settings.volume')}
          aria-valuetext={t('settings.volume.value', { volume })}
          disabled={prefs.messageSound === 'none'}
          value={volume}
          onChange={(e) => setVolume(Number(e.target.value))}
          onPointerUp={commitVolume}
          onKeyUp={commitVolume}
          onBlur={commitVolume}
        />
        <span className="muted" data-testid="sound-volume">
          {t('settings.volume.value', { volume })}
        </span>
      </label>
      <button
        type="button"
        className="secondary"
        disabled={prefs.messageSound === 'none' || volume === 0}
        onClick={() => {
          if (prefs.messageSound !== 'none') playAlertSound(prefs.messageSound, volume);
        }}
      >
        {t('settings.sound.preview')}
      </button>
      <label>
        <span>{t('settings.reminderRepeat')}</span>
        <input
          type="number"
          inputMode="numeric"
          min={1}
          max={120}
          dir="ltr"
          aria-label={t('settings.reminderRepeat')}
          aria-invalid={!repeatValid}
          aria-describedby="reminder-explained"
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          onBlur={() => {
            if (repeatValid && repeatValue !== prefs.reminderRepeatMinutes) onChange({ reminderRepeatMinutes: repeatValue });
            else if (!repeatValid) setRepeat(String(prefs.reminderRepeatMinutes));
          }}
        />
      </label>
      <p className="muted" id="reminder-explained">
        {t('settings.reminderRepeat.explained', { minutes: prefs.reminderRepeatMinutes })}
      </p>
    </>
  );
}

/** A reader's availability and emergency opt-in, opened on their current values (explained: the opt-in is what brings emergency calls). */
function AvailabilityForm({ client, standing, onSaved }: { client: ConsoleClient; standing: Standing; onSaved(next: Partial<Standing>): void }) {
  const { t, errorText } = useI18n();
  const [availability, setAvailability] = useState<Availability | null>(null);
  const [optIn, setOptIn] = useState<boolean | null>(null);
  const [state, setState] = useState<{ kind: 'idle' | 'saved' } | { kind: 'error'; error: IpcError }>({ kind: 'idle' });
  // Untouched fields follow the current values as they become known.
  const shownAvailability = availability ?? standing.availability ?? 'online';
  const shownOptIn = optIn ?? standing.emergencyOptIn ?? false;
  return (
    <form
      className="settings__group"
      data-testid="availability-form"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const profile = await client.call('profile.setAvailability', { availability: shownAvailability, emergencyOptIn: shownOptIn });
          onSaved({ availability: profile.availability ?? shownAvailability, emergencyOptIn: profile.emergencyOptIn ?? shownOptIn });
          setAvailability(null);
          setOptIn(null);
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
          <select aria-label={t('settings.availability.status')} value={shownAvailability} onChange={(e) => setAvailability(e.target.value as Availability)}>
            {(['online', 'busy', 'away', 'offline'] as const).map((a) => (
              <option key={a} value={a}>
                {t(`availability.${a}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={shownOptIn} onChange={(e) => setOptIn(e.target.checked)} aria-describedby="opt-in-explained" />
          <span>{t('settings.emergencyOptIn')}</span>
        </label>
        <p className="muted" id="opt-in-explained">
          {t('settings.emergencyOptIn.explained')}
        </p>
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
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN_LENGTH}
            aria-describedby="account-password-rule"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <small className="muted" id="account-password-rule" data-testid="password-rule">
          {t('password.rule', { min: PASSWORD_MIN_LENGTH })}
        </small>
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

/** Every typed console limit (supabase/migrations/*_app_settings.sql); the migrations validate each value and bound. */
const LIMIT_KEYS = [
  'console.message.max_body_length',
  'console.rate_limit.messages_per_minute',
  'console.rate_limit.audio_per_minute',
  'console.quota.session_messages_per_day',
  'console.message.edit_window_seconds',
  'console.audio.max_duration_ms',
  'console.audio.max_size_bytes',
  'console.audio.max_waveform_points',
  'console.image.max_size_bytes',
  'console.file.max_size_bytes',
  'console.audio.mime_types',
  'console.image.mime_types',
  'console.file.mime_types',
  'console.emergency.ring_timeout_seconds',
  'console.emergency.level1_timeout_seconds',
  'console.reply.target_minutes',
  'console.presence.idle_minutes',
  'console.review.claim_seconds',
  'console.review.bulk_max',
] as const;
type LimitKey = (typeof LIMIT_KEYS)[number];
const labelKey = (key: LimitKey) => `limits.${key.replace(/^console\./, '').replace(/\./g, '_')}` as MessageKey;
const asText = (value: string | number | string[] | undefined) => (value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value));

/** Super admins: each limit with its current value, edited in place; saved one at a time (the server validates). */
function ConsoleLimitsForm({ client }: { client: ConsoleClient }) {
  const { t, errorText } = useI18n();
  const [current, setCurrent] = useState<Record<string, string | number | string[]> | null>(null);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const reload = useCallback(
    () =>
      client
        .call('settings.get', {})
        .then(({ settings }) => setCurrent(settings))
        .catch((failure: unknown) => setLoadError(toIpcError(failure))),
    [client],
  );
  useEffect(() => {
    void reload();
  }, [reload]);
  return (
    <fieldset className="settings__group limits" data-testid="console-limits">
      <legend>{t('limits.title')}</legend>
      {!current && !loadError && (
        <p className="muted" role="status">
          {t('limits.loading')}
        </p>
      )}
      {loadError && (
        <p className="form-error" role="alert" data-error-code={loadError.code}>
          {errorText(loadError)}
        </p>
      )}
      {current && LIMIT_KEYS.map((key) => <LimitRow key={key} client={client} settingKey={key} label={t(labelKey(key))} value={asText(current[key])} onSaved={reload} />)}
    </fieldset>
  );
}

function LimitRow({ client, settingKey, label, value, onSaved }: { client: ConsoleClient; settingKey: LimitKey; label: string; value: string; onSaved(): Promise<unknown> }) {
  const { t, errorText } = useI18n();
  const [draft, setDraft] = useState(value);
  const [state, setState] = useState<{ kind: 'idle' | 'busy' | 'saved' } | { kind: 'error'; error: IpcError }>({ kind: 'idle' });
  // A value saved elsewhere (or this one, re-read) replaces an untouched field.
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setDraft(value);
  }
  const id = `limit-${settingKey.replace(/\./g, '-')}`;
  return (
    <form
      className="limit-row"
      data-setting={settingKey}
      onSubmit={async (e) => {
        e.preventDefault();
        setState({ kind: 'busy' });
        try {
          await client.call('settings.set', { key: settingKey, value: draft.trim() });
          await onSaved();
          setState({ kind: 'saved' });
        } catch (failure) {
          setState({ kind: 'error', error: toIpcError(failure) });
        }
      }}
    >
      <label htmlFor={id}>{label}</label>
      <input id={id} required inputMode={settingKey.endsWith('mime_types') ? 'text' : 'numeric'} dir="ltr" value={draft} onChange={(e) => setDraft(e.target.value)} />
      <span className="muted limit-row__current" data-testid="limit-current">
        {t('limits.current', { value: value.includes(',') ? value.split(',').join(', ') : value })}
        {settingKey.endsWith('_bytes') && /^\d+$/.test(value) && ` (${t(`size.${sizeParts(Number(value)).unit}`, { value: sizeParts(Number(value)).value })})`}
      </span>
      <button type="submit" className="secondary" aria-label={t('limits.saveOne', { label })} disabled={state.kind === 'busy' || draft.trim() === value}>
        {t('common.save')}
      </button>
      {state.kind === 'saved' && <span role="status">{t('settings.saved')}</span>}
      {state.kind === 'error' && (
        <span className="form-error" role="alert" data-error-code={state.error.code}>
          {errorText(state.error)}
        </span>
      )}
    </form>
  );
}
