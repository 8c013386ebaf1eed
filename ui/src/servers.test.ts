// Server profiles in the UI: the header's server menu, "Manage servers" and the sign-in form's
// list of known servers, by role and label as a person finds them; axe on each, in both languages.
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { tick } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ServersView } from "./lib/bindings/ServersView";
import type { SessionState } from "./lib/bindings/SessionState";
import type { StorageProblem } from "./lib/bindings/StorageProblem";
import * as commands from "./lib/commands";
import { setLocale, type Locale } from "./lib/i18n.svelte";
import { organisations } from "./lib/organisations.svelte";
import { SERVER_COLOURS } from "./lib/serverColours";
import { servers } from "./lib/servers.svelte";
import { session } from "./lib/session.svelte";
import App from "./App.svelte";
import { invoke } from "@tauri-apps/api/core";

vi.setConfig({ testTimeout: 60_000 });

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn(() => Promise.reject(new Error("no shell in tests"))) }));

vi.mock("./lib/commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./lib/commands")>();
  return {
    ...actual,
    sessionStart: vi.fn(),
    appReady: vi.fn(),
    organisationsList: vi.fn(),
    draftLoad: vi.fn(),
    themeGet: vi.fn(),
    serversList: vi.fn(),
    serverSelect: vi.fn(),
    serverAdd: vi.fn(),
    serverUpdate: vi.fn(),
    serverRemove: vi.fn(),
    serverAddressCheck: vi.fn(),
  };
});

/** The start's answer (one request, `session_start`): `state`, and `problems` set aside. */
function startsWith(state: SessionState, problems: StorageProblem[] = []) {
  vi.mocked(commands.sessionStart).mockImplementation(async () => {
    return { session: state, storageProblems: problems, prefill: null };
  });
}

const onA: SessionState = {
  status: "signedIn",
  server: "https://oas.example/api/",
  user: { id: 1, username: "ana", email: "ana@example.com" },
  apiKeyHint: "…7Q2",
  staysSignedIn: true,
};
const onB: SessionState = { ...onA, server: "http://127.0.0.1:8765/api/", user: { id: 9, username: "bea", email: "bea@example.com" } };

function view(current: "a" | "b", state: SessionState, bSignedIn = true): ServersView {
  const title = current === "a" ? "OAS Desktop — Production" : "OAS Desktop — Training sandbox";
  return {
    profiles: [
      { id: "s1", name: "Production", colour: "red", server: "https://oas.example/api/", signedIn: true },
      { id: "s2", name: "Training sandbox", colour: "green", server: "http://127.0.0.1:8765/api/", signedIn: bSignedIn },
    ],
    current: current === "a" ? "s1" : "s2",
    title,
    state,
  };
}

const org = (id: number, name: string) => ({ id, name, baseCurrency: "EUR", currencies: ["EUR"], image: null });
type Row = ReturnType<typeof org>;
type OnRows = Parameters<typeof commands.organisationsList>[0];

/** The shell's listing: every row on the channel, then the answer. */
const listing = (rows: Row[]) => async (onRows: OnRows) => {
  onRows({ rows, loaded: rows.length, total: rows.length, restart: false, activeId: null });
  return { total: rows.length, activeId: null, contactsSupported: false };
};

/** A listing that waits until `answer(rows)` is called. */
function slowListing() {
  let answer: (rows: Row[]) => void = () => {};
  const impl = (onRows: OnRows) =>
    new Promise<Awaited<ReturnType<typeof commands.organisationsList>>>((resolve) => {
      answer = (rows) => void listing(rows)(onRows).then(resolve);
    });
  return { impl, answer: (rows: Row[]) => answer(rows) };
}

