/**
 * The texts of OS notifications, in the user's language. The renderer has its own i18n; these
 * strings exist because notifications are drawn by the OS from the main process, where the
 * renderer's catalogue is not available.
 */

export type AlertLanguage = 'ar' | 'en';

/** A text whose wording depends on a count; `other` is always required, the rest per language (Arabic has six forms). */
type PluralText = { other: string } & Partial<Record<Intl.LDMLPluralRule, string>>;

const en = {
  'app.name': 'SAMIA TAROT',
  'sender.unknown': 'Someone',
  'preview.text.empty': 'Message',
  'preview.voiceNote': 'Voice note',
  'preview.voiceNote.duration': 'Voice note ({duration})',
  'preview.image': 'Photo',
  'preview.file': 'File',
  'message.full.title': {
    one: '{sender}',
    other: '{sender} ({count} new messages)',
  },
  'message.sender.title': {
    one: 'New message from {sender}',
    other: '{count} new messages from {sender}',
  },
  'message.sender.body': 'Open the console to read.',
  'message.count.body': {
    one: '1 new message',
    other: '{count} new messages',
  },
  'emergency.title': 'Emergency call',
  'emergency.title.escalated': 'Emergency escalated (level {level})',
  'emergency.body.named': '{client} needs help now. Open the console to respond.',
  'emergency.body.anonymous': 'A client needs help now. Open the console to respond.',
  'reminder.title.named': '{client} is waiting for a reply',
  'reminder.title.anonymous': 'A client is waiting for a reply',
  'reminder.body': {
    one: 'Waiting for 1 minute; the reply target is {target} min.',
    other: 'Waiting for {count} minutes; the reply target is {target} min.',
  },
  'reminder.summary.title': {
    one: '1 client is waiting for a reply',
    other: '{count} clients are waiting for a reply',
  },
  'reminder.summary.body': {
    one: 'The longest has waited 1 minute; the reply target is {target} min.',
    other: 'The longest has waited {count} minutes; the reply target is {target} min.',
  },
  'note.mention.title': '{sender} mentioned you in an internal note',
  'note.mention.body.hidden': 'Open the console to read it.',
  'reviews.pending': {
    one: '1 voice note waiting for review',
    other: '{count} voice notes waiting for review',
  },
} satisfies Record<string, string | PluralText>;

export type AlertStringKey = keyof typeof en;
type Catalogue = { [K in AlertStringKey]: (typeof en)[K] extends string ? string : PluralText };

