import { useState, type FormEvent } from 'react';
import type { IpcError } from '../../shared/ipc/errors';
import { RequestFailed, type ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { PASSWORD_MIN_LENGTH } from '../../shared/accounts/password-rule';

/** The embedded backend's first start: the first account becomes the super admin. */
export function FirstRunScreen({ client }: { client: ConsoleClient }) {
  const { t, errorText, language } = useI18n();
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await client.call('auth.createFirstAccount', { email, password, displayName, preferredLanguage: language });
    } catch (failure) {
      setError(failure instanceof RequestFailed ? failure.error : { code: 'ipc.internal', messageKey: 'errors.ipc.internal' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="sign-in" aria-labelledby="first-run-title">
      <h2 id="first-run-title">{t('firstRun.title')}</h2>
      <p className="sign-in__subtitle">{t('firstRun.subtitle')}</p>
      <form className="sign-in__form" onSubmit={(event) => void submit(event)}>
        <label>
          <span>{t('firstRun.displayName')}</span>
          <input required maxLength={80} value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
        <label>
          <span>{t('signIn.email')}</span>
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          <span>{t('signIn.password')}</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN_LENGTH}
            aria-describedby="first-run-password-rule"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <small className="muted" id="first-run-password-rule" data-testid="password-rule">
          {t('password.rule', { min: PASSWORD_MIN_LENGTH })}
        </small>
        {error && (
          <p className="form-error" role="alert" data-error-code={error.code}>
            {errorText(error)}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t('firstRun.submit')}
        </button>
      </form>
    </section>
  );
}
