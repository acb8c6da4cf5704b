/** A repeatable random whole number below n, so a failing run of random changes fails the same way again. */
export const seededRandom = (start: number) => {
  let seed = start;
  return (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    // From the high bits: the low bits of this generator repeat in short cycles (the lowest one alternates).
    return Math.floor((seed / 2 ** 31) * n);
  };
};
