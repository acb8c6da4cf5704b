import { describe, expect, it } from 'vitest';
import { ALERT_LANGUAGES, ALERT_STRINGS, alertText, formatDuration } from '../../../src/main/alerts/alert-strings';

describe('alert strings', () => {
  it('has the same keys in Arabic and English, none empty', () => {
    expect(Object.keys(ALERT_STRINGS.ar).sort()).toEqual(Object.keys(ALERT_STRINGS.en).sort());
    for (const language of ALERT_LANGUAGES) {
      for (const [key, entry] of Object.entries(ALERT_STRINGS[language])) {
        const texts = typeof entry === 'string' ? [entry] : Object.values(entry);
        for (const text of texts) expect(text.trim(), `${language} ${key}`).not.toBe('');
      }
    }
  });

  it('gives every plural text each form the language needs (Arabic: zero, one, two, few, many, other)', () => {
    for (const language of ALERT_LANGUAGES) {
      const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
      for (const [key, entry] of Object.entries(ALERT_STRINGS[language])) {
        if (typeof entry === 'string') continue;
        for (const category of categories) expect(entry[category], `${language} ${key} ${category}`).toBeTypeOf('string');
      }
    }
    expect(new Intl.PluralRules('ar').resolvedOptions().pluralCategories).toHaveLength(6);
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (entry: string | Record<string, string | undefined>) =>
      [...new Set((typeof entry === 'string' ? entry : (entry.other ?? '')).match(/\{\w+\}/g) ?? [])].sort();
    for (const key of Object.keys(ALERT_STRINGS.en) as (keyof typeof ALERT_STRINGS.en)[]) {
      expect(placeholders(ALERT_STRINGS.ar[key]), key).toEqual(placeholders(ALERT_STRINGS.en[key]));
    }
  });

  it('picks Arabic plural forms by count', () => {
    expect(alertText('ar', 'message.count.body', { count: 1 })).toBe('رسالة جديدة واحدة');
    expect(alertText('ar', 'message.count.body', { count: 2 })).toBe('رسالتان جديدتان');
    expect(alertText('ar', 'message.count.body', { count: 7 })).toBe('7 رسائل جديدة');
    expect(alertText('ar', 'message.count.body', { count: 25 })).toBe('25 رسالة جديدة');
    expect(alertText('ar', 'message.count.body', { count: 100 })).toBe('100 رسالة جديدة');
    expect(alertText('en', 'message.count.body', { count: 1 })).toBe('1 new message');
    expect(alertText('en', 'message.count.body', { count: 4 })).toBe('4 new messages');
  });

  it('refuses a missing parameter or count instead of showing a placeholder', () => {
    expect(() => alertText('en', 'emergency.body.named')).toThrow(/needs the parameter "client"/);
    expect(() => alertText('en', 'message.count.body')).toThrow(/needs a non-negative integer "count"/);
    expect(() => alertText('ar', 'message.count.body', { count: 1.5 })).toThrow(/count/);
  });

  it('formats voice note durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(42_400)).toBe('0:42');
    expect(formatDuration(125_000)).toBe('2:05');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
  });
});
