// The stable refusals of the backend: every rule in supabase/migrations raises
//   SQLSTATE = code ('SAnnn'), MESSAGE = key (translated by the console), DETAIL = JSON parameters.
// `permanent`: retrying the same request cannot succeed (the outbox shows it instead of retrying).
// `status`: the closest HTTP meaning, for logs and for transports that want one.
// tests/sql checks that every code raised by the SQL is listed here with the same key.

export interface BackendErrorSpec {
  code: `SA${number}`;
  key: string;
  permanent: boolean;
  status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 501;
  meaning: string;
}

export const BACKEND_ERRORS = [
  { code: 'SA400', key: 'request.invalid_argument', permanent: true, status: 422, meaning: 'an argument is outside what the RPC accepts (detail: argument, value, and min/max or reason)' },
  { code: 'SA401', key: 'auth.required', permanent: false, status: 401, meaning: 'not signed in (or the session expired): sign in again, then retry' },
  { code: 'SA402', key: 'auth.profile_missing', permanent: true, status: 403, meaning: 'signed in, but the user has no profile' },
  { code: 'SA404', key: 'chat.session_not_found', permanent: true, status: 404, meaning: 'no such session, or the caller is not a participant' },
  { code: 'SA405', key: 'chat.message_not_found', permanent: true, status: 404, meaning: 'no such message visible to the caller' },
  { code: 'SA406', key: 'emergency.call_not_found', permanent: true, status: 404, meaning: 'no such emergency visible to the caller' },
  { code: 'SA407', key: 'profile.user_not_found', permanent: true, status: 404, meaning: 'no such user' },
  { code: 'SA408', key: 'chat.read_rate_limited', permanent: false, status: 429, meaning: 'too many read marks in a rolling minute (detail: limit, window_seconds, retry_after_seconds)' },
  { code: 'SA409', key: 'chat.client_message_id_conflict', permanent: true, status: 409, meaning: 'the client_message_id is already the id of another user\'s message' },
  { code: 'SA410', key: 'chat.session_not_active', permanent: true, status: 409, meaning: 'the session is locked or ended' },
  { code: 'SA411', key: 'chat.not_sender', permanent: true, status: 403, meaning: 'only the sender may edit or delete a message' },
  { code: 'SA412', key: 'chat.edit_window_passed', permanent: true, status: 409, meaning: 'the edit/delete window has passed' },
  { code: 'SA413', key: 'chat.file_too_large', permanent: true, status: 413, meaning: 'the attachment exceeds the size limit for its type' },
  { code: 'SA414', key: 'chat.already_reviewed', permanent: true, status: 409, meaning: 'a reviewed voice note can no longer be edited or deleted' },
  { code: 'SA415', key: 'chat.mime_not_allowed', permanent: true, status: 415, meaning: 'the MIME type is not allowed for this message type' },
  { code: 'SA416', key: 'chat.message_deleted', permanent: true, status: 409, meaning: 'the message was deleted' },
  { code: 'SA417', key: 'chat.not_editable', permanent: true, status: 422, meaning: 'only text messages can be edited' },
  { code: 'SA418', key: 'chat.client_message_id_reused', permanent: true, status: 409, meaning: 'the client_message_id was already used for a different message' },
  { code: 'SA419', key: 'chat.invalid_cursor', permanent: true, status: 422, meaning: 'the change cursor is malformed or was issued by another database: start again with a null cursor and reload' },
  { code: 'SA420', key: 'chat.invalid_type', permanent: true, status: 422, meaning: 'message type must be text, audio, image or file' },
  { code: 'SA421', key: 'chat.body_required', permanent: true, status: 422, meaning: 'a text message needs a non-blank body' },
  { code: 'SA422', key: 'chat.body_too_long', permanent: true, status: 422, meaning: 'the body exceeds console.message.max_body_length' },
  { code: 'SA423', key: 'chat.attachment_required', permanent: true, status: 422, meaning: 'audio/image/file messages need an uploaded file' },
  { code: 'SA424', key: 'chat.unexpected_attachment', permanent: true, status: 422, meaning: 'a field that does not belong to this message type was given' },
  { code: 'SA425', key: 'chat.invalid_storage_path', permanent: true, status: 422, meaning: 'storage_path must be {session_id}/{client_message_id}/{file_name}' },
  { code: 'SA426', key: 'chat.file_not_uploaded', permanent: false, status: 422, meaning: 'the file is not in storage (yet): upload it, then retry' },
  { code: 'SA427', key: 'chat.file_metadata_mismatch', permanent: true, status: 422, meaning: 'size or MIME type differ from the stored file' },
  { code: 'SA428', key: 'chat.duration_required', permanent: true, status: 422, meaning: 'a voice note needs its duration' },
  { code: 'SA429', key: 'chat.rate_limited', permanent: false, status: 429, meaning: 'too many messages in a rolling minute; retry later (detail: limit, window_seconds, retry_after_seconds)' },
  { code: 'SA430', key: 'chat.duration_too_long', permanent: true, status: 422, meaning: 'the voice note exceeds console.audio.max_duration_ms' },
  { code: 'SA431', key: 'chat.edit_rate_limited', permanent: false, status: 429, meaning: 'too many edits in a rolling minute (detail: limit, window_seconds, retry_after_seconds)' },
  { code: 'SA432', key: 'chat.audio_rate_limited', permanent: false, status: 429, meaning: 'too many voice notes in a rolling minute; retry later (detail: limit, window_seconds, retry_after_seconds)' },
  { code: 'SA433', key: 'chat.session_quota_exceeded', permanent: false, status: 429, meaning: 'the session reached its quota of messages in a rolling 24 hours (detail: limit, window_seconds, retry_after_seconds)' },
  { code: 'SA434', key: 'chat.invalid_waveform', permanent: true, status: 422, meaning: 'waveform must be at most N peaks between 0 and 1' },
  { code: 'SA435', key: 'chat.invalid_reply', permanent: true, status: 422, meaning: 'reply_to is not a visible message of the same session' },
  { code: 'SA436', key: 'chat.invalid_size', permanent: true, status: 422, meaning: 'size_bytes must be a positive number' },
  { code: 'SA437', key: 'chat.client_message_id_required', permanent: true, status: 422, meaning: 'every send needs a client_message_id' },
  { code: 'SA438', key: 'chat.file_not_owned', permanent: true, status: 403, meaning: 'the stored file was not uploaded by the sender' },
  { code: 'SA439', key: 'chat.delete_rate_limited', permanent: false, status: 429, meaning: 'too many deletions in a rolling minute (detail: limit, window_seconds, retry_after_seconds)' },
  { code: 'SA440', key: 'review.forbidden', permanent: true, status: 403, meaning: 'only monitors, admins and super admins review voice notes' },
  { code: 'SA441', key: 'review.invalid_decision', permanent: true, status: 422, meaning: 'decision must be approve or reject' },
  { code: 'SA442', key: 'review.reason_required', permanent: true, status: 422, meaning: 'a rejection needs a reason' },
  { code: 'SA443', key: 'review.already_decided', permanent: true, status: 409, meaning: 'another reviewer decided first (detail: status, reviewed_by, reviewed_at)' },
  { code: 'SA444', key: 'review.not_reviewable', permanent: true, status: 409, meaning: 'the voice note is not pending (e.g. withdrawn)' },
  { code: 'SA445', key: 'moderation.forbidden', permanent: true, status: 403, meaning: 'only monitors, admins and super admins flag or unflag messages' },
  { code: 'SA446', key: 'moderation.reason_required', permanent: true, status: 422, meaning: 'flagging a message needs a non-blank reason' },
  { code: 'SA447', key: 'review.own_message', permanent: true, status: 403, meaning: 'nobody reviews their own voice note, whatever their role is now (four eyes)' },
  { code: 'SA448', key: 'request.text_too_long', permanent: true, status: 422, meaning: 'a reason or note exceeds console.message.max_note_length (detail: argument, length, max)' },
  { code: 'SA449', key: 'chat.typing_rate_limited', permanent: false, status: 429, meaning: 'too many typing signals in a rolling minute (detail: limit, window_seconds, retry_after_seconds)' },
  { code: 'SA450', key: 'emergency.clients_only', permanent: true, status: 403, meaning: 'only clients request emergencies' },
  { code: 'SA451', key: 'emergency.readers_only', permanent: true, status: 403, meaning: 'only readers accept emergencies' },
  { code: 'SA452', key: 'emergency.not_opted_in', permanent: true, status: 403, meaning: 'the reader has not opted in to emergencies' },
  { code: 'SA453', key: 'emergency.already_taken', permanent: true, status: 409, meaning: 'another reader accepted first, or the call is no longer open' },
  { code: 'SA454', key: 'emergency.staff_only', permanent: true, status: 403, meaning: 'only monitors, admins and super admins acknowledge escalations or advance emergencies' },
  { code: 'SA455', key: 'emergency.already_acknowledged', permanent: true, status: 409, meaning: 'someone already took charge of the call' },
  { code: 'SA456', key: 'emergency.invalid_state', permanent: true, status: 409, meaning: 'the call is not in a state that allows this step' },
  { code: 'SA457', key: 'emergency.note_required', permanent: true, status: 422, meaning: 'resolving needs a note' },
  { code: 'SA458', key: 'emergency.not_responsible', permanent: true, status: 403, meaning: 'only whoever accepted/acknowledged it, or an admin, resolves the call' },
  { code: 'SA459', key: 'emergency.invalid_transition', permanent: true, status: 409, meaning: 'a write to emergency_calls outside the state machine, by any role (detail: call_id, from, to)' },
  { code: 'SA460', key: 'profile.protected_column', permanent: true, status: 403, meaning: 'role, availability and emergency opt-in change only through RPCs' },
  { code: 'SA461', key: 'profile.invalid_availability', permanent: true, status: 422, meaning: 'availability must be online, busy, away or offline' },
  { code: 'SA462', key: 'profile.opt_in_readers_only', permanent: true, status: 403, meaning: 'only readers opt in to emergencies' },
  { code: 'SA463', key: 'role.forbidden', permanent: true, status: 403, meaning: 'only super admins change roles' },
  { code: 'SA464', key: 'role.invalid', permanent: true, status: 422, meaning: 'unknown role' },
  { code: 'SA465', key: 'role.last_super_admin', permanent: true, status: 409, meaning: 'the last super admin cannot be demoted' },
  { code: 'SA466', key: 'profile.display_name_too_long', permanent: true, status: 422, meaning: 'the display name exceeds console.profile.max_display_name_length (detail: length, max)' },
  { code: 'SA467', key: 'profile.invalid_language', permanent: true, status: 422, meaning: 'language must be ar or en' },
  { code: 'SA470', key: 'settings.unknown_key', permanent: true, status: 422, meaning: 'no such console.* setting' },
  { code: 'SA471', key: 'settings.invalid_value', permanent: true, status: 422, meaning: 'value outside the setting\'s type or bounds' },
  { code: 'SA472', key: 'settings.forbidden', permanent: true, status: 403, meaning: 'only super admins change console settings' },
  { code: 'SA480', key: 'audit.append_only', permanent: true, status: 403, meaning: 'audit_log rows are never changed or removed' },
  { code: 'SA490', key: 'session.forbidden', permanent: true, status: 403, meaning: 'the caller may not open/join this session' },
  { code: 'SA491', key: 'session.invalid_target', permanent: true, status: 422, meaning: 'staff open a support session with another, existing user' },
  { code: 'SA492', key: 'booking.unavailable', permanent: true, status: 501, meaning: 'this database has no bookings table' },
  { code: 'SA493', key: 'booking.not_found', permanent: true, status: 404, meaning: 'no such booking of the caller' },
  { code: 'SA494', key: 'booking.incomplete', permanent: true, status: 409, meaning: 'the booking has no client or no reader profile' },
  { code: 'SA495', key: 'storage.bucket_not_found', permanent: true, status: 404, meaning: 'no such storage bucket (embedded storage)' },
  { code: 'SA496', key: 'storage.file_too_large', permanent: true, status: 413, meaning: 'the file exceeds the bucket limit (embedded storage)' },
  { code: 'SA497', key: 'storage.mime_not_allowed', permanent: true, status: 415, meaning: 'the bucket does not accept this MIME type (embedded storage)' },
  // Internal notes and client history (..._internal_notes.sql, ..._client_history.sql).
  { code: 'SA560', key: 'note.forbidden', permanent: true, status: 403, meaning: 'only the session\'s reader and staff write internal notes (and see whom to mention)' },
  { code: 'SA561', key: 'note.too_many_mentions', permanent: true, status: 422, meaning: 'a note mentions at most 20 people (detail: count, max)' },
  { code: 'SA562', key: 'note.invalid_mention', permanent: true, status: 422, meaning: 'a mention names someone who may not read the note: only staff and the session\'s reader (detail: user_id)' },
  { code: 'SA563', key: 'history.client_not_found', permanent: true, status: 404, meaning: 'no such person, or not a client of the calling reader' },
  { code: 'SA564', key: 'history.forbidden', permanent: true, status: 403, meaning: 'clients do not read client histories' },
  { code: 'SA500', key: 'presence.not_chosen', permanent: true, status: 409, meaning: 'a console may show only the user\'s choice, away instead of online or busy, or offline (detail: availability, choice)' },
  { code: 'SA501', key: 'presence.staff_only', permanent: true, status: 403, meaning: 'only staff consoles and the scheduler run the presence sweep' },
  { code: 'SA530', key: 'figures.forbidden', permanent: true, status: 403, meaning: 'only admins and super admins see the reviewer and reader figures' },
  { code: 'SA531', key: 'audit.viewer_forbidden', permanent: true, status: 403, meaning: 'only admins and super admins read the audit log' },
  { code: 'SA532', key: 'figures.invalid_range', permanent: true, status: 422, meaning: 'the date range needs a start before its end (detail: from, to)' },
  { code: 'SA533', key: 'audit.invalid_cursor', permanent: true, status: 422, meaning: 'an audit-log page cursor needs both the created_at and the id of the last row' },
  { code: 'SA534', key: 'figures.too_many_rows', permanent: true, status: 422, meaning: 'a figure would have more than 1000 rows: choose a shorter range (detail: figure, rows, max)' },
  // Account management (supabase/migrations/..._account_admin.sql and supabase/functions/admin-accounts).
  { code: 'SA520', key: 'accounts.forbidden', permanent: true, status: 403, meaning: 'only super admins manage accounts; admins only create client, reader and monitor accounts (detail: role, action, target_role)' },
  { code: 'SA521', key: 'accounts.invalid_action', permanent: true, status: 422, meaning: 'unknown account action (detail: action, allowed)' },
  { code: 'SA523', key: 'accounts.own_account', permanent: true, status: 409, meaning: 'a super admin cannot disable their own account' },
  { code: 'SA524', key: 'accounts.first_run_done', permanent: true, status: 409, meaning: 'the first super admin exists already, or this backend does not create it (admin-accounts first_run)' },
  { code: 'SA525', key: 'accounts.metadata_not_updated', permanent: false, status: 500, meaning: 'the role changed (profiles, audited) but Auth did not take the app_metadata copy; retrying is safe' },
  { code: 'SA526', key: 'accounts.no_email', permanent: true, status: 409, meaning: 'the account has no email address to send a password reset to' },
  { code: 'SA527', key: 'accounts.unavailable', permanent: false, status: 500, meaning: 'the admin-accounts function failed unexpectedly (its log says why)' },
  { code: 'SA550', key: 'search.query_empty', permanent: true, status: 422, meaning: 'a search needs at least one word (spaces and punctuation alone match nothing)' },
  { code: 'SA551', key: 'search.query_too_long', permanent: true, status: 422, meaning: 'the search query exceeds 200 characters (detail: length, max)' },
  { code: 'SA552', key: 'search.too_many_terms', permanent: true, status: 422, meaning: 'the search query has more than 12 words (detail: terms, max)' },
  { code: 'SA510', key: 'review.claimed', permanent: false, status: 409, meaning: 'another reviewer holds a live claim on this voice note (detail: claimed_by, claimed_by_name, claimed_at, expires_at); it ends with their decision, their release or at expires_at' },
  { code: 'SA511', key: 'review.reasons_forbidden', permanent: true, status: 403, meaning: 'only admins and super admins manage the rejection reasons' },
  { code: 'SA512', key: 'review.reason_label_required', permanent: true, status: 422, meaning: 'a rejection reason needs a non-blank English and Arabic label (detail: missing)' },
  { code: 'SA513', key: 'review.reason_unknown', permanent: true, status: 404, meaning: 'no such rejection reason, or it is archived (detail: reason_id)' },
  { code: 'SA514', key: 'review.reason_duplicate', permanent: true, status: 409, meaning: 'a rejection reason with this English or Arabic label exists already' },
  { code: 'SA540', key: 'canned.forbidden', permanent: true, status: 403, meaning: 'clients have no canned replies' },
  { code: 'SA541', key: 'canned.shared_admins_only', permanent: true, status: 403, meaning: 'only admins and super admins write shared canned replies' },
  { code: 'SA542', key: 'canned.not_found', permanent: true, status: 404, meaning: 'no such canned reply the caller may change (detail: id)' },
  { code: 'SA543', key: 'canned.invalid', permanent: true, status: 422, meaning: 'a canned reply field outside its rule (detail: argument, reason)' },
  { code: 'SA544', key: 'canned.shortcut_taken', permanent: true, status: 409, meaning: 'the scope already has this shortcut in this language (detail: shortcut, language)' },
  { code: 'SA545', key: 'triage.invalid', permanent: true, status: 422, meaning: 'a triage argument outside its rule (detail: argument, reason)' },
  { code: 'SA546', key: 'triage.invalid_snooze', permanent: true, status: 422, meaning: 'a snooze ends at a time within 30 days or at the next message, not both (detail: reason)' },
  { code: 'SA547', key: 'dnd.invalid', permanent: true, status: 422, meaning: 'do-not-disturb: a timer within 7 days, a schedule of two different times with a time zone (detail: argument, reason)' },
] as const satisfies readonly BackendErrorSpec[];

export type BackendErrorCode = (typeof BACKEND_ERRORS)[number]['code'];
export type BackendErrorKey = (typeof BACKEND_ERRORS)[number]['key'];

const BY_CODE: ReadonlyMap<string, BackendErrorSpec> = new Map(BACKEND_ERRORS.map((e) => [e.code, e]));

/** The spec of an SQLSTATE raised by the backend, or undefined for anything else. */
export function backendErrorByCode(code: string | undefined): BackendErrorSpec | undefined {
  return code ? BY_CODE.get(code) : undefined;
}

/** Reads the JSON parameters a refusal carries in its DETAIL (empty object if none/invalid). */
export function parseBackendErrorDetail(detail: string | undefined | null): Record<string, unknown> {
  if (!detail) return {};
  try {
    const v: unknown = JSON.parse(detail);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
