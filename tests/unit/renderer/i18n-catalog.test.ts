import { describe, expect, it } from 'vitest';
import { ar } from '../../../src/renderer/i18n/ar';
import { en } from '../../../src/renderer/i18n/en';
import { compileMessage, createFormatter, FSI, isolate, LOCALES, PDI, relativeTime } from '../../../src/renderer/i18n/format';

// Every string of both languages: same keys, valid ICU syntax, the same arguments used the same way, and
// plurals that cover every category CLDR defines for the language (six for Arabic, two for English).
const catalogs = { en, ar } as const;
const categories = (language: 'en' | 'ar') => new Intl.PluralRules(LOCALES[language]).resolvedOptions().pluralCategories;

describe('the message catalogs', () => {
  it('have the same keys', () => {
    expect(Object.keys(ar).sort()).toEqual(Object.keys(en).sort());
  });

  for (const language of ['en', 'ar'] as const) {
    it(`parse as ICU messages (${language})`, () => {
      const failures: string[] = [];
      for (const [key, message] of Object.entries(catalogs[language])) {
        try {
          compileMessage(message, LOCALES[language]);
        } catch (error) {
          failures.push(`${key}: ${(error as Error).message}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it(`cover every plural category of the language (${language})`, () => {
      const needed = categories(language);
      const gaps: string[] = [];
      for (const [key, message] of Object.entries(catalogs[language])) {
        const { shape } = compileMessage(message, LOCALES[language]);
        for (const [name, kinds] of shape.args) {
          if (!kinds.has('plural')) continue;
          const have = shape.branches.get(name) ?? new Set();
          const missing = needed.filter((category) => !have.has(category));
          if (missing.length > 0) gaps.push(`${key} {${name}}: ${missing.join(', ')}`);
        }
      }
      expect(gaps).toEqual([]);
    });
  }

  it('use the same arguments, of the same kind, in both languages', () => {
    const differences: string[] = [];
    // A number shown as a plural in one language and plainly in the other is fine; text is not a number.
    const family = (kinds: Set<string>) => [...kinds].map((k) => (k === 'plural' || k === 'number' ? 'number' : k)).sort().join('+');
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const english = compileMessage(en[key], LOCALES.en).shape.args;
      const arabic = compileMessage(ar[key], LOCALES.ar).shape.args;
      const names = new Set([...english.keys(), ...arabic.keys()]);
      for (const name of names) {
        const a = english.get(name);
        const b = arabic.get(name);
        if (!a || !b) differences.push(`${key}: {${name}} only in ${a ? 'en' : 'ar'}`);
        else if (family(new Set([...a].filter((k) => k !== 'select'))) !== family(new Set([...b].filter((k) => k !== 'select'))) && !(a.has('select') && b.has('select')))
          differences.push(`${key}: {${name}} is ${[...a].join('+')} in en, ${[...b].join('+')} in ar`);
      }
    }
    expect(differences).toEqual([]);
  });

  it('leaves nothing untranslated in Arabic', () => {
    // A message of numbers and signs only ("{used} / {max}") reads the same in both languages.
    const wordsOf = (value: string) => value.replace(/\{[^{}]*\}/g, '').replace(/\{[^{}]*\}/g, '');
    const untranslated = Object.entries(ar).filter(([key, value]) => value === en[key as keyof typeof en] && !key.startsWith('app.language.') && /\p{L}/u.test(wordsOf(value)));
    expect(untranslated).toEqual([]);
  });
});

describe('formatting', () => {
  const arabic = createFormatter(ar, LOCALES.ar);
  const english = createFormatter(en, LOCALES.en);

  it('picks the Arabic plural form for each count, in Arabic digits', () => {
    const forms = [0, 1, 2, 3, 10, 11, 99, 100, 102].map((count) => arabic.text('sidebar.unread', { count }));
    expect(forms).toEqual([
      'لا رسائل غير مقروءة',
      'رسالة واحدة غير مقروءة',
      'رسالتان غير مقروءتين',
      '٣ رسائل غير مقروءة',
      '١٠ رسائل غير مقروءة',
      '١١ رسالة غير مقروءة',
      '٩٩ رسالة غير مقروءة',
      '١٠٠ رسالة غير مقروءة',
      '١٠٢ رسالة غير مقروءة',
    ]);
    expect([1, 2, 7].map((count) => english.text('sidebar.unread', { count }))).toEqual(['1 unread message', '2 unread messages', '7 unread messages']);
  });

  it('shows a plain numeric argument in the locale digits', () => {
    expect(arabic.text('mic.unnamed', { n: 12 })).toBe('ميكروفون ١٢');
    expect(arabic.text('approvals.sessionId', { id: 1234 })).toBe('الجلسة ١٬٢٣٤');
  });

  it('isolates text arguments when asked, and leaves numbers to the message', () => {
    const parts = arabic.parts('chat.typing', { name: 'Sara (VIP)' }, (value) => isolate(value));
    expect(parts.join('')).toBe(`${FSI}Sara (VIP)${PDI} يكتب…`);
    expect(english.parts('sidebar.unread', { count: 3 }, () => 'x').join('')).toBe('3 unread messages');
  });

  it('never throws for a missing argument (an error from the main process may lack one)', () => {
    expect(english.text('errors.auth.weak_password', {})).toContain('Choose a password');
  });

  it('formats relative times in both languages', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(relativeTime('2026-03-01T11:55:00Z', now, LOCALES.en)).toBe('5 minutes ago');
    expect(relativeTime('2026-03-01T12:00:10Z', now, LOCALES.en)).toBe('now');
    expect(relativeTime('2026-03-01T14:00:00Z', now, LOCALES.en)).toBe('in 2 hours');
    expect(relativeTime('2026-02-28T12:00:00Z', now, LOCALES.en)).toBe('yesterday');
    expect(relativeTime('2026-03-01T11:58:00Z', now, LOCALES.ar)).toBe('قبل دقيقتين');
    expect(relativeTime('2026-03-01T11:55:00Z', now, LOCALES.ar)).toBe('قبل ٥ دقائق');
  });
});
