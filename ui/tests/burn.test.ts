// Component test of the Burn screen with the Tauri commands mocked: the
// advice for a wrong QR reaches the operator, the secret stays masked until
// Reveal, and a seed the token cannot hold disables Burn.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { AppError, SeedView, TokenView } from "../src/lib/api";
import { molto2Token, singleLimits, singleToken, ykoathToken } from "./fixtures";

const mocks = vi.hoisted(() => ({
  scanText: vi.fn(),
  revealSeed: vi.fn(),
  forgetSeed: vi.fn(),
  burnSeed: vi.fn(),
  seedCode: vi.fn(),
  screenPrompt: vi.fn(),
  scanCamera: vi.fn(),
  stopCamera: vi.fn(),
}));

vi.mock("../src/lib/api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/lib/api")>();
  return { ...real, api: { ...real.api, ...mocks } };
});

import Burn from "../src/screens/Burn.svelte";
import { desk } from "../src/lib/desk.svelte";

const seed: SeedView = {
  id: "seed-1",
  issuer: "Contoso",
  label_issuer: null,
  account: "ada@contoso.com",
  params: { algorithm: "sha1", digits: 6, period: 30 },
  bits: 160,
  origin: "pasted text",
  explanation: "An otpauth:// link",
  note: null,
};

const token = (limits: Partial<TokenView["limits"]> = {}): TokenView => singleToken({ limits: singleLimits(limits) });

async function pasteAndSubmit(text: string) {
  const input = screen.getByTestId("paste-input");
  await fireEvent.input(input, { target: { value: text } });
  await fireEvent.click(screen.getByTestId("paste-submit"));
}

beforeEach(() => {
  Object.values(mocks).forEach((m) => m.mockReset());
  mocks.forgetSeed.mockResolvedValue(undefined);
  mocks.screenPrompt.mockResolvedValue(null);
  desk.readers = [{ name: "Desk reader 0", token: token(), error: null }];
});
afterEach(() => cleanup());

