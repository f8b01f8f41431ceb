// The shell and Desk screen with the commands mocked: readers load and go
// live, the demo banner shows, and Alt+N switches screens.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { AppStatus, ReaderView } from "../src/lib/api";
import { molto2Token, singleLimits, singleToken, ykoathToken } from "./fixtures";

const h = vi.hoisted(() => ({
  push: null as null | ((r: ReaderView[]) => void),
  touch: null as null | ((t: { reader: string; waiting: boolean }) => void),
}));

const status: AppStatus = {
  demo: true,
  demo_reason: "No reader found; the training desk is on.",
  not_microsoft: null,
  signin: { signed_in: true, operator: "trainer@sandbox.example", tenant: "sandbox", client_id: "x", authority: "a", graph_url: "g" },
  version: "0.1.0",
};

const readers: ReaderView[] = [
  {
    name: "Virtual reader 1", error: null,
    token: singleToken({
      reader: "Virtual reader 1", serial: "DEMO0001", model: "Demo-6", manufacturer: "Demo", clock_unix: 1_700_000_000,
      drift_seconds: 42, clock_write_wipes_seed: true, writable: false, limits: singleLimits({ max_seed_bytes: 20 }),
    }),
  },
  { name: "Virtual reader 2", token: null, error: null },
];

vi.mock("../src/lib/api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/lib/api")>();
  return {
    ...real,
    api: {
      ...real.api,
      appStatus: vi.fn(async () => status),
      readers: vi.fn(async () => readers),
      onDeskChanged: vi.fn(async (f: (r: ReaderView[]) => void) => { h.push = f; return () => {}; }),
      onTouchKey: vi.fn(async (f: (t: { reader: string; waiting: boolean }) => void) => { h.touch = f; return () => {}; }),
      searchUsers: vi.fn(async () => []),
      deleteSeed: vi.fn(async (reader: string, slot: number | null, label: string | null) => ({
        token: ykoathToken([], { reader }), place: slot !== null ? `slot ${slot}` : `credential ${label}`, directory_serial: "YK5551234",
      })),
    },
  };
});

import App from "../src/App.svelte";

afterEach(() => cleanup());

