import { useI18n, type Language } from '../i18n/i18n';

export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <label className="language-switch">
      <span>{t('app.language')}</span>
      <select
        aria-label={t('app.language')}
        value={language}
        onChange={(event) => setLanguage(event.target.value as Language)}
      >
        <option value="en">{t('app.language.en')}</option>
        <option value="ar">{t('app.language.ar')}</option>
      </select>
    </label>
  );
}
