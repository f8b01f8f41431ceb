// App-wide state: the app status (demo, sign-in) and the live reader list.
// One subscription to desk-changed serves every screen, so the Burn, Enrol
// and Resync screens always see the token actually on the reader.

import { api, asAppError, type AppError, type AppStatus, type ReaderView, type TokenView } from "./api";

class DeskStore {
  status = $state<AppStatus | null>(null);
  statusError = $state<AppError | null>(null);
  readers = $state<ReaderView[]>([]);
  readersLoaded = $state(false);
  readersError = $state<AppError | null>(null);
  #started = false;
  /** Bumped by every desk-changed event, so an older readers() answer never overwrites a newer event. */
  #generation = 0;

  /** Readers that hold a readable token. */
  tokens = $derived(this.readers.filter((r) => r.token !== null).map((r) => r.token as TokenView));

  async refreshStatus(): Promise<void> {
    try {
      this.status = await api.appStatus();
      this.statusError = null;
    } catch (e) {
      this.statusError = asAppError(e);
    }
  }

  async refreshReaders(): Promise<void> {
    const gen = this.#generation;
    try {
      const rs = await api.readers();
      if (gen !== this.#generation) return;
      this.readers = rs;
      this.readersError = null;
      this.readersLoaded = true;
    } catch (e) {
      this.readersError = asAppError(e);
    }
  }

  /** Loads both and subscribes once; returns the unsubscribe. */
  async start(): Promise<() => void> {
    if (this.#started) return () => {};
    this.#started = true;
    let unlisten: (() => void) | null = null;
    try {
      unlisten = await api.onDeskChanged((rs) => {
        this.#generation++;
        this.readers = rs;
        this.readersLoaded = true;
        this.readersError = null;
      });
    } catch (e) {
      this.readersError = asAppError(e);
    }
    await Promise.all([this.refreshStatus(), this.refreshReaders()]);
    // The Desk is interactive now: let the app note it (startup benchmark).
    api.deskInteractive().catch(() => {});
    return () => {
      unlisten?.();
      this.#started = false;
    };
  }
}

export const desk = new DeskStore();

/** The token to act on: the chosen reader's, or the only one on the desk. */
export function pickToken(tokens: TokenView[], reader: string | null): TokenView | null {
  if (reader) {
    const t = tokens.find((t) => t.reader === reader);
    if (t) return t;
  }
  return tokens.length === 1 ? tokens[0] : null;
}
