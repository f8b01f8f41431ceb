// The Import screen's decisions: which key or passphrase field a preview
// error asks for, which records were converted from hex (and so need the
// operator's yes), and how plans read.
import { describe, expect, it } from "vitest";
import type { AppError, ImportPreview, PreviewItem } from "../src/lib/api";
import {
  NO_KEY_FIELDS, convertedPlaces, isHexWarning, isKeyError, keyFieldsAfter, keyFieldsForName, planCounts, planText,
} from "../src/lib/seedimport";

const err = (kind: string): AppError => ({ kind, message: "m", next_step: "n", token_state: null, enrolment: null });

const item = (place: string, warnings: string[], plan: PreviewItem["plan"] = { kind: "create" }): PreviewItem => ({
  place, serial: "S-" + place, manufacturer: "Token2", model: "C202", user: null, algorithm: "sha1", period: 30,
  warnings, plan,
});

describe("what a preview error asks for", () => {
  it("shows the field the error names, and keeps those already shown", () => {
    expect(keyFieldsAfter(NO_KEY_FIELDS, err("pskc_key_missing"))).toEqual({ ...NO_KEY_FIELDS, pskcKey: true });
    expect(keyFieldsAfter(NO_KEY_FIELDS, err("pskc_passphrase_missing"))).toEqual({ ...NO_KEY_FIELDS, pskcPassphrase: true });
    expect(keyFieldsAfter(NO_KEY_FIELDS, err("pskc_passphrase_wrong")).pskcPassphrase).toBe(true);
    const pgp = keyFieldsAfter(NO_KEY_FIELDS, err("pgp_key_missing"));
    expect(pgp).toEqual({ ...NO_KEY_FIELDS, pgpKey: true, pgpPassphrase: true });
    // A PSKC inside OpenPGP: the OpenPGP fields stay when the PSKC key is asked next.
    expect(keyFieldsAfter(pgp, err("pskc_key_missing"))).toEqual({ pgpKey: true, pgpPassphrase: true, pskcKey: true, pskcPassphrase: false });
  });

  it("leaves the fields alone for other errors", () => {
    for (const kind of ["bad_input", "directory", "internal"]) {
      expect(isKeyError(err(kind))).toBe(false);
      expect(keyFieldsAfter(NO_KEY_FIELDS, err(kind))).toEqual(NO_KEY_FIELDS);
    }
    expect(isKeyError(err("pgp_key_wrong"))).toBe(true);
    expect(isKeyError(null)).toBe(false);
  });

  it("offers the OpenPGP fields for an encrypted file's name", () => {
    for (const n of ["seeds.json.gpg", "s.PGP", "tokens.pskc.asc"]) expect(keyFieldsForName(n).pgpKey).toBe(true);
    for (const n of ["seeds.json", "tokens.pskcxml", "gpg.csv"]) expect(keyFieldsForName(n)).toEqual(NO_KEY_FIELDS);
  });
});

describe("converted hex secrets", () => {
  const preview: ImportPreview = {
    format: "token2-json", encrypted: false,
    items: [
      item("record 1", []),
      item("record 2", ["hex secret converted to base32"]),
      item("record 3", ["hex secret converted to base32"], { kind: "skip", inventory_id: "d-1" }),
      item("record 4", [], { kind: "refuse", reason: "the user is a guest" }),
    ],
  };

  it("names every record whose secret was converted", () => {
    expect(isHexWarning("hex secret converted to base32")).toBe(true);
    expect(isHexWarning("the display name was shortened")).toBe(false);
    expect(convertedPlaces(preview)).toEqual(["record 2", "record 3"]);
    expect(convertedPlaces(null)).toEqual([]);
    expect(convertedPlaces({ ...preview, items: [item("line 2", [])] })).toEqual([]);
  });

  it("counts and words each plan", () => {
    expect(planCounts(preview)).toEqual({ create: 2, skip: 1, refuse: 1 });
    expect(planText({ kind: "create" })).toBe("create");
    expect(planText({ kind: "skip", inventory_id: "d-1" })).toBe("skip: already in the inventory (d-1)");
    expect(planText({ kind: "refuse", reason: "no such user" })).toBe("refuse: no such user");
  });
});
