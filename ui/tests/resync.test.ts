import { describe, expect, it } from "vitest";
import type { AppError } from "../src/lib/api";
import { algorithmName, familyName } from "../src/lib/format";
import { asksForSettings, describeKept, statedDefaults } from "../src/lib/resync";
import { singleLimits } from "./fixtures";

const err = (kind: string, message: string): AppError =>
  ({ kind, message, next_step: null, token_state: null, enrolment: null });

describe("Resync's questions", () => {
  it("knows when the station asks for a token's settings", () => {
    expect(asksForSettings(err("bad_input", "the C302-i takes its settings with every clock write and cannot report them, "
      + "and neither this desk nor Entra knows what token 1 holds: state its algorithm, period and display timeout; nothing was changed")))
      .toBe(true);
    expect(asksForSettings(err("bad_input", "confirm the re-seed to go on"))).toBe(false);
    expect(asksForSettings(err("token", "state its algorithm, period and display timeout"))).toBe(false);
    expect(asksForSettings(null)).toBe(false);
  });

  it("starts the three fields at the model's usual values", () => {
    expect(statedDefaults(singleLimits({ algorithms: ["sha1", "sha256"], periods: [30, 60], display_timeouts: [15, 30] })))
      .toEqual({ algorithm: "sha1", period: 30, display_timeout: 30 });
    expect(statedDefaults(singleLimits({ periods: [60], display_timeouts: [120] })))
      .toEqual({ algorithm: "sha1", period: 60, display_timeout: 120 });
  });

  it("says which settings a clock write kept and where they came from", () => {
    const s = { params: { algorithm: "sha256" as const, digits: 6, period: 60 }, display_timeout: 120 };
    expect(describeKept([s, "burn_record"])).toBe("Kept SHA-256, 60 s, display 120 s — from this desk's record of the burn");
    expect(describeKept([s, "entra"])).toMatch(/from Entra's registration/);
    expect(describeKept([s, "operator"])).toMatch(/as you stated them$/);
  });
});

describe("token words", () => {
  it("names each family for people", () => {
    expect(familyName("token2-single")).toBe("Token2 single-profile");
    expect(familyName("token2-molto2")).toBe("Molto2");
    expect(familyName("ykoath")).toBe("YubiKey OATH");
    expect(algorithmName("sha1")).toBe("SHA-1");
  });
});
