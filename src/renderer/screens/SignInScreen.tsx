import { useState, type FormEvent } from 'react';
import type { IpcError } from '../../shared/ipc/errors';
import { RequestFailed, type ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';

/**
 * The sign-in form. It is drawn as soon as the page is served, while the console's backend may still be opening
 * (`starting`): the user types meanwhile, and the submit waits for the backend in the main process.
 */
export function SignInScreen({
  client,
  backend,
  starting = false,
  signedOutReason,
}: {
  client: ConsoleClient;
  backend: 'embedded' | 'supabase';
  starting?: boolean;
  signedOutReason?: 'expired' | undefined;
}) {
  const { t, errorText } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [roundTrip, setRoundTrip] = useState<number | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await client.call('auth.signIn', { email, password });
    } catch (failure) {
      setError(failure instanceof RequestFailed ? failure.error : { code: 'ipc.internal', messageKey: 'errors.ipc.internal' });
    } finally {
      setBusy(false);
    }
  }

  async function checkConnection() {
    const started = performance.now();
    setError(null);
    try {
      await client.call('app.ping', { text: 'ping' });
      setRoundTrip(Math.max(1, Math.round(performance.now() - started)));
    } catch (failure) {
      setRoundTrip(null);
      setError(failure instanceof RequestFailed ? failure.error : { code: 'ipc.internal', messageKey: 'errors.ipc.internal' });
    }
  }

  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">{t('signIn.title')}</h2>
      <p className="sign-in__subtitle">{t('signIn.subtitle')}</p>
      {signedOutReason === 'expired' && !error && (
        <p className="form-error" role="alert" data-testid="signed-out-reason">
          {t('signIn.signedOut.expired')}
        </p>
      )}
      {starting && (
        <p className="sign-in__starting" role="status" data-testid="sign-in-starting">
          {t('signIn.starting')}
        </p>
      )}
      <form className="sign-in__form" onSubmit={(event) => void submit(event)}>
        <label>
          <span>{t('signIn.email')}</span>
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          <span>{t('signIn.password')}</span>
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="form-error" role="alert" data-error-code={error.code}>
            {errorText(error)}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? t(starting ? 'signIn.waiting' : 'signIn.submitting') : t('signIn.submit')}
        </button>
      </form>
      <footer className="sign-in__footer">
        <span>{t('signIn.backend', { backend: t(backend === 'embedded' ? 'app.backend.embedded' : 'app.backend.supabase') })}</span>
        <button type="button" className="link-button" onClick={() => void checkConnection()}>
          {t('diagnostics.run')}
        </button>
        {roundTrip !== null && (
          <span role="status" data-testid="diagnostics-ok">
            {t('diagnostics.ok', { ms: roundTrip })}
          </span>
        )}
      </footer>
    </section>
  );
}
