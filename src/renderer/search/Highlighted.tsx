import { highlightRanges } from '../../shared/search/normalize';

/** `text` with the query's terms marked where the database's match finds them (diacritics and letter forms folded). */
export function Highlighted({ text, query }: { text: string; query: string | null | undefined }) {
  const ranges = query ? highlightRanges(text, query) : [];
  if (ranges.length === 0) return <>{text}</>;
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const [i, r] of ranges.entries()) {
    if (r.start > at) parts.push(text.slice(at, r.start));
    parts.push(
      <mark key={i} className="search-mark">
        {text.slice(r.start, r.end)}
      </mark>,
    );
    at = r.end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
