import { afterEach, describe, expect, it, vi } from 'vitest';

// The start-up milestones are read by bench/scale/startup.bench.ts; without the variable the product writes nothing.
async function marksWritten(env: string | undefined, milestones: string[]): Promise<string[]> {
  vi.resetModules();
  if (env === undefined) vi.stubEnv('SAMIA_STARTUP_TRACE', undefined as unknown as string);
  else vi.stubEnv('SAMIA_STARTUP_TRACE', env);
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const { startupMark } = await import('../../../src/main/core/startup-trace');
    for (const milestone of milestones) startupMark(milestone);
  } finally {
    spy.mockRestore();
  }
  return written;
}

afterEach(() => vi.unstubAllEnvs());

describe('startupMark', () => {
  it('writes each milestone once, with the milliseconds since the process started', async () => {
    const written = await marksWritten('1', ['database open', 'sessions listed', 'sessions listed']);
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/^\[startup\] \d+ database open\n$/);
    expect(written[1]).toMatch(/^\[startup\] \d+ sessions listed\n$/);
  });

  it('writes nothing unless SAMIA_STARTUP_TRACE is 1', async () => {
    expect(await marksWritten(undefined, ['database open'])).toEqual([]);
    expect(await marksWritten('0', ['database open'])).toEqual([]);
  });
});
