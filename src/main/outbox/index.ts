export { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
export { systemClock, type Clock, type TimerHandle } from './clock';
export { Outbox, toEntry, type OutboxOptions, type OutboxStore } from './outbox';
export {
  classifyTransportError,
  OutboxTransportError,
  type FileUpload,
  type OutboxErrorInfo,
  type OutboxTransport,
  type ReviewAudioRequest,
  type ReviewAudioResult,
  type SendMessageRequest,
} from './transport';
export {
  OutboxActionError,
  OutboxInputError,
  type EnqueueMessageInput,
  type EnqueueReviewInput,
  type FileSource,
  type OutboxEntry,
  type OutboxEvent,
  type OutboxListener,
} from './types';
export { OUTBOX_LIMITS, outboxLimitsFromSettings, type OutboxLimits } from './validate';