describe("Burn screen", () => {
  it("explains the desktop's screenshot prompt where there is one, and only there", async () => {
    render(Burn);
    await waitFor(() => expect(mocks.screenPrompt).toHaveBeenCalled());
    expect(screen.queryByTestId("screen-prompt")).toBeNull();
    cleanup();
    mocks.screenPrompt.mockResolvedValue("Your desktop will ask whether OathDesk may take a screenshot: choose Share (or Allow).");
    render(Burn);
    const prompt = await screen.findByTestId("screen-prompt");
    expect(prompt.textContent).toContain("choose Share");
  });

  it("shows a coarse camera preview while looking, and drops it when the code is read", async () => {
    let found: (s: SeedView) => void = () => {};
    let onPreview: (p: { width: number; height: number; grey: number[] }) => void = () => {};
    mocks.scanCamera.mockImplementation((f) => {
      onPreview = f;
      return new Promise<SeedView>((resolve) => (found = resolve));
    });
    mocks.stopCamera.mockResolvedValue(undefined);
    render(Burn);
    await fireEvent.click(screen.getByTestId("capture-camera"));
    const canvas = await screen.findByTestId("camera-preview");
    // jsdom has no 2D context: drawing is skipped, never thrown.
    onPreview({ width: 64, height: 48, grey: new Array(64 * 48).fill(128) });
    expect(canvas).toBeTruthy();
    expect(screen.getByTestId("capture-screen").hasAttribute("disabled")).toBe(true);
    await fireEvent.click(screen.getByTestId("camera-stop"));
    expect(mocks.stopCamera).toHaveBeenCalledTimes(1);
    found({ ...seed, origin: "camera Desk webcam" });
    await screen.findByTestId("seed-summary");
    await waitFor(() => expect(screen.queryByTestId("camera-looking")).toBeNull());
  });

  it("says why the camera could not look", async () => {
    mocks.scanCamera.mockRejectedValue({
      kind: "bad_input",
      message: "No camera was found. Plug in a webcam and try again, or read the code from the screen, a file or the clipboard.",
      next_step: null, token_state: null, enrolment: null,
    } satisfies AppError);
    render(Burn);
    await fireEvent.click(screen.getByTestId("capture-camera"));
    const err = await screen.findByTestId("scan-error");
    expect(err.textContent).toContain("No camera was found");
    await waitFor(() => expect(screen.queryByTestId("camera-looking")).toBeNull());
  });

  it("shows the classifier's advice when a scan is refused", async () => {
    const err: AppError = {
      kind: "bad_input",
      message: "This is a Microsoft Authenticator sign-in QR (phonefactor://), not a TOTP secret.",
      next_step: "In My Sign-Ins choose 'Authenticator app', then 'I want to use a different authenticator app'.",
      token_state: null,
      enrolment: null,
    };
    mocks.scanText.mockRejectedValue(err);
    render(Burn);
    await pasteAndSubmit("phonefactor://activate_account?code=1");
    const box = await screen.findByTestId("scan-error");
    expect(box.textContent).toContain("phonefactor://");
    expect(box.textContent).toContain("I want to use a different authenticator app");
    expect(screen.queryByTestId("seed-summary")).toBeNull();
    expect((screen.getByTestId("paste-input") as HTMLTextAreaElement).value).toBe("");
  });

  it("keeps the secret masked until Reveal and forgets it on Hide", async () => {
    mocks.scanText.mockResolvedValue(seed);
    mocks.revealSeed.mockResolvedValue("JBSWY3DPEHPK3PXP");
    render(Burn);
    await pasteAndSubmit("otpauth://totp/Contoso:ada?secret=JBSWY3DPEHPK3PXP");
    const secret = await screen.findByTestId("seed-secret");
    expect(secret.textContent?.trim()).toBe("••••••••");
    expect(document.body.textContent).not.toContain("JBSWY3DP");
    expect(mocks.revealSeed).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId("reveal-toggle"));
    await waitFor(() => expect(screen.getByTestId("seed-secret").textContent).toContain("JBSW Y3DP"));
    expect(mocks.revealSeed).toHaveBeenCalledWith("seed-1");

    await fireEvent.click(screen.getByTestId("reveal-toggle"));
    expect(screen.getByTestId("seed-secret").textContent?.trim()).toBe("••••••••");
    expect(document.body.textContent).not.toContain("JBSW");
  });

  it("offers only the token's values and blocks a seed the token cannot hold", async () => {
    mocks.scanText.mockResolvedValue({ ...seed, params: { algorithm: "sha256", digits: 6, period: 30 } });
    render(Burn);
    await pasteAndSubmit("otpauth://totp/x?secret=AAAA&algorithm=SHA256");
    await screen.findByTestId("seed-summary");
    const algos = [...screen.getByTestId("setting-algorithm").querySelectorAll("option")].map((o) => o.textContent);
    expect(algos).toEqual(["SHA1"]);
    expect(screen.getByTestId("limits-problem").textContent).toMatch(/SHA256/);
    expect((screen.getByTestId("burn-start") as HTMLButtonElement).disabled).toBe(true);
  });

  it("burns, shows the steps and the code, and forgets the seed on Done", async () => {
    mocks.scanText.mockResolvedValue(seed);
    mocks.burnSeed.mockImplementation(async (_id, _reader, _settings, _place, onProgress) => {
      onProgress({ step: "read_token", status: "started" });
      onProgress({ step: "read_token", status: "done", detail: "TK0001" });
      onProgress({ step: "write_seed", status: "done", detail: null });
      const now = Math.floor(Date.now() / 1000);
      return {
        token: token(),
        params: seed.params,
        burnt: { slot: null, label: null, directory_serial: "TK0001", warnings: [] },
        code: { code: "123456", valid_from: now, valid_to: now + 30 },
        hint: "Press the button twice to wake the token.",
      };
    });
    render(Burn);
    await pasteAndSubmit("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP");
    await screen.findByTestId("seed-summary");
    await fireEvent.click(screen.getByTestId("burn-start"));
    expect((await screen.findByTestId("burn-code")).textContent).toBe("123456");
    expect(mocks.burnSeed).toHaveBeenCalledWith("seed-1", "Desk reader 0",
      { algorithm: null, digits: null, period: null, display_timeout: null }, null, expect.any(Function));
    const steps = screen.getAllByTestId("step").map((s) => [s.dataset.step, s.dataset.status]);
    expect(steps).toEqual([["read_token", "done"], ["write_seed", "done"]]);
    expect(screen.getByTestId("power-cycle-hint").textContent).toContain("Press the button");
    expect(screen.getByTestId("countdown")).toBeTruthy();

    await fireEvent.click(screen.getByTestId("burn-done"));
    expect(mocks.forgetSeed).toHaveBeenCalledWith("seed-1");
    expect(screen.queryByTestId("seed-summary")).toBeNull();
  });

  it("shows what the token state means when a burn fails", async () => {
    mocks.scanText.mockResolvedValue(seed);
    mocks.burnSeed.mockRejectedValue({
      kind: "token", message: "The token stopped answering.", next_step: "Put it back on the reader and burn again.",
      token_state: "configured_no_seed", enrolment: null,
    } satisfies AppError);
    render(Burn);
    await pasteAndSubmit("JBSWY3DPEHPK3PXP");
    await screen.findByTestId("seed-summary");
    await fireEvent.click(screen.getByTestId("burn-start"));
    const box = await screen.findByTestId("burn-error");
    expect(box.textContent).toContain("Put it back on the reader");
    expect(box.textContent).toContain("the seed was not — burn again");
  });
});

