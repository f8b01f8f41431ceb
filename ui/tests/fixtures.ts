// Tokens of each family as the app describes them, for the UI's tests.
import type { Slot, TokenLimits, TokenView } from "../src/lib/api";

/** A single-profile token's limits (one place, no title, settings carried by clock writes). */
export const singleLimits = (over: Partial<TokenLimits> = {}): TokenLimits => ({
  algorithms: ["sha1"], periods: [30], digits: [6], max_seed_bytes: 32, display_timeouts: [],
  slots: 1, numbered_slots: false, label: "none", max_label_bytes: 0, touch: false, has_clock: true,
  clock_write_needs_settings: true, ...over,
});

export const molto2Limits = (over: Partial<TokenLimits> = {}): TokenLimits => ({
  algorithms: ["sha1", "sha256"], periods: [30, 60], digits: [4, 6, 8, 10], max_seed_bytes: 63,
  display_timeouts: [15, 30, 60, 120], slots: 100, numbered_slots: true, label: "title", max_label_bytes: 12,
  touch: false, has_clock: true, clock_write_needs_settings: false, ...over,
});

export const ykoathLimits = (over: Partial<TokenLimits> = {}): TokenLimits => ({
  algorithms: ["sha1", "sha256", "sha512"], periods: [15, 30, 60], digits: [6, 7, 8], max_seed_bytes: 64,
  display_timeouts: [], slots: 32, numbered_slots: false, label: "name", max_label_bytes: 64, touch: true,
  has_clock: false, clock_write_needs_settings: false, ...over,
});

/** 100 Molto2 slots, `used` of them holding a seed. */
export const molto2Slots = (used: number[] = []): Slot[] =>
  Array.from({ length: 100 }, (_, i) => ({ index: i, label: null, used: used.includes(i), params: null }));

export const credentials = (...names: string[]): Slot[] =>
  names.map((n) => ({ index: null, label: n, used: true, params: null }));

export function singleToken(over: Partial<TokenView> = {}): TokenView {
  return {
    reader: "Desk reader 0", family: "token2-single", serial: "TK0001", model: "Key-6", manufacturer: "Acme",
    clock_unix: 1_700_000_000, drift_seconds: 2, clock_write_wipes_seed: false, writable: true,
    limits: singleLimits(), slots: [{ index: null, label: null, used: null, params: null }], ...over,
  };
}

export function molto2Token(used: number[] = [], over: Partial<TokenView> = {}): TokenView {
  return singleToken({
    reader: "Desk reader 1", family: "token2-molto2", serial: "M2000123", model: "Molto2v2", manufacturer: "Token2",
    drift_seconds: -20, limits: molto2Limits(), slots: molto2Slots(used), ...over,
  });
}

export function ykoathToken(names: string[] = [], over: Partial<TokenView> = {}): TokenView {
  return singleToken({
    reader: "Desk reader 2", family: "ykoath", serial: "YK5551234", model: "YKOATH applet", manufacturer: "Yubico",
    clock_unix: null, drift_seconds: null, limits: ykoathLimits(), slots: credentials(...names), ...over,
  });
}
