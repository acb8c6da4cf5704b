// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { en } from '../../../src/renderer/i18n/en';
import { ar } from '../../../src/renderer/i18n/ar';
import { Composer } from '../../../src/renderer/chat/Composer';
import { MessageRow } from '../../../src/renderer/chat/MessageRow';
import { fakeMain, ME, msg, S, wrap } from './fake-main';
import type { OutboxItem } from '../../../src/shared/ipc/contract';

// jsdom has no object URLs: the preview's thumbnail gets a stand-in URL (the real one is checked in Chromium by the e2e spec).
beforeAll(() => {
  URL.createObjectURL = vi.fn(() => 'blob:preview');
  URL.revokeObjectURL = vi.fn();
});
afterEach(cleanup);

const queued = (extra: Partial<OutboxItem> = {}): OutboxItem => ({
  clientMessageId: '00000000-0000-4000-8000-0000000000d1', job: 'message', sessionId: S, kind: 'text', body: 'x', fileName: null, mimeType: null,
  sizeBytes: null, durationMs: null, waveform: null, replyTo: null, createdAt: 1, state: 'queued', attempts: 0, lastError: null, serverMessageId: null, ...extra,
});
const composer = (main: ReturnType<typeof fakeMain>, language: 'en' | 'ar' = 'en') =>
  wrap(<Composer client={main.client} sessionId={S} disabled={false} replyTo={null} people={new Map()} onClearReply={() => {}} />, language);

describe('attachments', () => {
  it('are previewed before anything is queued: thumbnail, name, size and type, then sent on confirm', async () => {
    const main = fakeMain({ 'drafts.get': () => ({ body: '', replyTo: null }), 'messages.sendFile': () => queued({ kind: 'image' }) });
    composer(main);
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])], 'The Star (spread).png', { type: 'image/png' });
    fireEvent.change(screen.getByLabelText(en['composer.attach'], { selector: 'input' }), { target: { files: [png] } });
    const dialog = await screen.findByRole('dialog', { name: en['attach.title'] });
    expect(within(dialog).getByTestId('attachment-thumbnail').getAttribute('src')).toBe('blob:preview');
    expect(within(dialog).getByTestId('attachment-name').textContent).toBe('The Star (spread).png');
    expect(within(dialog).getByTestId('attachment-size').textContent).toBe('1 KB');
    expect(within(dialog).getByTestId('attachment-type').textContent).toBe('Image · image/png');
    // Nothing leaves before the user confirms.
    expect(main.named('messages.sendFile')).toHaveLength(0);
    fireEvent.change(within(dialog).getByLabelText(en['attach.caption']), { target: { value: 'Your spread' } });
    fireEvent.click(within(dialog).getByRole('button', { name: en['attach.send'] }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const [call] = main.named('messages.sendFile');
    expect(call!.input).toMatchObject({ sessionId: S, kind: 'image', fileName: 'The Star (spread).png', mimeType: 'image/png', body: 'Your spread', bytesBase64: btoa(String.fromCharCode(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3)) });
  });

  it('keep the preview open with the reason when the main process refuses the content, and cancel sends nothing', async () => {
    const main = fakeMain({
      'drafts.get': () => ({ body: '', replyTo: null }),
      'messages.sendFile': () => {
        throw { code: 'outbox.invalid_input', messageKey: 'outbox.error.content_unrecognised', params: { field: 'file' } };
      },
    });
    composer(main, 'ar');
    const fake = new File([new Uint8Array(64).fill(0x9c)], 'photo.jpg', { type: 'image/jpeg' });
    fireEvent.change(screen.getByLabelText(ar['composer.attach'], { selector: 'input' }), { target: { files: [fake] } });
    const dialog = await screen.findByRole('dialog', { name: ar['attach.title'] });
    fireEvent.click(within(dialog).getByRole('button', { name: ar['attach.send'] }));
    // The file name and declared type come from the composer when the error does not carry them.
    expect((await within(dialog).findByTestId('attachment-refusal')).textContent).toBe('لم يُرسل «photo.jpg»: محتواه ليس ملفًا صالحًا من نوع image/jpeg، أو أنه تالف.');
    fireEvent.click(within(dialog).getByRole('button', { name: ar['common.cancel'] }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(main.named('messages.sendFile')).toHaveLength(1);
  });
});

