import { describe, expect, it } from "vitest";
import { markOs, osOf } from "./platform";

// The user agents of the webviews Tauri uses (WebKitGTK 2.50, WebView2, WKWebView).
const WEBKITGTK = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko)";
const WEBVIEW2 =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
const WKWEBVIEW = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)";

describe("the desktop the page runs on", () => {
  it("is told from each webview's user agent", () => {
    expect(osOf(WEBKITGTK)).toBe("linux");
    expect(osOf(WEBVIEW2)).toBe("windows");
    expect(osOf(WKWEBVIEW)).toBe("macos");
  });

  it("marks the document for the stylesheet", () => {
    const root = document.createElement("html");
    markOs(root, WEBKITGTK);
    expect(root.dataset.os).toBe("linux");
    markOs(root, WKWEBVIEW);
    expect(root.dataset.os).toBe("macos");
  });
});
