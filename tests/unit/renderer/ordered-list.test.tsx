// @vitest-environment jsdom
import { afterEach, expect, it } from 'vitest';
import { cleanup, render } from '@testing-library/react';
import { assignSlots, OrderedList } from '../../../src/renderer/lib/ordered-list';

afterEach(cleanup);

function List({ ids }: { ids: string[] }) {
  return (
    <OrderedList
      items={ids}
      idOf={(id) => id}
      data-testid="list"
      renderRow={(id) => (
        <li data-row-id={id}>
          <button type="button">{id}</button>
        </li>
      )}
    />
  );
}

/** Rows moved in the DOM: each move is a removal and an addition of the same node (jsdom has no moveBefore). */
function watch(list: HTMLElement) {
  const removed: string[] = [];
  const observer = new MutationObserver((records) => {
    for (const r of records) for (const node of r.removedNodes) removed.push((node as HTMLElement).dataset.rowId ?? '?');
  });
  observer.observe(list, { childList: true });
  return { removed, stop: () => observer.disconnect() };
}

const order = (list: HTMLElement) => [...list.children].map((c) => (c as HTMLElement).dataset.rowId);

it('shows the rows in the order given, moving only the row that moved up, and adds and drops rows', async () => {
  const ids = Array.from({ length: 50 }, (_, i) => `s${String(i).padStart(2, '0')}`);
  const { getByTestId, rerender } = render(<List ids={ids} />);
  const list = getByTestId('list');
  expect(order(list)).toEqual(ids);

  // A message in the 40th session moves it to the top: one row moves (React alone would move the 39 above it).
  const watched = watch(list);
  const moved = ['s39', ...ids.filter((id) => id !== 's39')];
  rerender(<List ids={moved} />);
  await Promise.resolve();
  watched.stop();
  expect(order(list)).toEqual(moved);
  expect(watched.removed).toEqual(['s39']);

  // A new session at the top, the last one out of the window; then an order in which several rows moved down.
  const next = ['new', ...moved.slice(0, -1)];
  rerender(<List ids={next} />);
  expect(order(list)).toEqual(next);
  const shuffled = [...next].reverse();
  rerender(<List ids={shuffled} />);
  expect(order(list)).toEqual(shuffled);
});

it('hands the slot of a row that leaves to the row that comes, but not the row holding the focus', () => {
  const ids = ['a', 'b', 'c'];
  const { getByTestId, rerender } = render(<List ids={ids} />);
  const list = getByTestId('list');
  const leaving = list.querySelector('[data-row-id="c"]')!;
  // A session not shown yet gets a message: it comes at the top as the last row leaves the window.
  rerender(<List ids={['d', 'a', 'b']} />);
  expect(order(list)).toEqual(['d', 'a', 'b']);
  expect(list.querySelector('[data-row-id="d"]')).toBe(leaving);
  expect(leaving.textContent).toBe('d');

  // The leaving row holds the keyboard focus: it goes with its row, and the new row is built.
  const focused = list.querySelector<HTMLElement>('[data-row-id="b"] button')!;
  focused.focus();
  rerender(<List ids={['e', 'd', 'a']} />);
  expect(order(list)).toEqual(['e', 'd', 'a']);
  expect(list.querySelector('[data-row-id="e"]')).not.toBe(focused.parentElement);
  expect(focused.isConnected).toBe(false);
});

it('gives slots from those freed, lowest first, and keeps a slot for as long as its id stays', () => {
  const assigned = new Map<string, number>();
  expect(assignSlots(assigned, ['a', 'b', 'c'], () => false)).toEqual([0, 1, 2]);
  expect(assignSlots(assigned, ['c', 'x', 'y', 'b'], () => false)).toEqual([2, 0, 3, 1]);
  expect(assignSlots(assigned, ['z', 'c', 'b'], (id) => id === 'x')).toEqual([3, 2, 1]);
});
