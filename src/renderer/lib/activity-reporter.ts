/**
 * The page's own activity, for presence (the main process decides idle against console.presence.idle_minutes):
 * `send` gets the seconds since the last input event in the page. Input is reported at once after a quiet spell
 * and at most every `throttleMs` while it goes on; coming into view counts as input; a report also goes out every
 * `periodMs`, so the main process learns of a long quiet even where its own clock cannot see the page's.
 */
export function reportActivity(send: (idleSeconds: number) => void, { throttleMs = 5_000, periodMs = 30_000 } = {}): () => void {
  let lastInput = Date.now();
  let lastSent = 0;
  const sendNow = () => {
    const now = Date.now();
    lastSent = now;
    send(Math.max(0, Math.floor((now - lastInput) / 1000)));
  };
  const onInput = () => {
    const now = Date.now();
    const quietFor = now - lastInput;
    lastInput = now;
    if (quietFor >= throttleMs || now - lastSent >= throttleMs) sendNow();
  };
  const onVisibility = () => {
    if (document.visibilityState === 'visible') onInput();
  };
  const inputs = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;
  for (const name of inputs) window.addEventListener(name, onInput, { passive: true, capture: true });
  window.addEventListener('focus', onInput);
  document.addEventListener('visibilitychange', onVisibility);
  const timer = setInterval(sendNow, periodMs);
  sendNow();
  return () => {
    clearInterval(timer);
    for (const name of inputs) window.removeEventListener(name, onInput, { capture: true });
    window.removeEventListener('focus', onInput);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
