// An imported helper the fixture nodes call, to show that workers import node modules.

/** Doubles a number. */
export function double(x: number): number {
  return x * 2;
}
