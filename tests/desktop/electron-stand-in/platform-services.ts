import { EventEmitter } from 'node:events';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { called, config, notify, requireReady, state, violation } from './runtime';

/**
 * Stands in for safeStorage, dialog, shell, net, powerMonitor and Notification, with the rules Electron 41
 * applies (shell/browser/api/electron_api_safe_storage.cc, lib/browser/api/dialog.ts, net.ts):
 * - safeStorage on Linux reports no encryption before ready, and `encryptString` / `decryptString` throw
 *   "safeStorage cannot be used before app is ready"; where no keyring exists (STANDIN_SAFE_STORAGE=
 *   unavailable or basic_text) they throw "Encryption is not available"; the selected backend is
 *   'unknown' before ready and 'basic_text' where Chromium falls back to its built-in password.
 * - dialog: only showErrorBox may be used before ready.
 * - net.request before ready throws; Notification cannot be created before ready.
 */

// The stand-in's "keyring": a fixed key, so a file written in one run decrypts in the next.
const KEY = createHash('sha256').update('samia stand-in keyring').digest();
let plainTextEncryption = false;

function encryptionAvailable(): boolean {
  if (config.platform === 'linux' && !state.ready) return false;
  if (config.safeStorage === 'available') return true;
  return config.safeStorage === 'basic_text' && plainTextEncryption;
}

const prefix = () => (config.platform === 'linux' ? 'v11' : 'v10');

