// When the Batch screen enrols a token: kept apart from the component so
// the rule (the part that can be wrong) is testable without a DOM.

import type { BatchView, QueuedUser, TokenView } from "./api";

/** The token to enrol now, or null: while running and idle, a token on
 * the chosen reader (or the only token on the desk) that is not the one
 * just handled — the operator takes a token off before the next. */
export function tokenToEnrol(
  running: boolean,
  busy: boolean,
  tokens: TokenView[],
  reader: string | null,
  handled: string | null,
): TokenView | null {
  if (!running || busy) return null;
  const here = reader ? tokens.filter((t) => t.reader === reader) : tokens;
  if (here.length !== 1) return null;
  const [token] = here;
  return token.serial === handled ? null : token;
}

/** Whether the handled token has left its reader (the next may come). */
export function tokenLeft(tokens: TokenView[], handled: string | null): boolean {
  return handled !== null && !tokens.some((t) => t.serial === handled);
}

/** Who the next token is for: an enrolment left half-way first, then the
 * first waiting user. */
export function nextUser(view: BatchView | null): QueuedUser | null {
  if (!view) return null;
  return view.users.find((u) => u.status === "enrolling") ?? view.users.find((u) => u.status === "waiting") ?? null;
}
