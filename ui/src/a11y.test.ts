// axe-core on every screen and dialog of the Account work plus SignIn and Organisations, in both
// themes and both languages: zero violations. (jsdom has no layout, so colour contrast is
// checked separately, from the theme's colours, in theme.test.ts.)
import { render, screen } from "@testing-library/svelte";
import axe from "axe-core";
import { tick } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SessionState } from "./lib/bindings/SessionState";
import type { StorageProblem } from "./lib/bindings/StorageProblem";
import * as commands from "./lib/commands";
import { setLocale, type Locale } from "./lib/i18n.svelte";
import { session, type Screen } from "./lib/session.svelte";
import { applyConnectionState } from "./lib/connection.svelte";
import App from "./App.svelte";

// Sixteen full renders with axe on a shared, loaded machine.
vi.setConfig({ testTimeout: 60_000 });

vi.mock("./lib/commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./lib/commands")>();
  return {
    ...actual,
    sessionStart: vi.fn(),
    appReady: vi.fn(),
    organisationsList: vi.fn(),
    onConnectionState: vi.fn(),
    draftLoad: vi.fn(),
    accountProfile: vi.fn(),
    passwordStrength: vi.fn(),
    themeGet: vi.fn(),
    appInfo: vi.fn(),
  };
});

/** The start's answer (one request, `session_start`): `state`, and `problems` set aside. */
function startsWith(state: SessionState, problems: StorageProblem[] = []) {
  vi.mocked(commands.sessionStart).mockImplementation(async () => {
    return { session: state, storageProblems: problems, prefill: null };
  });
}

const signedIn: SessionState = {
  status: "signedIn",
  server: "https://oas.example/api/",
  user: { id: 1, username: "demo", email: "demo@example.com" },
  apiKeyHint: "…7Q2",
  staysSignedIn: true,
};

async function violations(): Promise<string[]> {
  const results = await axe.run(document.documentElement, { resultTypes: ["violations"] });
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

// axe's icon-ligature check asks for a canvas, which jsdom lacks: it then skips that check.
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

beforeEach(() => {
  vi.resetAllMocks();
  document.title = "OAS Desktop";
  session.state = null;
  session.restoreError = null;
  session.notice = null;
  session.screen = "home";
  session.keyRejected = false;
  vi.mocked(commands.appReady).mockResolvedValue(undefined);
  vi.mocked(commands.draftLoad).mockResolvedValue([]);
  vi.mocked(commands.onConnectionState).mockResolvedValue(() => {});
  vi.mocked(commands.organisationsList).mockImplementation(async (onRows) => {
    const rows = [
      { id: 1, name: "Acme", baseCurrency: "USD", currencies: ["USD", "EUR"], image: null },
      { id: 2, name: "Globex", baseCurrency: "MXN", currencies: ["MXN"], image: null },
    ];
    onRows({ rows, loaded: 2, total: 2, restart: false, activeId: null });
    return { total: 2, activeId: 1, contactsSupported: false };
  });
  vi.mocked(commands.accountProfile).mockResolvedValue({
    id: 1, username: "demo", email: "demo@example.com", role: "administrator", lastLogin: "2026-11-28T09:30:00Z",
  });
  vi.mocked(commands.passwordStrength).mockResolvedValue({ score: 1, level: "weak", warning: null });
  vi.mocked(commands.appInfo).mockResolvedValue({
    name: "OAS Desktop", version: "0.1.0", builtAt: 1_795_000_000, tauriVersion: "2.12.5", webviewVersion: null,
    os: "linux x86_64", docsUrl: "https://oas-beta.ottomate.me/api/docs/", projectUrl: "https://example.org/oas-desktop",
  });
});

afterEach(() => {
  applyConnectionState({ status: "online" });
  delete document.documentElement.dataset.theme;
});

const CASES: [Locale, "light" | "dark"][] = [
  ["en", "light"],
  ["en", "dark"],
  ["es", "light"],
  ["es", "dark"],
];

describe.each(CASES)("accessibility in %s, %s theme", (locale, theme) => {
  beforeEach(() => {
    setLocale(locale);
    vi.mocked(commands.themeGet).mockResolvedValue(theme);
  });

  it("sign-in screen", async () => {
    startsWith({ status: "signedOut", remembered: { server: "", username: "", email: "", userId: null }, savedKeyHint: null });
    render(App);
    await screen.findAllByRole("button", { name: locale === "en" ? "Sign in" : "Iniciar sesión" });
    expect(document.documentElement.dataset.theme).toBe(theme);
    expect(await violations()).toEqual([]);
  });

  it.each(["organisations", "account", "about", "import"] as Screen[])("%s screen, user menu open, key dialog open", async (screenName) => {
    startsWith(signedIn);
    render(App);
    const menu = await screen.findByRole("button", { expanded: false, name: /demo/ });
    session.screen = screenName;
    await tick();
    await new Promise((r) => setTimeout(r, 0));
    await tick();
    expect(await violations()).toEqual([]);

    menu.click();
    await tick();
    expect(await violations()).toEqual([]);

    session.keyRejected = true;
    await tick();
    expect(document.querySelector("dialog[open]")).not.toBeNull();
    expect(await violations()).toEqual([]);
  });

  it.each(["organisations", "account"] as Screen[])("%s screen while the server cannot be reached (offline banner, actions disabled)", async (screenName) => {
    startsWith(signedIn);
    render(App);
    await screen.findByRole("button", { expanded: false, name: /demo/ });
    session.screen = screenName;
    await tick();
    await new Promise((r) => setTimeout(r, 0));
    applyConnectionState({ status: "offline", retryInSeconds: 8 });
    await tick();
    await screen.findByRole("button", { name: locale === "en" ? "Retry now" : "Reintentar ahora" });
    expect(await violations()).toEqual([]);
  });

  it("organisation form (new), and while the server cannot be reached", async () => {
    startsWith(signedIn);
    render(App);
    await screen.findByRole("button", { expanded: false, name: /demo/ });
    session.screen = "organisations";
    (await screen.findByRole("button", { name: locale === "en" ? "New organization" : "Nueva organización" })).click();
    await screen.findByRole("heading", { level: 1, name: locale === "en" ? "New organization" : "Nueva organización" });
    expect(await violations()).toEqual([]);
    applyConnectionState({ status: "offline", retryInSeconds: 8 });
    await tick();
    expect(await violations()).toEqual([]);
  });
});
