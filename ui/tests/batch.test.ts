// The Batch screen's start form with the commands mocked: a batch from an
// Entra group goes out as a group source (unnamed: it takes the group's
// name), a CSV batch needs its file and a name.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { BatchView } from "../src/lib/api";

const view: BatchView = {
  id: "batch-1", name: "March starters", operator: "op", algorithm: "sha1", period: 30, created_at: 0,
  users: [], counts: { waiting: 0, done: 0, failed: 0, refused: 0, skipped: 0 },
} as unknown as BatchView;

const started: unknown[][] = [];

vi.mock("../src/lib/api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/lib/api")>();
  return {
    ...real,
    api: {
      ...real.api,
      batchList: vi.fn(async () => (started.length ? [view] : [])),
      batchStart: vi.fn(async (...args: unknown[]) => { started.push(args); return view; }),
    },
  };
});

import Batch from "../src/screens/Batch.svelte";

afterEach(() => { cleanup(); started.length = 0; });

describe("Batch: a new batch", () => {
  it("starts from an Entra group, named after it unless named", async () => {
    render(Batch);
    const create = screen.getByTestId("batch-create") as HTMLButtonElement;
    expect(create.disabled).toBe(true);
    await fireEvent.click(screen.getByTestId("batch-from-group"));
    expect(screen.queryByTestId("batch-csv")).toBeNull();
    await fireEvent.input(screen.getByTestId("batch-group"), { target: { value: "  March starters " } });
    expect(create.disabled).toBe(false);
    await fireEvent.click(create);
    await waitFor(() => expect(started).toHaveLength(1));
    expect(started[0]).toEqual(["", { group: "March starters" }, "sha1", 30]);
    await waitFor(() => expect(screen.getByTestId("batch-view").dataset.id).toBe("batch-1"));
  });

  it("a CSV batch waits for its file and a name", async () => {
    render(Batch);
    const create = screen.getByTestId("batch-create") as HTMLButtonElement;
    const file = new File(["upn\nhire1@contoso.com\n"], "hires.csv", { type: "text/csv" });
    await fireEvent.change(screen.getByTestId("batch-csv"), { target: { files: [file] } });
    await waitFor(() => expect(create.disabled).toBe(false));
    expect((screen.getByTestId("batch-name") as HTMLInputElement).value).toBe("hires");
    await fireEvent.input(screen.getByTestId("batch-name"), { target: { value: " " } });
    expect(create.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId("batch-name"), { target: { value: "March" } });
    await fireEvent.click(create);
    await waitFor(() => expect(started).toHaveLength(1));
    expect(started[0]).toEqual(["March", { csv: "upn\nhire1@contoso.com\n" }, "sha1", 30]);
  });
});
