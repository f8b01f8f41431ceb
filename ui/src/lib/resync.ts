// Resync's decisions kept out of the screen: whether the station asked for
// a single-profile token's settings (it cannot read them back and neither
// this desk nor Entra knew them), what to offer then, and how to say which
// settings a clock write kept.

import type { AppError, SettingsSource, StatedSettings, TokenLimits, TokenSettings } from "./api";
import { algorithmName } from "./format";
import { defaultDisplayTimeout } from "./limits";

/** The station refused because the operator must state the token's algorithm, period and display timeout. */
export function asksForSettings(e: AppError | null): boolean {
  return e !== null && e.kind === "bad_input" && /state its algorithm, period and display timeout/i.test(e.message);
}

/** What the three fields start at: the model's first algorithm, 30 s, its usual display timeout. */
export function statedDefaults(limits: TokenLimits): StatedSettings {
  return {
    algorithm: limits.algorithms[0] ?? "sha1",
    period: limits.periods.includes(30) ? 30 : (limits.periods[0] ?? 30),
    display_timeout: defaultDisplayTimeout(limits),
  };
}

const SOURCE_TEXT: Record<SettingsSource, string> = {
  burn_record: "from this desk's record of the burn",
  entra: "from Entra's registration of the token",
  operator: "as you stated them",
};

/** "Kept SHA-256, 60 s, display 120 s — from this desk's record of the burn". */
export function describeKept([s, source]: [TokenSettings, SettingsSource]): string {
  const from = SOURCE_TEXT[source] ?? `from ${String(source).replace(/_/g, " ")}`;
  return `Kept ${algorithmName(s.params.algorithm)}, ${s.params.period} s, display ${s.display_timeout} s — ${from}`;
}
