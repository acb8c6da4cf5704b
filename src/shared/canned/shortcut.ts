/**
 * What follows the `/` of a canned reply: 1 to 32 characters, no spaces and no slash, so the composer can tell where
 * it ends (the SQL check of public.canned_replies says the same). Zod-free: the renderer imports it without the contract.
 */
export const CANNED_SHORTCUT_PATTERN = /^[^\s/]{1,32}$/;
