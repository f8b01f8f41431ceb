import { describe, expect, it } from "vitest";
import { codeExpired, codeSecondsLeft, fractionLeft, ringOffset, secondsLeft } from "../src/lib/countdown";

describe("countdown arithmetic", () => {
  it("counts the seconds left in an epoch-aligned period", () => {
    expect(secondsLeft(1_700_000_000, 30)).toBe(10); // 1_700_000_000 % 30 = 20
    expect(secondsLeft(1_700_000_010, 30)).toBe(30); // exactly on a boundary: a full period
    expect(secondsLeft(1_700_000_009.9, 30)).toBe(1);
    expect(secondsLeft(59, 60)).toBe(1);
    expect(secondsLeft(60, 60)).toBe(60);
  });

  it("gives the fraction for the ring", () => {
    expect(fractionLeft(0, 30)).toBe(1);
    expect(fractionLeft(15, 30)).toBe(0.5);
    expect(fractionLeft(29, 30)).toBeCloseTo(1 / 30);
    expect(fractionLeft(10, 0)).toBe(0);
  });

  it("rolls over at valid_to", () => {
    const code = { valid_to: 1_700_000_010 };
    expect(codeExpired(1_700_000_009.99, code)).toBe(false);
    expect(codeExpired(1_700_000_010, code)).toBe(true);
    expect(codeSecondsLeft(1_700_000_001, code)).toBe(9);
    expect(codeSecondsLeft(1_700_000_020, code)).toBe(0);
  });

  it("maps a fraction to a dash offset", () => {
    const c = 2 * Math.PI * 10;
    expect(ringOffset(1, 10)).toBeCloseTo(0);
    expect(ringOffset(0, 10)).toBeCloseTo(c);
    expect(ringOffset(0.25, 10)).toBeCloseTo(0.75 * c);
    expect(ringOffset(2, 10)).toBeCloseTo(0);
  });
});