const ar: Catalogue = {
  'app.name': 'SAMIA TAROT',
  'sender.unknown': 'شخص ما',
  'preview.text.empty': 'رسالة',
  'preview.voiceNote': 'رسالة صوتية',
  'preview.voiceNote.duration': 'رسالة صوتية ({duration})',
  'preview.image': 'صورة',
  'preview.file': 'ملف',
  'message.full.title': {
    zero: '{sender}',
    one: '{sender}',
    two: '{sender} (رسالتان جديدتان)',
    few: '{sender} ({count} رسائل جديدة)',
    many: '{sender} ({count} رسالة جديدة)',
    other: '{sender} ({count} رسالة جديدة)',
  },
  'message.sender.title': {
    zero: 'لا رسائل جديدة من {sender}',
    one: 'رسالة جديدة من {sender}',
    two: 'رسالتان جديدتان من {sender}',
    few: '{count} رسائل جديدة من {sender}',
    many: '{count} رسالة جديدة من {sender}',
    other: '{count} رسالة جديدة من {sender}',
  },
  'message.sender.body': 'افتح وحدة التحكم للقراءة.',
  'message.count.body': {
    zero: 'لا رسائل جديدة',
    one: 'رسالة جديدة واحدة',
    two: 'رسالتان جديدتان',
    few: '{count} رسائل جديدة',
    many: '{count} رسالة جديدة',
    other: '{count} رسالة جديدة',
  },
  'emergency.title': 'مكالمة طوارئ',
  'emergency.title.escalated': 'تصعيد طوارئ (المستوى {level})',
  'emergency.body.named': '{client} بحاجة إلى مساعدة الآن. افتح وحدة التحكم للاستجابة.',
  'emergency.body.anonymous': 'عميل بحاجة إلى مساعدة الآن. افتح وحدة التحكم للاستجابة.',
  'reminder.title.named': '{client} ينتظر الرد',
  'reminder.title.anonymous': 'عميل ينتظر الرد',
  'reminder.body': {
    zero: 'ينتظر منذ أقل من دقيقة؛ هدف الرد {target} د.',
    one: 'ينتظر منذ دقيقة واحدة؛ هدف الرد {target} د.',
    two: 'ينتظر منذ دقيقتين؛ هدف الرد {target} د.',
    few: 'ينتظر منذ {count} دقائق؛ هدف الرد {target} د.',
    many: 'ينتظر منذ {count} دقيقة؛ هدف الرد {target} د.',
    other: 'ينتظر منذ {count} دقيقة؛ هدف الرد {target} د.',
  },
  'reminder.summary.title': {
    zero: 'لا عملاء ينتظرون الرد',
    one: 'عميل واحد ينتظر الرد',
    two: 'عميلان ينتظران الرد',
    few: '{count} عملاء ينتظرون الرد',
    many: '{count} عميلًا ينتظرون الرد',
    other: '{count} عميل ينتظرون الرد',
  },
  'reminder.summary.body': {
    zero: 'أطولهم انتظارًا منذ أقل من دقيقة؛ هدف الرد {target} د.',
    one: 'أطولهم انتظارًا منذ دقيقة واحدة؛ هدف الرد {target} د.',
    two: 'أطولهم انتظارًا منذ دقيقتين؛ هدف الرد {target} د.',
    few: 'أطولهم انتظارًا منذ {count} دقائق؛ هدف الرد {target} د.',
    many: 'أطولهم انتظارًا منذ {count} دقيقة؛ هدف الرد {target} د.',
    other: 'أطولهم انتظارًا منذ {count} دقيقة؛ هدف الرد {target} د.',
  },
  'note.mention.title': 'أشار إليك {sender} في ملاحظة داخلية',
  'note.mention.body.hidden': 'افتح الوحدة لقراءتها.',
  'reviews.pending': {
    zero: 'لا رسائل صوتية بانتظار المراجعة',
    one: 'رسالة صوتية واحدة بانتظار المراجعة',
    two: 'رسالتان صوتيتان بانتظار المراجعة',
    few: '{count} رسائل صوتية بانتظار المراجعة',
    many: '{count} رسالة صوتية بانتظار المراجعة',
    other: '{count} رسالة صوتية بانتظار المراجعة',
  },
};

export const ALERT_STRINGS: Readonly<Record<AlertLanguage, Catalogue>> = { en, ar };
export const ALERT_LANGUAGES: readonly AlertLanguage[] = ['en', 'ar'];

const pluralRules = {
  en: new Intl.PluralRules('en'),
  ar: new Intl.PluralRules('ar'),
} satisfies Record<AlertLanguage, Intl.PluralRules>;

export type AlertStringParams = Record<string, string | number>;

/**
 * The text for `key` in `language`, with `{name}` placeholders filled. Plural texts pick their form
 * from `params.count`. A missing parameter is a programming error and throws rather than showing `{name}`.
 */
export function alertText(language: AlertLanguage, key: AlertStringKey, params: AlertStringParams = {}): string {
  const entry: string | PluralText = ALERT_STRINGS[language][key];
  let template: string;
  if (typeof entry === 'string') {
    template = entry;
  } else {
    const count = params.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new TypeError(`Alert text "${key}" needs a non-negative integer "count", got ${String(count)}.`);
    }
    template = entry[pluralRules[language].select(count)] ?? entry.other;
  }
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`Alert text "${key}" needs the parameter "${name}".`);
    return String(value);
  });
}

/** Voice note length as the OS shows it: m:ss, or h:mm:ss for an hour or more. */
export function formatDuration(durationMs: number): string {
  const totalSeconds = Math.max(0, Math.round(durationMs / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}
