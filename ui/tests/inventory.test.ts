// Inventory with the commands mocked: rows, paging and the confirm gate on
// destructive actions.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { DeviceView } from "../src/lib/api";

const mocks = vi.hoisted(() => ({ inventory: vi.fn(), unassignDevice: vi.fn(), deleteDevice: vi.fn() }));
vi.mock("../src/lib/api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/lib/api")>();
  return { ...real, api: { ...real.api, ...mocks } };
});

import Inventory from "../src/screens/Inventory.svelte";

const dev = (serial: string, assigned: boolean): DeviceView => ({
  id: "id-" + serial, serial, manufacturer: "Acme", model: "Key-6",
  status: assigned ? "assigned" : "available",
  assigned_to: assigned ? { id: "u-1", display_name: "Ada Lovelace" } : null, last_used: null,
});

beforeEach(() => {
  Object.values(mocks).forEach((m) => m.mockReset());
  mocks.inventory.mockImplementation(async (_s, _q, next) =>
    next ? { items: [dev("B2", false)], next: null } : { items: [dev("A1", true)], next: "page2" });
  mocks.unassignDevice.mockResolvedValue(undefined);
});
afterEach(() => cleanup());

describe("Inventory screen", () => {
  it("pages with Load more", async () => {
    render(Inventory);
    await screen.findByTestId("inventory-row");
    await fireEvent.click(screen.getByTestId("inventory-more"));
    await waitFor(() => expect(screen.getAllByTestId("inventory-row").map((r) => r.dataset.serial)).toEqual(["A1", "B2"]));
    expect(mocks.inventory).toHaveBeenLastCalledWith(null, null, "page2");
    expect(screen.queryByTestId("inventory-more")).toBeNull();
  });

  it("asks before unassigning, naming the serial, and Cancel does nothing", async () => {
    render(Inventory);
    await screen.findByTestId("inventory-row");
    await fireEvent.click(screen.getByTestId("unassign"));
    expect(screen.getByTestId("confirm-dialog").textContent).toContain("A1");
    await fireEvent.click(screen.getByTestId("confirm-no"));
    expect(screen.queryByTestId("confirm-dialog")).toBeNull();
    expect(mocks.unassignDevice).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId("unassign"));
    await fireEvent.click(screen.getByTestId("confirm-yes"));
    await waitFor(() => expect(mocks.unassignDevice).toHaveBeenCalledWith("id-A1", "u-1"));
  });
});
