// Words for an error's token_state: after a failed write the operator must
// know whether the token in their hand is usable, blank or half-written.

export const TOKEN_STATE_TEXT: Record<string, string> = {
  untouched: "The token was not changed.",
  configured_no_seed: "Settings and clock were written; the seed was not — burn again.",
  seed_written: "The seed is on the token.",
  unknown: "The link was lost during a write — burn again to be sure.",
};

/** The explanation line for a token_state, or null when there is none. */
export function tokenStateText(state: string | null | undefined): string | null {
  if (!state) return null;
  return TOKEN_STATE_TEXT[state] ?? `Token state: ${state.replace(/_/g, " ")}.`;
}
