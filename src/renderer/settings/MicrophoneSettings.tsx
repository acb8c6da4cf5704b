import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { listMicrophones, preferredMicrophone, setPreferredMicrophone, type MicrophoneOption } from '../lib/microphone';

type Listing = { kind: 'loading' } | { kind: 'ready'; devices: MicrophoneOption[] } | { kind: 'unsupported' } | { kind: 'error' };

/** Which audio input the voice recorder opens; remembered on this machine. */
export function MicrophoneSettings() {
  const { t } = useI18n();
  const [listing, setListing] = useState<Listing>({ kind: 'loading' });
  const [chosen, setChosen] = useState(() => preferredMicrophone() ?? '');
  const [saved, setSaved] = useState(false);
  const [denied, setDenied] = useState(false);

  const refresh = useCallback(async () => {
    if (!navigator.mediaDevices?.enumerateDevices) {
      setListing({ kind: 'unsupported' });
      return;
    }
    try {
      setListing({ kind: 'ready', devices: await listMicrophones() });
    } catch {
      setListing({ kind: 'error' });
    }
  }, []);

  useEffect(() => {
    void Promise.resolve().then(refresh);
    const devices = navigator.mediaDevices;
    if (!devices?.addEventListener) return;
    // Plugging a headset in or out updates the list without reopening the settings.
    const onChange = () => void refresh();
    devices.addEventListener('devicechange', onChange);
    return () => devices.removeEventListener('devicechange', onChange);
  }, [refresh]);

  // Browsers hide device names until the microphone has been allowed once.
  const revealNames = async () => {
    setDenied(false);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      stream.getTracks().forEach((track) => track.stop());
      await refresh();
    } catch {
      setDenied(true);
    }
  };

  const devices = listing.kind === 'ready' ? listing.devices : [];
  const unnamed = devices.some((d) => !d.label);
  const missing = chosen !== '' && listing.kind === 'ready' && !devices.some((d) => d.deviceId === chosen);

  return (
    <fieldset className="settings__group" data-testid="microphone-settings">
      <legend>{t('mic.title')}</legend>
      {listing.kind === 'loading' && <p className="muted" role="status">{t('mic.loading')}</p>}
      {listing.kind === 'unsupported' && <p className="muted">{t('voice.unsupported')}</p>}
      {listing.kind === 'error' && (
        <p className="form-error" role="alert">
          {t('mic.listFailed')}
        </p>
      )}
      {listing.kind === 'ready' && (
        <>
          <label>
            <span>{t('mic.input')}</span>
            <select
              aria-label={t('mic.input')}
              value={chosen}
              onChange={(e) => {
                setChosen(e.target.value);
                setPreferredMicrophone(e.target.value || null);
                setSaved(true);
              }}
            >
              <option value="">{t('mic.systemDefault')}</option>
              {devices.map((d, i) => (
                <option key={d.deviceId} value={d.deviceId}>
                  {d.label || t('mic.unnamed', { n: i + 1 })}
                </option>
              ))}
              {missing && <option value={chosen}>{t('mic.missingOption')}</option>}
            </select>
          </label>
          {devices.length === 0 && <p className="muted">{t('mic.none')}</p>}
          {missing && <p className="muted">{t('mic.missing')}</p>}
          {unnamed && (
            <button type="button" className="secondary" onClick={() => void revealNames()}>
              {t('mic.showNames')}
            </button>
          )}
          {denied && (
            <p className="form-error" role="alert">
              {t('voice.micDenied')}
            </p>
          )}
          {saved && <span role="status">{t('settings.saved')}</span>}
        </>
      )}
    </fieldset>
  );
}