async function violations(): Promise<string[]> {
  const results = await axe.run(document.documentElement, { resultTypes: ["violations"] });
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

beforeEach(() => {
  vi.resetAllMocks();
  setLocale("en");
  session.state = null;
  session.screen = "home";
  servers.view = null;
  servers.manageOpen = false;
  vi.mocked(invoke).mockRejectedValue(new Error("no shell in tests"));
  vi.mocked(commands.appReady).mockResolvedValue(undefined);
  vi.mocked(commands.draftLoad).mockResolvedValue([]);
  vi.mocked(commands.themeGet).mockResolvedValue("light");
  vi.mocked(commands.serverAddressCheck).mockResolvedValue({ apiRoot: "http://127.0.0.1:8765/api/", plainHttp: true, thisComputer: true });
});

describe("server menu", () => {
  it("names the server in use and switches to a signed-in one in two clicks, with its last list", async () => {
    const user = userEvent.setup();
    startsWith(onA);
    vi.mocked(commands.serversList).mockResolvedValue(view("a", onA));
    vi.mocked(commands.organisationsList).mockImplementation(listing([org(1, "Acme of A")]));
    render(App);
    const menu = await screen.findByRole("button", { name: "Server in use: Production. Switch server" });
    await waitFor(() => expect(document.title).toBe("OAS Desktop — Production"));
    session.screen = "organisations";
    expect(await screen.findByText("Acme of A")).toBeInTheDocument();

    // B's list takes a while: A's answer must not show under B.
    const b = slowListing();
    vi.mocked(commands.organisationsList).mockImplementation(b.impl);
    vi.mocked(commands.serverSelect).mockResolvedValue(view("b", onB));
    vi.mocked(commands.serversList).mockResolvedValue(view("b", onB));
    await user.click(menu);
    const panel = document.getElementById("server-menu")!;
    expect(within(panel).getByRole("button", { name: /Production.*Signed in/ })).toHaveAttribute("aria-current", "true");
    await user.click(within(panel).getByRole("button", { name: /Training sandbox/ }));
    expect(commands.serverSelect).toHaveBeenCalledWith("s2");
    expect(await screen.findByRole("button", { name: "Server in use: Training sandbox. Switch server" })).toBeInTheDocument();
    expect(document.title).toBe("OAS Desktop — Training sandbox");
    expect(screen.queryByText("Acme of A")).not.toBeInTheDocument();
    b.answer([org(5, "Bravo of B")]);
    expect(await screen.findByText("Bravo of B")).toBeInTheDocument();

    // Back to A: its last list at once, refreshed behind.
    const a = slowListing();
    vi.mocked(commands.organisationsList).mockImplementation(a.impl);
    vi.mocked(commands.serverSelect).mockResolvedValue(view("a", onA));
    await user.click(screen.getByRole("button", { name: /Server in use: Training sandbox/ }));
    await user.click(within(panel).getByRole("button", { name: /Production/ }));
    expect(await screen.findByText("Acme of A")).toBeInTheDocument();
    expect(organisations.loading).toBe(true);
    a.answer([org(1, "Acme of A"), org(2, "New at A")]);
    expect(await screen.findByText("New at A")).toBeInTheDocument();
    expect(session.state).toEqual(onA);
  });

  it("choosing a signed-out server shows its sign-in form, prefilled", async () => {
    const user = userEvent.setup();
    startsWith(onA);
    vi.mocked(commands.serversList).mockResolvedValue(view("a", onA, false));
    const form: SessionState = {
      status: "signedOut",
      remembered: { server: "http://127.0.0.1:8765/api/", username: "bea", email: "", userId: 9 },
      savedKeyHint: "…K9z",
    };
    vi.mocked(commands.serverSelect).mockResolvedValue(view("b", form, false));
    vi.mocked(commands.serverAddressCheck).mockResolvedValue({ apiRoot: "http://127.0.0.1:8765/api/", plainHttp: true, thisComputer: true });
    render(App);
    await user.click(await screen.findByRole("button", { name: /Server in use: Production/ }));
    vi.mocked(commands.serversList).mockResolvedValue(view("b", form, false));
    await user.click(within(document.getElementById("server-menu")!).getByRole("button", { name: /Training sandbox.*Signed out/ }));
    expect(await screen.findByLabelText("Server")).toHaveValue("http://127.0.0.1:8765/api/");
    expect(screen.getByLabelText("Username")).toHaveValue("bea");
    expect(screen.getByText(/Key ending …K9z is saved/)).toBeInTheDocument();
    const known = screen.getByLabelText("Sign in to");
    expect(known).toHaveValue("s2");
    expect(within(known).getByRole("option", { name: "Production (signed in)" })).toBeInTheDocument();
  });
});

describe("manage servers", () => {
  async function openManage() {
    const user = userEvent.setup();
    startsWith(onA);
    vi.mocked(commands.serversList).mockResolvedValue(view("a", onA));
    render(App);
    await user.click(await screen.findByRole("button", { name: /Server in use: Production/ }));
    await user.click(screen.getByRole("button", { name: "Manage servers…" }));
    const dialog = await screen.findByRole("dialog", { name: "Servers" });
    return { user, dialog };
  }

  it("adds a server with a name, address and colour; Rust's refusal shows at its field", async () => {
    const { user, dialog } = await openManage();
    await user.click(within(dialog).getByRole("button", { name: "Add a server" }));
    await user.type(within(dialog).getByLabelText("Name"), "production");
    await user.type(within(dialog).getByLabelText("Address"), "beta.example.com");
    await user.click(within(dialog).getByRole("radio", { name: "Purple" }));
    vi.mocked(commands.serverAdd).mockRejectedValueOnce({
      code: "server_name_taken", message: "another server has this name", fields: { name: ["another server has this name"] },
    });
    await user.click(within(dialog).getByRole("button", { name: "Add server" }));
    expect(await within(dialog).findByText("Another server already has this name. Choose a different one.")).toBeInTheDocument();
    expect(within(dialog).getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(within(dialog).getByLabelText("Name")).toHaveFocus();

    vi.mocked(commands.serverAdd).mockResolvedValueOnce(view("a", onA));
    await user.clear(within(dialog).getByLabelText("Name"));
    await user.type(within(dialog).getByLabelText("Name"), "Beta");
    await user.click(within(dialog).getByRole("button", { name: "Add server" }));
    expect(commands.serverAdd).toHaveBeenLastCalledWith({ name: "Beta", address: "beta.example.com", colour: "purple" });
    expect(await within(dialog).findByRole("button", { name: "Edit Training sandbox" })).toBeInTheDocument();
  });

  it("says what a new address does to the saved key, and removes only after confirming", async () => {
    const { user, dialog } = await openManage();
    await user.click(within(dialog).getByRole("button", { name: "Edit Training sandbox" }));
    await user.clear(within(dialog).getByLabelText("Address"));
    await user.type(within(dialog).getByLabelText("Address"), "127.0.0.1:9000");
    expect(within(dialog).getByText(/its API key will be asked for/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));

    await user.click(within(dialog).getByRole("button", { name: "Remove Training sandbox" }));
    expect(commands.serverRemove).not.toHaveBeenCalled();
    const after = { ...view("a", onA), profiles: view("a", onA).profiles.slice(0, 1) };
    vi.mocked(commands.serverRemove).mockResolvedValue(after);
    await user.click(within(dialog).getByRole("button", { name: "Remove server" }));
    expect(commands.serverRemove).toHaveBeenCalledWith("s2");
    await waitFor(() => expect(within(dialog).queryByText("Training sandbox")).not.toBeInTheDocument());
  });
});

describe.each(["en", "es"] as Locale[])("accessibility of the server pieces in %s", (locale) => {
  it("header menu open, manage dialog open, and the sign-in form's server list: no violations", async () => {
    setLocale(locale);
    startsWith(onA);
    vi.mocked(commands.serversList).mockResolvedValue(view("a", onA));
    render(App);
    const menu = await screen.findByRole("button", { name: /Production/, expanded: false });
    await tick();
    menu.click();
    await tick();
    expect(await violations()).toEqual([]);

    servers.manageOpen = true;
    // The dialog is loaded when first opened.
    await waitFor(() => expect(document.querySelector("dialog[open]")).not.toBeNull());
    expect(await violations()).toEqual([]);
    servers.manageOpen = false;

    session.state = { status: "signedOut", remembered: { server: "http://127.0.0.1:8765/api/", username: "bea", email: "", userId: 9 }, savedKeyHint: null };
    await tick();
    await screen.findByRole("combobox", { name: locale === "en" ? "Sign in to" : "Iniciar sesión en" });
    expect(await violations()).toEqual([]);
  });
});

describe("profile colours", () => {
  it("each stands out at least 3:1 on every surface of both themes", async () => {
    const fsModule = "node:fs";
    const { readFileSync } = (await import(/* @vite-ignore */ fsModule)) as { readFileSync(p: string, e: "utf8"): string };
    const cwd = (globalThis as unknown as { process: { cwd(): string } }).process.cwd();
    const css = readFileSync(`${cwd}/src/app.css`, "utf8");
    const surfaces = [...css.matchAll(/--(?:surface|surface-2|bg):\s*(#[0-9a-f]{6});/gi)].map((m) => m[1]);
    expect(surfaces.length).toBeGreaterThanOrEqual(6);
    const lum = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (const { hex } of Object.values(SERVER_COLOURS)) {
      for (const surface of surfaces) {
        const [x, y] = [lum(hex), lum(surface)].sort((p, q) => q - p);
        expect((x + 0.05) / (y + 0.05), `${hex} on ${surface}`).toBeGreaterThanOrEqual(3);
      }
    }
  });
});

describe("late answers after a switch", () => {
  it("a failure of the server used before never signs the new one out, nor changes its session", async () => {
    const user = userEvent.setup();
    startsWith(onA);
    vi.mocked(commands.serversList).mockResolvedValue(view("a", onA));
    render(App);
    await screen.findByRole("button", { name: /Server in use: Production/ });

    // A call to A is in flight (through the real IPC wrapper) when the person switches to B.
    let failA: (e: unknown) => void = () => {};
    vi.mocked(invoke).mockReturnValueOnce(new Promise((_, reject) => (failA = reject)));
    const { accountProfile } = await vi.importActual<typeof import("./lib/commands")>("./lib/commands");
    const late = accountProfile();
    vi.mocked(commands.serverSelect).mockResolvedValue(view("b", onB));
    vi.mocked(commands.serversList).mockResolvedValue(view("b", onB));
    const { selectServer } = await import("./lib/servers.svelte");
    await selectServer("s2");
    failA({ code: "session_expired", message: "expired" });
    const error = await late.catch((e: unknown) => e);

    const { handleSessionError, sessionChanged } = await import("./lib/session.svelte");
    expect(handleSessionError(error as never)).toBe(true);
    sessionChanged(onA);
    expect(session.state).toEqual(onB);
    // A failure of B itself still ends B's session as before.
    expect(handleSessionError({ code: "session_expired", message: "expired" })).toBe(true);
    expect(session.state?.status).toBe("signedOut");
  });
});
