import { createContext, useContext, useLayoutEffect, useMemo, useState, type ReactNode } from 'react';
import type { IpcError } from '../../shared/ipc/errors';
import { ar } from './ar';
import { en, type MessageKey } from './en';

export type Language = 'ar' | 'en';
const dictionaries: Record<Language, Record<MessageKey, string>> = { ar, en };
const LANGUAGE_STORAGE_KEY = 'samia.language';

export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(en, key);

function interpolate(template: string, params: Record<string, string | number | boolean> = {}, format: (n: number) => string) {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) return `{${name}}`;
    return typeof value === 'number' ? format(value) : String(value);
  });
}

export interface I18n {
  language: Language;
  dir: 'rtl' | 'ltr';
  setLanguage(language: Language): void;
  t(key: MessageKey, params?: Record<string, string | number | boolean>): string;
  /** Translates a typed error from the main process into a sentence for the user. */
  errorText(error: IpcError): string;
  formatNumber(value: number): string;
  formatDateTime(value: Date | string): string;
}

export function createI18n(language: Language, setLanguage: (language: Language) => void): I18n {
  const locale = language === 'ar' ? 'ar-EG' : 'en-GB';
  const numberFormat = new Intl.NumberFormat(locale);
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const formatNumber = (value: number) => numberFormat.format(value);
  const t: I18n['t'] = (key, params) => interpolate(dictionaries[language][key], params, formatNumber);
  return {
    language,
    dir: language === 'ar' ? 'rtl' : 'ltr',
    setLanguage,
    t,
    errorText: (error) =>
      isMessageKey(error.messageKey) ? t(error.messageKey, error.params) : t('errors.unknown', { code: error.code }),
    formatNumber,
    formatDateTime: (value) => dateFormat.format(typeof value === 'string' ? new Date(value) : value),
  };
}

const I18nContext = createContext<I18n | null>(null);

function initialLanguage(): Language {
  const stored = localStorage.getItem(LANGUAGE_STORAGE_KEY);
  if (stored === 'ar' || stored === 'en') return stored;
  return navigator.language.toLowerCase().startsWith('ar') ? 'ar' : 'en';
}

export function I18nProvider({ children, language: forced }: { children: ReactNode; language?: Language }) {
  const [language, setLanguageState] = useState<Language>(() => forced ?? initialLanguage());
  const i18n = useMemo(
    () =>
      createI18n(language, (next) => {
        localStorage.setItem(LANGUAGE_STORAGE_KEY, next);
        setLanguageState(next);
      }),
    [language],
  );
  // The whole document flips, not just the text: layout uses logical CSS properties throughout.
  useLayoutEffect(() => {
    document.documentElement.lang = language;
    document.documentElement.dir = i18n.dir;
  }, [language, i18n.dir]);
  return <I18nContext.Provider value={i18n}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n must be used inside <I18nProvider>.');
  return value;
}
