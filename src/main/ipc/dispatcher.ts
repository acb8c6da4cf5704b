import type { z } from 'zod';
import {
  events,
  isEventName,
  isRequestName,
  requests,
  type EventName,
  type EventPayload,
  type RequestName,
  type RequestOutput,
} from '../../shared/ipc/contract';
import { AppError, IPC_ERROR, type Envelope, type IpcError } from '../../shared/ipc/errors';

export type RequestHandler<K extends RequestName, Ctx> = (
  input: z.output<(typeof requests)[K]['input']>,
  ctx: Ctx,
) => Promise<RequestOutput<K>> | RequestOutput<K>;

export type RequestHandlers<Ctx> = { [K in RequestName]: RequestHandler<K, Ctx> };

export interface DispatcherOptions {
  /** Where unexpected failures are reported; their details never reach the renderer. */
  onInternalError?: (name: string, error: unknown) => void;
}

const issuesOf = (error: z.ZodError): NonNullable<IpcError['issues']> =>
  error.issues.slice(0, 50).map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));

/**
 * Turns the handler table into one function that every transport (Electron's ipcMain, the web
 * shell's WebSocket) calls. It never throws: whatever goes wrong becomes a typed error envelope.
 */
export function createDispatcher<Ctx>(handlers: RequestHandlers<Ctx>, options: DispatcherOptions = {}) {
  return async function dispatch(name: unknown, input: unknown, ctx: Ctx): Promise<Envelope<unknown>> {
    if (!isRequestName(name)) {
      return {
        ok: false,
        error: { ...IPC_ERROR.unknownRequest, params: { name: String(name).slice(0, 64) } },
      };
    }
    const spec = requests[name];
    const parsedInput = spec.input.safeParse(input);
    if (!parsedInput.success) {
      return { ok: false, error: { ...IPC_ERROR.invalidInput, params: { name }, issues: issuesOf(parsedInput.error) } };
    }
    let output: unknown;
    try {
      const handler = handlers[name] as RequestHandler<RequestName, Ctx>;
      output = await handler(parsedInput.data as never, ctx);
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error: error.toIpcError() };
      options.onInternalError?.(name, error);
      return { ok: false, error: { ...IPC_ERROR.internal, params: { name } } };
    }
    const parsedOutput = spec.output.safeParse(output);
    if (!parsedOutput.success) {
      options.onInternalError?.(name, parsedOutput.error);
      return { ok: false, error: { ...IPC_ERROR.invalidOutput, params: { name } } };
    }
    return { ok: true, value: parsedOutput.data };
  };
}

export type Dispatch<Ctx> = ReturnType<typeof createDispatcher<Ctx>>;

/**
 * Validates an event against the contract before it leaves the main process, so a renderer
 * never receives a payload its types do not describe.
 */
export function validateEvent<K extends EventName>(name: K, payload: EventPayload<K>): EventPayload<K> {
  if (!isEventName(name)) throw new Error(`Unknown event "${String(name)}": add it to the IPC contract first.`);
  return events[name].parse(payload) as EventPayload<K>;
}
