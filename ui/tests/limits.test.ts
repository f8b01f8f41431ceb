import { describe, expect, it } from "vitest";
import type { TokenLimits } from "../src/lib/api";
import { burnSettings, paramProblems, paramsAllowed, paramsChanged, settingOptions } from "../src/lib/limits";

const sha1Only: TokenLimits = { algorithms: ["sha1"], periods: [30], digits: [6], max_seed_bytes: 20, display_timeouts: [] };
const wide: TokenLimits = {
  algorithms: ["sha256", "sha1"], periods: [60, 30, 30], digits: [8, 6], max_seed_bytes: 64, display_timeouts: [60, 15, 30],
};

describe("settings offered by a token's limits", () => {
  it("offers exactly the limits' values, sorted and without duplicates", () => {
    expect(settingOptions(wide)).toEqual({
      algorithms: ["sha1", "sha256"], digits: [6, 8], periods: [30, 60], displayTimeouts: [15, 30, 60],
    });
  });

  it("offers no display timeouts when the model has none", () => {
    expect(settingOptions(sha1Only).displayTimeouts).toEqual([]);
    expect(settingOptions(sha1Only).algorithms).toEqual(["sha1"]);
  });
});

describe("whether a seed fits", () => {
  it("accepts params inside the limits", () => {
    expect(paramsAllowed({ algorithm: "sha1", digits: 6, period: 30 }, sha1Only, 160)).toBe(true);
    expect(paramProblems({ algorithm: "sha256", digits: 8, period: 60 }, wide, 256)).toEqual([]);
  });

  it("names each parameter the token cannot do", () => {
    const p = paramProblems({ algorithm: "sha256", digits: 8, period: 60 }, sha1Only);
    expect(p).toHaveLength(3);
    expect(p[0]).toMatch(/SHA256/);
    expect(p[1]).toMatch(/8 digits/);
    expect(p[2]).toMatch(/60 s/);
  });

  it("rejects a secret longer than the token holds", () => {
    expect(paramsAllowed({ algorithm: "sha1", digits: 6, period: 30 }, sha1Only, 161)).toBe(false);
    expect(paramProblems({ algorithm: "sha1", digits: 6, period: 30 }, sha1Only, 256)[0]).toMatch(/32 bytes.*at most 20/);
  });
});

describe("burn settings", () => {
  const seed = { algorithm: "sha1" as const, digits: 6, period: 30 };

  it("keeps the seed's values as null and sends only changes", () => {
    expect(burnSettings(seed, seed, null)).toEqual({ algorithm: null, digits: null, period: null, display_timeout: null });
    expect(burnSettings(seed, { ...seed, digits: 8 }, 30)).toEqual({ algorithm: null, digits: 8, period: null, display_timeout: 30 });
  });

  it("detects a change from the QR's values", () => {
    expect(paramsChanged(seed, seed)).toBe(false);
    expect(paramsChanged(seed, { ...seed, period: 60 })).toBe(true);
    expect(paramsChanged(seed, { ...seed, algorithm: "sha256" })).toBe(true);
  });
});
