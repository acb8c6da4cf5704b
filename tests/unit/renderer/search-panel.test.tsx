// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { SearchPanel, snippetOf, type SearchHit } from '../../../src/renderer/search/SearchPanel';
import { MessageRow } from '../../../src/renderer/chat/MessageRow';
import { ChatView } from '../../../src/renderer/chat/ChatView';
import { ME, S, fakeMain, msg, wrap } from './fake-main';

afterEach(cleanup);

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const labels = new Map([[S, { title: 'Karim', qualifier: null, shortQualifier: null }]]);

describe('SearchPanel', () => {
  it('searches as the user types, highlights the hit, pages by keyset and opens the chosen hit', async () => {
    const first = Array.from({ length: 20 }, (_, i) => msg({ id: id(i + 1), body: `the moon card ${i}`, createdAt: `2026-01-01T10:${String(59 - i).padStart(2, '0')}:00Z` }));
    const main = fakeMain({
      'search.messages': (input: { before?: unknown }) =>
        input.before ? { messages: [msg({ id: id(99), body: 'القَمَرُ والشمس' })], hasMore: false } : { messages: first, hasMore: true },
    });
    const opened: SearchHit[] = [];
    wrap(<SearchPanel client={main.client} profile={ME} sessionId={null} labels={labels} people={new Map()} onOpen={(h) => opened.push(h)} onClose={() => {}} />);
    fireEvent.change(screen.getByRole('searchbox'), { target: { value: 'Moon' } });
    await waitFor(() => expect(screen.getAllByTestId('search-hit')).toHaveLength(20));
    expect(main.named('search.messages')[0]!.input).toEqual({ query: 'Moon', limit: 20 });
    expect(screen.getByTestId('search-count').textContent).toBe('20 messages found (more below)');
    const hit = screen.getAllByTestId('search-hit')[0]!;
    expect(within(hit).getByText('moon').tagName).toBe('MARK');
    expect(hit.textContent).toContain('In Karim');
    fireEvent.click(screen.getByRole('button', { name: 'More results' }));
    await waitFor(() => expect(screen.getAllByTestId('search-hit')).toHaveLength(21));
    expect(main.named('search.messages')[1]!.input).toEqual({ query: 'Moon', before: { createdAt: first[19]!.createdAt, id: id(20) }, limit: 20 });
    fireEvent.keyDown(screen.getByRole('searchbox'), { key: 'ArrowDown' });
    fireEvent.keyDown(screen.getByRole('searchbox'), { key: 'Enter' });
    expect(opened.map((h) => [h.message.id, h.query])).toEqual([[id(2), 'Moon']]);
  });

  it('Ctrl+F scope: this conversation by default, every conversation on request; a refusal is shown translated', async () => {
    const main = fakeMain({
      'search.messages': (input: { query: string }) => {
        if (input.query === '!!') throw { code: 'SA550', messageKey: 'search.query_empty', permanent: true };
        return { messages: [], hasMore: false };
      },
    });
    wrap(<SearchPanel client={main.client} profile={ME} sessionId={S} labels={labels} people={new Map()} onOpen={() => {}} onClose={() => {}} />, 'ar');
    fireEvent.change(screen.getByRole('searchbox'), { target: { value: 'كتاب' } });
    await waitFor(() => expect(screen.getByTestId('search-count').textContent).toBe('لا توجد رسالة مطابقة.'));
    expect(main.named('search.messages').at(-1)!.input).toEqual({ query: 'كتاب', sessionId: S, limit: 20 });
    fireEvent.click(screen.getByRole('radio', { name: 'كل المحادثات' }));
    await waitFor(() => expect(main.named('search.messages').at(-1)!.input).toEqual({ query: 'كتاب', limit: 20 }));
    fireEvent.change(screen.getByRole('searchbox'), { target: { value: '!!' } });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('اكتب كلمة واحدة على الأقل للبحث عنها.'));
  });

  it('a long body is cut around its first hit', () => {
    const body = `${'x'.repeat(300)} the moon ${'y'.repeat(300)}`;
    const snippet = snippetOf(body, 'moon');
    expect(snippet.startsWith('…') && snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain('the moon');
  });
});

describe('a hit opened in context', () => {
  it('MessageRow marks the hit and highlights its terms, diacritics and all', () => {
    const main = fakeMain({});
    wrap(<MessageRow client={main.client} profile={ME} message={msg({ body: 'قَرَأْتُ الكِتَابَ' })} quoted={null} people={new Map()} onReply={() => {}} onError={() => {}} highlightQuery="كتاب" />);
    const row = screen.getByTestId('message');
    expect(row.className).toContain('message--search-hit');
    expect(row.querySelector('mark')?.textContent).toBe('الكِتَابَ');
  });

  it('ChatView shows the messages around the hit, then the latest again', async () => {
    const around = [msg({ id: id(1), body: 'before' }), msg({ id: id(2), body: 'the hit' }), msg({ id: id(3), body: 'after' })];
    const main = fakeMain({
      'messages.page': () => ({ messages: [msg({ id: id(50), body: 'latest' })], pending: [] }),
      'search.context': () => ({ messages: around }),
    });
    const view = (jump: { messageId: string; query: string; nonce: number } | null) => (
      <ChatView client={main.client} profile={ME} sessionId={S} session={null} label={null} people={new Map()} visible focused={false} typingName={null} jumpTo={jump} />
    );
    const { rerender } = wrap(view(null));
    await waitFor(() => expect(screen.getByText('latest')).toBeTruthy());
    rerender(view({ messageId: id(2), query: 'hit', nonce: 1 }));
    await waitFor(() => expect(screen.getAllByTestId('message').map((m) => m.textContent?.includes('the hit'))).toEqual([false, true, false]));
    expect(main.named('search.context')[0]!.input).toEqual({ messageId: id(2), before: 20, after: 20 });
    expect(screen.getByTestId('search-context').textContent).toContain('A search result in its conversation');
    expect(document.querySelector('.message--search-hit mark')?.textContent).toBe('hit');
    fireEvent.click(screen.getByRole('button', { name: 'Back to the latest messages' }));
    await waitFor(() => expect(screen.getByText('latest')).toBeTruthy());
    expect(screen.queryByTestId('search-context')).toBeNull();
  });
});
