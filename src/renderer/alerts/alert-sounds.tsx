import { useEffect } from 'react';
import type { EventPayload } from '../../shared/ipc/contract';
import type { ConsoleClient } from '../bridge/console-client';

export type PlayableSound = EventPayload<'alerts.sound'>['sound'];

/** Plays a message alert sound once (files under public/sounds/, made by scripts/render-alert-sounds.mjs). */
export function playAlertSound(sound: PlayableSound, volumePercent: number): void {
  const audio = new Audio(`./sounds/${sound}.wav`);
  audio.volume = Math.min(1, Math.max(0, volumePercent / 100));
  // Autoplay may be refused before the user has interacted with the page; the notification still shows.
  void audio.play().catch(() => {});
}

/**
 * The main process decides when a message alert or a reply reminder sounds (and which sound, how loud);
 * the renderer plays it, as it plays the siren: the main process has no audio output of its own.
 */
export function AlertSounds({ client }: { client: ConsoleClient }) {
  useEffect(() => client.on('alerts.sound', ({ sound, volume }) => playAlertSound(sound, volume)), [client]);
  return null;
}
