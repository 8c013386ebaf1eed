import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as commands from "../commands";
import { applyConnectionState, connection } from "../connection.svelte";
import { setLocale, type Locale } from "../i18n.svelte";
import { organisations } from "../organisations.svelte";
import OfflineBanner from "./OfflineBanner.svelte";

vi.mock("../commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../commands")>();
  return { ...actual, connectionRetry: vi.fn(), organisationsList: vi.fn() };
});

// axe's icon-ligature check asks for a canvas, which jsdom lacks: it then skips that check.
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

const LOADED_AT = new Date(2026, 10, 28, 14, 32).getTime();
const listed = { total: 0, activeId: null, contactsSupported: false };

beforeEach(() => {
  vi.mocked(commands.connectionRetry).mockReset().mockResolvedValue(undefined);
  vi.mocked(commands.organisationsList).mockReset().mockResolvedValue(listed);
  setLocale("en");
  Object.assign(connection, { offline: false, retryAt: null });
  Object.assign(organisations, { rows: [], listedAt: LOADED_AT, loading: false, error: null });
});

afterEach(() => {
  delete document.documentElement.dataset.theme;
  Object.assign(organisations, { rows: null, listedAt: null });
});

describe("OfflineBanner", () => {
  it("is absent while the server answers", () => {
    render(OfflineBanner, { server: "https://oas.example/api/" });
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
  });

  it("names the server, counts down to the next try, and says when the list shown was loaded", async () => {
    applyConnectionState({ status: "offline", retryInSeconds: 8 });
    render(OfflineBanner, { server: "https://oas.example/api/" });
    const banner = await screen.findByRole("status");
    expect(banner).toHaveTextContent("Can't reach https://oas.example. Retrying in 8 s…");
    expect(banner).toHaveTextContent("The organizations shown were loaded at 2:32 PM.");
    expect(banner).toHaveTextContent("Saving, making active and refreshing need the server");
    applyConnectionState({ status: "offline", retryInSeconds: 0 });
    await waitFor(() => expect(banner).toHaveTextContent("Trying again…"));
  });

  it("asks the shell to try at once on Retry now", async () => {
    applyConnectionState({ status: "offline", retryInSeconds: 30 });
    render(OfflineBanner, { server: "https://oas.example/api/" });
    await userEvent.click(screen.getByRole("button", { name: "Retry now" }));
    expect(commands.connectionRetry).toHaveBeenCalledOnce();
  });

  it("goes when the server answers again, and the list shown is loaded afresh", async () => {
    applyConnectionState({ status: "offline", retryInSeconds: 4 });
    render(OfflineBanner, { server: "https://oas.example/api/" });
    await screen.findByRole("status");
    applyConnectionState({ status: "online" });
    await waitFor(() => expect(screen.queryByRole("status")).not.toBeInTheDocument());
    expect(commands.organisationsList).toHaveBeenCalledOnce();
  });

  it.each([
    ["en", "light"],
    ["en", "dark"],
    ["es", "light"],
    ["es", "dark"],
  ] as [Locale, string][])("has no axe violations in %s, %s theme", async (locale, theme) => {
    setLocale(locale);
    document.documentElement.dataset.theme = theme;
    applyConnectionState({ status: "offline", retryInSeconds: 8 });
    render(OfflineBanner, { server: "https://oas.example/api/" });
    const banner = await screen.findByRole("status");
    if (locale === "es") {
      expect(banner).toHaveTextContent("No se puede conectar con https://oas.example. Reintentando en 8 s…");
      expect(screen.getByRole("button", { name: "Reintentar ahora" })).toBeInTheDocument();
    }
    const results = await axe.run(document.body, { resultTypes: ["violations"] });
    expect(results.violations.map((v) => v.id)).toEqual([]);
  });
});
