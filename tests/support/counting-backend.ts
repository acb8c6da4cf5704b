import type { Backend, UserConnection } from '../../src/main/backend/backend-port';

/**
 * The real backend with its users' connections wrapped only to count some of their calls (by the connection's user):
 * a test that a core makes fewer reads than it used to sees them, and every call still reaches the real backend.
 */
export function countingBackend(
  backend: Backend,
  counted: ReadonlySet<keyof UserConnection>,
): { backend: Backend; calls: Map<string, number>; settled: Map<string, number> } {
  const calls = new Map<string, number>();
  // Calls answered (or failed), for a test that waits until one the core made is over.
  const settled = new Map<string, number>();
  const wrap = (connection: UserConnection): UserConnection =>
    new Proxy(connection, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (typeof value !== 'function') return value;
        const method = (value as (...args: unknown[]) => unknown).bind(target);
        if (!counted.has(name as keyof UserConnection)) return method;
        return (...args: unknown[]) => {
          calls.set(target.userId, (calls.get(target.userId) ?? 0) + 1);
          const result = method(...args);
          const done = () => settled.set(target.userId, (settled.get(target.userId) ?? 0) + 1);
          if (result instanceof Promise) result.then(done, done);
          else done();
          return result;
        };
      },
    });
  return {
    calls,
    settled,
    backend: {
      get kind() {
        return backend.kind;
      },
      start: async () => {},
      stop: async () => {},
      needsFirstRun: () => backend.needsFirstRun(),
      createFirstAccount: async (account) => wrap(await backend.createFirstAccount(account)),
      signIn: async (email, password) => wrap(await backend.signIn(email, password)),
      restore: async (slot, userId) => wrap(await backend.restore(slot, userId)),
    },
  };
}
