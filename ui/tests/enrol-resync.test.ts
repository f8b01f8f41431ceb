// Enrol and Resync with the commands mocked: the fixed step list, resume
// after a failure, the handover sheet, and the re-seed confirmation gate.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { AppError, EnrolOutcome, Progress, TokenView } from "../src/lib/api";
import { molto2Token, singleLimits, singleToken, ykoathToken } from "./fixtures";

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

const token: TokenView = singleToken({
  reader: "R1", serial: "TK0042", model: "Key-6", manufacturer: "Acme", clock_unix: 1_700_000_000,
  drift_seconds: 95, clock_write_wipes_seed: true, writable: true,
  limits: singleLimits({ algorithms: ["sha1", "sha256"], periods: [30, 60] }),
});

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
    mocks.enrolUser.mockImplementation(async (_u, _r, _a, _p, _place, _t, on: (p: Progress) => void) => {
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
    expect(mocks.enrolUser).toHaveBeenCalledWith("ada@contoso.com", "R1", "sha1", 30, null, null, expect.any(Function));
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
    expect(mocks.resyncToken).toHaveBeenCalledWith("R1", true, null, null, expect.any(Function));
    // Done: the old reading and the re-seed button are gone, so it cannot run twice by accident.
    expect(screen.queryByTestId("resync-start")).toBeNull();
    expect(screen.queryByTestId("reseed-confirm")).toBeNull();
  });

  it("just sets the clock on other models", async () => {
    mocks.resyncPreview.mockResolvedValue({ token: { ...token, clock_write_wipes_seed: false }, drift_seconds: -42, wipes_seed: false });
    mocks.resyncToken.mockResolvedValue({
      kind: "clock_set", serial: "TK0042", slot: null, drift_before_seconds: -42, settings: null, warnings: [],
    });
    render(Resync);
    await fireEvent.click(screen.getByTestId("resync-read"));
    const start = await screen.findByTestId("resync-start");
    expect(start.textContent?.trim()).toBe("Set clock");
    expect(screen.queryByTestId("reseed-warning")).toBeNull();
    await fireEvent.click(start);
    expect((await screen.findByTestId("resync-result")).textContent).toContain("Clock set (was -42 s)");
    expect(mocks.resyncToken).toHaveBeenCalledWith("R1", false, null, null, expect.any(Function));
  });
});

describe("Enrol per family", () => {
  async function chooseUser() {
    const search = screen.getByTestId("user-search");
    await fireEvent.input(search, { target: { value: "ada@contoso.com" } });
    await fireEvent.submit(search.closest("form")!);
  }
  const options = (id: string) => [...screen.getByTestId(id).querySelectorAll("option")].map((o) => o.textContent);

  it("offers only what Entra accepts, and a Molto2's first free slot", async () => {
    const t = molto2Token([0]);
    desk.readers = [{ name: t.reader, token: t, error: null }];
    mocks.enrolUser.mockResolvedValue({ ...outcome, serial: "M2000123-01" });
    render(Enrol, { go: () => {} });
    expect(options("enrol-algorithm")).toEqual(["SHA1", "SHA256"]);
    expect(options("enrol-period")).toEqual(["30 s", "60 s"]);
    expect(options("enrol-digits")).toEqual(["6"]);
    expect((screen.getByTestId("place-slot") as HTMLSelectElement).value).toBe("1");
    await chooseUser();
    await fireEvent.input(screen.getByTestId("place-title"), { target: { value: "Ada" } });
    await fireEvent.click(screen.getByTestId("enrol-start"));
    await screen.findByTestId("handover");
    expect(mocks.enrolUser).toHaveBeenCalledWith("ada@contoso.com", t.reader, "sha1", 30,
      { slot: 1, label: "Ada", touch: false, replace: false }, null, expect.any(Function));
  });

  it("leaves a YKOATH name to the station (the user's UPN) unless typed, and offers touch", async () => {
    const t = ykoathToken();
    desk.readers = [{ name: t.reader, token: t, error: null }];
    mocks.enrolUser.mockResolvedValue(outcome);
    render(Enrol, { go: () => {} });
    await chooseUser();
    expect((screen.getByTestId("place-name") as HTMLInputElement).placeholder).toBe("ada@contoso.com");
    expect(screen.queryByTestId("place-problem")).toBeNull();
    expect(screen.queryByTestId("enrol-timeout")).toBeNull();
    await fireEvent.click(screen.getByTestId("place-touch"));
    await fireEvent.click(screen.getByTestId("enrol-start"));
    await screen.findByTestId("handover");
    expect(mocks.enrolUser).toHaveBeenCalledWith("ada@contoso.com", t.reader, "sha1", 30,
      { slot: null, label: null, touch: true, replace: false }, null, expect.any(Function));
  });
});

