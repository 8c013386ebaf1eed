import { beforeEach, describe, expect, it, vi } from "vitest";
import * as commands from "./commands";
import { setTheme, startTheme, theme } from "./theme.svelte";

vi.mock("./commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./commands")>();
  return { ...actual, themeGet: vi.fn(), themeSet: vi.fn() };
});

const shown = () => document.documentElement.dataset.theme;
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  vi.resetAllMocks();
  localStorage.clear();
  theme.choice = "system";
  theme.systemDark = false;
  delete document.documentElement.dataset.theme;
});

describe("theme at start", () => {
  it("paints the scheme last shown at once, without waiting for the settings", () => {
    localStorage.setItem("oas.theme", "dark");
    vi.mocked(commands.themeGet).mockReturnValue(new Promise(() => {}));
    startTheme();
    expect(shown()).toBe("dark");
  });

  it("on a first start, follows the OS, then applies the settings' choice and keeps a copy", async () => {
    vi.mocked(commands.themeGet).mockResolvedValue("dark");
    startTheme();
    expect(shown()).toBe("light");
    await settle();
    expect(shown()).toBe("dark");
    expect(localStorage.getItem("oas.theme")).toBe("dark");
  });

  it("lets the settings win over a copy that differs", async () => {
    localStorage.setItem("oas.theme", "dark");
    vi.mocked(commands.themeGet).mockResolvedValue("light");
    startTheme();
    await settle();
    expect(shown()).toBe("light");
    expect(localStorage.getItem("oas.theme")).toBe("light");
  });

  it("keeps the copy when the settings cannot answer, and ignores a copy that is no theme", async () => {
    localStorage.setItem("oas.theme", "purple");
    vi.mocked(commands.themeGet).mockRejectedValue({ code: "unexpected", message: "" });
    startTheme();
    await settle();
    expect(theme.choice).toBe("system");
    expect(shown()).toBe("light");
  });

  it("a choice made in the app is saved by the shell and shown first next time", async () => {
    vi.mocked(commands.themeSet).mockResolvedValue(undefined);
    await setTheme("dark");
    expect(commands.themeSet).toHaveBeenCalledWith("dark");
    expect(localStorage.getItem("oas.theme")).toBe("dark");
  });
});
