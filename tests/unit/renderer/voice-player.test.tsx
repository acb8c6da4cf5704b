// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { en } from '../../../src/renderer/i18n/en';
import { AudioPlayer } from '../../../src/renderer/audio/AudioPlayer';
import { MiniPlayer, playerFor } from '../../../src/renderer/audio/player';
import { fakeMain, ME, S, wrap } from './fake-main';

// wavesurfer.js needs a canvas that jsdom lacks: a stand-in that draws nothing but keeps the API the waveform uses.
vi.mock('wavesurfer.js', () => ({
  default: { create: () => ({ on: () => () => {}, destroy() {}, getWrapper: () => document.createElement('div'), getRenderer: () => ({ renderProgress() {} }) }) },
}));

// jsdom implements no playback: play/pause/load of its media element stand in as no-ops (play resolves, as it does
// once media can play); the real element runs in Chromium in tests/e2e/waiting-player.spec.ts.
beforeEach(() => {
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(() => Promise.resolve());
  vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => {});
  vi.spyOn(HTMLMediaElement.prototype, 'load').mockImplementation(() => {});
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  localStorage.clear();
});

const CLIENT = '00000000-0000-4000-8000-0000000000c7';
const note = (n: number) => ({
  id: `00000000-0000-4000-8000-00000000010${n}`,
  sessionId: S,
  senderId: CLIENT,
  createdAt: `2026-01-01T10:0${n}:00.000Z`,
});

// Each console connection has its one media element in the document; these tests make one connection each.
const mediaOf = () => [...document.querySelectorAll<HTMLAudioElement>('[data-testid="voice-player-media"]')].at(-1)!;

function Notes({ client, show }: { client: ReturnType<typeof fakeMain>['client']; show: boolean }) {
  return (
    <>
      <MiniPlayer client={client} userId={ME.id} senderName={(id) => (id === CLIENT ? 'Karim' : null)} sessionTitle={() => 'Karim · support'} onOpenSession={() => {}} />
      {show && (
        <div data-testid="view">
          {[1, 2].map((n) => (
            <AudioPlayer key={n} client={client} storagePath={`${S}/${n}/v.webm`} mimeType="audio/webm" peaks={[0.5]} durationMs={3000} message={note(n)} />
          ))}
        </div>
      )}
    </>
  );
}

describe('the voice player in the console', () => {
  it('one note at a time; the mini-player keeps it when its view goes; at the end nothing unplayed is left; announced', async () => {
    const main = fakeMain({ 'media.url': ({ storagePath }: { storagePath: string }) => ({ url: `http://127.0.0.1/media/${storagePath}` }) });
    const store = playerFor(main.client);
    store.knowSession(S, [1, 2].map((n) => ({ ...note(n), storagePath: `${S}/${n}/v.webm`, mimeType: 'audio/webm', durationMs: 3000 })));
    const view = wrap(<Notes client={main.client} show />);
    const players = () => screen.getAllByTestId('audio-player');

    fireEvent.click(within(players()[1]!).getByRole('button', { name: en['audio.play'] }));
    await waitFor(() => expect(players()[1]!.getAttribute('data-playing')).toBe('true'));
    fireEvent.click(within(players()[0]!).getByRole('button', { name: en['audio.play'] }));
    await waitFor(() => expect(players()[0]!.getAttribute('data-playing')).toBe('true'));
    expect(players()[1]!.getAttribute('data-playing')).toBe('false');
    expect(screen.getAllByRole('button', { name: en['audio.pause'] })).toHaveLength(1);
    const mini = screen.getByTestId('mini-player');
    expect(mini.getAttribute('data-note-id')).toBe(note(1).id);
    expect(mini.textContent).toContain('Karim');
    expect(screen.getByTestId('player-announcement').textContent).toContain('Playing the voice note from Karim.');

    // The view goes away (another tab): the note plays on, in the mini-player.
    view.rerender(<Notes client={main.client} show={false} />);
    expect(screen.queryByTestId('view')).toBeNull();
    expect(screen.getByTestId('mini-player').getAttribute('data-playing')).toBe('true');

    // At its end: note 2 was started earlier, so it counts as played, and nothing follows.
    const media = mediaOf();
    await act(async () => {
      media.dispatchEvent(new Event('ended'));
    });
    expect(screen.getByTestId('player-announcement').textContent).toContain('No more unplayed voice notes in this conversation.');

    // Keys on the mini-player: > speeds up (the element follows); close empties it.
    fireEvent.keyDown(screen.getByTestId('mini-player'), { key: '>' });
    expect(store.getState().speed).toBe(1.25);
    expect(media.playbackRate).toBe(1.25);
    fireEvent.click(screen.getByTestId('mini-player-close'));
    expect(screen.queryByTestId('mini-player')).toBeNull();
  });

  it('plays the next unplayed note at the end of one', async () => {
    const main = fakeMain({ 'media.url': ({ storagePath }: { storagePath: string }) => ({ url: `http://127.0.0.1/media/${storagePath}` }) });
    const store = playerFor(main.client);
    store.knowSession(S, [1, 2].map((n) => ({ ...note(n), storagePath: `${S}/${n}/v.webm`, mimeType: 'audio/webm', durationMs: 3000 })));
    wrap(<Notes client={main.client} show />);
    fireEvent.click(within(screen.getAllByTestId('audio-player')[0]!).getByRole('button', { name: en['audio.play'] }));
    await waitFor(() => expect(screen.getByTestId('mini-player').getAttribute('data-note-id')).toBe(note(1).id));
    const media = mediaOf();
    await act(async () => {
      media.dispatchEvent(new Event('ended'));
    });
    await waitFor(() => expect(screen.getByTestId('mini-player').getAttribute('data-note-id')).toBe(note(2).id));
    expect(media.src).toBe(`http://127.0.0.1/media/${S}/2/v.webm`);
    expect(screen.getByTestId('player-announcement').textContent).toContain('Next unplayed voice note, from Karim.');
    expect(JSON.parse(localStorage.getItem(`samia.player.played.${ME.id}`)!)).toEqual([note(1).id, note(2).id]);
  });
});
