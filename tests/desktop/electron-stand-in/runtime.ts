import { writeFileSync } from 'node:fs';
import type { StandInEvent, StandInReport } from './protocol';

/**
 * The stand-in's process-wide state: what the "browser" knows (ready or not, quitting, the windows), what
 * the app asked of it, and every rule of Electron's it broke. One instance per process, as Electron has one
 * browser process; shared by every module of the stand-in through this file.
 */

/** Set by the launcher (the stand-in binary) from its command line and the layout it found. */
export interface LaunchFacts {
  appPath: string;
  isPackaged: boolean;
  resourcesPath: string;
  userData: string;
  appName: string;
  appVersion: string;
  reportFile: string | null;
}

export type SafeStorageMode = 'available' | 'unavailable' | 'basic_text';

export const config = {
  /** The OS the app is told it runs on (Electron's platform-only APIs follow it). */
  platform: (process.env.STANDIN_PLATFORM as NodeJS.Platform | undefined) ?? process.platform,
  safeStorage: (process.env.STANDIN_SAFE_STORAGE as SafeStorageMode | undefined) ?? 'available',
  electronVersion: process.env.STANDIN_ELECTRON_VERSION ?? '0.0.0',
};

export const state = {
  ready: false,
  /** Electron's is_quitting_: set by quit() until a will-quit listener cancels it. */
  quitting: false,
  /** exit() or the end of a quit: nothing is emitted any more. */
  shutDown: false,
  launch: null as LaunchFacts | null,
  violations: [] as string[],
  calls: [] as { api: string; ready: boolean }[],
  lifecycle: [] as string[],
  uncaught: [] as string[],
  dialogs: [] as { title: string; content: string }[],
  openedExternal: [] as string[],
  appUserModelId: null as string | null,
  nativeAddons: [] as string[],
  exitCode: null as number | null,
};

export function launchFacts(): LaunchFacts {
  if (!state.launch) throw new Error('stand-in: the launcher has not set the app up yet');
  return state.launch;
}

/** Records a call, so the report shows what ran before and after ready. */
export function called(api: string): void {
  state.calls.push({ api, ready: state.ready });
}

/** A rule of Electron's the app broke: recorded for the report, and thrown as Electron throws it. */
export function violation(message: string, ErrorType: ErrorConstructor = Error): Error {
  state.violations.push(message);
  return new ErrorType(message);
}

/** Electron APIs that exist only once the app is ready throw this (with Electron's own message) before. */
export function requireReady(api: string, message: string, ErrorType: ErrorConstructor = Error): void {
  called(api);
  if (!state.ready) throw violation(message, ErrorType);
}

export function lifecycle(step: string): void {
  state.lifecycle.push(step);
}

/** Tells the driver something happened (when there is one listening). */
export function notify(event: StandInEvent): void {
  if (process.connected) process.send?.(event);
}

let reportBuilder: (() => StandInReport) | null = null;
export function setReportBuilder(build: () => StandInReport): void {
  reportBuilder = build;
}

/** The report, written synchronously as the process ends, so nothing is lost to an exit in mid-flight. */
export function writeReport(): void {
  const file = state.launch?.reportFile;
  if (!file || !reportBuilder) return;
  writeFileSync(file, JSON.stringify(reportBuilder(), null, 2));
}

/** Node's own exit: Electron maps process.exit to app.exit, and the stand-in does too. */
export const nodeExit: (code?: number) => never = process.exit.bind(process);

export function endProcess(code: number): never {
  state.shutDown = true;
  state.exitCode = code;
  writeReport();
  return nodeExit(code);
}
