// The Batch screen's rule for when a placed token is enrolled.
import { describe, expect, it } from "vitest";
import { nextUser, tokenLeft, tokenToEnrol } from "../src/lib/batchrun";
import type { BatchView, QueuedUser } from "../src/lib/api";
import { singleToken } from "./fixtures";

const a = singleToken({ reader: "R1", serial: "A" });
const b = singleToken({ reader: "R2", serial: "B" });

describe("tokenToEnrol", () => {
  it("takes the token on the chosen reader, or the only one on the desk", () => {
    expect(tokenToEnrol(true, false, [a, b], "R2", null)?.serial).toBe("B");
    expect(tokenToEnrol(true, false, [a], null, null)?.serial).toBe("A");
    expect(tokenToEnrol(true, false, [a, b], null, null)).toBeNull();
  });

  it("waits while stopped, busy, or until the handled token has gone", () => {
    expect(tokenToEnrol(false, false, [a], null, null)).toBeNull();
    expect(tokenToEnrol(true, true, [a], null, null)).toBeNull();
    expect(tokenToEnrol(true, false, [a], null, "A")).toBeNull();
    expect(tokenLeft([a], "A")).toBe(false);
    expect(tokenLeft([b], "A")).toBe(true);
    expect(tokenLeft([b], null)).toBe(false);
  });
});

describe("nextUser", () => {
  const user = (position: number, status: QueuedUser["status"]): QueuedUser => ({
    position, upn: `u${position}@x.com`, display_name: null, serial: null, model: null, status,
    enrolment_id: null, token_serial: null, reason: null, next_step: null, updated_at: 0,
  });
  const view = (users: QueuedUser[]): BatchView => ({
    id: "b", name: "n", operator: "o", algorithm: "sha1", period: 30, created_at: 0, users,
    counts: { waiting: 0, done: 0, failed: 0, refused: 0, skipped: 0 },
  });

  it("is an enrolment left half-way first, then the first waiting user", () => {
    expect(nextUser(view([user(1, "done"), user(2, "waiting"), user(3, "enrolling")]))?.position).toBe(3);
    expect(nextUser(view([user(1, "refused"), user(2, "waiting")]))?.position).toBe(2);
    expect(nextUser(view([user(1, "done")]))).toBeNull();
    expect(nextUser(null)).toBeNull();
  });
});
