/**
 * Settles with 'done' when `work` does, or with 'timed out' after `ms`; a rejection of `work` passes through. For
 * what a quit, a sign-out or a closing window waits on: never longer than its bound.
 */
export async function withDeadline(work: Promise<unknown>, ms: number): Promise<'done' | 'timed out'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), ms);
  });
  try {
    return await Promise.race([work.then(() => 'done' as const), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
