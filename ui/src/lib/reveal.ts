// A Svelte action for what the operator must see as it appears (a failure,
// a result, the handover sheet): it often lands below a long step list.
export function reveal(node: HTMLElement): void {
  node.scrollIntoView?.({ block: "nearest" });
}
