// What a token's profile lets the operator choose, and whether a seed fits.
// Burning values the token cannot hold would fail halfway, so the Burn
// screen asks here first and disables the button.

import type { Algorithm, BurnSettings, CodeParams, TokenLimits } from "./api";

export interface SettingOptions {
  algorithms: Algorithm[];
  digits: number[];
  periods: number[];
  /** Empty when the model has no settable display timeout. */
  displayTimeouts: number[];
}

const uniqSorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);

export function settingOptions(limits: TokenLimits): SettingOptions {
  const order: Algorithm[] = ["sha1", "sha256", "sha512"];
  return {
    algorithms: order.filter((a) => limits.algorithms.includes(a)),
    digits: uniqSorted(limits.digits),
    periods: uniqSorted(limits.periods),
    displayTimeouts: uniqSorted(limits.display_timeouts),
  };
}

/** Why these params/seed cannot go on the token; empty when they can. */
export function paramProblems(params: CodeParams, limits: TokenLimits, seedBits?: number): string[] {
  const out: string[] = [];
  if (!limits.algorithms.includes(params.algorithm))
    out.push(`Algorithm ${params.algorithm.toUpperCase()} is not supported (token: ${limits.algorithms.map((a) => a.toUpperCase()).join(", ") || "none"}).`);
  if (!limits.digits.includes(params.digits))
    out.push(`${params.digits} digits is not supported (token: ${limits.digits.join(", ") || "none"}).`);
  if (!limits.periods.includes(params.period))
    out.push(`A ${params.period} s period is not supported (token: ${limits.periods.map((p) => p + " s").join(", ") || "none"}).`);
  if (seedBits !== undefined && limits.max_seed_bytes > 0 && Math.ceil(seedBits / 8) > limits.max_seed_bytes)
    out.push(`The secret is ${Math.ceil(seedBits / 8)} bytes; this token holds at most ${limits.max_seed_bytes}.`);
  return out;
}

export function paramsAllowed(params: CodeParams, limits: TokenLimits, seedBits?: number): boolean {
  return paramProblems(params, limits, seedBits).length === 0;
}

/** The seed's own params changed? (Then the token disagrees with the service.) */
export function paramsChanged(seed: CodeParams, chosen: CodeParams): boolean {
  return seed.algorithm !== chosen.algorithm || seed.digits !== chosen.digits || seed.period !== chosen.period;
}

/** Settings for burn_seed: null wherever the seed's own value is kept. */
export function burnSettings(seed: CodeParams, chosen: CodeParams, displayTimeout: number | null): BurnSettings {
  return {
    algorithm: chosen.algorithm === seed.algorithm ? null : chosen.algorithm,
    digits: chosen.digits === seed.digits ? null : chosen.digits,
    period: chosen.period === seed.period ? null : chosen.period,
    display_timeout: displayTimeout,
  };
}
