// What the Import screen decides from the station's answers: which key or
// passphrase fields a preview error asks for, whether the preview holds
// secrets converted from hex (which need the operator's explicit yes), and
// how each record's plan reads.

import type { AppError, ImportPlan, ImportPreview } from "./api";

/** The key and passphrase fields the screen can show. */
export interface KeyFields {
  pgpKey: boolean;
  pgpPassphrase: boolean;
  pskcKey: boolean;
  pskcPassphrase: boolean;
}

export const NO_KEY_FIELDS: KeyFields = { pgpKey: false, pgpPassphrase: false, pskcKey: false, pskcPassphrase: false };

/** Error kinds from import_preview / import_seed_file, and the fields each asks for. */
const ASKS: Record<string, Partial<KeyFields>> = {
  pgp_key_missing: { pgpKey: true, pgpPassphrase: true },
  pgp_passphrase_missing: { pgpKey: true, pgpPassphrase: true },
  pgp_key_wrong: { pgpKey: true, pgpPassphrase: true },
  pskc_key_missing: { pskcKey: true },
  pskc_key_wrong: { pskcKey: true },
  pskc_passphrase_missing: { pskcPassphrase: true },
  pskc_passphrase_wrong: { pskcPassphrase: true },
};

/** Whether the error is about a key or passphrase (and so a field to fill in). */
export function isKeyError(e: AppError | null): boolean {
  return !!e && e.kind in ASKS;
}

/** The fields to show after `e`, added to those already shown (a PSKC in
 *  OpenPGP needs both, asked one after the other). */
export function keyFieldsAfter(shown: KeyFields, e: AppError | null): KeyFields {
  return mergeKeyFields(shown, { ...NO_KEY_FIELDS, ...(e ? ASKS[e.kind] ?? {} : {}) });
}

/** Every field either shows. */
export function mergeKeyFields(a: KeyFields, b: KeyFields): KeyFields {
  return {
    pgpKey: a.pgpKey || b.pgpKey,
    pgpPassphrase: a.pgpPassphrase || b.pgpPassphrase,
    pskcKey: a.pskcKey || b.pskcKey,
    pskcPassphrase: a.pskcPassphrase || b.pskcPassphrase,
  };
}

/** The fields a file's name suggests before any preview (.gpg/.pgp/.asc: OpenPGP). */
export function keyFieldsForName(name: string): KeyFields {
  const pgp = /\.(gpg|pgp|asc)$/i.test(name.trim());
  return { ...NO_KEY_FIELDS, pgpKey: pgp, pgpPassphrase: pgp };
}

/** A warning that says the record's secret was read as hex and converted. */
export function isHexWarning(w: string): boolean {
  return /\bhex\b/i.test(w) && /convert/i.test(w);
}

/** The places (line N / record N) whose secret was converted from hex. */
export function convertedPlaces(p: ImportPreview | null): string[] {
  if (!p) return [];
  return p.items.filter((i) => i.warnings.some(isHexWarning)).map((i) => i.place);
}

/** The plan as the table shows it. */
export function planText(plan: ImportPlan): string {
  switch (plan.kind) {
    case "create": return "create";
    case "skip": return `skip: already in the inventory (${plan.inventory_id})`;
    case "refuse": return `refuse: ${plan.reason}`;
  }
}

/** Counts of what the preview would do. */
export function planCounts(p: ImportPreview | null): { create: number; skip: number; refuse: number } {
  const c = { create: 0, skip: 0, refuse: 0 };
  for (const i of p?.items ?? []) c[i.plan.kind] += 1;
  return c;
}
