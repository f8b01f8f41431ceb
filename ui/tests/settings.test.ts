// Settings with the commands mocked: a browser sign-in shows the page's
// address while it waits, and Cancel ends it as "cancelled", not an error.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { SignInPage, SignInView } from "../src/lib/api";

const h = vi.hoisted(() => ({
  showPage: null as null | ((p: SignInPage) => void),
  endSignIn: null as null | ((e: unknown) => void),
  unlisten: vi.fn(),
}));
const signedOut: SignInView = {
  signed_in: false, operator: null, tenant: "contoso", client_id: "cid", authority: "https://login", graph_url: "https://graph",
};
const mocks = vi.hoisted(() => ({
  profiles: vi.fn(),
  appStatus: vi.fn(),
  signIn: vi.fn(),
  cancelSignIn: vi.fn(),
  onSignInPage: vi.fn(),
}));
vi.mock("../src/lib/api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/lib/api")>();
  return { ...real, api: { ...real.api, ...mocks } };
});

import Settings from "../src/screens/Settings.svelte";
import { desk } from "../src/lib/desk.svelte";

beforeEach(() => {
  Object.values(mocks).forEach((m) => m.mockReset());
  h.unlisten.mockReset();
  h.showPage = null;
  h.endSignIn = null;
  mocks.profiles.mockResolvedValue([]);
  mocks.appStatus.mockResolvedValue({ demo: false, demo_reason: null, not_microsoft: null, signin: signedOut, version: "t" });
  mocks.onSignInPage.mockImplementation(async (f: (p: SignInPage) => void) => {
    h.showPage = f;
    return h.unlisten;
  });
  mocks.signIn.mockImplementation(() => new Promise((_ok, fail) => { h.endSignIn = fail; }));
  mocks.cancelSignIn.mockImplementation(async () => {
    h.endSignIn?.({ kind: "cancelled", message: "The sign-in was cancelled.", next_step: null, token_state: null, enrolment: null });
  });
  desk.status = { demo: false, demo_reason: null, not_microsoft: null, signin: signedOut, version: "t" };
});
afterEach(() => cleanup());

describe("Settings sign-in", () => {
  it("shows the sign-in page's address while waiting, and says when no browser opened", async () => {
    render(Settings);
    await fireEvent.click(screen.getByTestId("sign-in"));
    await waitFor(() => expect(h.showPage).not.toBeNull());
    h.showPage!({ url: "https://login/authorize?state=s", browser_opened: false });
    const waiting = await screen.findByTestId("sign-in-waiting");
    await waitFor(() => expect(screen.getByTestId("sign-in-url").textContent).toBe("https://login/authorize?state=s"));
    expect(waiting.textContent).toContain("No browser could be opened");
  });

  it("Cancel ends the wait as cancelled, without an error", async () => {
    render(Settings);
    await fireEvent.click(screen.getByTestId("sign-in"));
    expect(screen.queryByTestId("sign-in-cancel")).toBeNull();
    await waitFor(() => expect(h.showPage).not.toBeNull());
    h.showPage!({ url: "https://login/authorize?state=s", browser_opened: true });
    await fireEvent.click(await screen.findByTestId("sign-in-cancel"));
    await waitFor(() => expect(screen.getByTestId("signin-result").textContent).toBe("Sign-in cancelled."));
    expect(screen.queryByTestId("sign-in-waiting")).toBeNull();
    expect(screen.queryByTestId("settings-error")).toBeNull();
    expect(h.unlisten).toHaveBeenCalled();
    expect(screen.getByTestId<HTMLButtonElement>("sign-in").disabled).toBe(false);
  });

  it("a double click starts one sign-in", async () => {
    render(Settings);
    const button = screen.getByTestId("sign-in");
    await Promise.all([fireEvent.click(button), fireEvent.click(button)]);
    await waitFor(() => expect(mocks.signIn).toHaveBeenCalledTimes(1));
    expect(mocks.onSignInPage).toHaveBeenCalledTimes(1);
  });
});
