// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { en } from '../../../src/renderer/i18n/en';
import { Composer } from '../../../src/renderer/chat/Composer';
import { fillVariables, filterReplies, formatReplyDate, insertReply, slashQueryAt } from '../../../src/renderer/lib/canned-replies';
import { isSnoozed, splitByTriage } from '../../../src/renderer/lib/session-list';
import type { CannedReply, OutboxItem, SessionTriage } from '../../../src/shared/ipc/contract';
import { chatSession, fakeMain, S, wrap } from './fake-main';

afterEach(cleanup);

const FSI = '\u2068';
const PDI = '\u2069';
let seq = 0;
const reply = (extra: Partial<CannedReply>): CannedReply => ({
  id: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
  shared: false,
  language: 'en',
  shortcut: 'hi',
  title: 'Greeting',
  body: 'Hello {client_name}',
  updatedAt: '2026-01-01T10:00:00Z',
  ...extra,
});

describe('canned replies: variables, the `/` query and the filter', () => {
  it('fills {client_name} and {reader_name} isolated for bidi, {date} as given; a missing name stays visible', () => {
    const filled = fillVariables('Dear {client_name}, {reader_name} here ({date}). {unknown}', { clientName: 'ليلى', readerName: 'Rana', date: '1 December 2026' });
    expect(filled).toBe(`Dear ${FSI}ليلى${PDI}, ${FSI}Rana${PDI} here (1 December 2026). {unknown}`);
    expect(fillVariables('Hi {client_name}', { clientName: null, readerName: 'Rana', date: 'x' })).toBe('Hi {client_name}');
    expect(fillVariables('{client_name}{client_name}', { clientName: 'A', readerName: null, date: '' })).toBe(`${FSI}A${PDI}${FSI}A${PDI}`);
  });

  it('writes the date in the user\'s language', () => {
    const day = new Date('2026-12-01T12:00:00Z');
    expect(formatReplyDate(day, 'en-GB')).toBe('1 December 2026');
    expect(formatReplyDate(day, 'ar-EG')).toMatch(/ديسمبر/);
  });

  it('opens on a slash at the start or after a space, never inside a word, a URL or a date', () => {
    expect(slashQueryAt('/gr', 3)).toEqual({ start: 0, end: 3, query: 'gr' });
    expect(slashQueryAt('Thanks /', 8)).toEqual({ start: 7, end: 8, query: '' });
    expect(slashQueryAt('see https://x.test/a', 20)).toBeNull();
    expect(slashQueryAt('on 1/12', 7)).toBeNull();
    expect(slashQueryAt('/gr more', 8)).toBeNull();
    expect(insertReply('Thanks /gr!', { start: 7, end: 10, query: 'gr' }, 'Hello')).toEqual({ text: 'Thanks Hello!', caret: 12 });
  });

  it('filters shortcuts first, then titles and bodies; the user\'s language first, own before shared; Arabic folded', () => {
    const own = reply({ shortcut: 'greet', title: 'Greeting' });
    const shared = reply({ shortcut: 'greet2', shared: true });
    const arabic = reply({ shortcut: 'تحية', title: 'ترحيب', body: 'أهلاً {client_name}', language: 'ar' });
    const byTitle = reply({ shortcut: 'bye', title: 'Great goodbye' });
    const list = [shared, arabic, byTitle, own];
    expect(filterReplies(list, 'gre', 'en').map((r) => r.shortcut)).toEqual(['greet', 'greet2', 'bye']);
    expect(filterReplies(list, '', 'ar')[0]!.shortcut).toBe('تحية');
    // Hamza forms and diacritics do not keep a reply from matching.
    expect(filterReplies(list, 'اهلا', 'en').map((r) => r.shortcut)).toEqual(['تحية']);
    expect(filterReplies(list, 'zzz', 'en')).toEqual([]);
  });
});

