import { describe, expect, it } from "vitest";
import type { TokenLimits } from "../src/lib/api";
import {
  burnSettings, credentialNames, defaultCredentialName, defaultDisplayTimeout, enrolOptions, firstFreeSlot,
  initialChoice, labelProblem, paramProblems, paramsAllowed, paramsChanged, placement, placeProblem, settingOptions,
  slotChoices, slotSummary, utf8Bytes,
} from "../src/lib/limits";
import { credentials, molto2Limits, molto2Slots, molto2Token, singleLimits, singleToken, ykoathLimits, ykoathToken } from "./fixtures";

const sha1Only: TokenLimits = singleLimits({ max_seed_bytes: 20 });
const wide: TokenLimits = singleLimits({
  algorithms: ["sha256", "sha1"], periods: [60, 30, 30], digits: [8, 6], max_seed_bytes: 64, display_timeouts: [60, 15, 30],
});

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

describe("per family", () => {
  it("offers a Molto2 its 4 to 10 digits", () => {
    expect(settingOptions(molto2Limits()).digits).toEqual([4, 6, 8, 10]);
  });

  it("counts a title in UTF-8 bytes and refuses one too long before burning", () => {
    expect(utf8Bytes("VPN")).toBe(3);
    expect(utf8Bytes("Zürich")).toBe(7);
    const m = molto2Limits({ max_label_bytes: 6 });
    expect(labelProblem("", m)).toBeNull();
    expect(labelProblem("VPN", m)).toBeNull();
    expect(labelProblem("Zürich", m)).toMatch(/7 bytes.*at most 6/);
    expect(labelProblem("anything at all", singleLimits())).toBeNull();
  });

  it("never lets a YKOATH credential go without a name", () => {
    expect(labelProblem("  ", ykoathLimits())).toMatch(/needs a name/);
    expect(labelProblem("Contoso:jane", ykoathLimits())).toBeNull();
    expect(labelProblem("x".repeat(65), ykoathLimits())).toMatch(/65 bytes.*at most 64/);
  });

  it("names a credential after the QR's label, else the issuer, else the account", () => {
    expect(defaultCredentialName({ label_issuer: "Contoso", issuer: "Microsoft", account: "jane@contoso.com" }))
      .toBe("Contoso:jane@contoso.com");
    expect(defaultCredentialName({ label_issuer: null, issuer: "Microsoft", account: "jane" })).toBe("Microsoft:jane");
    expect(defaultCredentialName({ label_issuer: null, issuer: null, account: "jane" })).toBe("jane");
    expect(defaultCredentialName({ label_issuer: "X", issuer: null, account: " " })).toBe("");
  });
});

describe("Molto2 slots", () => {
  it("lists free slots first, then used ones, each in number order; the default is the first free", () => {
    const choices = slotChoices(molto2Slots([0, 1, 7]), molto2Limits());
    expect(choices).toHaveLength(100);
    expect(choices.slice(0, 3).map((c) => c.index)).toEqual([2, 3, 4]);
    expect(choices.slice(-3)).toEqual([{ index: 0, used: true }, { index: 1, used: true }, { index: 7, used: true }]);
    expect(firstFreeSlot(choices)).toBe(2);
    expect(slotChoices(credentials("a"), ykoathLimits())).toEqual([]);
  });

  it("still offers every slot when the token did not report them", () => {
    const choices = slotChoices([], molto2Limits());
    expect(choices.map((c) => c.index).slice(0, 3)).toEqual([0, 1, 2]);
    expect(firstFreeSlot(choices)).toBeNull();
  });

  it("summarises used and free slots, and lists credential names", () => {
    expect(slotSummary(molto2Slots([12, 3]))).toEqual({ used: [3, 12], free: 98 });
    expect(credentialNames(credentials("Contoso:jane", "GitHub:jd"))).toEqual(["Contoso:jane", "GitHub:jd"]);
  });

  it("refuses a used slot unless Replace is ticked", () => {
    const t = molto2Token([7]);
    const choice = { ...initialChoice(t, ""), slot: 7 };
    expect(placeProblem(t, choice)).toMatch(/Slot 7 already holds a seed/);
    expect(placeProblem(t, { ...choice, replace: true })).toBeNull();
    expect(placeProblem(t, initialChoice(t, ""))).toBeNull();
  });

  it("asks for a slot to replace when every slot is used", () => {
    const t = molto2Token(Array.from({ length: 100 }, (_, i) => i));
    expect(initialChoice(t, "").slot).toBeNull();
    expect(placeProblem(t, initialChoice(t, ""))).toMatch(/Every slot holds a seed/);
  });
});

describe("placement sent with a burn", () => {
  const choice = { slot: 7, label: " VPN ", touch: true, replace: true };

  it("is null on a single-profile token", () => {
    expect(placement(singleLimits(), choice)).toBeNull();
  });

  it("carries a Molto2's slot and title, never touch", () => {
    expect(placement(molto2Limits(), choice)).toEqual({ slot: 7, label: "VPN", touch: false, replace: true });
    expect(placement(molto2Limits(), { ...choice, label: "" })?.label).toBeNull();
  });

  it("carries a YKOATH name and touch, never a slot", () => {
    expect(placement(ykoathLimits(), choice)).toEqual({ slot: null, label: "VPN", touch: true, replace: false });
  });

  it("lets Enrol leave a YKOATH name empty for the station to name it after the user", () => {
    const t = ykoathToken();
    const empty = initialChoice(t, "");
    expect(placeProblem(t, empty)).toMatch(/needs a name/);
    expect(placeProblem(t, empty, true)).toBeNull();
    expect(placement(t.limits, empty)?.label).toBeNull();
    expect(placeProblem(singleToken(), initialChoice(singleToken(), ""))).toBeNull();
  });
});

describe("Enrol's settings", () => {
  it("are Entra's (SHA1/SHA256, 30/60 s), narrowed to the token's", () => {
    expect(enrolOptions(null)).toEqual({ algorithms: ["sha1", "sha256"], periods: [30, 60] });
    expect(enrolOptions(ykoathLimits())).toEqual({ algorithms: ["sha1", "sha256"], periods: [30, 60] });
    expect(enrolOptions(singleLimits())).toEqual({ algorithms: ["sha1"], periods: [30] });
    expect(enrolOptions(singleLimits({ periods: [15] })).periods).toEqual([]);
  });

  it("default display timeout is the station's: 30 s when offered, else the first", () => {
    expect(defaultDisplayTimeout(molto2Limits())).toBe(30);
    expect(defaultDisplayTimeout(singleLimits({ display_timeouts: [60, 120] }))).toBe(60);
    expect(defaultDisplayTimeout(singleLimits())).toBe(0);
  });
});
