import { IntlMessageFormat } from 'intl-messageformat';

/**
 * ICU MessageFormat through intl-messageformat: plural and select rules per locale (Arabic has six plural
 * forms, English two), numbers in the locale's digits, and bidi isolation of what is inserted into a
 * sentence. React-free, so the catalog test and the components share it.
 */

export type Language = 'ar' | 'en';
export type MessageValue = string | number | boolean | Date;
export type MessageParams = Record<string, MessageValue>;

export const LOCALES: Record<Language, string> = { ar: 'ar-EG', en: 'en-GB' };

/** First strong isolate and pop directional isolate: text built as a string (options, titles) keeps its own direction. */
export const FSI = '\u2068';
export const PDI = '\u2069';
export const isolate = (text: string) => `${FSI}${text}${PDI}`;

/** What an ICU message expects of each argument, read from its syntax tree. */
export type ArgumentKind = 'text' | 'number' | 'date' | 'time' | 'select' | 'plural';

// Element types of @formatjs/icu-messageformat-parser's AST (its TYPE enum), as returned by getAst().
const AST = { literal: 0, argument: 1, number: 2, date: 3, time: 4, select: 5, plural: 6, pound: 7, tag: 8 } as const;
const KIND_BY_TYPE: Record<number, ArgumentKind> = {
  [AST.argument]: 'text',
  [AST.number]: 'number',
  [AST.date]: 'date',
  [AST.time]: 'time',
  [AST.select]: 'select',
  [AST.plural]: 'plural',
};

interface AstElement {
  type: number;
  value?: unknown;
  options?: Record<string, { value: AstElement[] }>;
  children?: AstElement[];
}

/** Every argument of a message with the kinds it is used as, and the categories of each plural/select. */
export interface MessageShape {
  args: Map<string, Set<ArgumentKind>>;
  /** "name" → the option keys of that plural or select ("one", "other", "=0", …). */
  branches: Map<string, Set<string>>;
}

export function shapeOf(ast: readonly AstElement[]): MessageShape {
  const shape: MessageShape = { args: new Map(), branches: new Map() };
  const walk = (elements: readonly AstElement[]) => {
    for (const element of elements) {
      const kind = KIND_BY_TYPE[element.type];
      if (kind && typeof element.value === 'string') {
        const kinds = shape.args.get(element.value) ?? new Set<ArgumentKind>();
        kinds.add(kind);
        shape.args.set(element.value, kinds);
      }
      if (element.options && typeof element.value === 'string') {
        const keys = shape.branches.get(element.value) ?? new Set<string>();
        for (const [key, option] of Object.entries(element.options)) {
          keys.add(key);
          walk(option.value);
        }
        shape.branches.set(element.value, keys);
      }
      if (element.children) walk(element.children);
    }
  };
  walk(ast);
  return shape;
}

export interface CompiledMessage {
  format: IntlMessageFormat;
  shape: MessageShape;
}

/** Parses a message once (throws on bad ICU syntax: the catalog test relies on it). */
export function compileMessage(message: string, locale: string): CompiledMessage {
  // Tags are not used for markup here: "<" in a sentence is text.
  const format = new IntlMessageFormat(message, locale, undefined, { ignoreTag: true });
  return { format, shape: shapeOf(format.getAst() as unknown as AstElement[]) };
}

export interface Formatter {
  readonly locale: string;
  /** A message as plain text: arguments inserted as they are (for aria-labels and attributes). */
  text(key: string, params?: MessageParams): string;
  /**
   * A message as parts, for rich rendering: `wrap` receives every text argument (names, user text) so the
   * caller can isolate it (React: a <bdi>; strings: FSI…PDI). Numbers are formatted by the message.
   */
  parts<T>(key: string, params: MessageParams | undefined, wrap: (value: string, name: string) => T): (string | T)[];
  formatNumber(value: number): string;
}

/**
 * A catalog bound to a locale. Messages compile lazily and are cached. A plain `{n}` given a number is
 * shown in the locale's digits too (intl-messageformat would print it with String()), so translators may
 * write `{n}` or `{n, number}` alike.
 */
export function createFormatter(catalog: Readonly<Record<string, string>>, locale: string): Formatter {
  const compiled = new Map<string, CompiledMessage>();
  const numberFormat = new Intl.NumberFormat(locale);
  const formatNumber = (value: number) => numberFormat.format(value);
  const get = (key: string): CompiledMessage | null => {
    let message = compiled.get(key);
    if (!message) {
      const source = catalog[key];
      if (source === undefined) return null;
      message = compileMessage(source, locale);
      compiled.set(key, message);
    }
    return message;
  };
  // Arguments a message needs but was not given become empty, instead of an exception in the middle of a render.
  const prepare = (message: CompiledMessage, params: MessageParams | undefined, wrap?: (value: string, name: string) => unknown) => {
    const values: Record<string, unknown> = {};
    for (const [name, kinds] of message.shape.args) {
      const value = params?.[name];
      if (value === undefined) {
        values[name] = kinds.has('plural') || kinds.has('number') ? Number.NaN : '';
        continue;
      }
      const onlyText = kinds.size === 1 && kinds.has('text');
      if (typeof value === 'number' && onlyText) values[name] = formatNumber(value);
      else if (typeof value === 'string' && onlyText && wrap) values[name] = wrap(value, name);
      else values[name] = value;
    }
    return values;
  };
  return {
    locale,
    formatNumber,
    text(key, params) {
      const message = get(key);
      if (!message) return key;
      const out = message.format.format(prepare(message, params) as Record<string, string>);
      return Array.isArray(out) ? out.join('') : String(out);
    },
    parts<T>(key: string, params: MessageParams | undefined, wrap: (value: string, name: string) => T) {
      const message = get(key);
      if (!message) return [key];
      const out = message.format.format<T>(prepare(message, params, wrap) as Record<string, T>);
      return (Array.isArray(out) ? out : [out]) as (string | T)[];
    },
  };
}

type RelativeUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
const STEPS: readonly [RelativeUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.345],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

// One formatter per locale: building one costs far more than formatting, and every row of a list formats a time.
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();

/** "3 minutes ago", "in 2 hours", "yesterday": the largest unit that keeps the number at least 1. */
export function relativeTime(target: Date | string | number, now: number, locale: string): string {
  const at = typeof target === 'number' ? target : typeof target === 'string' ? Date.parse(target) : target.getTime();
  let format = relativeFormats.get(locale);
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'long' });
    relativeFormats.set(locale, format);
  }
  let amount = (at - now) / 1000;
  if (Math.abs(amount) < 45) return format.format(0, 'second');
  for (const [unit, size] of STEPS) {
    if (Math.abs(amount) < size) return format.format(Math.round(amount), unit);
    amount /= size;
  }
  return format.format(Math.round(amount), 'year');
}
