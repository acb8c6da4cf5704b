/** The transport-level error codes and their message keys (see errors.ts for the error shape). */
export const IPC_ERROR = {
  invalidInput: { code: 'ipc.invalid_input', messageKey: 'errors.ipc.invalid_input' },
  invalidOutput: { code: 'ipc.invalid_output', messageKey: 'errors.ipc.invalid_output' },
  unknownRequest: { code: 'ipc.unknown_request', messageKey: 'errors.ipc.unknown_request' },
  untrustedSender: { code: 'ipc.untrusted_sender', messageKey: 'errors.ipc.untrusted_sender' },
  malformedFrame: { code: 'ipc.malformed_frame', messageKey: 'errors.ipc.malformed_frame' },
  internal: { code: 'ipc.internal', messageKey: 'errors.ipc.internal' },
  disconnected: { code: 'ipc.disconnected', messageKey: 'errors.ipc.disconnected' },
  notAvailable: { code: 'app.not_available', messageKey: 'errors.app.not_available' },
} as const satisfies Record<string, { code: string; messageKey: string }>;