describe('canned replies in the composer: keyboard only', () => {
  const outbox = (): OutboxItem => ({
    clientMessageId: '00000000-0000-4000-8000-0000000000d1', job: 'message', sessionId: S, kind: 'text', body: 'x', fileName: null, mimeType: null,
    sizeBytes: null, durationMs: null, waveform: null, replyTo: null, createdAt: 1, state: 'queued', attempts: 0, lastError: null, serverMessageId: null,
  });
  const setup = (replies: CannedReply[]) => {
    const main = fakeMain({ 'drafts.get': () => ({ body: '', replyTo: null }), 'canned.list': () => ({ replies }), 'messages.sendText': () => outbox() });
    wrap(
      <Composer client={main.client} sessionId={S} disabled={false} replyTo={null} people={new Map()} variables={{ clientName: 'Layla', readerName: 'Rana' }} onClearReply={() => {}} />,
    );
    return { main, box: screen.getByRole<HTMLTextAreaElement>('textbox', { name: en['composer.label'] }) };
  };

  it('`/` lists the replies as a listbox the textbox points at; ↑/↓ move, Enter inserts with the variables filled, then Enter sends', async () => {
    const { main, box } = setup([reply({ shortcut: 'hello', body: 'Hello {client_name}, I am {reader_name}.' }), reply({ shortcut: 'help', body: 'How can I help?' })]);
    await waitFor(() => expect(main.named('canned.list')).toHaveLength(1));
    fireEvent.change(box, { target: { value: '/he' } });
    const list = await screen.findByRole('listbox', { name: en['canned.listLabel'] });
    const options = within(list).getAllByRole('option');
    expect(options.map((o) => o.getAttribute('aria-selected'))).toEqual(['true', 'false']);
    expect(box.getAttribute('aria-controls')).toBe(list.id);
    expect(box.getAttribute('aria-activedescendant')).toBe(options[0]!.id);
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    expect(box.getAttribute('aria-activedescendant')).toBe(within(list).getAllByRole('option')[1]!.id);
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    fireEvent.keyDown(box, { key: 'ArrowUp' });
    fireEvent.keyDown(box, { key: 'ArrowUp' });
    expect(box.getAttribute('aria-activedescendant')).toBe(options[0]!.id);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(box.value).toBe(`Hello ${FSI}Layla${PDI}, I am ${FSI}Rana${PDI}.`);
    expect(screen.queryByRole('listbox')).toBeNull();
    // Inserting sent nothing: the next Enter sends the filled text.
    expect(main.named('messages.sendText')).toHaveLength(0);
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(main.named('messages.sendText')[0]?.input).toMatchObject({ body: `Hello ${FSI}Layla${PDI}, I am ${FSI}Rana${PDI}.` }));
  });

  it('Tab inserts too; Esc closes the list and the next Enter sends the text as typed; no match, no list', async () => {
    const { main, box } = setup([reply({ shortcut: 'thanks', body: 'Thank you!' })]);
    await waitFor(() => expect(main.named('canned.list')).toHaveLength(1));
    fireEvent.change(box, { target: { value: 'Well /tha' } });
    await screen.findByRole('listbox');
    fireEvent.keyDown(box, { key: 'Tab' });
    expect(box.value).toBe('Well Thank you!');
    fireEvent.change(box, { target: { value: '/th' } });
    await screen.findByRole('listbox');
    fireEvent.keyDown(box, { key: 'Escape' });
    expect(screen.queryByRole('listbox')).toBeNull();
    fireEvent.change(box, { target: { value: '/xyz' } });
    expect(screen.queryByRole('listbox')).toBeNull();
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(main.named('messages.sendText')[0]?.input).toMatchObject({ body: '/xyz' }));
  });
});

describe('triage in the session list', () => {
  const t = (sessionId: string, extra: Partial<SessionTriage>): SessionTriage => ({
    sessionId, muted: false, markedUnread: false, snoozedUntil: null, snoozedUntilReply: false, ...extra,
  });
  it('puts snoozed sessions in their own group until the snooze ends; emergencies are never put away', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    const a = chatSession('00000000-0000-4000-8000-000000000001', []);
    const b = chatSession('00000000-0000-4000-8000-000000000002', []);
    const c = chatSession('00000000-0000-4000-8000-000000000003', [], { type: 'emergency' });
    const d = chatSession('00000000-0000-4000-8000-000000000004', []);
    const triage = new Map([
      [a.id, t(a.id, { snoozedUntil: '2026-01-01T13:00:00Z' })],
      [b.id, t(b.id, { snoozedUntil: '2026-01-01T11:00:00Z', muted: true })],
      [c.id, t(c.id, { snoozedUntilReply: true })],
      [d.id, t(d.id, { snoozedUntilReply: true })],
    ]);
    const { listed, snoozed } = splitByTriage([a, b, c, d], triage, now);
    expect(listed.map((s) => s.id)).toEqual([b.id, c.id]);
    expect(snoozed.map((s) => s.id)).toEqual([a.id, d.id]);
    expect(isSnoozed(triage.get(a.id), Date.parse('2026-01-01T13:00:00Z'))).toBe(false);
    // Nothing snoozed any more (muted only, snoozes over): the list is shown as it is, not copied.
    const all = [a, b, c, d];
    const later = Date.parse('2026-01-01T14:00:00Z');
    const over = new Map([...triage].filter(([id]) => id === a.id || id === b.id));
    expect(splitByTriage(all, over, later)).toEqual({ listed: all, snoozed: [] });
    expect(splitByTriage(all, over, later).listed).toBe(all);
  });
});
