import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DriverCommand, StandInEvent, StandInReply, StandInReport } from './electron-stand-in/protocol';

/**
 * Runs one app process under the stand-in Electron and talks to it over Node's IPC channel: commands
 * (what the user and the renderer do) and events (what happened). The driver waits on events; the only
 * clock is a generous deadline that turns a hang into a failure with a message instead of a stuck test.
 */

export interface LaunchOptions {
  standInDir: string;
  /** The executable the stand-in plays: `…/electron` for `electron .`, the packaged binary otherwise. */
  executable: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  report: StandInReport | null;
}

const HANG_DEADLINE_MS = 120_000;

export class StandInApp {
  readonly output: string[] = [];
  readonly events: StandInEvent[] = [];
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly waiters = new Set<() => void>();
  private nextId = 1;
  private ended = false;
  private readonly reportFile: string;
  private readonly scratch: string;

  private constructor(options: LaunchOptions) {
    this.scratch = mkdtempSync(path.join(os.tmpdir(), 'samia-stand-in-'));
    this.reportFile = path.join(this.scratch, 'report.json');
    this.child = spawn(
      process.execPath,
      ['--import', path.join(options.standInDir, 'register.mjs'), path.join(options.standInDir, 'launch.mjs'), ...options.args],
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env, STANDIN_EXECUTABLE: options.executable, STANDIN_REPORT: this.reportFile },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    for (const [stream, name] of [
      [this.child.stdout!, 'out'],
      [this.child.stderr!, 'err'],
    ] as const) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) this.output.push(`[${name}] ${line}`);
      });
    }
    this.child.on('message', (message: StandInReply | StandInEvent) => {
      if ('id' in message) {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.ok) waiting?.resolve(message.value);
        else waiting?.reject(new Error(message.error));
      } else {
        this.events.push(message);
        for (const wake of [...this.waiters]) wake();
      }
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.ended = true;
        for (const waiting of this.pending.values()) waiting.reject(new Error(`the app exited (code ${code}, signal ${signal}) before answering`));
        this.pending.clear();
        for (const wake of [...this.waiters]) wake();
        const report = existsSync(this.reportFile) ? (JSON.parse(readFileSync(this.reportFile, 'utf8')) as StandInReport) : null;
        rmSync(this.scratch, { recursive: true, force: true });
        resolve({ code, signal, report });
      });
    });
  }

  static launch(options: LaunchOptions): StandInApp {
    return new StandInApp(options);
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  request<T = unknown>(command: DriverCommand): Promise<T> {
    if (this.ended) return Promise.reject(new Error('the app has exited'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ ...command, id });
    });
  }

  state(): Promise<StandInReport & { heard: Record<string, { name: string; payload: unknown }[]> }> {
    return this.request({ cmd: 'state' });
  }

  /** Resolves with the first event (already seen or to come) that matches; rejects if the app exits first. */
  waitFor(what: string, matches: (event: StandInEvent) => boolean, from = 0): Promise<StandInEvent> {
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${HANG_DEADLINE_MS / 1000} s waiting for ${what} (the app hangs?)\n${this.tail()}`));
      }, HANG_DEADLINE_MS);
      const check = () => {
        const seen = this.events.slice(from);
        const found = seen.find(matches);
        // An exception nobody caught in the main process is a failure: Electron would show its error dialog.
        const uncaught = seen.find((event) => event.event === 'uncaught');
        if (found || uncaught || this.ended) {
          clearTimeout(deadline);
          this.waiters.delete(check);
          if (found) resolve(found);
          else if (uncaught) reject(new Error(`an exception was not caught in the main process while waiting for ${what}:\n${(uncaught as { message: string }).message}`));
          else reject(new Error(`the app exited while waiting for ${what}\n${this.tail()}`));
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for the process to end by itself (quit, exit), turning a hang into an error. */
  async waitForExit(what: string): Promise<Exit> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for the app to exit (${what})\n${this.tail()}`)), HANG_DEADLINE_MS);
    });
    try {
      return await Promise.race([this.exited, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (!this.ended) this.child.kill('SIGKILL');
  }

  tail(lines = 40): string {
    return this.output.slice(-lines).join('\n');
  }
}