describe('long messages', () => {
  const limits = (max: number) => ({ 'console.message.max_body_length': max });

  it('show a counter near the limit, never cut the text, and refuse to send over it', async () => {
    const main = fakeMain({ 'drafts.get': () => ({ body: '', replyTo: null }), 'settings.get': () => ({ settings: limits(100) }), 'messages.sendText': () => queued() });
    composer(main);
    await waitFor(() => expect(main.named('settings.get')).toHaveLength(1));
    const box = screen.getByRole<HTMLTextAreaElement>('textbox', { name: en['composer.label'] });
    const counter = screen.getByTestId('composer-counter');
    fireEvent.change(box, { target: { value: 'a'.repeat(50) } });
    expect(counter.hidden).toBe(true);
    fireEvent.change(box, { target: { value: 'a'.repeat(90) } });
    expect(counter.hidden).toBe(false);
    expect(counter.textContent).toBe('90 / 100 · 10 characters left');
    // Pasting past the limit keeps every character (no maxLength): the counter says by how much.
    fireEvent.change(box, { target: { value: `${'a'.repeat(100)}🌙` } });
    expect(box.value).toBe(`${'a'.repeat(100)}🌙`);
    expect(counter.textContent).toBe('101 / 100 · 1 character too many: shorten the message or send it in parts.');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: en['composer.send'] }).disabled).toBe(true);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(main.named('messages.sendText')).toHaveLength(0);
  });

  it('count an emoji as one character, as the server does, and send the text exactly as typed', async () => {
    const main = fakeMain({ 'drafts.get': () => ({ body: '', replyTo: null }), 'settings.get': () => ({ settings: limits(10) }), 'messages.sendText': () => queued() });
    composer(main);
    await waitFor(() => expect(main.named('settings.get')).toHaveLength(1));
    const box = screen.getByRole<HTMLTextAreaElement>('textbox', { name: en['composer.label'] });
    const text = '  🌙🌙🌙\n🌙🌙\n\n';
    fireEvent.change(box, { target: { value: text } });
    expect(screen.getByTestId('composer-counter').textContent).toBe('10 / 10 · 0 characters left');
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(main.named('messages.sendText')).toHaveLength(1));
    expect(main.named('messages.sendText')[0]!.input).toMatchObject({ body: text });
  });

  it('empty only once the main process answered "queued"', async () => {
    let answer: (value: OutboxItem) => void = () => {};
    const main = fakeMain({ 'drafts.get': () => ({ body: '', replyTo: null }), 'messages.sendText': () => new Promise<OutboxItem>((resolve) => (answer = resolve)) });
    composer(main);
    const box = screen.getByRole<HTMLTextAreaElement>('textbox', { name: en['composer.label'] });
    fireEvent.change(box, { target: { value: 'a reading' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(main.named('messages.sendText')).toHaveLength(1));
    expect(box.value).toBe('a reading');
    expect(box.readOnly).toBe(true);
    expect(screen.getByRole('button', { name: en['composer.queuing'] })).toBeTruthy();
    answer(queued());
    await waitFor(() => expect(box.value).toBe(''));
    expect(box.readOnly).toBe(false);
  });
});

describe('images in the timeline', () => {
  it('show inline as a thumbnail, fetched through the media route, and open full size', async () => {
    const main = fakeMain({ 'media.url': () => ({ url: 'http://127.0.0.1/media/k/spread.png' }) });
    wrap(
      <MessageRow
        client={main.client}
        profile={ME}
        message={msg({ type: 'image', body: null, storagePath: `${S}/m/spread.png`, mimeType: 'image/png', sizeBytes: 2048 })}
        quoted={null}
        people={new Map()}
        onReply={() => {}}
        onError={() => {}}
      />,
    );
    const thumbnail = await screen.findByTestId('image-thumbnail');
    expect(thumbnail.getAttribute('src')).toBe('http://127.0.0.1/media/k/spread.png');
    expect(thumbnail.getAttribute('alt')).toBe('Image spread.png');
    expect(main.named('media.url').map((c) => c.input)).toEqual([{ storagePath: `${S}/m/spread.png` }]);
    fireEvent.click(screen.getByRole('button', { name: 'Open spread.png full size' }));
    expect(screen.getByRole('dialog', { name: 'Image spread.png' })).toBeTruthy();
  });

  it('say what a file is before it is downloaded', () => {
    const main = fakeMain({});
    wrap(
      <MessageRow
        client={main.client}
        profile={ME}
        message={msg({ type: 'file', body: null, storagePath: `${S}/m/reading.pdf`, mimeType: 'application/pdf', sizeBytes: 3 * 1024 * 1024 })}
        quoted={null}
        people={new Map()}
        onReply={() => {}}
        onError={() => {}}
      />,
    );
    expect(screen.getByTestId('file-attachment').textContent).toContain('reading.pdf3 MB · application/pdf');
    expect(main.named('media.url')).toHaveLength(0);
  });
});
