import { act, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { SamiaBridge } from '../../../src/shared/ipc/bridge-api';
import type { ChatMessage, ChatSession, Profile } from '../../../src/shared/ipc/contract';
import { createConsoleClient } from '../../../src/renderer/bridge/console-client';
import { I18nProvider } from '../../../src/renderer/i18n/i18n';

type Handler = (input: never) => unknown;
/**
 * Stands in for the main process (the Electron binary cannot run under vitest): answers requests from a
 * table, records them, and lets the test push events. Unlisted requests answer { ok: true }.
 */
export function fakeMain(handlers: Record<string, Handler>) {
  const calls: { name: string; input: unknown }[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const bridge: SamiaBridge = {
    invoke: async (name, input) => {
      calls.push({ name, input });
      const handler = handlers[name];
      if (!handler) return { ok: true, value: { ok: true } } as never;
      try {
        return { ok: true, value: await handler(input as never) } as never;
      } catch (error) {
        return { ok: false, error } as never;
      }
    },
    on: (name, listener) => {
      const set = listeners.get(name) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(name, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
  const emit = (name: string, payload: unknown) => act(() => listeners.get(name)?.forEach((l) => l(payload)));
  return { client: createConsoleClient(bridge), calls, emit, named: (name: string) => calls.filter((c) => c.name === name) };
}

export function wrap(node: ReactNode, language: 'en' | 'ar' = 'en') {
  const result = render(<I18nProvider language={language}>{node}</I18nProvider>);
  return { ...result, rerender: (next: ReactNode) => result.rerender(<I18nProvider language={language}>{next}</I18nProvider>) };
}

export const S = '00000000-0000-4000-8000-0000000000a1';
export const ME: Profile = { id: '00000000-0000-4000-8000-0000000000b1', displayName: 'Rana', role: 'reader', preferredLanguage: 'en' };
export const msg = (extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id: '00000000-0000-4000-8000-0000000000c1', sessionId: S, senderId: ME.id, type: 'text', body: 'hello', storagePath: null, mimeType: null,
  sizeBytes: null, durationMs: null, waveform: null, replyTo: null, status: 'sent', clientMessageId: null, createdAt: '2026-01-01T10:00:00Z',
  editedAt: null, reviewedBy: null, reviewedAt: null, reviewReason: null, ...extra,
});

type Participant = ChatSession['participants'][number];
export const participant = (userId: string, displayName: string, extra: Partial<Participant> = {}): Participant => ({
  userId, displayName, role: 'client', roleInSession: 'client', availability: 'offline', lastReadAt: null, ...extra,
});
export const chatSession = (id: string, participants: Participant[], extra: Partial<ChatSession> = {}): ChatSession => ({
  id, type: 'support', status: 'active', bookingId: null, lastMessageAt: '2026-01-01T10:00:00Z', createdAt: '2026-01-01T09:00:00Z', unreadCount: 0,
  lastReadAt: null, participants, ...extra,
});
