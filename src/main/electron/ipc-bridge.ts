import { ipcMain, type WebContents, type WebFrameMain } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../shared/ipc/channels';
import { IPC_ERROR, type Envelope } from '../../shared/ipc/errors';
import type { ConsoleCore } from '../core/console-core';
import { isTrustedRendererUrl } from '../security/url-policy';

function isTrustedSender(frame: WebFrameMain | null): boolean {
  // Only the app's own top-level document may call in; subframes and foreign pages are refused.
  return !!frame && frame.parent === null && isTrustedRendererUrl(frame.url);
}

/** Carries the contract between one window's renderer and its core. */
export function bridgeWindow(contents: WebContents, core: ConsoleCore): () => void {
  const detach = core.events.attach((name, payload) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, { name, payload });
  });
  return detach;
}

/** One handler for every request: the dispatcher validates name, input and output from the contract. */
export function registerInvokeHandler(coreFor: (contents: WebContents) => ConsoleCore | undefined): void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, message: unknown): Promise<Envelope<unknown>> => {
    if (!isTrustedSender(event.senderFrame)) return { ok: false, error: IPC_ERROR.untrustedSender };
    const core = coreFor(event.sender);
    if (!core) return { ok: false, error: IPC_ERROR.untrustedSender };
    if (typeof message !== 'object' || message === null) return { ok: false, error: IPC_ERROR.malformedFrame };
    const { name, input } = message as { name?: unknown; input?: unknown };
    return core.dispatch(name, input, { origin: `webContents:${event.sender.id}` });
  });
}
