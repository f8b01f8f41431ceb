import { describe, expect, it } from "vitest";
import { driftIsLarge, formatDrift, groupDigits } from "../src/lib/format";

describe("drift formatting", () => {
  it("signs and units the drift", () => {
    expect(formatDrift(3)).toBe("+3 s");
    expect(formatDrift(42)).toBe("+42 s");
    expect(formatDrift(-5)).toBe("-5 s");
    expect(formatDrift(0)).toBe("0 s");
    expect(formatDrift(2.6)).toBe("+3 s");
    expect(formatDrift(-0.4)).toBe("0 s");
  });

  it("says unknown when there is no clock", () => {
    expect(formatDrift(null)).toBe("unknown");
    expect(formatDrift(undefined)).toBe("unknown");
    expect(formatDrift(Number.NaN)).toBe("unknown");
  });

  it("flags drift beyond 30 seconds either way", () => {
    expect(driftIsLarge(30)).toBe(false);
    expect(driftIsLarge(-30)).toBe(false);
    expect(driftIsLarge(31)).toBe(true);
    expect(driftIsLarge(-31)).toBe(true);
    expect(driftIsLarge(null)).toBe(false);
  });

  it("groups code digits for reading", () => {
    expect(groupDigits("123456")).toBe("123 456");
    expect(groupDigits("12345678")).toBe("1234 5678");
    expect(groupDigits("1234")).toBe("1234");
  });
});
