import type { IpcError } from '../../shared/ipc/errors';
import { RequestFailed } from '../bridge/console-client';

export const toIpcError = (failure: unknown): IpcError =>
  failure instanceof RequestFailed ? failure.error : { code: 'ipc.internal', messageKey: 'errors.ipc.internal' };
