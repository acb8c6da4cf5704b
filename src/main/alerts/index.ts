export type {
  AlertActivation,
  AlertNotification,
  AlertPlatform,
  AlertRendererEmit,
  AlertRendererEventName,
  AlertRendererEvents,
  AlertUrgency,
  EmergencyAlertState,
  EmergencyModalReason,
  EmergencyModalState,
  EmergencyView,
  MessageSound,
  OpenEmergencyState,
  PlayableSound,
  SirenCommand,
  SoundCommand,
} from './alert-platform';
export { MESSAGE_SOUNDS } from './alert-platform';
export {
  AlertCenter,
  ALERT_TIMINGS,
  DEFAULT_ALERT_PREFERENCES,
  REMINDER_REPEAT_BOUNDS,
  type AlertCenterOptions,
  type AlertMessageType,
  type AlertPreferences,
  type AlertPrivacy,
  type EmergencyAlertInput,
  type IncomingMessageAlert,
  type NoteMentionAlert,
  type SessionTriageAlert,
  type WaitingClient,
} from './alert-center';
export { doNotDisturbActive, inSchedule, nextPlanChange, type DoNotDisturbPlan } from './quiet-hours';
export { ALERT_LANGUAGES, ALERT_STRINGS, alertText, formatDuration, type AlertLanguage, type AlertStringKey } from './alert-strings';
export {
  HeadlessAlertPlatform,
  type AlertRecord,
  type AlertRecordKind,
  type HeadlessAlertPlatformOptions,
  type RecordedNotification,
} from './headless-alert-platform';
