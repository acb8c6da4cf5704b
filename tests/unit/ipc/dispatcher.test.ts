import { describe, expect, it, vi } from 'vitest';
import { createDispatcher, validateEvent, type RequestHandlers } from '../../../src/main/ipc/dispatcher';
import { AppError, IPC_ERROR } from '../../../src/shared/ipc/errors';
import { requestNames } from '../../../src/shared/ipc/contract';

type Ctx = { origin: string };
const ctx: Ctx = { origin: 'test' };

// Every request refuses unless a test gives it a handler: the dispatcher, not the handlers, is under test.
function handlers(overrides: Partial<RequestHandlers<Ctx>> = {}): RequestHandlers<Ctx> {
  const refuse = () => {
    throw new AppError(IPC_ERROR.notAvailable);
  };
  const all = Object.fromEntries(requestNames.map((name) => [name, refuse])) as unknown as RequestHandlers<Ctx>;
  return {
    ...all,
    'app.ping': ({ text }) => ({ text, receivedAt: new Date().toISOString() }),
    ...overrides,
  };
}

describe('the IPC dispatcher', () => {
  it('answers a valid request with the handler output', async () => {
    const dispatch = createDispatcher(handlers());
    const result = await dispatch('app.ping', { text: 'hello' }, ctx);
    expect(result).toMatchObject({ ok: true, value: { text: 'hello' } });
  });

  it('refuses an unknown request with a typed error', async () => {
    const dispatch = createDispatcher(handlers());
    for (const name of ['nope', '__proto__', 'constructor', 42, null]) {
      const result = await dispatch(name, {}, ctx);
      expect(result).toMatchObject({ ok: false, error: { code: 'ipc.unknown_request' } });
    }
  });

  it('refuses a malformed payload before any handler runs, naming the bad fields', async () => {
    const ping = vi.fn();
    const dispatch = createDispatcher(handlers({ 'app.ping': ping }));
    for (const input of [undefined, null, 'text', { text: 42 }, { text: 'x'.repeat(2001) }, { text: 'ok', extra: true }]) {
      const result = await dispatch('app.ping', input, ctx);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('ipc.invalid_input');
        expect(result.error.issues?.length).toBeGreaterThan(0);
      }
    }
    expect(ping).not.toHaveBeenCalled();
  });

  it('passes an AppError through as its own typed error', async () => {
    const dispatch = createDispatcher(handlers());
    const result = await dispatch('auth.signIn', { email: 'a@b.co', password: 'x' }, ctx);
    expect(result).toEqual({ ok: false, error: { code: 'app.not_available', messageKey: 'errors.app.not_available' } });
  });

  it('hides the details of an unexpected failure and reports it to main', async () => {
    const onInternalError = vi.fn();
    const dispatch = createDispatcher(
      handlers({
        'app.ping': () => {
          throw new Error('SELECT secret FROM tokens');
        },
      }),
      { onInternalError },
    );
    const result = await dispatch('app.ping', { text: 'x' }, ctx);
    expect(result).toEqual({ ok: false, error: { ...IPC_ERROR.internal, params: { name: 'app.ping' } } });
    expect(JSON.stringify(result)).not.toContain('secret');
    expect(onInternalError).toHaveBeenCalledOnce();
  });

  it('refuses to send an output the contract does not describe', async () => {
    const dispatch = createDispatcher(handlers({ 'app.ping': () => ({ text: 1 }) as never }));
    const result = await dispatch('app.ping', { text: 'x' }, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'ipc.invalid_output' } });
  });

  it('validates events against the contract', () => {
    expect(() => validateEvent('app.connection', { online: 'yes' } as never)).toThrow();
    expect(validateEvent('app.connection', { online: true })).toEqual({ online: true });
  });

  it('has a handler for every request of the contract (checked by the type system, asserted here too)', () => {
    expect(Object.keys(handlers()).sort()).toEqual([...requestNames].sort());
  });
});
