/**
 * Node module hooks (registered by register.ts) that resolve `electron` to the stand-in, as Electron's own
 * loader resolves it to its built-in module. Everything else resolves as usual, so the app's bundle and its
 * node_modules load exactly as they would in Electron's Node.
 */
const ELECTRON_SPECIFIERS = new Set(['electron', 'electron/main', 'electron/common']);

let electronUrl = '';

export function initialize(data: { electronUrl: string }): void {
  electronUrl = data.electronUrl;
}

type NextResolve = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<{ url: string; shortCircuit?: boolean }> {
  if (ELECTRON_SPECIFIERS.has(specifier)) return { url: electronUrl, shortCircuit: true };
  return nextResolve(specifier, context);
}
