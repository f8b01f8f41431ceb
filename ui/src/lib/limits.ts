// What a token's profile lets the operator choose, and whether a seed fits.
// Burning values the token cannot hold would fail halfway, so the Burn
// screen asks here first and disables the button.

import type { Algorithm, BurnSettings, CodeParams, Placement, SeedView, Slot, TokenLimits } from "./api";

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

// Where on the token a seed goes: a Molto2's numbered slots (with an
// optional title), a YKOATH key's named credentials (with touch), or the
// single place of a one-seed token. Checked here before anything is sent.

/** Bytes of `s` in UTF-8, as the token counts a title or name ("é" is 2). */
export function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Why this title or credential name cannot go on the token; null when it can. */
export function labelProblem(label: string, limits: TokenLimits): string | null {
  const text = label.trim();
  if (limits.label === "none") return null;
  const what = limits.label === "title" ? "title" : "name";
  if (text === "") return limits.label === "name" ? "A credential needs a name: type one." : null;
  const bytes = utf8Bytes(text);
  if (bytes > limits.max_label_bytes)
    return `The ${what} is ${bytes} bytes; this token takes at most ${limits.max_label_bytes} (letters like é or ü count 2).`;
  return null;
}

export interface SlotChoice {
  index: number;
  /** null: the token did not say. */
  used: boolean | null;
}

/** The numbered slots to offer: free ones first, then those holding a seed; each in number order. */
export function slotChoices(slots: Slot[], limits: TokenLimits): SlotChoice[] {
  if (!limits.numbered_slots) return [];
  const known = new Map(slots.filter((s) => s.index !== null).map((s) => [s.index as number, s.used]));
  const all: SlotChoice[] = Array.from({ length: limits.slots }, (_, i) => ({ index: i, used: known.get(i) ?? null }));
  const rank = (c: SlotChoice) => (c.used === true ? 1 : 0);
  return all.sort((a, b) => rank(a) - rank(b) || a.index - b.index);
}

/** The first slot known to be free, or null when none is. */
export function firstFreeSlot(choices: SlotChoice[]): number | null {
  return choices.find((c) => c.used === false)?.index ?? null;
}

/** A Molto2's slots at a glance: which hold a seed, how many are free. */
export function slotSummary(slots: Slot[]): { used: number[]; free: number } {
  const numbered = slots.filter((s) => s.index !== null);
  return {
    used: numbered.filter((s) => s.used === true).map((s) => s.index as number).sort((a, b) => a - b),
    free: numbered.filter((s) => s.used === false).length,
  };
}

/** The credential names a YKOATH key listed. */
export function credentialNames(slots: Slot[]): string[] {
  return slots.map((s) => s.label).filter((l): l is string => l !== null && l !== "");
}

/** The name a credential gets from its QR: the label's issuer:account, else issuer:account, else the account. */
export function defaultCredentialName(seed: Pick<SeedView, "label_issuer" | "issuer" | "account">): string {
  const account = seed.account.trim();
  const issuer = (seed.label_issuer ?? seed.issuer ?? "").trim();
  if (account === "") return "";
  return issuer ? `${issuer}:${account}` : account;
}

/** What the operator chose on the screen. */
export interface PlaceChoice {
  slot: number | null;
  label: string;
  touch: boolean;
  replace: boolean;
}

/** The placement to send: null on a token with a single place; only what the model takes otherwise. */
export function placement(limits: TokenLimits, choice: PlaceChoice): Placement | null {
  if (!limits.numbered_slots && limits.label === "none" && !limits.touch) return null;
  const label = choice.label.trim();
  return {
    slot: limits.numbered_slots ? choice.slot : null,
    label: limits.label !== "none" && label !== "" ? label : null,
    touch: limits.touch && choice.touch,
    replace: limits.numbered_slots && choice.replace,
  };
}

// Enrolment registers the seed in Entra, which takes only these.
export const ENTRA_ALGORITHMS: Algorithm[] = ["sha1", "sha256"];
export const ENTRA_PERIODS = [30, 60];
export const ENTRA_DIGITS = 6;

/** The settings Enrol offers: Entra's, narrowed to what the token can do when one is chosen. */
export function enrolOptions(limits: TokenLimits | null): { algorithms: Algorithm[]; periods: number[] } {
  if (!limits) return { algorithms: [...ENTRA_ALGORITHMS], periods: [...ENTRA_PERIODS] };
  return {
    algorithms: ENTRA_ALGORITHMS.filter((a) => limits.algorithms.includes(a)),
    periods: ENTRA_PERIODS.filter((p) => limits.periods.includes(p)),
  };
}

/** The display timeout a burn uses when the operator chooses none (as the station does). */
export function defaultDisplayTimeout(limits: TokenLimits): number {
  return limits.display_timeouts.includes(30) ? 30 : (limits.display_timeouts[0] ?? 0);
}

/** Where a burn goes before the operator changes anything: the first free slot, the QR's name. */
export function initialChoice(token: { slots: Slot[]; limits: TokenLimits }, defaultLabel: string): PlaceChoice {
  const slot = firstFreeSlot(slotChoices(token.slots, token.limits));
  return { slot, label: token.limits.label === "name" ? defaultLabel : "", touch: false, replace: false };
}

/**
 * Why the burn cannot go where chosen; null when it can. `nameOptional`:
 * an empty name lets the station choose one (Enrol names a credential
 * after the user).
 */
export function placeProblem(token: { slots: Slot[]; limits: TokenLimits }, choice: PlaceChoice,
  nameOptional = false): string | null {
  const limits = token.limits;
  if (limits.numbered_slots) {
    const choices = slotChoices(token.slots, limits);
    const chosen = choices.find((c) => c.index === choice.slot);
    if (!chosen) return firstFreeSlot(choices) === null && choices.length > 0
      ? "Every slot holds a seed: choose one to replace."
      : "Choose a slot.";
    if (chosen.used === true && !choice.replace)
      return `Slot ${chosen.index} already holds a seed: tick "Replace" to write over it, or choose a free slot.`;
  }
  if (nameOptional && limits.label === "name" && choice.label.trim() === "") return null;
  return labelProblem(choice.label, limits);
}
