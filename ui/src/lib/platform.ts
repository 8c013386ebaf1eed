// Which desktop's webview the page runs in, for what the stylesheet must do differently there
// (`:root[data-os="linux"]` in app.css). Read from the user agent, as the first style needs it
// before any IPC could answer: WebKitGTK's user agent says Linux, WebView2's Windows, WKWebView's
// Macintosh.

export type Os = "linux" | "windows" | "macos";

export function osOf(userAgent: string): Os {
  if (/Windows/.test(userAgent)) return "windows";
  if (/Macintosh|Mac OS X/.test(userAgent)) return "macos";
  return "linux";
}

/** Marks the document with its desktop before anything is built in it. */
export function markOs(root: HTMLElement = document.documentElement, userAgent = navigator.userAgent): void {
  root.dataset.os = osOf(userAgent);
}
