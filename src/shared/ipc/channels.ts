// The only place channel strings are spelled. Kept apart from the schemas so the sandboxed
// preload bundle does not have to carry zod.
export const INVOKE_CHANNEL = 'samia:invoke';
export const EVENT_CHANNEL = 'samia:event';

// The web shell's WebSocket endpoint and the query parameter that carries its per-run token.
export const WEBSHELL_BRIDGE_PATH = '/bridge';
export const WEBSHELL_TOKEN_PARAM = 'token';