describe("App shell and Desk", () => {
  it("loads the readers, shows tokens and stays live", async () => {
    render(App);
    await waitFor(() => expect(screen.getByTestId("desk").dataset.ready).toBe("true"));
    expect(screen.getByTestId("demo-badge").textContent).toContain("DEMO");

    const cards = screen.getAllByTestId("reader");
    expect(cards.map((c) => [c.dataset.reader, c.dataset.serial])).toEqual([
      ["Virtual reader 1", "DEMO0001"], ["Virtual reader 2", ""],
    ]);
    expect(screen.getByTestId("token-serial").textContent).toBe("DEMO0001");
    expect(screen.getByTestId("token-drift").textContent).toContain("+42 s");
    expect(cards[0].textContent).toContain("unknown model — read only");
    expect(cards[0].textContent).toContain("clock write wipes the seed");
    expect(cards[1].textContent).toContain("No token — place one on the reader");

    h.push!([{ name: "Virtual reader 2", token: null, error: null }]);
    await waitFor(() => expect(screen.getAllByTestId("reader")).toHaveLength(1));
  });

  it("asks for a touch on the key that waits for one, until it answers", async () => {
    render(App);
    await waitFor(() => expect(h.touch).not.toBeNull());
    expect(screen.queryByTestId("touch-key")).toBeNull();
    h.touch!({ reader: "FIDO2 Security Key A1 (USB)", waiting: true });
    await waitFor(() => expect(screen.getByTestId("touch-key").textContent).toBe("Touch the key on FIDO2 Security Key A1 (USB)"));
    h.touch!({ reader: "FIDO2 Security Key A1 (USB)", waiting: false });
    await waitFor(() => expect(screen.queryByTestId("touch-key")).toBeNull());
  });

  it("wears the DEMO frame and names the tenant when Entra is not Microsoft's", async () => {
    const real = { ...status, demo: false, demo_reason: null, not_microsoft: "Graph at http://127.0.0.1:8080" };
    const { api } = await import("../src/lib/api");
    vi.mocked(api.appStatus).mockResolvedValueOnce(real);
    render(App);
    await waitFor(() => expect(screen.getByTestId("not-microsoft").textContent).toBe("Graph at http://127.0.0.1:8080"));
    expect(screen.getByTestId("demo-badge").textContent).toContain("DEMO — not Microsoft's Entra");
  });

  it("shows each token's family, clock and slots or credentials", async () => {
    render(App);
    await waitFor(() => expect(screen.getByTestId("desk").dataset.ready).toBe("true"));
    h.push!([
      { name: "R0", token: singleToken({ reader: "R0" }), error: null },
      { name: "R1", token: molto2Token([7, 0, 12], { reader: "R1" }), error: null },
      { name: "R2", token: ykoathToken(["Contoso:jane@contoso.com", "60/GitHub:jd"], { reader: "R2" }), error: null },
    ]);
    await waitFor(() => expect(screen.getAllByTestId("reader")).toHaveLength(3));
    const [single, molto2, yk] = screen.getAllByTestId("reader");
    const within = (card: HTMLElement, id: string) => card.querySelector(`[data-testid=${id}]`)?.textContent ?? null;

    expect(within(single, "token-family")).toBe("Token2 single-profile");
    expect(within(single, "token-drift")).toContain("+2 s");
    expect(within(single, "token-slots")).toBeNull();

    expect(within(molto2, "token-family")).toBe("Molto2");
    expect(within(molto2, "token-drift")).toContain("-20 s");
    expect(within(molto2, "token-slots")).toMatch(/^\s*3 used, 97 free/);
    expect([...molto2.querySelectorAll<HTMLElement>("[data-testid=held-seed]")].map((e) => e.dataset.slot))
      .toEqual(["0", "7", "12"]);

    expect(within(yk, "token-family")).toBe("YubiKey OATH");
    expect(within(yk, "token-clock")).toBe("no clock — uses this computer's time");
    expect(within(yk, "token-drift")).toBeNull();
    expect([...yk.querySelectorAll("[data-testid=token-credential]")].map((e) => e.textContent))
      .toEqual(["Contoso:jane@contoso.com", "60/GitHub:jd"]);
  });

  it("deletes a credential only after the confirmation, then reads the desk again", async () => {
    const { api } = await import("../src/lib/api");
    render(App);
    // This render's own first read, so no later answer replaces the push.
    const readsAtStart = vi.mocked(api.readers).mock.calls.length;
    await waitFor(() => expect(vi.mocked(api.readers).mock.calls.length).toBeGreaterThan(readsAtStart));
    await waitFor(() => expect(screen.getAllByTestId("reader")[0].dataset.reader).toBe("Virtual reader 1"));
    h.push!([{ name: "R2", token: ykoathToken(["Contoso:jane@contoso.com", "GitHub:jd"], { reader: "R2" }), error: null }]);
    const deleteJd = () => {
      const button = document.querySelector<HTMLElement>("[data-testid=held-seed][data-label='GitHub:jd'] [data-testid=delete-seed]");
      if (!button) throw new Error("no Delete for GitHub:jd");
      return fireEvent.click(button);
    };
    await waitFor(() => expect(document.querySelector("[data-testid=held-seed][data-label='GitHub:jd']")).toBeTruthy());
    const readsBefore = vi.mocked(api.readers).mock.calls.length;

    await deleteJd();
    expect(screen.getByTestId("confirm-dialog").textContent).toContain("GitHub:jd from YK5551234");
    await fireEvent.click(screen.getByTestId("confirm-no"));
    expect(api.deleteSeed).not.toHaveBeenCalled();

    await deleteJd();
    vi.mocked(api.readers).mockResolvedValueOnce([
      { name: "R2", token: ykoathToken(["Contoso:jane@contoso.com"], { reader: "R2" }), error: null },
    ]);
    await fireEvent.click(screen.getByTestId("confirm-yes"));
    await waitFor(() => expect(screen.getByTestId("seed-deleted").textContent).toBe("Deleted credential GitHub:jd."));
    expect(api.deleteSeed).toHaveBeenCalledWith("R2", null, "GitHub:jd");
    expect(vi.mocked(api.readers).mock.calls.length).toBeGreaterThan(readsBefore);
    expect([...document.querySelectorAll<HTMLElement>("[data-testid=held-seed]")].map((e) => e.dataset.label))
      .toEqual(["Contoso:jane@contoso.com"]);
  });

  it("switches screens from the nav, the actions and Alt+N", async () => {
    render(App);
    await fireEvent.click(screen.getByTestId("action-resync"));
    expect(screen.getByTestId("resync")).toBeTruthy();
    await fireEvent.keyDown(window, { key: "3", code: "Digit3", altKey: true });
    expect(screen.getByTestId("enrol")).toBeTruthy();
    expect(screen.getAllByTestId("step").map((s) => s.dataset.status)).toEqual(Array(10).fill("pending"));
    await fireEvent.click(screen.getByTestId("nav-desk"));
    expect(screen.getByTestId("desk")).toBeTruthy();
  });
});
