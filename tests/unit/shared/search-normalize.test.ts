import { describe, expect, it } from 'vitest';
import { highlightRanges, normalizeForSearch, searchTerms } from '../../../src/shared/search/normalize';

const marked = (text: string, query: string) => highlightRanges(text, query).map((r) => text.slice(r.start, r.end));

describe('search folding (the twin of private.search_normalize; tests/sql/search.ts compares them)', () => {
  it('drops tashkeel and tatweel and folds alef, yeh, teh marbuta and digits', () => {
    expect(normalizeForSearch('قَرَأْتُ الكِتَابَ')).toBe('قرات الكتاب');
    expect(normalizeForSearch('أحمد إسلام آمنة ٱلله')).toBe('احمد اسلام امنه الله');
    expect(normalizeForSearch('على مدرسة كتــــاب')).toBe('علي مدرسه كتاب');
    expect(normalizeForSearch('٣٤ ۵')).toBe('34 5');
  });
  it('folds Latin case and accents, ligatures and invisible characters', () => {
    expect(normalizeForSearch('ÉCOLE Café ﬁne')).toBe('ecole cafe fine');
    expect(normalizeForSearch('zero\u200bwidth\u00adsoft')).toBe('zerowidthsoft');
  });
  it('query terms: folded words without the Arabic article, deduplicated', () => {
    expect(searchTerms('الكِتَابُ بالكتاب Tarot tarot!')).toEqual(['كتاب', 'tarot']);
    expect(searchTerms('  ؟!  ')).toEqual([]);
  });
});

describe('highlightRanges', () => {
  it('marks an Arabic word written with diacritics, from a query without them, marks included', () => {
    expect(marked('قَرَأْتُ الكِتَابَ اليوم', 'كتاب')).toEqual(['الكِتَابَ']);
    expect(marked('مع أَحْمَدَ', 'احمد')).toEqual(['أَحْمَدَ']);
  });
  it('marks word prefixes and every term, in English whatever the case', () => {
    expect(marked('Your TAROT Reading is ready', 'read tarot')).toEqual(['TAROT', 'Read', 'read']);
    expect(marked('a café', 'cafe')).toEqual(['café']);
  });
  it('never marks inside a word', () => {
    expect(marked('bread and butter', 'read')).toEqual([]);
  });
  it('keeps offsets right around characters outside the BMP', () => {
    const text = '🌙 moon 🌙 Moon';
    expect(highlightRanges(text, 'moon')).toEqual([
      { start: 3, end: 7 },
      { start: 11, end: 15 },
    ]);
  });
});
