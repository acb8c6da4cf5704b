// Runs inside Chromium (bundled by render.bench.ts): the real MessageList and the real wavesurfer.js.
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import WaveSurfer from 'wavesurfer.js';
import type { ChatMessage } from '../../src/shared/ipc/contract';
import { createConsoleClient } from '../../src/renderer/bridge/console-client';
import { I18nProvider } from '../../src/renderer/i18n/i18n';
import { MessageList } from '../../src/renderer/chat/MessageList';
import { buildTimeline } from '../../src/renderer/lib/timeline';

const SESSION = '00000000-0000-4000-8000-000000000001';
const ME = { id: '00000000-0000-4000-8000-000000000002', displayName: 'Bench', role: 'reader' as const, preferredLanguage: 'en' as const };
// The list never calls the main process while painting; a bridge that answers nothing is enough.
const client = createConsoleClient({ invoke: async () => ({ ok: true, value: {} }) as never, on: () => () => {} });

function history(count: number): ChatMessage[] {
  const start = Date.parse('2026-01-01T00:00:00Z');
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    sessionId: SESSION,
    senderId: i % 2 ? ME.id : 'client',
    type: 'text' as const,
    body: `Message ${i}: ${'the cards say patience '.repeat(1 + (i % 4))}`,
    storagePath: null, mimeType: null, sizeBytes: null, durationMs: null, waveform: null, replyTo: null,
    status: 'sent' as const, clientMessageId: null,
    createdAt: new Date(start + i * 60_000).toISOString(),
    editedAt: null, reviewedBy: null, reviewedAt: null, reviewReason: null,
  }));
}

const nextPaint = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

async function paintList(count: number): Promise<{ ms: number; rows: number }> {
  const host = document.getElementById('root')!;
  const messages = history(count);
  const started = performance.now();
  const root = createRoot(host);
  flushSync(() =>
    root.render(
      <I18nProvider language="en">
        <MessageList client={client} profile={ME} items={buildTimeline(messages, [])} messagesById={new Map(messages.map((m) => [m.id, m]))}
          people={new Map()} hasMore={false} loadingOlder={false} onNearTop={() => {}} onReply={() => {}} onError={() => {}} />
      </I18nProvider>,
    ),
  );
  await nextPaint();
  const ms = performance.now() - started;
  const rows = host.querySelectorAll('.message-slot').length;
  root.unmount();
  return { ms, rows };
}

async function drawWave(durationSeconds: number, peakCount: number): Promise<number> {
  const host = document.getElementById('wave')!;
  const peaks = Array.from({ length: peakCount }, (_, i) => Math.abs(Math.sin(i / 7)));
  const started = performance.now();
  const ws = WaveSurfer.create({ container: host, peaks: [peaks], duration: durationSeconds, height: 40, barWidth: 2, barGap: 1 });
  await new Promise<void>((resolve) => ws.once('redrawcomplete', () => resolve()));
  const ms = performance.now() - started;
  ws.destroy();
  return ms;
}

(window as unknown as { bench: unknown }).bench = { paintList, drawWave };