describe("Resync per family", () => {
  const clockSet = (over: object = {}) => ({
    kind: "clock_set", serial: "X", slot: null, drift_before_seconds: -20, settings: null, warnings: [], ...over,
  });

  it("Molto2: every slot holding a seed by default, or one of them", async () => {
    const t = molto2Token([3, 7]);
    desk.readers = [{ name: t.reader, token: t, error: null }];
    mocks.resyncPreview.mockResolvedValue({ token: t, drift_seconds: -20, wipes_seed: false });
    mocks.resyncToken.mockResolvedValue(clockSet({ serial: t.serial, slot: 7 }));
    render(Resync);
    await fireEvent.click(screen.getByTestId("resync-read"));
    const pick = await screen.findByTestId("resync-slot") as HTMLSelectElement;
    expect([...pick.querySelectorAll("option")].map((o) => o.textContent))
      .toEqual(["Every slot holding a seed (3, 7)", "Slot 3 only", "Slot 7 only"]);
    await fireEvent.change(pick, { target: { value: "7" } });
    await fireEvent.click(screen.getByTestId("resync-start"));
    expect((await screen.findByTestId("resync-result")).textContent).toMatch(/Clock set.*slot 7/s);
    expect(mocks.resyncToken).toHaveBeenCalledWith(t.reader, false, 7, null, expect.any(Function));
  });

  it("YKOATH: says there is nothing to resync", async () => {
    const t = ykoathToken();
    desk.readers = [{ name: t.reader, token: t, error: null }];
    mocks.resyncPreview.mockResolvedValue({ token: t, drift_seconds: null, wipes_seed: false });
    mocks.resyncToken.mockResolvedValue({ kind: "no_clock", serial: t.serial });
    render(Resync);
    await fireEvent.click(screen.getByTestId("resync-read"));
    expect((await screen.findByTestId("resync-drift")).textContent).toContain("no clock");
    await fireEvent.click(screen.getByTestId("resync-start"));
    const result = await screen.findByTestId("resync-result");
    expect(result.dataset.kind).toBe("no_clock");
    expect(result.textContent).toContain("Nothing to resync: this key uses the computer's time");
  });

  it("single-profile: asks for the settings when the station cannot know them, retries with them and says what it kept", async () => {
    const t = singleToken({ limits: singleLimits({ algorithms: ["sha1", "sha256"], periods: [30, 60], display_timeouts: [30, 120] }) });
    desk.readers = [{ name: t.reader, token: t, error: null }];
    mocks.resyncPreview.mockResolvedValue({ token: t, drift_seconds: 40, wipes_seed: false });
    mocks.resyncToken
      .mockRejectedValueOnce({
        kind: "bad_input", next_step: null, token_state: null, enrolment: null,
        message: "the Key-6 takes its settings with every clock write and cannot report them, and neither this desk nor "
          + "Entra knows what token TK0001 holds: state its algorithm, period and display timeout; nothing was changed",
      } satisfies AppError)
      .mockResolvedValueOnce(clockSet({
        serial: t.serial, settings: [{ params: { algorithm: "sha256", digits: 6, period: 60 }, display_timeout: 120 }, "operator"],
      }));
    render(Resync);
    await fireEvent.click(screen.getByTestId("resync-read"));
    await fireEvent.click(await screen.findByTestId("resync-start"));
    await screen.findByTestId("stated-settings");
    expect(screen.getByTestId("resync-error").textContent).toContain("state its algorithm");
    await fireEvent.change(screen.getByTestId("stated-algorithm"), { target: { value: "sha256" } });
    await fireEvent.change(screen.getByTestId("stated-period"), { target: { value: "60" } });
    await fireEvent.change(screen.getByTestId("stated-timeout"), { target: { value: "120" } });
    const start = screen.getByTestId("resync-start");
    expect(start.textContent?.trim()).toBe("Set clock with these settings");
    await fireEvent.click(start);
    expect((await screen.findByTestId("resync-kept")).textContent)
      .toBe("Kept SHA-256, 60 s, display 120 s — as you stated them.");
    expect(mocks.resyncToken).toHaveBeenLastCalledWith(t.reader, false, null,
      { algorithm: "sha256", period: 60, display_timeout: 120 }, expect.any(Function));
    expect(screen.queryByTestId("resync-error")).toBeNull();
  });
});
