import { z } from 'zod';

/**
 * Every failure that crosses the IPC boundary has this shape. `code` is stable and machine-readable;
 * `messageKey` is what the renderer translates (see src/renderer/i18n). Transport-level codes are
 * listed here; domain codes (for example the SQL layer's `SA429`) travel in the same shape.
 */
export const ipcErrorSchema = z.object({
  code: z.string().min(1).max(64),
  messageKey: z.string().min(1).max(128),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).max(50).optional(),
  permanent: z.boolean().optional(),
});
export type IpcError = z.infer<typeof ipcErrorSchema>;

// Kept in a zod-free module so the renderer can name them without bundling zod (whose JIT probe,
// `new Function("")`, is a CSP violation under script-src 'self').
export { IPC_ERROR } from './error-codes';

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

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export const envelopeSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ipcErrorSchema }),
]);
