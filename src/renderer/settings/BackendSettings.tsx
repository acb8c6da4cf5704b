import { useEffect, useState } from 'react';
import type { RequestOutput } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';

type Current = RequestOutput<'app.backendSettings'>;

/** Embedded database or a Supabase project (URL and anon key); takes effect at the next start. */
export function BackendSettings({ client }: { client: ConsoleClient }) {
  const { t, errorText } = useI18n();
  const [current, setCurrent] = useState<Current | null>(null);
  const [kind, setKind] = useState<'embedded' | 'supabase'>('embedded');
  const [url, setUrl] = useState('');
  const [anonKey, setAnonKey] = useState('');
  const [state, setState] = useState<{ kind: 'idle' | 'saved' } | { kind: 'error'; error: IpcError }>({ kind: 'idle' });

  useEffect(() => {
    client
      .call('app.backendSettings', {})
      .then((value) => {
        setCurrent(value);
        setKind(value.saved?.kind ?? value.current);
        setUrl(value.saved?.url ?? '');
      })
      .catch((failure: unknown) => setState({ kind: 'error', error: toIpcError(failure) }));
  }, [client]);

  return (
    <form
      className="settings__group"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await client.call('app.saveBackendSettings', kind === 'embedded' ? { kind } : { kind, url: url.trim(), anonKey: anonKey.trim() });
          setAnonKey('');
          setState({ kind: 'saved' });
        } catch (failure) {
          setState({ kind: 'error', error: toIpcError(failure) });
        }
      }}
    >
      <fieldset>
        <legend>{t('backend.title')}</legend>
        {current && (
          <p className="muted">
            {t('backend.current', { backend: t(current.current === 'embedded' ? 'app.backend.embedded' : 'app.backend.supabase') })}
            {current.fromEnvironment && ` ${t('backend.fromEnvironment')}`}
          </p>
        )}
        <label className="checkbox">
          <input type="radio" name="backend-kind" checked={kind === 'embedded'} onChange={() => setKind('embedded')} />
          <span>{t('app.backend.embedded')}</span>
        </label>
        <label className="checkbox">
          <input type="radio" name="backend-kind" checked={kind === 'supabase'} onChange={() => setKind('supabase')} />
          <span>{t('app.backend.supabase')}</span>
        </label>
        {kind === 'supabase' && (
          <>
            <label>
              <span>{t('backend.url')}</span>
              <input type="url" required placeholder="https://…supabase.co" value={url} onChange={(e) => setUrl(e.target.value)} />
            </label>
            <label>
              <span>{t('backend.anonKey')}</span>
              <input type="password" required autoComplete="off" value={anonKey} onChange={(e) => setAnonKey(e.target.value)} />
            </label>
          </>
        )}
        <button type="submit">{t('backend.save')}</button>
        {state.kind === 'saved' && <span role="status">{t('backend.restart')}</span>}
        {state.kind === 'error' && (
          <span className="form-error" role="alert" data-error-code={state.error.code}>
            {errorText(state.error)}
          </span>
        )}
      </fieldset>
    </form>
  );
}
