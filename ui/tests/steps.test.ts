import { describe, expect, it } from "vitest";
import type { Progress } from "../src/lib/api";
import { applyProgress, ENROL_STEPS, initialSteps, markInterrupted, resetFailed, stepLabel } from "../src/lib/steps";

const statuses = (s: { name: string; status: string }[]) => Object.fromEntries(s.map((x) => [x.name, x.status]));

describe("step list reducer", () => {
  it("starts the enrolment list pending in the fixed order", () => {
    const s = initialSteps(ENROL_STEPS);
    expect(s.map((x) => x.name)).toEqual([
      "check_user", "check_clock", "read_token", "check_seed", "set_clock",
      "write_seed", "create", "assign", "activate", "verify",
    ]);
    expect(s.every((x) => x.status === "pending")).toBe(true);
    expect(s[6].label).toBe("Create in Entra");
  });

  it("moves steps through started, done and skipped with their detail", () => {
    const events: Progress[] = [
      { step: "check_user", status: "started" },
      { step: "check_user", status: "done", detail: "Ada Lovelace" },
      { step: "check_clock", status: "skipped", why: "clock within 2 s" },
      { step: "read_token", status: "started" },
    ];
    const s = events.reduce(applyProgress, initialSteps(ENROL_STEPS));
    expect(statuses(s)).toMatchObject({ check_user: "done", check_clock: "skipped", read_token: "started", check_seed: "pending" });
    expect(s[0].detail).toBe("Ada Lovelace");
    expect(s[1].detail).toBe("clock within 2 s");
    expect(s.length).toBe(10);
  });

  it("records a failure's message and next step", () => {
    let s = initialSteps(ENROL_STEPS);
    s = applyProgress(s, { step: "create", status: "started" });
    s = applyProgress(s, { step: "create", status: "failed", message: "Graph said 403", next_step: "Ask for the Policy.ReadWrite role" });
    const c = s.find((x) => x.name === "create")!;
    expect(c.status).toBe("failed");
    expect(c.detail).toBe("Graph said 403");
    expect(c.next_step).toBe("Ask for the Policy.ReadWrite role");
  });

  it("appends steps it was not told about, in arrival order", () => {
    let s = applyProgress([], { step: "read_token", status: "started" });
    s = applyProgress(s, { step: "remove_old", status: "done", detail: null });
    s = applyProgress(s, { step: "brand_new" as never, status: "started" });
    expect(s.map((x) => x.name)).toEqual(["read_token", "remove_old", "brand_new"]);
    expect(s[2].label).toBe("Brand new");
    expect(s[1].status).toBe("done");
  });

  it("ignores events with an unknown status instead of corrupting the list", () => {
    const s0 = initialSteps(["read_token"]);
    const s1 = applyProgress(s0, { step: "read_token", status: "exploded" } as never);
    expect(s1).toEqual(s0);
  });

  it("does not mutate the list it was given", () => {
    const s0 = initialSteps(["verify"]);
    applyProgress(s0, { step: "verify", status: "started" });
    expect(s0[0].status).toBe("pending");
  });

  it("marks a running step failed when the call throws without a failed event", () => {
    let s = initialSteps(["read_token", "write_seed"]);
    s = applyProgress(s, { step: "write_seed", status: "started" });
    s = markInterrupted(s, "link lost");
    expect(s[1]).toMatchObject({ status: "failed", detail: "link lost" });
    // An explicit failure already there is left alone.
    const t = markInterrupted(applyProgress(s, { step: "read_token", status: "started" }), "other");
    expect(t[0].status).toBe("started");
  });

  it("puts failed steps back to pending before a resume, keeping done ones", () => {
    let s = initialSteps(["create", "assign"]);
    s = applyProgress(s, { step: "create", status: "done", detail: "id 1" });
    s = applyProgress(s, { step: "assign", status: "failed", message: "m", next_step: "n" });
    s = resetFailed(s);
    expect(statuses(s)).toEqual({ create: "done", assign: "pending" });
    expect(s[1].next_step).toBeNull();
  });

  it("labels unknown names readably", () => {
    expect(stepLabel("set_clock")).toBe("Set clock");
    expect(stepLabel("do_the-thing")).toBe("Do the thing");
    expect(stepLabel("")).toBe("Step");
  });
});
