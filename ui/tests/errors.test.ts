import { describe, expect, it } from "vitest";
import { asAppError } from "../src/lib/api";
import { tokenStateText } from "../src/lib/errors";

describe("token state wording", () => {
  it("explains each known state", () => {
    expect(tokenStateText("untouched")).toBe("The token was not changed.");
    expect(tokenStateText("configured_no_seed")).toBe("Settings and clock were written; the seed was not — burn again.");
    expect(tokenStateText("seed_written")).toBe("The seed is on the token.");
    expect(tokenStateText("unknown")).toBe("The link was lost during a write — burn again to be sure.");
  });

  it("says nothing without a state and stays readable for a new one", () => {
    expect(tokenStateText(null)).toBeNull();
    expect(tokenStateText(undefined)).toBeNull();
    expect(tokenStateText("half_baked")).toBe("Token state: half baked.");
  });

  it("wraps a bare string thrown by Tauri", () => {
    expect(asAppError("boom")).toMatchObject({ kind: "internal", message: "boom", next_step: null });
  });
});
