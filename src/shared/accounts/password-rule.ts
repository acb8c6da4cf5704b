/**
 * The password rule the console shows up front (first run, account creation) and the embedded backend
 * enforces (auth.weak_password with { min }). A Supabase project may be set stricter on the platform; its
 * refusal still names its own minimum.
 */
export const PASSWORD_MIN_LENGTH = 10;
