import { readFile } from 'node:fs/promises';
import { AppError } from '../../shared/ipc/errors';
import type { MessageRow, UserConnection } from '../backend/backend-port';
import type { ServerMessage } from '../store';
import {
  OutboxTransportError,
  type FileUpload,
  type OutboxTransport,
  type ReviewAudioRequest,
  type ReviewAudioResult,
  type SendMessageRequest,
} from '../outbox';

export const toServerMessage = (row: MessageRow): ServerMessage => ({ ...row, senderId: row.senderId ?? '' });

/** Refusals become permanent or transient outbox errors; anything unclassified stays transient (network). */
function classify(error: unknown): never {
  if (error instanceof AppError) {
    throw new OutboxTransportError({
      code: error.code,
      messageKey: error.messageKey,
      permanent: error.permanent ?? false,
      cause: error,
    });
  }
  throw error;
}

const isAlreadyUploaded = (error: unknown) =>
  error instanceof AppError && (error.code === 'storage.already_exists' || error.code === 'backend.duplicate');

/**
 * The outbox's view of a signed-in user's backend connection. Keeps the outbox's contract: uploads may be
 * repeated after a crash (the object already being there is success; send_message then checks its owner),
 * sends are idempotent on client_message_id, and "someone else decided first" is an outcome, not an error.
 */
export function createOutboxTransport(connection: UserConnection): OutboxTransport {
  return {
    async uploadFile(upload: FileUpload) {
      const storagePath = `${upload.sessionId}/${upload.clientMessageId}/${upload.fileName}`;
      const bytes = new Uint8Array(await readFile(upload.localPath));
      try {
        await connection.uploadFile(storagePath, bytes, upload.mimeType);
      } catch (error) {
        if (!isAlreadyUploaded(error)) classify(error);
      }
      return { storagePath };
    },

    async sendMessage(message: SendMessageRequest) {
      try {
        const row = await connection.sendMessage({
          sessionId: message.sessionId,
          clientMessageId: message.clientMessageId,
          type: message.type,
          body: message.body,
          replyTo: message.replyTo,
          ...(message.storagePath
            ? {
                file: {
                  storagePath: message.storagePath,
                  mimeType: message.mimeType ?? 'application/octet-stream',
                  sizeBytes: message.sizeBytes ?? 0,
                  durationMs: message.durationMs,
                  waveform: message.waveform,
                },
              }
            : {}),
        });
        return toServerMessage(row);
      } catch (error) {
        return classify(error);
      }
    },

    async reviewAudio(review: ReviewAudioRequest): Promise<ReviewAudioResult> {
      try {
        const row = await connection.reviewAudio(review.messageId, review.decision === 'approve' ? 'approve' : 'reject', review.reason ?? undefined);
        return { outcome: 'applied', reviewedAt: row.reviewedAt ?? new Date().toISOString() };
      } catch (error) {
        if (error instanceof AppError && error.messageKey === 'review.already_decided') {
          const params = error.params ?? {};
          const reviewedBy = typeof params.reviewed_by === 'string' ? params.reviewed_by : null;
          const status = typeof params.status === 'string' ? params.status : null;
          const decision = status === 'approved' ? 'approve' : status === 'rejected' ? 'reject' : null;
          // Our own earlier attempt (lost in a crash before we recorded it) is not "someone else".
          if (reviewedBy === connection.userId && decision === review.decision) {
            return { outcome: 'applied', reviewedAt: typeof params.reviewed_at === 'string' ? params.reviewed_at : new Date().toISOString() };
          }
          return {
            outcome: 'already_decided',
            decision,
            reviewedBy,
            reviewedAt: typeof params.reviewed_at === 'string' ? params.reviewed_at : null,
          };
        }
        return classify(error);
      }
    },
  };
}
