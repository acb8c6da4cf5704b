import { useEffect, useState } from 'react';
import type { ConsoleClient } from '../bridge/console-client';

/** The console limits the renderer checks before queuing anything; the server checks them again. */
export interface ConsoleLimits {
  /** console.message.max_body_length: characters (code points, as SQL's char_length counts) of a message or caption. */
  messageMaxChars: number;
  audioMaxDurationMs: number;
  audioMaxBytes: number;
  imageMaxBytes: number;
  fileMaxBytes: number;
  audioMimeTypes: ReadonlySet<string>;
  imageMimeTypes: ReadonlySet<string>;
  fileMimeTypes: ReadonlySet<string>;
  /** False while settings.get has not answered: the values are the conservative fallbacks below. */
  fromServer: boolean;
}

/** Used only until settings.get answers (or if it cannot): tighter than the migrations' defaults, never looser. */
export const FALLBACK_LIMITS: ConsoleLimits = {
  messageMaxChars: 4000,
  audioMaxDurationMs: 10 * 60_000,
  audioMaxBytes: 20 * 1024 * 1024,
  imageMaxBytes: 20 * 1024 * 1024,
  fileMaxBytes: 20 * 1024 * 1024,
  audioMimeTypes: new Set(['audio/webm', 'audio/ogg', 'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/wav']),
  imageMimeTypes: new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']),
  fileMimeTypes: new Set(['application/pdf', 'text/plain']),
  fromServer: false,
};

const positive = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback);
const mimeSet = (value: unknown, fallback: ReadonlySet<string>) =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? new Set(value.map((v: string) => v.trim().toLowerCase()).filter(Boolean)) : fallback;

/** Keys as in supabase/migrations/20261124000300_app_settings.sql; a missing or malformed one keeps its fallback. */
export function limitsFromSettings(settings: Readonly<Record<string, unknown>>): ConsoleLimits {
  return {
    messageMaxChars: positive(settings['console.message.max_body_length'], FALLBACK_LIMITS.messageMaxChars),
    audioMaxDurationMs: positive(settings['console.audio.max_duration_ms'], FALLBACK_LIMITS.audioMaxDurationMs),
    audioMaxBytes: positive(settings['console.audio.max_size_bytes'], FALLBACK_LIMITS.audioMaxBytes),
    imageMaxBytes: positive(settings['console.image.max_size_bytes'], FALLBACK_LIMITS.imageMaxBytes),
    fileMaxBytes: positive(settings['console.file.max_size_bytes'], FALLBACK_LIMITS.fileMaxBytes),
    audioMimeTypes: mimeSet(settings['console.audio.mime_types'], FALLBACK_LIMITS.audioMimeTypes),
    imageMimeTypes: mimeSet(settings['console.image.mime_types'], FALLBACK_LIMITS.imageMimeTypes),
    fileMimeTypes: mimeSet(settings['console.file.mime_types'], FALLBACK_LIMITS.fileMimeTypes),
    fromServer: true,
  };
}

// Last answer per connection: a composer opened later starts from it instead of the fallbacks.
const lastKnown = new WeakMap<ConsoleClient, ConsoleLimits>();

/** The limits from settings.get, fetched whenever a component using them mounts (a super admin may have changed them). */
export function useConsoleLimits(client: ConsoleClient): ConsoleLimits {
  const [limits, setLimits] = useState<ConsoleLimits>(() => lastKnown.get(client) ?? FALLBACK_LIMITS);
  useEffect(() => {
    let live = true;
    client
      .call('settings.get', {})
      .then(({ settings }) => {
        if (!settings || typeof settings !== 'object') return;
        const next = limitsFromSettings(settings);
        lastKnown.set(client, next);
        if (live) setLimits(next);
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [client]);
  return limits;
}

/** Characters as the server counts them (code points): an emoji is one, not two UTF-16 units. */
export const characterCount = (text: string) => {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
};

/** Bytes as the user reads them: KB under a megabyte, MB above, at most one decimal. */
export function sizeParts(bytes: number): { unit: 'kb' | 'mb'; value: number } {
  if (bytes < 1024 * 1024) return { unit: 'kb', value: Math.max(1, Math.round(bytes / 1024)) };
  return { unit: 'mb', value: Math.round((bytes / (1024 * 1024)) * 10) / 10 };
}