describe("Burn per family", () => {
  const done = (t: TokenView, burnt: { slot: number | null; label: string | null; warnings: string[] }) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      token: t, params: seed.params, burnt: { directory_serial: t.serial, ...burnt },
      code: { code: "12345678", valid_from: now, valid_to: now + 60 }, hint: "Switch it off and on.",
    };
  };
  const value = (id: string) => (screen.getByTestId(id) as HTMLInputElement | HTMLSelectElement).value;
  const burnButton = () => screen.getByTestId("burn-start") as HTMLButtonElement;

  it("single-profile: offers no slot, title, name or touch", async () => {
    mocks.scanText.mockResolvedValue(seed);
    render(Burn);
    await pasteAndSubmit("JBSWY3DPEHPK3PXP");
    await screen.findByTestId("seed-summary");
    expect(screen.queryByTestId("placement")).toBeNull();
  });

  it("Molto2: free slots first (default the first free), a title checked in bytes, then where it went and the warnings", async () => {
    const t = molto2Token([0, 1]);
    desk.readers = [{ name: t.reader, token: t, error: null }];
    mocks.scanText.mockResolvedValue(seed);
    mocks.burnSeed.mockResolvedValue(done(t, { slot: 7, label: "VPN", warnings: ["This Molto2 still uses the factory customer key."] }));
    render(Burn);
    await pasteAndSubmit("JBSWY3DPEHPK3PXP");
    await screen.findByTestId("seed-summary");

    const options = [...screen.getByTestId("place-slot").querySelectorAll("option")].map((o) => o.textContent);
    expect(options[0]).toBe("Slot 2 — free");
    expect(options.slice(-2)).toEqual(["Slot 0 — holds a seed", "Slot 1 — holds a seed"]);
    expect(value("place-slot")).toBe("2");
    expect([...screen.getByTestId("setting-digits").querySelectorAll("option")].map((o) => o.textContent))
      .toEqual(["4", "6", "8", "10"]);
    expect(screen.queryByTestId("place-name")).toBeNull();
    expect(screen.queryByTestId("place-touch")).toBeNull();

    await fireEvent.input(screen.getByTestId("place-title"), { target: { value: "Überweisungen" } });
    expect(screen.getByTestId("place-problem").textContent).toMatch(/14 bytes.*at most 12/);
    expect(burnButton().disabled).toBe(true);

    await fireEvent.change(screen.getByTestId("place-slot"), { target: { value: "0" } });
    await fireEvent.input(screen.getByTestId("place-title"), { target: { value: "VPN" } });
    expect(screen.getByTestId("place-problem").textContent).toMatch(/Slot 0 already holds a seed/);
    await fireEvent.change(screen.getByTestId("place-slot"), { target: { value: "7" } });
    expect(screen.queryByTestId("place-problem")).toBeNull();
    await fireEvent.change(screen.getByTestId("setting-digits"), { target: { value: "8" } });
    await fireEvent.click(burnButton());

    await screen.findByTestId("burn-result");
    expect(mocks.burnSeed).toHaveBeenCalledWith("seed-1", t.reader,
      { algorithm: null, digits: 8, period: null, display_timeout: null },
      { slot: 7, label: "VPN", touch: false, replace: false }, expect.any(Function));
    expect(screen.getByTestId("burnt-where").textContent).toMatch(/slot 7\s+titled\s+VPN/);
    expect(screen.getByTestId("burnt-warnings").textContent).toContain("factory customer key");
  });

  it("YKOATH: the name comes from the QR and may be edited, never emptied; touch is offered", async () => {
    const t = ykoathToken(["GitHub:jd"]);
    desk.readers = [{ name: t.reader, token: t, error: null }];
    mocks.scanText.mockResolvedValue({ ...seed, label_issuer: "Contoso", issuer: "Microsoft" });
    mocks.burnSeed.mockResolvedValue(done(t, { slot: null, label: "Contoso:ada", warnings: [] }));
    render(Burn);
    await pasteAndSubmit("otpauth://totp/Contoso:ada@contoso.com?secret=JBSWY3DPEHPK3PXP&issuer=Microsoft");
    await screen.findByTestId("seed-summary");
    expect(value("place-name")).toBe("Contoso:ada@contoso.com");
    expect(screen.queryByTestId("place-slot")).toBeNull();
    expect(screen.queryByTestId("place-title")).toBeNull();
    expect(screen.queryByTestId("setting-timeout")).toBeNull();

    await fireEvent.input(screen.getByTestId("place-name"), { target: { value: "  " } });
    expect(screen.getByTestId("place-problem").textContent).toMatch(/needs a name/);
    expect(burnButton().disabled).toBe(true);

    await fireEvent.input(screen.getByTestId("place-name"), { target: { value: "Contoso:ada" } });
    await fireEvent.click(screen.getByTestId("place-touch"));
    expect(burnButton().disabled).toBe(false);
    await fireEvent.click(burnButton());
    await screen.findByTestId("burn-result");
    expect(mocks.burnSeed).toHaveBeenCalledWith("seed-1", t.reader, expect.anything(),
      { slot: null, label: "Contoso:ada", touch: true, replace: false }, expect.any(Function));
    expect(screen.getByTestId("burnt-where").textContent).toContain("credential Contoso:ada");
    expect(screen.queryByTestId("burnt-warnings")).toBeNull();
  });
});
