import { describe, expect, it } from "vitest";
import type { Finding, Fix } from "../src/lib/api";
import { confirmText, findingTitle, fixLabel, isDestructive } from "../src/lib/reconcile";

function finding(fix: Fix, user: string | null = null): Finding {
  return { number: 1, kind: "duplicate_serial", serials: ["A"], device_ids: ["d1"], user, enrolment_id: null, meaning: "", fix };
}

describe("reconcile findings", () => {
  const del: Fix = { action: "delete", device_id: "d2", serial: " a-1 ", keep_device_id: "d1" };
  const unassign: Fix = { action: "unassign", device_id: "d3", serial: "B-1", user_id: "u-dora" };

  it("asks a confirmation only for fixes that change Entra", () => {
    expect(isDestructive(del)).toBe(true);
    expect(isDestructive(unassign)).toBe(true);
    expect(isDestructive({ action: "resume", enrolment_id: "e1" })).toBe(false);
    expect(isDestructive({ action: "re_enrol", user: "a@b", serial: "S" })).toBe(false);
    expect(isDestructive({ action: "none" })).toBe(false);
  });

  it("offers no button when nothing is to be done", () => {
    expect(fixLabel({ action: "none" })).toBeNull();
    expect(fixLabel({ action: "resume", enrolment_id: "e1" })).toBe("Resume enrolment");
    expect(fixLabel(del)).toBe("Delete copy a-1");
  });

  it("names the copy deleted and the one kept, and the user a token leaves", () => {
    const d = confirmText(finding(del))!;
    expect(d.message).toContain("d2");
    expect(d.message).toContain("d1 stays");
    expect(d.confirmLabel).toBe("Delete d2");
    expect(confirmText(finding(unassign, "dora@contoso.com"))!.message).toContain("from dora@contoso.com");
    expect(confirmText(finding(unassign))!.message).toContain("from u-dora");
    expect(confirmText(finding({ action: "none" }))).toBeNull();
  });

  it("titles every kind", () => {
    expect(findingTitle("deleted_user")).toBe("Assigned to a deleted user");
    expect(findingTitle("missing_in_entra")).toBe("Burnt here, missing in Entra");
  });
});
