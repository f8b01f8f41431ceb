// What the Reconcile section shows for each finding: its title, the label
// of its Fix button, whether the fix changes Entra (and so needs the
// confirm dialog) and what that dialog says. Pure, for the unit tests.

import type { Finding, FindingKind, Fix } from "./api";

const TITLES: Record<FindingKind, string> = {
  missing_in_entra: "Burnt here, missing in Entra",
  never_seen_here: "In Entra, never seen here",
  duplicate_serial: "Duplicate serial",
  disabled_user: "Assigned to a disabled user",
  deleted_user: "Assigned to a deleted user",
};

export function findingTitle(kind: FindingKind): string {
  return TITLES[kind] ?? kind;
}

/** Changes Entra: asked through the confirm dialog first. */
export function isDestructive(fix: Fix): boolean {
  return fix.action === "delete" || fix.action === "unassign";
}

/** The Fix button's label; null when there is nothing to do. */
export function fixLabel(fix: Fix): string | null {
  switch (fix.action) {
    case "none":
      return null;
    case "resume":
      return "Resume enrolment";
    case "re_enrol":
      return "How to re-enrol";
    case "delete":
      return `Delete copy ${fix.serial.trim()}`;
    case "unassign":
      return `Unassign ${fix.serial.trim()}`;
  }
}

/** The confirm dialog's text for a destructive fix. */
export function confirmText(f: Finding): { title: string; message: string; confirmLabel: string } | null {
  const fix = f.fix;
  if (fix.action === "delete") {
    return {
      title: "Delete the duplicate?",
      message: `Delete the extra copy "${fix.serial}" (${fix.device_id}) from the tenant? The copy ${fix.keep_device_id} stays.`,
      confirmLabel: `Delete ${fix.device_id}`,
    };
  }
  if (fix.action === "unassign") {
    return {
      title: "Unassign token?",
      message: `Unassign token ${fix.serial} from ${f.user ?? fix.user_id}? It becomes available to issue again.`,
      confirmLabel: `Unassign ${fix.serial}`,
    };
  }
  return null;
}
