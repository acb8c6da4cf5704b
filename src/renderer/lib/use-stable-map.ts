import { useState } from 'react';

/**
 * A map rebuilt from scratch (the directory, the sessions' titles) handed on with the previous objects wherever an
 * entry did not change, so the rows that show them (memoized on their props) are not drawn again for nothing.
 * React's "information from previous renders" pattern: state set while rendering, for the map it was derived from.
 */
export function useStableMap<K, V>(fresh: Map<K, V>, same: (a: V, b: V) => boolean): Map<K, V> {
  const [kept, setKept] = useState<{ from: Map<K, V>; map: Map<K, V> }>({ from: fresh, map: fresh });
  if (kept.from === fresh) return kept.map;
  const map = new Map<K, V>();
  for (const [key, value] of fresh) {
    const before = kept.map.get(key);
    map.set(key, before !== undefined && same(before, value) ? before : value);
  }
  setKept({ from: fresh, map });
  return map;
}
