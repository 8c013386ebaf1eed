import { afterEach, describe, expect, it, vi } from "vitest";
import { readPreference, writePreference } from "./preferences";

afterEach(() => {
  vi.restoreAllMocks();
  localStorage.clear();
});

describe("preferences", () => {
  it("reads back only a value it allows", () => {
    writePreference("oas.test", "dark");
    expect(readPreference("oas.test", ["light", "dark"])).toBe("dark");
    expect(readPreference("oas.test", ["light"])).toBeNull();
    expect(readPreference("oas.missing", ["light", "dark"])).toBeNull();
  });

  it("without working storage reads nothing and keeps nothing, without failing", () => {
    vi.spyOn(Storage.prototype, "getItem").mockImplementation(() => {
      throw new DOMException("denied", "SecurityError");
    });
    vi.spyOn(Storage.prototype, "setItem").mockImplementation(() => {
      throw new DOMException("full", "QuotaExceededError");
    });
    expect(() => writePreference("oas.test", "dark")).not.toThrow();
    expect(readPreference("oas.test", ["dark"])).toBeNull();
  });
});
