import { describe, expect, it } from "vitest";
import { keysOf, shortcutFor } from "./shortcuts";

const key = (k: string, mods: Partial<Record<"ctrlKey" | "metaKey" | "altKey" | "shiftKey", boolean>> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe("shortcuts", () => {
  it("maps Ctrl (Cmd on macOS) + N, F, R, S and F5", () => {
    expect(shortcutFor(key("n", { ctrlKey: true }), false)).toBe("new");
    expect(shortcutFor(key("F", { ctrlKey: true }), false)).toBe("search");
    expect(shortcutFor(key("r", { ctrlKey: true }), false)).toBe("refresh");
    expect(shortcutFor(key("F5"), false)).toBe("refresh");
    expect(shortcutFor(key("s", { metaKey: true }), true)).toBe("save");
    expect(shortcutFor(key("s", { ctrlKey: true }), true)).toBeNull();
    expect(shortcutFor(key("s", { metaKey: true }), false)).toBeNull();
    expect(shortcutFor(key("n"), false)).toBeNull();
    expect(shortcutFor(key("n", { ctrlKey: true, shiftKey: true }), false)).toBeNull();
  });

  it("names the keys for the About view", () => {
    expect(keysOf("refresh", false)).toEqual(["F5", "Ctrl+R"]);
    expect(keysOf("new", true)).toEqual(["⌘N"]);
  });
});
