// The screens in nav order; Alt+N selects the Nth.
export type Screen = "desk" | "burn" | "enrol" | "batch" | "resync" | "inventory" | "journal" | "settings";

export const SCREENS: { id: Screen; label: string }[] = [
  { id: "desk", label: "Desk" },
  { id: "burn", label: "Burn from QR" },
  { id: "enrol", label: "Enrol" },
  { id: "batch", label: "Batch" },
  { id: "resync", label: "Resync" },
  { id: "inventory", label: "Inventory" },
  { id: "journal", label: "Journal & audit" },
  { id: "settings", label: "Settings" },
];
