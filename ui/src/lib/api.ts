// The app's commands, typed. This file is the contract between the UI and
// src-tauri/src/commands: every `invoke` goes through here, so screens never
// spell a command name or an argument twice. Secrets never come back from
// these calls except from `revealSeed`.

import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export type Algorithm = "sha1" | "sha256" | "sha512";

export interface CodeParams {
  algorithm: Algorithm;
  digits: number;
  period: number;
}

/** The protocol family a token speaks (from its model's profile). */
export type TokenFamily = "token2-single" | "token2-molto2" | "ykoath" | "token2-otp";

/** What the token shows beside a seed: nothing, an optional title (Molto2 slot), a required name (YKOATH). */
export type LabelKind = "none" | "title" | "name";

export interface TokenLimits {
  algorithms: Algorithm[];
  periods: number[];
  digits: number[];
  max_seed_bytes: number;
  /** Display timeouts (seconds) the model offers; empty when not settable. */
  display_timeouts: number[];
  /** How many seeds the token holds (1 for single-profile tokens). */
  slots: number;
  /** Slots are chosen by number (Molto2); YKOATH credentials by name. */
  numbered_slots: boolean;
  label: LabelKind;
  /** Longest title or name, in UTF-8 bytes (0 when `label` is "none"). */
  max_label_bytes: number;
  /** Credentials can ask for a touch before each code (YKOATH). */
  touch: boolean;
  /** The token keeps time itself (a YKOATH applet takes the computer's). */
  has_clock: boolean;
  /** A clock write must carry the token's settings, which it cannot report. */
  clock_write_needs_settings: boolean;
}

/** One place on a token that holds a seed: a Molto2 slot or a YKOATH credential. */
export interface Slot {
  /** The slot's number, on tokens whose slots are numbered. */
  index: number | null;
  /** The credential's name (YKOATH), when it can be read. */
  label: string | null;
  /** Whether it holds a seed, when that can be read. */
  used: boolean | null;
  /** The settings it holds, when they can be read. */
  params: CodeParams | null;
}

/** What a token says about itself. */
export interface TokenFacts {
  reader: string;
  family: TokenFamily;
  serial: string;
  model: string;
  manufacturer: string;
  /** The token's clock (Unix seconds); null when it has none or it cannot be read. */
  clock_unix: number | null;
  clock_write_wipes_seed: boolean;
  /** False for unknown models: shown, never written. */
  writable: boolean;
  limits: TokenLimits;
}

/** A token on a reader, as read from it. */
export interface TokenView extends TokenFacts {
  /** Token clock minus host clock, seconds. */
  drift_seconds: number | null;
  /** Its slots (Molto2) or credentials (YKOATH); one entry on single-profile tokens. */
  slots: Slot[];
}

/** Where one user of a batch stands. */
export type QueueStatus = "waiting" | "enrolling" | "done" | "failed" | "refused" | "skipped";

export interface QueuedUser {
  /** From 1, in queue order. */
  position: number;
  upn: string;
  display_name: string | null;
  /** The token meant for this user, when the list named one. */
  serial: string | null;
  model: string | null;
  status: QueueStatus;
  enrolment_id: string | null;
  /** The serial of the token enrolled for them. */
  token_serial: string | null;
  reason: string | null;
  next_step: string | null;
  updated_at: number;
}

/** Where a batch's users come from. */
export type BatchSource = { csv: string } | { group: string };

export interface BatchView {
  id: string;
  name: string;
  operator: string;
  algorithm: string;
  period: number;
  created_at: number;
  users: QueuedUser[];
  counts: { waiting: number; done: number; failed: number; refused: number; skipped: number };
}

/** What one batch turn did. */
export type BatchTurn =
  | { kind: "enrolled"; position: number; upn: string; outcome: EnrolOutcome }
  | { kind: "parked"; position: number; upn: string; message: string; next_step: string }
  | { kind: "refused"; position: number; upn: string; reason: string }
  | { kind: "requeued"; position: number; upn: string }
  | { kind: "finished" };

export interface Handover {
  position: number;
  display_name: string | null;
  outcome: EnrolOutcome;
}

/** A seed deleted from a token. */
export interface DeletedSeed {
  token: TokenFacts;
  /** "slot 7" / "credential Contoso:jane". */
  place: string;
  /** The serial Entra would know the deleted seed by. */
  directory_serial: string;
}

