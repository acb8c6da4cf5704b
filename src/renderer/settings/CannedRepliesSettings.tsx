import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CannedReply, Profile } from '../../shared/ipc/contract';
import { CANNED_SHORTCUT_PATTERN } from '../../shared/canned/shortcut';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n, type Language } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';

interface Draft {
  id: string | null;
  shared: boolean;
  language: Language;
  shortcut: string;
  title: string;
  body: string;
}

/**
 * The user's canned replies and, for admins, the shared ones: list, add, change, delete. The server decides who may
 * write what (a reader's shared reply is refused there too); this form only offers what the role allows.
 */
export function CannedRepliesSettings({ client, profile }: { client: ConsoleClient; profile: Profile }) {
  const { t, errorText, language } = useI18n();
  const admin = profile.role === 'admin' || profile.role === 'super_admin';
  const empty = useCallback((): Draft => ({ id: null, shared: false, language, shortcut: '', title: '', body: '' }), [language]);
  const [replies, setReplies] = useState<CannedReply[] | null>(null);
  const [draft, setDraft] = useState<Draft>(empty);
  const [error, setError] = useState<IpcError | null>(null);
  const [saved, setSaved] = useState(false);

  const load = useCallback(async () => {
    try {
      setReplies((await client.call('canned.list', {})).replies);
    } catch (failure) {
      setError(toIpcError(failure));
    }
  }, [client]);
  useEffect(() => {
    void Promise.resolve().then(load);
  }, [load]);

  const shortcutValid = CANNED_SHORTCUT_PATTERN.test(draft.shortcut.trim());
  const valid = shortcutValid && draft.title.trim() !== '' && draft.body.trim() !== '';

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!valid) return;
    setError(null);
    setSaved(false);
    try {
      await client.call('canned.save', {
        ...(draft.id ? { id: draft.id } : {}),
        shared: draft.shared,
        language: draft.language,
        shortcut: draft.shortcut.trim(),
        title: draft.title.trim(),
        body: draft.body,
      });
      setDraft(empty());
      setSaved(true);
      await load();
    } catch (failure) {
      setError(toIpcError(failure));
    }
  }

  async function remove(reply: CannedReply) {
    setError(null);
    try {
      await client.call('canned.delete', { id: reply.id });
      if (draft.id === reply.id) setDraft(empty());
      await load();
    } catch (failure) {
      setError(toIpcError(failure));
    }
  }

  const editable = (reply: CannedReply) => !reply.shared || admin;
  return (
    <fieldset className="settings__group" data-testid="canned-settings">
      <legend>{t('canned.title')}</legend>
      <p className="muted">{t('canned.help')}</p>
      {replies === null && !error && <p role="status">{t('settings.loading')}</p>}
      {replies && replies.length === 0 && <p className="muted">{t('canned.none')}</p>}
      {replies && replies.length > 0 && (
        <ul className="canned-settings__list">
          {replies.map((reply) => (
            <li key={reply.id} data-testid="canned-setting">
              <span dir="auto">/{reply.shortcut}</span> · <span dir="auto">{reply.title}</span> · {t(`app.language.${reply.language}`)}
              {reply.shared && <span className="badge">{t('canned.shared')}</span>}
              {editable(reply) && (
                <>
                  <button type="button" className="link-button" onClick={() => setDraft({ ...reply, id: reply.id })}>
                    {t('canned.edit', { shortcut: reply.shortcut })}
                  </button>
                  <button type="button" className="link-button" onClick={() => void remove(reply)}>
                    {t('canned.delete', { shortcut: reply.shortcut })}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <form className="settings__form" onSubmit={(event) => void submit(event)}>
        <label>
          <span>{t('canned.shortcut')}</span>
          <input
            value={draft.shortcut}
            dir="auto"
            aria-invalid={draft.shortcut !== '' && !shortcutValid}
            onChange={(e) => setDraft({ ...draft, shortcut: e.target.value })}
            data-testid="canned-shortcut"
          />
        </label>
        <label>
          <span>{t('canned.titleField')}</span>
          <input value={draft.title} dir="auto" maxLength={80} onChange={(e) => setDraft({ ...draft, title: e.target.value })} data-testid="canned-title" />
        </label>
        <label>
          <span>{t('canned.language')}</span>
          <select value={draft.language} onChange={(e) => setDraft({ ...draft, language: e.target.value as Language })}>
            <option value="en">{t('app.language.en')}</option>
            <option value="ar">{t('app.language.ar')}</option>
          </select>
        </label>
        {admin && (
          <label className="checkbox">
            <input type="checkbox" checked={draft.shared} disabled={draft.id !== null} onChange={(e) => setDraft({ ...draft, shared: e.target.checked })} />
            <span>{t('canned.sharedField')}</span>
          </label>
        )}
        <label>
          <span>{t('canned.body')}</span>
          <textarea value={draft.body} dir="auto" rows={3} onChange={(e) => setDraft({ ...draft, body: e.target.value })} data-testid="canned-body" />
        </label>
        <p className="muted">{t('canned.variables')}</p>
        <div className="settings__actions">
          <button type="submit" disabled={!valid}>
            {draft.id ? t('common.save') : t('canned.add')}
          </button>
          {draft.id && (
            <button type="button" className="secondary" onClick={() => setDraft(empty())}>
              {t('common.cancel')}
            </button>
          )}
          {saved && <span role="status">{t('settings.saved')}</span>}
        </div>
        {error && (
          <p className="form-error" role="alert" data-error-code={error.code}>
            {errorText(error)}
          </p>
        )}
      </form>
    </fieldset>
  );
}
