import { z } from 'zod';

/**
 * The IPC contract: every request the renderer may make of the main process, and every event the
 * main process may send it. Main's handlers, the preload bridge and the web shell's bridge are all
 * derived from this one list; adding a capability means adding it here first.
 */

const defineRequest = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

export const languageSchema = z.enum(['ar', 'en']);
export const roleSchema = z.enum(['client', 'reader', 'monitor', 'admin', 'super_admin']);

export const profileSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  role: roleSchema,
  preferredLanguage: languageSchema,
});
export type Profile = z.infer<typeof profileSchema>;

export const authStateSchema = z.object({
  profile: profileSchema.nullable(),
  backend: z.enum(['embedded', 'supabase']),
});
export type AuthState = z.infer<typeof authStateSchema>;

const emptyInput = z.object({}).strict();

export const requests = {
  'app.info': defineRequest(
    emptyInput,
    z.object({
      name: z.string(),
      version: z.string(),
      shell: z.enum(['electron', 'webshell']),
      backend: z.enum(['embedded', 'supabase']),
    }),
  ),
  /** Diagnostics: echoes a text through the whole contract (used by the connection check and tests). */
  'app.ping': defineRequest(
    z.object({ text: z.string().max(2000) }).strict(),
    z.object({ text: z.string(), receivedAt: z.iso.datetime() }),
  ),
  'auth.getState': defineRequest(emptyInput, authStateSchema),
  'auth.signIn': defineRequest(
    z.object({ email: z.email().max(320), password: z.string().min(1).max(1024) }).strict(),
    authStateSchema,
  ),
  'auth.signOut': defineRequest(emptyInput, authStateSchema),
  'shell.openExternal': defineRequest(
    z.object({ url: z.url({ protocol: /^https?$/ }).max(4096) }).strict(),
    z.object({ opened: z.boolean() }),
  ),
} as const;

export const events = {
  'auth.changed': authStateSchema,
  'app.connection': z.object({ online: z.boolean() }),
} as const;

export type RequestName = keyof typeof requests;
export type EventName = keyof typeof events;
export type RequestInput<K extends RequestName> = z.input<(typeof requests)[K]['input']>;
export type RequestOutput<K extends RequestName> = z.output<(typeof requests)[K]['output']>;
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>;

export const requestNames = Object.keys(requests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

export const isRequestName = (name: unknown): name is RequestName =>
  typeof name === 'string' && Object.hasOwn(requests, name);
export const isEventName = (name: unknown): name is EventName =>
  typeof name === 'string' && Object.hasOwn(events, name);
