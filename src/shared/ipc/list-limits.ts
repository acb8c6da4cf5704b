// Limits both processes hold lists to. Plain values, no schema library: the renderer imports them, and its bundle
// must not pull in zod (whose start-up probe for `new Function` the renderer's Content-Security-Policy refuses).

/** The most sessions a list holds: list_sessions answers the 500 most recently active, and the renderer keeps no more. */
export const SESSION_LIST_MAX = 500;
