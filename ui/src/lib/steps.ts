// The step list's state, kept apart from the component so the reducer (the
// part that can be wrong) is testable without a DOM or Tauri.

import type { Progress, StepName } from "./api";

export type StepStatus = "pending" | "started" | "done" | "skipped" | "failed";

export interface StepState {
  /** A StepName, or whatever new name the back end sends us later. */
  name: string;
  label: string;
  status: StepStatus;
  /** Done detail, skip reason or failure message. */
  detail: string | null;
  /** Only for failed steps: what the operator should do. */
  next_step: string | null;
}

/** Human labels; unknown names fall back to a prettified name. */
export const STEP_LABELS: Record<StepName, string> = {
  check_user: "Check user",
  check_clock: "Check clock",
  read_token: "Read token",
  check_seed: "Check seed",
  set_clock: "Set clock",
  write_seed: "Write seed",
  create: "Create in Entra",
  assign: "Assign to user",
  activate: "Activate",
  verify: "Verify",
  remove_old: "Remove old registration",
};

/** Enrolment runs in this fixed order; the list is shown from the start. */
export const ENROL_STEPS: StepName[] = [
  "check_user", "check_clock", "read_token", "check_seed", "set_clock",
  "write_seed", "create", "assign", "activate", "verify",
];

export function stepLabel(name: string): string {
  const known = (STEP_LABELS as Record<string, string>)[name];
  if (known) return known;
  const words = name.replace(/[_-]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "Step";
}

export function pendingStep(name: string): StepState {
  return { name, label: stepLabel(name), status: "pending", detail: null, next_step: null };
}

export function initialSteps(names: readonly string[]): StepState[] {
  return names.map(pendingStep);
}

/**
 * Applies one progress event, returning a new list. A step we have not seen
 * (burn and resync do not announce theirs up front; the back end may add
 * one) is appended, so nothing the back end reports is ever dropped.
 */
export function applyProgress(steps: readonly StepState[], p: Progress): StepState[] {
  const status = (p as { status: string }).status;
  if (!["started", "done", "skipped", "failed"].includes(status)) return [...steps];
  const update = (s: StepState): StepState => {
    switch (p.status) {
      case "started":
        return { ...s, status: "started", detail: null, next_step: null };
      case "done":
        return { ...s, status: "done", detail: p.detail ?? null, next_step: null };
      case "skipped":
        return { ...s, status: "skipped", detail: p.why ?? null, next_step: null };
      case "failed":
        return { ...s, status: "failed", detail: p.message ?? null, next_step: p.next_step ?? null };
    }
  };
  const i = steps.findIndex((s) => s.name === p.step);
  if (i < 0) return [...steps, update(pendingStep(p.step))];
  return steps.map((s, j) => (j === i ? update(s) : s));
}

/**
 * When the command itself throws, the step that was running has failed even
 * if no "failed" event arrived (the link dropped, say). Marks it so the
 * list never shows a spinner that will not stop.
 */
export function markInterrupted(steps: readonly StepState[], message: string): StepState[] {
  if (steps.some((s) => s.status === "failed")) return [...steps];
  return steps.map((s) => (s.status === "started" ? { ...s, status: "failed", detail: message } : s));
}

/** Before resuming: failed steps go back to pending, finished ones stay. */
export function resetFailed(steps: readonly StepState[]): StepState[] {
  return steps.map((s) => (s.status === "failed" || s.status === "started"
    ? { ...s, status: "pending", detail: null, next_step: null } : s));
}