/** Where on the token a burn puts the seed. */
export interface Placement {
  /** A numbered slot (Molto2); null for the only one, or the first free one. */
  slot: number | null;
  /** The slot's title or the credential's name; null: none, or the station's default name. */
  label: string | null;
  /** Ask for a touch before each code (YKOATH). */
  touch: boolean;
  /** Write over a seed already there; otherwise a used place is refused. */
  replace: boolean;
}

/** What a burn wrote, and where. */
export interface Burnt {
  slot: number | null;
  label: string | null;
  /** The serial Entra knows this seed by (`<serial>-NN` for a Molto2 slot). */
  directory_serial: string;
  /** What the operator must know (e.g. a factory key still in use). */
  warnings: string[];
}

/** The "touch the key" prompt for the key on `reader`. */
export interface TouchKey {
  reader: string;
  waiting: boolean;
}

export interface ReaderView {
  name: string;
  /** The token on it, or null when the reader is empty. */
  token: TokenView | null;
  /** Why the token on it could not be read (present but unreadable). */
  error: string | null;
}

export interface SignInView {
  signed_in: boolean;
  /** The operator's UPN when signed in. */
  operator: string | null;
  tenant: string | null;
  client_id: string | null;
  authority: string;
  graph_url: string;
}

/** The sign-in page the operator is sent to (its address holds no secret). */
export interface SignInPage {
  url: string;
  /** False when no browser could be started: the operator opens the URL. */
  browser_opened: boolean;
}

export interface AppStatus {
  /** The built-in training desk: virtual tokens and the Graph sandbox. */
  demo: boolean;
  /** Why demo mode is on (or could be offered), in words. */
  demo_reason: string | null;
  /** Where this desk reaches Entra when that is not Microsoft (a sandbox
   * named by the environment): shown in the DEMO frame. */
  not_microsoft: string | null;
  signin: SignInView;
  version: string;
}

/** A scanned or generated seed held by the app; the secret stays there. */
export interface SeedView {
  id: string;
  issuer: string | null;
  /** The issuer in the QR's label ("Contoso" in "Contoso:jane@contoso.com"), if any. */
  label_issuer: string | null;
  account: string;
  params: CodeParams;
  bits: number;
  /** "pasted text", "file qr.png", "monitor Xvfb-0", "generated" … */
  origin: string;
  /** What the input was, in one line ("An Entra / Microsoft TOTP QR code"). */
  explanation: string;
  /** Extra advice, e.g. "hex secret converted to base32". */
  note: string | null;
}

export type StepName =
  | "check_seed" | "check_user" | "check_clock" | "read_token" | "set_clock"
  | "write_seed" | "create" | "assign" | "activate" | "verify" | "remove_old";

export type Progress =
  | { step: StepName; status: "started" }
  | { step: StepName; status: "done"; detail: string | null }
  | { step: StepName; status: "skipped"; why: string }
  | { step: StepName; status: "failed"; message: string; next_step: string };

export interface TotpCode {
  code: string;
  valid_from: number;
  valid_to: number;
}

export interface BurnOutcome {
  token: TokenFacts;
  params: CodeParams;
  /** Where the seed went (slot, credential name) and what to know about it. */
  burnt: Burnt;
  code: TotpCode;
  hint: string;
}

/** What the operator may change before a burn (null: keep the seed's). */
export interface BurnSettings {
  algorithm: Algorithm | null;
  digits: number | null;
  period: number | null;
  display_timeout: number | null;
}

export interface UserView {
  id: string;
  upn: string;
  display_name: string | null;
}

export interface EnrolOutcome {
  enrolment_id: string;
  user: string;
  serial: string;
  model: string;
  device_id: string;
  params: CodeParams;
  activated_at: number;
}

export interface ResyncPreview {
  token: TokenFacts;
  drift_seconds: number | null;
  wipes_seed: boolean;
}

/** The settings a token holds beside a seed. */
export interface TokenSettings {
  params: CodeParams;
  /** Seconds the display stays on. */
  display_timeout: number;
}

/** Where the settings a clock write kept came from. */
export type SettingsSource = "burn_record" | "entra" | "operator";

/** A single-profile token's settings as the operator states them, when the station cannot know them. */
export interface StatedSettings {
  algorithm: Algorithm;
  period: number;
  display_timeout: number;
}

