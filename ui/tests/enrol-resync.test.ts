// Enrol and Resync with the commands mocked: the fixed step list, resume
// after a failure, the handover sheet, and the re-seed confirmation gate.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { AppError, EnrolOutcome, Progress, TokenView } from "../src/lib/api";

const mocks = vi.hoisted(() => ({
  searchUsers: vi.fn(),
  enrolUser: vi.fn(),
  resumeEnrolment: vi.fn(),
  serialQr: vi.fn(),
  resyncPreview: vi.fn(),
  resyncToken: vi.fn(),
}));

vi.mock("../src/lib/api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/lib/api")>();
  return { ...real, api: { ...real.api, ...mocks } };
});

import Enrol from "../src/screens/Enrol.svelte";
import Resync from "../src/screens/Resync.svelte";
import { desk } from "../src/lib/desk.svelte";

const token: TokenView = {
  reader: "R1", serial: "TK0042", model: "Key-6", manufacturer: "Acme", clock_unix: 1_700_000_000,
  drift_seconds: 95, clock_write_wipes_seed: true, writable: true,
  limits: { algorithms: ["sha1", "sha256"], periods: [30, 60], digits: [6], max_seed_bytes: 32, display_timeouts: [] },
};

const outcome: EnrolOutcome = {
  enrolment_id: "enr-1", user: "ada@contoso.com", serial: "TK0042", model: "Key-6", device_id: "dev-1",
  params: { algorithm: "sha1", digits: 6, period: 30 }, activated_at: 1_700_000_100,
};

const statusOf = () => Object.fromEntries(screen.getAllByTestId("step").map((s) => [s.dataset.step, s.dataset.status]));

beforeEach(() => {
  Object.values(mocks).forEach((m) => m.mockReset());
  mocks.searchUsers.mockResolvedValue([]);
  mocks.serialQr.mockResolvedValue('<svg xmlns="http://www.w3.org/2000/svg" data-qr="TK0042"></svg>');
  desk.readers = [{ name: "R1", token, error: null }];
});
afterEach(() => cleanup());

describe("Enrol screen", () => {
  it("runs the steps, offers Resume after a failure and ends on the handover sheet", async () => {
    const failure: AppError = {
      kind: "directory", message: "Graph timed out while assigning.", next_step: "Resume when the network is back.",
      token_state: "seed_written", enrolment: "enr-1",
    };
    mocks.enrolUser.mockImplementation(async (_u, _r, _a, _p, on: (p: Progress) => void) => {
      on({ step: "check_user", status: "done", detail: "Ada" });
      on({ step: "check_clock", status: "skipped", why: "in sync" });
      on({ step: "assign", status: "started" });
      on({ step: "assign", status: "failed", message: failure.message, next_step: failure.next_step! });
      throw failure;
    });
    mocks.resumeEnrolment.mockImplementation(async (_id, on: (p: Progress) => void) => {
      on({ step: "assign", status: "done", detail: null });
      on({ step: "activate", status: "done", detail: null });
      on({ step: "verify", status: "done", detail: null });
      return outcome;
    });

    render(Enrol, { go: () => {} });
    const search = screen.getByTestId("user-search");
    await fireEvent.input(search, { target: { value: "ada@contoso.com" } });
    await fireEvent.submit(search.closest("form")!);
    await fireEvent.click(screen.getByTestId("enrol-start"));

    const err = await screen.findByTestId("enrol-error");
    expect(err.textContent).toContain("Graph timed out");
    expect(err.textContent).toContain("The seed is on the token.");
    expect(mocks.enrolUser).toHaveBeenCalledWith("ada@contoso.com", "R1", "sha1", 30, expect.any(Function));
    expect(statusOf()).toMatchObject({ check_user: "done", check_clock: "skipped", assign: "failed", create: "pending" });

    await fireEvent.click(screen.getByTestId("enrol-resume"));
    await screen.findByTestId("handover");
    expect(mocks.resumeEnrolment).toHaveBeenCalledWith("enr-1", expect.any(Function));
    expect(screen.getByTestId("handover-serial").textContent).toBe("TK0042");
    expect(screen.getByTestId("handover-user").textContent).toBe("ada@contoso.com");
    expect(screen.getByTestId("handover-model").textContent).toBe("Key-6");
    await waitFor(() => expect(screen.getByTestId("handover-qr").querySelector("svg")).not.toBeNull());
    expect(statusOf()).toMatchObject({ assign: "done", verify: "done" });
    expect(screen.queryByTestId("enrol-error")).toBeNull();
  });
});

describe("Resync screen", () => {
  it("requires the re-seed confirmation on models where a clock write wipes the seed", async () => {
    mocks.resyncPreview.mockResolvedValue({ token, drift_seconds: 95, wipes_seed: true });
    mocks.resyncToken.mockResolvedValue({ kind: "reseeded", ...outcome });
    render(Resync);
    await fireEvent.click(screen.getByTestId("resync-read"));
    expect((await screen.findByTestId("resync-drift")).textContent).toBe("+95 s");
    expect(screen.getByTestId("reseed-warning").textContent).toContain("erases the seed");
    const start = screen.getByTestId("resync-start") as HTMLButtonElement;
    expect(start.textContent?.trim()).toBe("Re-seed and re-register");
    expect(start.disabled).toBe(true);

    await fireEvent.click(screen.getByTestId("reseed-confirm"));
    expect(start.disabled).toBe(false);
    await fireEvent.click(start);
    expect((await screen.findByTestId("resync-result")).textContent).toContain("TK0042");
    expect(mocks.resyncToken).toHaveBeenCalledWith("R1", true, expect.any(Function));
    // Done: the old reading and the re-seed button are gone, so it cannot run twice by accident.
    expect(screen.queryByTestId("resync-start")).toBeNull();
    expect(screen.queryByTestId("reseed-confirm")).toBeNull();
  });

  it("just sets the clock on other models", async () => {
    mocks.resyncPreview.mockResolvedValue({ token: { ...token, clock_write_wipes_seed: false }, drift_seconds: -42, wipes_seed: false });
    mocks.resyncToken.mockResolvedValue({ kind: "clock_set", serial: "TK0042", drift_before_seconds: -42 });
    render(Resync);
    await fireEvent.click(screen.getByTestId("resync-read"));
    const start = await screen.findByTestId("resync-start");
    expect(start.textContent?.trim()).toBe("Set clock");
    expect(screen.queryByTestId("reseed-warning")).toBeNull();
    await fireEvent.click(start);
    expect((await screen.findByTestId("resync-result")).textContent).toContain("Clock set (was -42 s)");
    expect(mocks.resyncToken).toHaveBeenCalledWith("R1", false, expect.any(Function));
  });
});
