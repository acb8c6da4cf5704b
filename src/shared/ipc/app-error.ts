import type { IpcError } from './errors';

/**
 * Thrown by main-process code to send a specific, translatable failure to the renderer.
 * Anything else a handler throws is reported as `ipc.internal` without its message, so
 * internals (SQL, paths, tokens) never reach the renderer.
 */
export class AppError extends Error {
  readonly code: string;
  readonly messageKey: string;
  readonly params: IpcError['params'];
  readonly permanent: boolean | undefined;

  constructor(
    spec: Pick<IpcError, 'code' | 'messageKey'>,
    options: { params?: IpcError['params']; permanent?: boolean; cause?: unknown; detail?: string } = {},
  ) {
    super(options.detail ?? `${spec.code}: ${spec.messageKey}`, { cause: options.cause });
    this.name = 'AppError';
    this.code = spec.code;
    this.messageKey = spec.messageKey;
    this.params = options.params;
    this.permanent = options.permanent;
  }

  toIpcError(): IpcError {
    return {
      code: this.code,
      messageKey: this.messageKey,
      ...(this.params ? { params: this.params } : {}),
      ...(this.permanent === undefined ? {} : { permanent: this.permanent }),
    };
  }
}
