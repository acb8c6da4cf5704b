/**
 * Which rows of a variable-height list intersect the viewport. Heights not measured yet use the estimate;
 * the prefix sums are rebuilt only when heights or the row count change, so scrolling is a binary search.
 */
export interface VirtualWindow {
  start: number;
  end: number; // exclusive
  offsetBefore: number;
  offsetAfter: number;
  totalHeight: number;
}

export function prefixSums(count: number, heightOf: (index: number) => number): Float64Array {
  const sums = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) sums[i + 1] = sums[i]! + heightOf(i);
  return sums;
}

function firstIndexAtOrAfter(sums: Float64Array, y: number): number {
  let lo = 0;
  let hi = sums.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sums[mid + 1]! <= y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function computeWindow(sums: Float64Array, scrollTop: number, viewportHeight: number, overscan = 6): VirtualWindow {
  const count = sums.length - 1;
  const totalHeight = sums[count] ?? 0;
  if (count === 0) return { start: 0, end: 0, offsetBefore: 0, offsetAfter: 0, totalHeight: 0 };
  const first = Math.min(count - 1, firstIndexAtOrAfter(sums, Math.max(0, scrollTop)));
  const last = Math.min(count - 1, firstIndexAtOrAfter(sums, scrollTop + Math.max(1, viewportHeight)));
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, last + 1 + overscan);
  return { start, end, offsetBefore: sums[start]!, offsetAfter: totalHeight - sums[end]!, totalHeight };
}
