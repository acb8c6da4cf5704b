import { useEffect, useState } from 'react';
import type { AuthState, Profile } from '../shared/ipc/contract';
import type { IpcError } from '../shared/ipc/errors';
import { RequestFailed, type ConsoleClient } from './bridge/console-client';
import { useI18n } from './i18n/i18n';
import { SignInScreen } from './screens/SignInScreen';
import { LanguageSwitch } from './screens/LanguageSwitch';
import { FirstRunScreen } from './screens/FirstRunScreen';
import { Workspace } from './workspace/Workspace';

type Load = { status: 'loading' } | { status: 'ready'; auth: AuthState } | { status: 'error'; error: IpcError };

/**
 * The account's language rules once signed in: the profile's preferred language is applied at sign-in (and
 * whenever the profile changes), and a language the user picks is saved to the profile, so it follows them.
 * Before sign-in, the last language used on this computer (localStorage) is shown.
 */
function useAccountLanguage(client: ConsoleClient, profile: Profile | null) {
  const { applyLanguage, onLanguageChosen } = useI18n();
  const profileId = profile?.id ?? null;
  const preferred = profile?.preferredLanguage ?? null;
  useEffect(() => {
    if (preferred) applyLanguage(preferred);
  }, [profileId, preferred, applyLanguage]);
  useEffect(() => {
    if (!profileId) return;
    return onLanguageChosen((language) => {
      // The main process words notifications in the same language; the profile keeps the choice for next time.
      void client.call('alerts.setPreferences', { language }).catch(() => {});
      void client.call('profile.setLanguage', { language }).catch(() => {});
    });
  }, [client, profileId, onLanguageChosen]);
}

export function App({ client }: { client: ConsoleClient }) {
  const { t, errorText } = useI18n();
  const [load, setLoad] = useState<Load>({ status: 'loading' });

  useEffect(() => {
    let live = true;
    const fetchState = () =>
      client
        .call('auth.getState', {})
        .then((auth) => live && setLoad({ status: 'ready', auth }))
        .catch((error: unknown) => {
          if (!live) return;
          setLoad({
            status: 'error',
            error: error instanceof RequestFailed ? error.error : { code: 'ipc.disconnected', messageKey: 'errors.ipc.disconnected' },
          });
        });
    void fetchState();
    const off = client.on('auth.changed', (auth) => setLoad({ status: 'ready', auth }));
    // The web shell's socket came back (its process restarted, or the network blinked): ask again who is signed in.
    const offLink = client.link.onState((state) => {
      if (state === 'open') void fetchState();
    });
    return () => {
      live = false;
      off();
      offLink();
    };
  }, [client]);
  useAccountLanguage(client, load.status === 'ready' ? load.auth.profile : null);

  return (
    <div className="app">
      <header className="app-header">
        <h1 className="app-title">{t('app.title')}</h1>
        <LanguageSwitch />
      </header>
      <main className={load.status === 'ready' && load.auth.profile ? 'app-main app-main--workspace' : 'app-main'}>
        {load.status === 'loading' && (
          <p className="app-state" role="status">
            {t('app.loading')}
          </p>
        )}
        {load.status === 'error' && (
          <p className="app-state app-state--error" role="alert">
            {errorText(load.error)}
          </p>
        )}
        {load.status === 'ready' &&
          (load.auth.profile ? (
            <Workspace key={load.auth.profile.id} client={client} profile={load.auth.profile} />
          ) : load.auth.firstRun ? (
            <FirstRunScreen client={client} />
          ) : (
            <SignInScreen client={client} backend={load.auth.backend} starting={load.auth.starting ?? false} signedOutReason={load.auth.signedOutReason} />
          ))}
      </main>
    </div>
  );
}
