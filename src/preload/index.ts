import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../shared/ipc/channels';
import type { SamiaBridge } from '../shared/ipc/bridge-api';

// Exposes exactly the contract's two verbs. No ipcRenderer, no Node, no channel names reach the page;
// the main process validates every name and payload, so the preload only carries them.
const bridge: SamiaBridge = {
  invoke: (name, input) => ipcRenderer.invoke(INVOKE_CHANNEL, { name, input }),
  on: (name, listener) => {
    const relay = (_event: IpcRendererEvent, message: { name: string; payload: unknown }) => {
      if (message?.name === name) listener(message.payload as never);
    };
    ipcRenderer.on(EVENT_CHANNEL, relay);
    return () => {
      ipcRenderer.off(EVENT_CHANNEL, relay);
    };
  },
};

contextBridge.exposeInMainWorld('samia', bridge);
