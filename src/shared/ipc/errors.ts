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

// Kept in a module of its own, free of zod, so that what starts first (the shells' start-up) can throw it without
// loading zod's schemas.
export { AppError } from './app-error';

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export const envelopeSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ipcErrorSchema }),
]);
