import { Fragment, useLayoutEffect, useRef, useState, type ComponentPropsWithoutRef, type ReactElement } from 'react';

type Props<T> = Omit<ComponentPropsWithoutRef<'ul'>, 'children'> & {
  /** The rows, in the order shown. */
  items: readonly T[];
  /** A row's id: the `data-row-id` the element renderRow draws must carry. */
  idOf: (item: T) => string;
  renderRow: (item: T) => ReactElement;
};

/**
 * A list whose rows move often and mostly to the top (a session list: each message moves its session first). React
 * moves a row up by moving every row it passes instead, and each moved row is styled and laid out again: with a
 * hundred rows, most of the page's work per message. Here React keeps its children in one order that never changes
 * (by slot), and after each render the rows are put in the order shown, with one move per row moved up. The move is
 * `moveBefore` where the browser has it, which keeps the moved row's keyboard focus (React restores the focus after
 * its own moves only; a plain re-insertion would drop it).
 *
 * A row that leaves as another comes hands it its slot: its elements are drawn again with the new row's content
 * instead of one row being built and another torn down. On a platform where most messages come from sessions not
 * shown yet, that keeps a message's work what it is for a row that moves. A row holding the keyboard focus is not
 * handed on (the focus would stay on what became another row). Whatever `renderRow` draws that keeps state of its
 * own is keyed by the row's id or resets itself when the id changes (TriageMenu), so that state does not pass on.
 */
export function OrderedList<T>({ items, idOf, renderRow, ...rest }: Props<T>) {
  const list = useRef<HTMLUListElement>(null);
  // Kept across renders and changed while rendering (repeating it is harmless: the same ids get the same slots).
  const [slots] = useState(() => new Map<string, number>());
  const ids = items.map(idOf);
  const focused = focusedRowId();
  const slotOf = assignSlots(slots, ids, (id) => id === focused);
  const stable = items
    .map((item, i) => ({ slot: slotOf[i]!, item }))
    .sort((a, b) => a.slot - b.slot)
    .map(({ slot, item }) => <Fragment key={slot}>{renderRow(item)}</Fragment>);
  useLayoutEffect(() => {
    if (list.current) placeInOrder(list.current, ids);
  });
  return (
    <ul ref={list} {...rest}>
      {stable}
    </ul>
  );
}

/**
 * Each id's slot (its React key), kept in `assigned` from one render to the next: the slots of ids gone are given to
 * ids new, lowest first, except those `keep` says must go with their row; new slots only when none is free.
 */
export function assignSlots(assigned: Map<string, number>, ids: readonly string[], keep: (id: string) => boolean): number[] {
  const present = new Set(ids);
  const free: number[] = [];
  let next = 0;
  for (const [id, slot] of assigned) {
    next = Math.max(next, slot + 1);
    if (present.has(id)) continue;
    assigned.delete(id);
    if (!keep(id)) free.push(slot);
  }
  free.sort((a, b) => b - a);
  return ids.map((id) => {
    let slot = assigned.get(id);
    if (slot === undefined) {
      slot = free.pop() ?? next++;
      assigned.set(id, slot);
    }
    return slot;
  });
}

/** The `data-row-id` of the row holding the keyboard focus, if a row does. */
function focusedRowId(): string | undefined {
  return document.activeElement?.closest<HTMLElement>('[data-row-id]')?.dataset.rowId;
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
