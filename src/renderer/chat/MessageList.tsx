import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ChatMessage, ChatSession, Profile } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import type { Person } from '../lib/directory';
import type { TimelineItem } from '../lib/timeline';
import { receiptFor } from '../lib/receipts';
import { computeWindow, prefixSums } from '../lib/virtual-window';
import { MessageRow, PendingRow } from './MessageRow';

const ESTIMATED_ROW = 72;
const NEAR_TOP_PX = 240;
const AT_BOTTOM_PX = 48;

interface Props {
  client: ConsoleClient;
  profile: Profile;
  /** The session as last listed: its participants' read positions give the receipts. */
  session?: ChatSession | null;
  items: TimelineItem[];
  messagesById: Map<string, ChatMessage>;
  people: ReadonlyMap<string, Person>;
  hasMore: boolean;
  loadingOlder: boolean;
  onNearTop(): void;
  onReply(message: ChatMessage): void;
  onError(error: IpcError): void;
  /** A search hit opened in context: scrolled into view once, marked, its terms highlighted. */
  searchHit?: { messageId: string; query: string } | null;
}

/**
 * Only the rows that intersect the viewport (plus a few) are in the DOM. Row heights are measured as
 * they render and cached by key; older pages prepended at the top keep what the user was reading in place.
 */
export function MessageList({ client, profile, session = null, items, messagesById, people, hasMore, loadingOlder, onNearTop, onReply, onError, searchHit = null }: Props) {
  const { t } = useI18n();
  const scroller = useRef<HTMLDivElement>(null);
  // Measured heights survive re-renders without causing them; the version counter says when they changed.
  const [heights] = useState(() => new Map<string, number>());
  const [measureVersion, setMeasureVersion] = useState(0);
  const [viewport, setViewport] = useState({ top: 0, height: 600 });
  const stickToBottom = useRef(true);
  const previousFirstKey = useRef<string | null>(null);
  const observer = useRef<ResizeObserver | null>(null);

  const sums = useMemo(
    () => prefixSums(items.length, (i) => heights.get(items[i]!.key) ?? ESTIMATED_ROW),
    [items, measureVersion], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const win = computeWindow(sums, viewport.top, viewport.height);

  const measure = useCallback((key: string, element: HTMLElement | null) => {
    if (!element) return;
    if (!observer.current && typeof ResizeObserver !== 'undefined') {
      observer.current = new ResizeObserver((entries) => {
        let changed = false;
        for (const entry of entries) {
          const target = entry.target as HTMLElement;
          const rowKey = target.dataset.rowKey;
          const height = target.offsetHeight;
          if (rowKey && height > 0 && heights.get(rowKey) !== height) {
            heights.set(rowKey, height);
            changed = true;
          }
        }
        if (changed) setMeasureVersion((v) => v + 1);
      });
    }
    observer.current?.observe(element);
    const height = element.offsetHeight;
    if (height > 0 && heights.get(key) !== height) heights.set(key, height);
  }, [heights]);

  useLayoutEffect(() => () => observer.current?.disconnect(), []);

  // Keep the reader's place: at the bottom stays at the bottom; an older page prepended shifts by its height.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const firstKey = items[0]?.key ?? null;
    const previous = previousFirstKey.current;
    previousFirstKey.current = firstKey;
    if (previous && firstKey !== previous) {
      const index = items.findIndex((item) => item.key === previous);
      if (index > 0 && !stickToBottom.current) {
        el.scrollTop += sums[index]!;
        setViewport({ top: el.scrollTop, height: el.clientHeight || 600 });
        return;
      }
    }
    if (stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
      setViewport((v) => (v.top === el.scrollTop && v.height === (el.clientHeight || 600) ? v : { top: el.scrollTop, height: el.clientHeight || 600 }));
    }
  }, [items, sums]);

  // A search hit: away from the bottom, first to its estimated offset (so the window renders it), then centred.
  const scrolledTo = useRef<string | null>(null);
  const hitKey = searchHit?.messageId ?? null;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !hitKey || scrolledTo.current === hitKey) return;
    const index = items.findIndex((item) => item.key === hitKey);
    if (index < 0) return;
    stickToBottom.current = false;
    const row = el.querySelector<HTMLElement>(`[data-row-key="${hitKey}"]`);
    if (row) {
      row.scrollIntoView?.({ block: 'center' });
      scrolledTo.current = hitKey;
    } else {
      el.scrollTop = Math.max(0, sums[index]! - el.clientHeight / 3);
    }
    setViewport({ top: el.scrollTop, height: el.clientHeight || 600 });
  }, [hitKey, items, sums, win.start]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < AT_BOTTOM_PX;
    setViewport({ top: el.scrollTop, height: el.clientHeight || 600 });
    if (el.scrollTop < NEAR_TOP_PX && hasMore && !loadingOlder) onNearTop();
  };

  return (
    <div className="message-list" ref={scroller} onScroll={onScroll} role="log" aria-label={t('chat.messages')} aria-busy={loadingOlder}>
      {hasMore ? (
        <p className="message-list__edge muted">{loadingOlder ? t('chat.loadingOlder') : t('chat.scrollForOlder')}</p>
      ) : (
        <p className="message-list__edge muted">{t('chat.historyStart')}</p>
      )}
      <div style={{ blockSize: win.offsetBefore }} aria-hidden="true" />
      {items.slice(win.start, win.end).map((item) => (
        <div
          key={item.key}
          data-row-key={item.key}
          ref={(el) => {
            measure(item.key, el);
            // Rows scrolled out of the window leave the DOM: stop observing them too.
            return () => {
              if (el) observer.current?.unobserve(el);
            };
          }}
          className="message-slot"
        >
          {item.kind === 'message' ? (
            <MessageRow
              client={client}
              profile={profile}
              message={item.message}
              quoted={item.message.replyTo ? (messagesById.get(item.message.replyTo) ?? null) : null}
              people={people}
              receipt={receiptFor(item.message, session, profile.id)}
              highlightQuery={searchHit?.messageId === item.message.id ? searchHit.query : null}
              onReply={onReply}
              onError={onError}
            />
          ) : (
            <PendingRow client={client} entry={item.entry} quoted={item.entry.replyTo ? (messagesById.get(item.entry.replyTo) ?? null) : null} people={people} onError={onError} />
          )}
        </div>
      ))}
      <div style={{ blockSize: win.offsetAfter }} aria-hidden="true" />
    </div>
  );
}
