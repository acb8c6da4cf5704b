import { Fragment, useLayoutEffect, useRef, type ComponentPropsWithoutRef, type ReactElement } from 'react';

type Props<T> = Omit<ComponentPropsWithoutRef<'ul'>, 'children'> & {
  /** The rows, in the order shown. */
  items: readonly T[];
  /** A row's id: its React key, and the `data-row-id` the element renderRow draws must carry. */
  idOf: (item: T) => string;
  renderRow: (item: T) => ReactElement;
};

/**
 * A list whose rows move often and mostly to the top (a session list: each message moves its session first). React
 * moves a row up by moving every row it passes instead, and each moved row is styled and laid out again: with a
 * hundred rows, most of the page's work per message. Here React keeps its children in one order that never changes
 * (by id), and after each render the rows are put in the order shown, with one move per row moved up. The move is
 * `moveBefore` where the browser has it, which keeps the moved row's keyboard focus (React restores the focus after
 * its own moves only; a plain re-insertion would drop it).
 */
export function OrderedList<T>({ items, idOf, renderRow, ...rest }: Props<T>) {
  const list = useRef<HTMLUListElement>(null);
  const ids = items.map(idOf);
  const stable = items
    .map((item, i) => ({ id: ids[i]!, item }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(({ id, item }) => <Fragment key={id}>{renderRow(item)}</Fragment>);
  useLayoutEffect(() => {
    if (list.current) placeInOrder(list.current, ids);
  });
  return (
    <ul ref={list} {...rest}>
      {stable}
    </ul>
  );
}

type Movable = HTMLElement & { moveBefore?: (node: Node, child: Node | null) => void };

/** Puts the parent's children with these `data-row-id`s in this order, moving only those out of place. */
export function placeInOrder(parent: HTMLElement, ids: readonly string[]): void {
  const rows = new Map<string, Element>();
  for (const child of parent.children) {
    const id = (child as HTMLElement).dataset.rowId;
    if (id !== undefined) rows.set(id, child);
  }
  let cursor: Element | null = parent.firstElementChild;
  for (const id of ids) {
    const row = rows.get(id);
    if (!row) continue;
    if (row === cursor) {
      cursor = cursor.nextElementSibling;
      continue;
    }
    move(parent as Movable, row, cursor);
  }
}

function move(parent: Movable, row: Element, before: Element | null) {
  if (typeof parent.moveBefore === 'function') {
    try {
      parent.moveBefore(row, before);
      return;
    } catch {
      // A state it cannot keep (it refuses some moves): moved the plain way, as React would.
    }
  }
  parent.insertBefore(row, before);
}
