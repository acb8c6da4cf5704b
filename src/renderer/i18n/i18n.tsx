import { createContext, Fragment, useCallback, useContext, useEffect, useLayoutEffect, useMemo, useState, type ReactNode } from 'react';
import type { IpcError } from '../../shared/ipc/errors';
import { ar } from './ar';
import { en, type MessageKey } from './en';
import { createFormatter, LOCALES, relativeTime, type Language, type MessageParams } from './format';

export type { Language } from './format';
const catalogs: Record<Language, Record<MessageKey, string>> = { ar, en };
/** The last language chosen on this computer: what the sign-in screen shows before any profile is known. */
export const LANGUAGE_STORAGE_KEY = 'samia.language';

export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(en, key);
export const isLanguage = (value: unknown): value is Language => value === 'ar' || value === 'en';

/** Where a language change came from: the user picked it, or the signed-in account's profile carries it. */
export type LanguageSource = 'user' | 'profile';

export interface I18n {
  language: Language;
  locale: string;
  dir: 'rtl' | 'ltr';
  /** The user's choice: applied, remembered on this computer and announced (the workspace saves it to the profile). */
  setLanguage(language: Language): void;
  /** The account's language, from its profile: applied and remembered, not announced back. */
  applyLanguage(language: Language): void;
  onLanguageChosen(listener: (language: Language) => void): () => void;
  /** Plain text (attributes, aria-labels): arguments inserted as they are. */
  t(key: MessageKey, params?: MessageParams): string;
  /** Visible text: every text argument (a name, a reason, a file name) isolated in a <bdi>, so its direction cannot leak into the sentence. */
  tx(key: MessageKey, params?: MessageParams): ReactNode;
  /**
   * Translates a typed error from the main process into a sentence for the user. `context` fills what the
   * caller knows and the error may not carry (the file name, the limit); the error's own params win.
   */
  errorText(error: IpcError, context?: MessageParams): string;
  /** The same sentence for display, its text arguments isolated like tx(). */
  errorRich(error: IpcError, context?: MessageParams): ReactNode;
  formatNumber(value: number): string;
  formatDateTime(value: Date | string): string;
  /** "3 minutes ago", "in 2 hours" (Intl.RelativeTimeFormat). */
  formatRelative(value: Date | string | number, now?: number): string;
}

export function createI18n(
  language: Language,
  setLanguage: (language: Language) => void,
  extra: Partial<Pick<I18n, 'applyLanguage' | 'onLanguageChosen'>> = {},
): I18n {
  const locale = LOCALES[language];
  const formatter = createFormatter(catalogs[language], locale);
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const t: I18n['t'] = (key, params) => formatter.text(key, params);
  const tx: I18n['tx'] = (key, params) =>
    formatter
      .parts(key, params, (value, name) => (
        <bdi dir="auto" data-arg={name}>
          {value}
        </bdi>
      ))
      .map((part, index) => <Fragment key={index}>{part}</Fragment>);
  const errorMessage = (error: IpcError, context?: MessageParams): [MessageKey, MessageParams] =>
    isMessageKey(error.messageKey) ? [error.messageKey, { ...context, ...error.params }] : ['errors.unknown', { code: error.code }];
  return {
    language,
    locale,
    dir: language === 'ar' ? 'rtl' : 'ltr',
    setLanguage,
    applyLanguage: extra.applyLanguage ?? setLanguage,
    onLanguageChosen: extra.onLanguageChosen ?? (() => () => {}),
    t,
    tx,
    errorText: (error, context) => t(...errorMessage(error, context)),
    errorRich: (error, context) => tx(...errorMessage(error, context)),
    formatNumber: formatter.formatNumber,
    formatDateTime: (value) => dateFormat.format(typeof value === 'string' ? new Date(value) : value),
    formatRelative: (value, now = Date.now()) => relativeTime(value, now, locale),
  };
}

const I18nContext = createContext<I18n | null>(null);

function storedLanguage(): Language | null {
  try {
    const stored = localStorage.getItem(LANGUAGE_STORAGE_KEY);
    return isLanguage(stored) ? stored : null;
  } catch {
    return null;
  }
}

function remember(language: Language) {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // Storage refused (private mode): the choice still applies to this run, and the profile keeps it.
  }
}

function initialLanguage(): Language {
  return storedLanguage() ?? (navigator.language.toLowerCase().startsWith('ar') ? 'ar' : 'en');
}

export function I18nProvider({ children, language: forced }: { children: ReactNode; language?: Language }) {
  const [language, setLanguageState] = useState<Language>(() => forced ?? initialLanguage());
  // A stable set (never replaced): who hears of the user's choices.
  const [listeners] = useState(() => new Set<(language: Language) => void>());
  const applyLanguage = useCallback((next: Language) => {
    remember(next);
    setLanguageState(next);
  }, []);
  const setLanguage = useCallback(
    (next: Language) => {
      applyLanguage(next);
      for (const listener of listeners) listener(next);
    },
    [applyLanguage, listeners],
  );
  const onLanguageChosen = useCallback((listener: (language: Language) => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, [listeners]);
  const i18n = useMemo(() => createI18n(language, setLanguage, { applyLanguage, onLanguageChosen }), [language, setLanguage, applyLanguage, onLanguageChosen]);
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

/** The current time, refreshed every `everyMs`: relative times ("2 minutes ago") stay true while on screen. */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
