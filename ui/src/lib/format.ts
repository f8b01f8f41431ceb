// Small display helpers shared by the screens.

/** Beyond this a token's codes stop matching at many services. */
export const DRIFT_WARN_SECONDS = 30;

/** "+3 s", "-42 s", "0 s"; "unknown" when the clock could not be read. */
export function formatDrift(drift: number | null | undefined): string {
  if (drift === null || drift === undefined || !Number.isFinite(drift)) return "unknown";
  const s = Math.round(drift);
  if (s === 0) return "0 s";
  return `${s > 0 ? "+" : "-"}${Math.abs(s)} s`;
}

/** Whether a drift deserves attention (colour, resync advice). */
export function driftIsLarge(drift: number | null | undefined): boolean {
  return drift !== null && drift !== undefined && Math.abs(drift) > DRIFT_WARN_SECONDS;
}

/** A Unix time (seconds) as local clock time. */
export function formatClock(unix: number | null | undefined): string {
  if (unix === null || unix === undefined) return "unreadable";
  return new Date(unix * 1000).toLocaleTimeString();
}

/** A Unix time (seconds) as local date and time. */
export function formatDateTime(unix: number | null | undefined): string {
  if (unix === null || unix === undefined) return "";
  return new Date(unix * 1000).toLocaleString();
}

/** An ISO date string (from Graph) as local date and time. */
export function formatIso(iso: string | null | undefined): string {
  if (!iso) return "never";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** Code digits spaced for reading aloud: "123 456". */
export function groupDigits(code: string): string {
  if (code.length <= 4) return code;
  const half = Math.ceil(code.length / 2);
  return `${code.slice(0, half)} ${code.slice(half)}`;
}

/** A token family in the operator's words. */
export function familyName(family: string): string {
  switch (family) {
    case "token2-single": return "Token2 single-profile";
    case "token2-molto2": return "Molto2";
    case "ykoath": return "YubiKey OATH";
    case "token2-otp": return "Token2 PIN+ key";
    default: return family;
  }
}

/** "SHA-1", "SHA-256", "SHA-512". */
export function algorithmName(a: string): string {
  return a.toUpperCase().replace(/^SHA(\d)/, "SHA-$1");
}

/** What a token without a clock of its own does instead. */
export const NO_CLOCK = "no clock — uses this computer's time";