const safeStorageBase = {
  isEncryptionAvailable(): boolean {
    called('safeStorage.isEncryptionAvailable');
    return encryptionAvailable();
  },
  setUsePlainTextEncryption(use: boolean): void {
    plainTextEncryption = use;
  },
  encryptString(plainText: string): Buffer {
    called('safeStorage.encryptString');
    if (!encryptionAvailable()) {
      if (!state.ready) throw violation('safeStorage cannot be used before app is ready');
      throw new Error('Error while encrypting the text provided to safeStorage.encryptString. Encryption is not available.');
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', KEY, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from(prefix()), iv, cipher.getAuthTag(), body]);
  },
  decryptString(encrypted: Buffer): string {
    called('safeStorage.decryptString');
    if (!encryptionAvailable()) {
      if (!state.ready) throw violation('safeStorage cannot be used before app is ready');
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString. Decryption is not available.');
    }
    if (!Buffer.isBuffer(encrypted)) throw new Error('Expected the first argument of decryptString() to be a buffer');
    if (encrypted.length === 0) return '';
    const head = encrypted.subarray(0, 3).toString();
    if (head !== 'v10' && head !== 'v11') {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString. Ciphertext does not appear to be encrypted.');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', KEY, encrypted.subarray(3, 15));
      decipher.setAuthTag(encrypted.subarray(15, 31));
      return Buffer.concat([decipher.update(encrypted.subarray(31)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    }
  },
};

/** getSelectedStorageBackend exists on Linux only, as in Electron. */
export const safeStorage: typeof safeStorageBase & { getSelectedStorageBackend?: () => string } =
  config.platform === 'linux'
    ? {
        ...safeStorageBase,
        getSelectedStorageBackend(): string {
          called('safeStorage.getSelectedStorageBackend');
          if (!state.ready) return 'unknown';
          return config.safeStorage === 'available' ? 'gnome_libsecret' : 'basic_text';
        },
      }
    : safeStorageBase;

const requireDialogReady = () => {
  if (!state.ready) throw violation('dialog module can only be used after app is ready');
};

export const dialog = {
  showErrorBox(title: string, content: string): void {
    called('dialog.showErrorBox');
    if (typeof title !== 'string' || typeof content !== 'string') throw violation("'title' and 'content' must be defined", TypeError);
    state.dialogs.push({ title, content });
    notify({ event: 'dialog', title, content });
    // Where Electron has no display it prints the box to stderr; the stand-in always does, for the test log.
    console.error(`[stand-in dialog] ${title}: ${content}`);
  },
  // Electron checks readiness synchronously, before returning the promise.
  showMessageBox(options: { message?: string; title?: string }): Promise<{ response: number; checkboxChecked: boolean }> {
    called('dialog.showMessageBox');
    requireDialogReady();
    state.dialogs.push({ title: options.title ?? '', content: options.message ?? '' });
    return Promise.resolve({ response: 0, checkboxChecked: false });
  },
  showOpenDialog(): Promise<{ canceled: boolean; filePaths: string[] }> {
    requireDialogReady();
    return Promise.resolve({ canceled: true, filePaths: [] });
  },
  showSaveDialog(): Promise<{ canceled: boolean; filePath: string }> {
    requireDialogReady();
    return Promise.resolve({ canceled: true, filePath: '' });
  },
};

export const shell = {
  async openExternal(url: string): Promise<void> {
    called('shell.openExternal');
    state.openedExternal.push(url);
  },
  async openPath(target: string): Promise<string> {
    state.openedExternal.push(target);
    return '';
  },
  showItemInFolder(target: string): void {
    state.openedExternal.push(target);
  },
};

export const net = {
  isOnline(): boolean {
    return true;
  },
  get online(): boolean {
    return true;
  },
  request(): never {
    requireReady('net.request', 'net module can only be used after app is ready');
    throw violation('stand-in: the main process made a network request through net.request');
  },
  fetch(): never {
    throw violation('stand-in: the main process made a network request through net.fetch');
  },
};

/**
 * powerMonitor as Electron 41 has it (lib/browser/api/power-monitor.ts, shell/browser/api/electron_api_power_monitor.cc):
 * - usable before `ready`: Electron 25 dropped that requirement (electron/electron#37937, whose spec "is usable
 *   before app ready" reads getSystemIdleTime() at boot), so the stand-in does not refuse it either; every call is
 *   recorded with whether the app was ready, so a suite can check where the app uses it;
 * - getSystemIdleState(threshold) throws TypeError "Invalid idle threshold, must be greater than 0" for a threshold
 *   of 0 or less, and answers 'active', 'idle' or 'locked' ('locked' where the OS reports it);
 * - 'lock-screen' / 'unlock-screen' are emitted on macOS and Windows only; 'suspend' / 'resume' everywhere.
 * The driver sets the idle time and the lock, and emits the events (the `power` command).
 */
export const power = { idleSeconds: 0, locked: false };

class StandInPowerMonitor extends EventEmitter {
  constructor() {
    super();
    this.on('newListener', (event: string) => called(`powerMonitor.on(${event})`));
  }

  getSystemIdleState(idleThreshold: number): 'active' | 'idle' | 'locked' {
    called('powerMonitor.getSystemIdleState');
    if (!(idleThreshold > 0)) throw violation('Invalid idle threshold, must be greater than 0', TypeError);
    if (power.locked) return 'locked';
    return power.idleSeconds >= idleThreshold ? 'idle' : 'active';
  }

  getSystemIdleTime(): number {
    called('powerMonitor.getSystemIdleTime');
    return power.idleSeconds;
  }

  isOnBatteryPower(): boolean {
    return false;
  }

  /** The OS, as the driver plays it: lock-screen and unlock-screen exist on macOS and Windows only. */
  simulate(event: 'lock-screen' | 'unlock-screen' | 'suspend' | 'resume'): boolean {
    if ((event === 'lock-screen' || event === 'unlock-screen') && config.platform === 'linux') return false;
    if (event === 'lock-screen') power.locked = true;
    if (event === 'unlock-screen') power.locked = false;
    this.emit(event);
    return true;
  }
}

export const powerMonitor = new StandInPowerMonitor();

export class Notification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }

  constructor(readonly options: Record<string, unknown> = {}) {
    super();
    requireReady('new Notification', 'Cannot create Notification before app is ready');
  }

  show(): void {}

  close(): void {
    this.emit('close', {});
  }
}

export const screen = {
  getPrimaryDisplay() {
    requireReady('screen.getPrimaryDisplay', "The 'screen' module can't be used before the app 'ready' event");
    return { workAreaSize: { width: 1920, height: 1080 }, scaleFactor: 1 };
  },
};
