// Countdown arithmetic for the code shown after a burn. TOTP periods are
// aligned to the Unix epoch, so the seconds left follow from the clock alone.

import type { TotpCode } from "./api";

/** Whole seconds left in the current period (1..period). */
export function secondsLeft(nowSeconds: number, period: number): number {
  if (!(period > 0)) return 0;
  const into = ((Math.floor(nowSeconds) % period) + period) % period;
  return period - into;
}

/** Fraction of the period left, 0..1, for the ring. */
export function fractionLeft(nowSeconds: number, period: number): number {
  if (!(period > 0)) return 0;
  return Math.min(1, Math.max(0, secondsLeft(nowSeconds, period) / period));
}

/**
 * True once a code is no longer current, i.e. the period rolled over and a
 * fresh code should be fetched. valid_to is exclusive (Unix seconds).
 */
export function codeExpired(nowSeconds: number, code: Pick<TotpCode, "valid_to">): boolean {
  return Math.floor(nowSeconds) >= code.valid_to;
}

/** Seconds left for a specific code, never negative. */
export function codeSecondsLeft(nowSeconds: number, code: Pick<TotpCode, "valid_to">): number {
  return Math.max(0, code.valid_to - Math.floor(nowSeconds));
}

/** SVG stroke-dashoffset for a ring of the given radius. */
export function ringOffset(fraction: number, radius: number): number {
  const c = 2 * Math.PI * radius;
  return c * (1 - Math.min(1, Math.max(0, fraction)));
}
