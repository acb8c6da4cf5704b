import type { MediaElementLike } from '../../../src/renderer/audio/player-store';

/**
 * A stand-in for HTMLMediaElement, because neither Node nor jsdom plays audio (jsdom's play() is "not implemented").
 * It follows the HTML standard's rules the player depends on: assigning src runs the load algorithm (paused again,
 * position 0, playbackRate back to defaultPlaybackRate); play() without a source rejects with NotSupportedError;
 * play fires "play", pause fires "pause" only when it was playing; reaching the end fires timeupdate, pause, then ended.
 * The real element is exercised in Chromium by tests/e2e/waiting-player.spec.ts.
 */
export class FakeMediaElement implements MediaElementLike {
  private source = '';
  private rate = 1;
  defaultPlaybackRate = 1;
  currentTime = 0;
  paused = true;
  loads = 0;
  private readonly listeners = new Map<string, (() => void)[]>();

  get src() {
    return this.source;
  }
  set src(value: string) {
    this.source = value;
    this.load();
  }
  get playbackRate() {
    return this.rate;
  }
  set playbackRate(value: number) {
    this.rate = value;
  }

  load() {
    this.loads += 1;
    this.paused = true;
    this.currentTime = 0;
    this.rate = this.defaultPlaybackRate;
  }

  removeAttribute(name: 'src') {
    if (name === 'src') this.source = '';
  }

  play(): Promise<void> {
    if (!this.source) return Promise.reject(new DOMException('The element has no supported sources.', 'NotSupportedError'));
    if (this.paused) {
      this.paused = false;
      this.emit('play');
    }
    return Promise.resolve();
  }

  pause() {
    if (this.paused) return;
    this.paused = true;
    this.emit('pause');
  }

  addEventListener(type: string, listener: () => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  /** Playback reaches `seconds` (timeupdate). */
  advanceTo(seconds: number) {
    this.currentTime = seconds;
    this.emit('timeupdate');
  }

  /** Playback reaches the end of the source. */
  reachEnd(seconds: number) {
    this.currentTime = seconds;
    this.emit('timeupdate');
    this.paused = true;
    this.emit('pause');
    this.emit('ended');
  }

  private emit(type: string) {
    for (const listener of this.listeners.get(type) ?? []) listener();
  }
}

/** localStorage's behaviour for the keys the player uses (strings in, strings out), kept in memory. */
export class MemoryStorage {
  readonly values = new Map<string, string>();
  getItem(key: string) {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.values.set(key, String(value));
  }
}