export type ResyncOutcome =
  | {
    kind: "clock_set";
    serial: string;
    /** The slot whose clock was set; null: every slot holding a seed (or the only one). */
    slot: number | null;
    drift_before_seconds: number | null;
    /** What the clock write carried, and from where (single-profile tokens only). */
    settings: [TokenSettings, SettingsSource] | null;
    warnings: string[];
  }
  | ({ kind: "reseeded" } & EnrolOutcome)
  /** The token has no clock (YKOATH): its codes come from the computer's time. */
  | { kind: "no_clock"; serial: string };

export type DeviceStatus = "available" | "assigned" | "activated" | "failedActivation" | "other";

export interface DeviceView {
  id: string;
  serial: string;
  manufacturer: string;
  model: string;
  status: DeviceStatus;
  assigned_to: { id: string; display_name: string | null } | null;
  last_used: string | null;
}

export interface InventoryPage {
  items: DeviceView[];
  /** Opaque: pass back to get the next page; null on the last page. */
  next: string | null;
}

export interface Enrolment {
  id: string;
  operator: string;
  user: string;
  serial: string | null;
  model: string | null;
  state: "started" | "burned" | "created" | "assigned" | "activated" | "abandoned";
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface AuditRecord {
  seq: number;
  at: number;
  operator: string;
  action: string;
  serial: string | null;
  model: string | null;
  user: string | null;
  outcome: string;
  detail: string | null;
}

export interface AuditCheck {
  ok: boolean;
  records: number;
  /** One line per problem found (edited, removed, truncated …). */
  problems: string[];
}

export interface ProfileView {
  name: string;
  manufacturer: string;
  family: string;
  serial_prefixes: string[];
  algorithms: Algorithm[];
  periods: number[];
  digits: number[];
  max_seed_bytes: number;
  clock_write_wipes_seed: boolean;
}

/** A seed file's format: detected from the content, or named. */
export type SeedFormat = "auto" | "token2-json" | "token2-csv" | "entra-csv" | "pskc";

/** A vendor's seed file as the window sends it (bytes read in the window). */
export interface SeedFileInput {
  bytes: number[];
  format: SeedFormat | null;
  /** The PSKC pre-shared AES key file's bytes (hex or raw). */
  pskcKey: number[] | null;
  /** The operator's OpenPGP secret key file's bytes. */
  pgpKey: number[] | null;
  pgpPassphrase: string | null;
  pskcPassphrase: string | null;
}

/** What an import would do with one record. */
export type ImportPlan =
  | { kind: "create" }
  | { kind: "skip"; inventory_id: string }
  | { kind: "refuse"; reason: string };

/** One record of a seed file as the preview shows it: never its secret. */
export interface PreviewItem {
  /** `line N` or `record N`. */
  place: string;
  serial: string;
  manufacturer: string;
  model: string;
  user: string | null;
  algorithm: Algorithm;
  period: number;
  warnings: string[];
  plan: ImportPlan;
}

export interface ImportPreview {
  format: string;
  /** The file came OpenPGP-encrypted (decrypted in memory only). */
  encrypted: boolean;
  items: PreviewItem[];
}

export interface ImportedToken {
  place: string;
  serial: string;
  inventory_id: string;
  user: string | null;
}

export interface ImportReport {
  format: string;
  created: ImportedToken[];
  skipped: string[];
  failed: string[];
  warnings: string[];
}

/** Every failure a command reports: what happened and what to do. */
export interface AppError {
  /** bad_input | not_found | token | directory | clock | storage | keyring | signin, and for a
   *  seed file's keys pgp_key_missing | pgp_passphrase_missing | pgp_key_wrong | pskc_key_missing |
   *  pskc_passphrase_missing | pskc_key_wrong | pskc_passphrase_wrong (see seedimport.ts) */
  kind: string;
  message: string;
  next_step: string | null;
  /** After a token failure: untouched | configured_no_seed | seed_written | unknown */
  token_state: string | null;
  /** An enrolment kept in the journal, to resume. */
  enrolment: string | null;
}

export function isAppError(e: unknown): e is AppError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

/** Any thrown value as an AppError (a string from Tauri itself, say). */
export function asAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  return { kind: "internal", message: String(e), next_step: null, token_state: null, enrolment: null };
}

/** A camera preview: one grey byte a pixel, rows back to back. */
export type CameraPreview = { width: number; height: number; grey: number[] };

function progressChannel(onProgress: (p: Progress) => void): Channel<Progress> {
  const ch = new Channel<Progress>();
  ch.onmessage = onProgress;
  return ch;
}

/** What kind of mismatch between Entra and this desk a finding is. */
export type FindingKind = "missing_in_entra" | "never_seen_here" | "duplicate_serial" | "disabled_user" | "deleted_user";

