// When the screen changes under the focus (signing in, a form closing, a "Make active" button
// replaced by the "Active" badge), the focused element is removed and the focus falls to the page
// itself: a keyboard user would have to start again from the top, and a screen reader says
// nothing. This puts the focus back where the person was: on the first control of the nearest part
// of the screen that is still there or, when the whole screen changed, on the new screen's heading.

const TABBABLE =
  'button:not([disabled]), [href], input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function ancestry(el: Element | null): Element[] {
  const path: Element[] = [];
  for (let node = el; node; node = node.parentElement) path.push(node);
  return path;
}

function firstTabbable(within: Element): HTMLElement | null {
  for (const el of within.querySelectorAll<HTMLElement>(TABBABLE)) {
    if (!el.closest("[hidden], [inert]")) return el;
  }
  return null;
}

/** Where the focus goes when what had it is gone; `kept` is its nearest ancestor still on screen. */
export function focusTarget(kept: Element): HTMLElement | null {
  const heading = kept.querySelector<HTMLElement>("h1");
  if (heading) {
    // A heading takes the focus only from a script, never from Tab.
    if (!heading.hasAttribute("tabindex")) heading.tabIndex = -1;
    return heading;
  }
  return firstTabbable(kept);
}

/** Starts watching; returns the function that stops it. */
export function keepFocusOnScreen(doc: Document = document): () => void {
  let path: Element[] = [];
  const onFocusin = (event: FocusEvent) => {
    path = ancestry(event.target as Element);
  };
  const observer = new MutationObserver(() => {
    const active = doc.activeElement;
    if ((active && active !== doc.body) || path.length === 0 || path[0].isConnected) return;
    const kept = path.find((el) => el.isConnected);
    const target = kept ? focusTarget(kept) : null;
    // Nothing there yet (the new screen's code is still loading): the next change tries again,
    // as long as the focus is still nowhere.
    if (!target) return;
    path = [];
    target.focus({ preventScroll: true });
    // A new screen is read from its top, not from where the last one was scrolled to.
    target.scrollIntoView?.({ block: target.tagName === "H1" ? "start" : "nearest" });
  });
  doc.addEventListener("focusin", onFocusin);
  observer.observe(doc.body, { childList: true, subtree: true });
  return () => {
    doc.removeEventListener("focusin", onFocusin);
    observer.disconnect();
  };
}
