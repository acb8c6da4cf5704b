/**
 * Search folding: the TypeScript twin of private.search_normalize() in
 * supabase/migrations/20261201002400_message_search.sql. The database decides what matches; this copy only
 * finds where the hit is in a message body, to highlight it. tests/sql/search.ts checks that both fold a
 * corpus of Arabic and Latin text identically.
 *
 * Folding, per code point: compatibility decomposition (NFKD: presentation forms and ligatures become letters,
 * أ إ آ ؤ ئ become their base letter plus a hamza or madda mark, é becomes e plus an accent), lower case, then
 * the marks go (tashkeel, hamza and madda marks, Quranic marks, tatweel, Latin accents, invisible format
 * characters) and letter variants become one letter (ٱ → ا, ى ی → ي, ة → ه, ک → ك, Arabic-Indic digits → 0-9).
 * Every code point folds on its own, so an offset in the folded text maps back to the original.
 */

const RANGES_REMOVED: ReadonlyArray<readonly [number, number]> = [
  [0x00ad, 0x00ad], // soft hyphen
  [0x0300, 0x036f], // Latin combining accents (after NFKD)
  [0x0610, 0x061a], // Arabic honorific signs
  [0x061c, 0x061c], // Arabic letter mark
  [0x0640, 0x0640], // tatweel
  [0x064b, 0x065f], // tashkeel, hamza above/below, madda
  [0x0670, 0x0670], // superscript alef
  [0x0674, 0x0674], // high hamza
  [0x06d6, 0x06dc], // Quranic annotation signs
  [0x06df, 0x06e4],
  [0x06e7, 0x06e8],
  [0x06ea, 0x06ed],
  [0x200b, 0x200f], // zero-width space, joiners, directional marks
  [0x202a, 0x202e], // bidirectional embeddings and overrides
  [0x2060, 0x2064], // word joiner, invisible operators
  [0x2066, 0x2069], // bidirectional isolates
  [0xfeff, 0xfeff], // byte order mark
];

/** [from, to] code points: letter variants that fold to one letter. */
export const SEARCH_LETTER_MAP: ReadonlyArray<readonly [number, number]> = [
  [0x0671, 0x0627], // ٱ alef wasla → ا
  [0x0672, 0x0627], // ٲ
  [0x0673, 0x0627], // ٳ
  [0x0649, 0x064a], // ى alef maksura → ي
  [0x06cc, 0x064a], // ی Farsi yeh → ي
  [0x0629, 0x0647], // ة teh marbuta → ه
  [0x06a9, 0x0643], // ک keheh → ك
  ...Array.from({ length: 10 }, (_, d) => [0x0660 + d, 0x30 + d] as const), // Arabic-Indic digits
  ...Array.from({ length: 10 }, (_, d) => [0x06f0 + d, 0x30 + d] as const), // Extended Arabic-Indic digits
];

export const SEARCH_REMOVED_CODE_POINTS: readonly number[] = RANGES_REMOVED.flatMap(([lo, hi]) =>
  Array.from({ length: hi - lo + 1 }, (_, i) => lo + i),
);

const REMOVED = new Set(SEARCH_REMOVED_CODE_POINTS);
const MAPPED = new Map(SEARCH_LETTER_MAP);

/** One code point, folded: zero or more characters. */
export function foldCodePoint(char: string): string {
  let out = '';
  for (const part of char.normalize('NFKD')) {
    // Per character, as PostgreSQL's lower() does (no context-dependent rules such as the final sigma).
    for (const lower of part.toLowerCase()) {
      const cp = lower.codePointAt(0)!;
      if (REMOVED.has(cp)) continue;
      const mapped = MAPPED.get(cp);
      out += mapped === undefined ? lower : String.fromCodePoint(mapped);
    }
  }
  return out;
}

export function normalizeForSearch(text: string): string {
  let out = '';
  for (const char of text) out += foldCodePoint(char);
  return out;
}

/**
 * The Arabic article and the particles fused with it (ال، وال، فال، بال، كال، لل، ولل، فلل): the database indexes every
 * word both as written and without them, and strips them from query terms, so "كتاب" finds "الكتاب" and "بالكتاب".
 */
export const ARABIC_ARTICLE = /^(?:[وفبك]?ال|[وف]?لل)(?=[\u0621-\u064a]{2})/u;

const WORD = /[\p{L}\p{N}]+/gu;

/** The query's terms as the database matches them (each as a word prefix), folded and without the article. */
export function searchTerms(query: string): string[] {
  const terms = new Set<string>();
  for (const word of normalizeForSearch(query).match(WORD) ?? []) {
    terms.add(word.replace(ARABIC_ARTICLE, ''));
  }
  return [...terms].filter((t) => t.length > 0);
}

export interface HighlightRange {
  /** UTF-16 offsets into the original text, end exclusive. */
  start: number;
  end: number;
}

/**
 * Where the query's terms occur in `text`: each term at the start of a word (after the Arabic article, if any),
 * as the database's prefix match finds it. Offsets are in the original text, marks included.
 */
export function highlightRanges(text: string, query: string): HighlightRange[] {
  const terms = searchTerms(query);
  if (terms.length === 0 || text.length === 0) return [];
  // folded[i] came from the original UTF-16 range [origin[i], origin[i + 1]).
  let folded = '';
  const origin: number[] = [];
  let offset = 0;
  for (const char of text) {
    const f = foldCodePoint(char);
    for (let i = 0; i < f.length; i++) origin.push(offset);
    folded += f;
    offset += char.length;
  }
  origin.push(text.length);
  const ranges: HighlightRange[] = [];
  for (const word of folded.matchAll(WORD)) {
    const wordStart = word.index;
    const article = ARABIC_ARTICLE.exec(word[0]);
    const starts = article ? [0, article[0].length] : [0];
    let best = 0;
    for (const term of terms) {
      for (const s of starts) {
        if (word[0].startsWith(term, s)) best = Math.max(best, s + term.length);
      }
    }
    if (best === 0) continue;
    const start = origin[wordStart]!;
    // Extend over the marks that follow the last matched letter (a shadda or a tanween belongs to it).
    let endIndex = wordStart + best;
    while (endIndex < folded.length && origin[endIndex] === origin[endIndex - 1]) endIndex++;
    let end = origin[endIndex]!;
    while (end < text.length && foldCodePoint(String.fromCodePoint(text.codePointAt(end)!)) === '') {
      end += text.codePointAt(end)! > 0xffff ? 2 : 1;
    }
    ranges.push({ start, end });
  }
  return ranges;
}