/** The fix a finding offers (station `reconcile::Fix`). */
export type Fix =
  | { action: "none" }
  | { action: "resume"; enrolment_id: string }
  | { action: "re_enrol"; user: string; serial: string }
  | { action: "delete"; device_id: string; serial: string; keep_device_id: string }
  | { action: "unassign"; device_id: string; serial: string; user_id: string };

export interface Finding {
  number: number;
  kind: FindingKind;
  serials: string[];
  device_ids: string[];
  user: string | null;
  enrolment_id: string | null;
  meaning: string;
  fix: Fix;
}

export interface Reconciliation {
  findings: Finding[];
}

export interface FixRequest {
  fix: Fix;
  confirmed: boolean;
}

export type FixOutcome =
  | { outcome: "applied"; message: string }
  | { outcome: "resume"; enrolment_id: string }
  | { outcome: "advice"; message: string };

export const api = {
  appStatus: () => invoke<AppStatus>("app_status"),
  readers: () => invoke<ReaderView[]>("desk_readers"),
  /** Tells the app the Desk is interactive (its startup benchmark reads this). */
  deskInteractive: () => invoke<void>("desk_interactive"),
  /** Replaces the desk with the training desk (virtual tokens, sandbox). */
  startDemo: () => invoke<AppStatus>("start_demo"),
  /** Called with the new reader list on every token insert/removal. */
  onDeskChanged: (f: (readers: ReaderView[]) => void): Promise<UnlistenFn> =>
    listen<ReaderView[]>("desk-changed", (e) => f(e.payload)),
  /** A Token2 key over USB waits for a finger (`waiting`), or stopped waiting. */
  onTouchKey: (f: (t: TouchKey) => void): Promise<UnlistenFn> =>
    listen<TouchKey>("touch-key", (e) => f(e.payload)),

  scanScreen: () => invoke<SeedView>("scan_screen"),
  /** What the desktop will ask before a screen capture (Wayland), or null. */
  screenPrompt: () => invoke<string | null>("screen_prompt"),
  scanClipboard: () => invoke<SeedView>("scan_clipboard"),
  /** Looks through the desk's camera until a code is held up; `onPreview`
   * gets a coarse grey picture to aim by (too coarse to read). */
  scanCamera: (onPreview: (p: CameraPreview) => void) => {
    const ch = new Channel<CameraPreview>();
    ch.onmessage = onPreview;
    return invoke<SeedView>("scan_camera", { onPreview: ch });
  },
  /** Stops the camera scan in progress (the camera is released). */
  stopCamera: () => invoke<void>("stop_camera"),
  /** An image file's bytes (file picker or drag-and-drop). */
  scanImage: (bytes: Uint8Array, origin: string) =>
    invoke<SeedView>("scan_image", { bytes: Array.from(bytes), origin }),
  /** Pasted text: an otpauth:// URI or a bare secret. */
  scanText: (text: string) => invoke<SeedView>("scan_text", { text }),
  generateSeed: (algorithm: Algorithm) => invoke<SeedView>("generate_seed", { algorithm }),
  revealSeed: (id: string) => invoke<string>("reveal_seed", { id }),
  forgetSeed: (id: string) => invoke<void>("forget_seed", { id }),
  /** The code a held seed gives now (for the countdown after a burn). */
  seedCode: (id: string, params: CodeParams) => invoke<TotpCode>("seed_code", { id, params }),
  burnSeed: (id: string, reader: string | null, settings: BurnSettings, place: Placement | null,
    onProgress: (p: Progress) => void) =>
    invoke<BurnOutcome>("burn_seed", { id, reader, settings, place, onProgress: progressChannel(onProgress) }),

  searchUsers: (query: string) => invoke<UserView[]>("search_users", { query }),
  enrolUser: (user: string, reader: string | null, algorithm: Algorithm, period: number, place: Placement | null,
    displayTimeout: number | null, onProgress: (p: Progress) => void) =>
    invoke<EnrolOutcome>("enrol_user", {
      user, reader, algorithm, period, place, displayTimeout, onProgress: progressChannel(onProgress),
    }),
  /** An SVG (markup) of a QR code holding the serial, for the handover sheet. */
  serialQr: (serial: string) => invoke<string>("serial_qr", { serial }),

  /** Deletes one seed from the token on `reader`: a Molto2 slot, or a credential by its listed name. */
  deleteSeed: (reader: string, slot: number | null, label: string | null) =>
    invoke<DeletedSeed>("delete_seed", { reader, slot, label }),

  /** Users from a CSV's text, or an Entra group's members (its name or object id). */
  batchStart: (name: string, source: BatchSource, algorithm: Algorithm, period: number) =>
    invoke<BatchView>("batch_start", { name, source, algorithm, period }),
  batchList: () => invoke<BatchView[]>("batch_list"),
  batchView: (id: string) => invoke<BatchView>("batch_view", { id }),
  batchNext: (id: string, reader: string | null, onProgress: (p: Progress) => void) =>
    invoke<BatchTurn>("batch_next", { id, reader, onProgress: progressChannel(onProgress) }),
  batchRetry: (id: string, position: number, onProgress: (p: Progress) => void) =>
    invoke<BatchTurn>("batch_retry", { id, position, onProgress: progressChannel(onProgress) }),
  batchSkip: (id: string, position: number) => invoke<BatchView>("batch_skip", { id, position }),
  batchReassign: (id: string, position: number, upn: string) =>
    invoke<BatchView>("batch_reassign", { id, position, upn }),
  batchHandovers: (id: string) => invoke<Handover[]>("batch_handovers", { id }),
  /** Writes the batch's CSV report under the data directory; returns its path. */
  exportBatchReport: (id: string) => invoke<string>("export_batch_report", { id }),
  /** Writes every activated user's sheet as one PDF (A4) under the data directory; returns its path. */
  exportBatchSheets: (id: string) => invoke<string>("export_batch_sheets", { id }),

  resyncPreview: (reader: string | null) => invoke<ResyncPreview>("resync_preview", { reader }),
  /** `slot`: one Molto2 slot (null: every slot holding a seed); `stated`: the settings, when the station asked for them. */
  resyncToken: (reader: string | null, confirmReseed: boolean, slot: number | null, stated: StatedSettings | null,
    onProgress: (p: Progress) => void) =>
    invoke<ResyncOutcome>("resync_token", { reader, confirmReseed, slot, stated, onProgress: progressChannel(onProgress) }),

  inventory: (status: DeviceStatus | null, serial: string | null, next: string | null) =>
    invoke<InventoryPage>("inventory_page", { status, serial, next }),
  unassignDevice: (deviceId: string, userId: string) => invoke<void>("unassign_device", { deviceId, userId }),
  deleteDevice: (deviceId: string) => invoke<void>("delete_device", { deviceId }),
  reconcile: () => invoke<Reconciliation>("reconcile_inventory"),
  applyReconcileFix: (request: FixRequest) => invoke<FixOutcome>("apply_reconcile_fix", { request }),
  /** What importing the seed file would create, skip or refuse; nothing written. */
  importPreview: (file: SeedFileInput) => invoke<ImportPreview>("import_preview", { file }),
  /** `acceptConverted`: the operator checked the secrets converted from hex. */
  importSeedFile: (file: SeedFileInput, acceptConverted: boolean) =>
    invoke<ImportReport>("import_seed_file", { file, acceptConverted }),

  journal: (pendingOnly: boolean) => invoke<Enrolment[]>("journal_list", { pendingOnly }),
  resumeEnrolment: (id: string, onProgress: (p: Progress) => void) =>
    invoke<EnrolOutcome>("resume_enrolment", { id, onProgress: progressChannel(onProgress) }),
  abandonEnrolment: (id: string) => invoke<void>("abandon_enrolment", { id }),
  auditLog: () => invoke<AuditRecord[]>("audit_log"),
  verifyAudit: () => invoke<AuditCheck>("verify_audit"),
  /** Writes the export into the data directory; returns its path. */
  exportAudit: (format: "csv" | "jsonl") => invoke<string>("export_audit", { format }),

  profiles: () => invoke<ProfileView[]>("device_profiles"),
  saveSignInSettings: (tenant: string, clientId: string) =>
    invoke<SignInView>("save_signin_settings", { tenant, clientId }),
  /** Waits for the browser; rejects with kind "cancelled" after `cancelSignIn`. */
  signIn: () => invoke<SignInView>("sign_in"),
  cancelSignIn: () => invoke<void>("cancel_sign_in"),
  /** Called with the sign-in page once the app has opened it. */
  onSignInPage: (f: (page: SignInPage) => void): Promise<UnlistenFn> =>
    listen<SignInPage>("sign-in-page", (e) => f(e.payload)),
  signOut: () => invoke<SignInView>("sign_out"),
};
