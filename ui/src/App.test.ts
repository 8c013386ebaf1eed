import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { SessionState } from "./lib/bindings/SessionState";
import type { StorageProblem } from "./lib/bindings/StorageProblem";
import * as commands from "./lib/commands";
import { setLocale } from "./lib/i18n.svelte";
import { session, startEarly } from "./lib/session.svelte";
import App from "./App.svelte";

vi.mock("./lib/commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./lib/commands")>();
  return {
    ...actual,
    sessionStart: vi.fn(),
    signIn: vi.fn(),
    signOut: vi.fn(),
    organisationsList: vi.fn(),
    organisationGet: vi.fn(),
    draftLoad: vi.fn(),
    draftSave: vi.fn(),
    appReady: vi.fn(),
    serverAddressCheck: vi.fn(),
  };
});

let shellSays: (state: SessionState) => void = () => {};

/** The start's answer (one request, `session_start`): `state`, and `problems` set aside. */
function startsWith(state: SessionState, problems: StorageProblem[] = []) {
  vi.mocked(commands.sessionStart).mockImplementation(async (onState) => {
    shellSays = onState;
    return { session: state, storageProblems: problems, prefill: null };
  });
}

const signedIn: SessionState = {
  status: "signedIn",
  server: "http://127.0.0.1:8765/api/",
  user: { id: 1, username: "demo", email: "demo@example.com" },
  apiKeyHint: "…7Q2",
  staysSignedIn: true,
};

beforeEach(() => {
  vi.resetAllMocks();
  vi.mocked(commands.appReady).mockResolvedValue(undefined);
  vi.mocked(commands.organisationsList).mockResolvedValue({ total: 0, activeId: null, contactsSupported: false });
  vi.mocked(commands.draftLoad).mockResolvedValue([]);
  vi.mocked(commands.draftSave).mockResolvedValue(undefined);
  // Rust's answer for the address these tests use (the rule itself is tested in oas-api).
  vi.mocked(commands.serverAddressCheck).mockResolvedValue({ apiRoot: "http://127.0.0.1:8765/api/", plainHttp: true, thisComputer: true });
  setLocale("en");
  session.state = null;
  session.restoreError = null;
  session.notice = null;
  session.screen = "home";
  session.storageProblems = [];
  session.reopen = null;
  session.keepLost = false;
  delete document.documentElement.dataset.ready;
});

describe("App", () => {
  it("restores the session and greets the user, then marks itself ready", async () => {
    startsWith(signedIn);
    render(App);
    expect(await screen.findByRole("heading", { name: "Hello, demo" })).toBeInTheDocument();
    expect(screen.getByText("API key ending …7Q2")).toBeInTheDocument();
    expect(screen.getByText("http://127.0.0.1:8765")).toBeInTheDocument();
    await waitFor(() => expect(document.documentElement.dataset.ready).toBe("1"));
    expect(commands.appReady).toHaveBeenCalledTimes(1);
  });

  it("greets in Spanish", async () => {
    setLocale("es");
    startsWith(signedIn);
    render(App);
    expect(await screen.findByRole("heading", { name: "Hola, demo" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Cerrar sesión" })).toBeInTheDocument();
  });

  it("signs out back to the sign-in form with the remembered details", async () => {
    const user = userEvent.setup();
    startsWith(signedIn);
    vi.mocked(commands.signOut).mockResolvedValue({
      status: "signedOut",
      remembered: { server: "http://127.0.0.1:8765/api/", username: "demo", email: "demo@example.com", userId: 1 },
      savedKeyHint: "…7Q2",
    });
    render(App);
    await user.click(await screen.findByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("button", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByLabelText("Server")).toHaveValue("http://127.0.0.1:8765/api/");
    expect(screen.getByLabelText("Username")).toHaveValue("demo");
    expect(screen.getByLabelText("Password")).toHaveValue("");
  });

  it("shows the sign-in form with a banner when the session cannot be restored", async () => {
    vi.mocked(commands.sessionStart).mockRejectedValue({ code: "unreachable", message: "connect error" });
    render(App);
    expect(await screen.findByRole("button", { name: "Try again" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("could not reach this server");
    await waitFor(() => expect(document.documentElement.dataset.ready).toBe("1"));
  });

  it("keeps the remembered details when the keychain is locked at start, and says why", async () => {
    startsWith({
      status: "signedOut",
      remembered: { server: "http://127.0.0.1:8765/api/", username: "demo", email: "demo@example.com", userId: 1 },
      savedKeyHint: null,
      restoreError: { code: "keychain_unavailable", message: "keychain locked or unavailable" },
    });
    render(App);
    expect(await screen.findByRole("button", { name: "Try again" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("keychain is not available");
    expect(screen.getByLabelText("Username")).toHaveValue("demo");
    expect(screen.getByLabelText("Email")).toHaveValue("demo@example.com");
  });

  it("navigates to Organizations", async () => {
    const user = userEvent.setup();
    startsWith(signedIn);
    render(App);
    await user.click(await screen.findByRole("button", { name: "Organizations" }));
    expect(await screen.findByRole("heading", { name: "Organizations", level: 1 })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Organizations" })).toHaveAttribute("aria-current", "page");
  });

  it("says plainly when the keychain refused to keep a renewed sign-in", async () => {
    startsWith(signedIn);
    render(App);
    await screen.findByRole("heading", { name: "Hello, demo" });
    shellSays({ ...signedIn, staysSignedIn: false });
    expect(await screen.findByText(/you will need to sign in again the next time/)).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "Organizations" }));
    expect(await screen.findByText(/did not accept your renewed sign-in/)).toBeInTheDocument();
  });

  it("tells once that an unreadable settings file was set aside", async () => {
    const user = userEvent.setup();
    startsWith({ status: "signedOut", remembered: { server: "", username: "", email: "", userId: null }, savedKeyHint: null }, [
      { file: "settings.json", keptAs: "/data/settings.json.corrupt-1700000000" },
    ]);
    render(App);
    const alert = await screen.findByText(/settings.json could not be read/);
    expect(alert).toHaveTextContent("/data/settings.json.corrupt-1700000000");
    await user.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByText(/could not be read/)).not.toBeInTheDocument();
  });

  it("keeps the open form's last keystrokes when the session ends and brings the form back after signing in", async () => {
    const user = userEvent.setup();
    const acme = { id: 4, name: "Acme", baseCurrency: "EUR", currencies: ["EUR"], image: null, isActive: null, contacts: null };
    startsWith(signedIn);
    vi.mocked(commands.organisationsList).mockImplementation(async (onRows) => {
      onRows({ rows: [acme], loaded: 1, total: 1, restart: false, activeId: null });
      return { total: 1, activeId: null, contactsSupported: false };
    });
    vi.mocked(commands.organisationGet).mockResolvedValue(acme);
    render(App);
    await user.click(await screen.findByRole("button", { name: "Organizations" }));
    await user.click(await screen.findByRole("button", { name: "Edit: Acme" }));
    await user.clear(screen.getByLabelText("Name"));
    await user.type(screen.getByLabelText("Name"), "Acme Worldwide");
    // The session ends before the draft's timer fires.
    const { handleSessionError } = await import("./lib/session.svelte");
    handleSessionError({ code: "session_expired", message: "expired" });
    expect(commands.draftSave).toHaveBeenCalledWith(
      expect.objectContaining({ editingId: 4, draft: expect.objectContaining({ name: "Acme Worldwide" }), base: acme }),
      // Kept with the server the form was opened for, even if another is in use by then.
      signedIn.server,
    );
    expect(await screen.findByRole("button", { name: "Sign in" })).toBeInTheDocument();

    const kept = { editingId: 4, draft: { name: "Acme Worldwide", baseCurrency: "EUR", currencies: ["EUR"], image: "", contacts: null } };
    vi.mocked(commands.draftLoad).mockResolvedValue([kept]);
    vi.mocked(commands.signIn).mockResolvedValue(signedIn);
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByLabelText("Name")).toHaveValue("Acme Worldwide");
    expect(screen.getByText("Your unsaved draft was restored.")).toBeInTheDocument();
  });
});

describe("start-up before mounting (main.ts)", () => {
  it("builds the first screen as itself, never the splash, and asks Rust once", async () => {
    startsWith(signedIn);
    await startEarly(1_000);
    render(App);
    // Straight away, in the first render: no "Starting…" in between.
    expect(screen.queryByText("Starting OAS Desktop…")).not.toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Hello, demo" })).toBeInTheDocument();
    await waitFor(() => expect(document.documentElement.dataset.ready).toBe("1"));
    expect(commands.sessionStart).toHaveBeenCalledTimes(1);
  });

  it("shows the splash when the keychain is slow to answer, then the screen it answers", async () => {
    let answer: (state: SessionState) => void = () => {};
    vi.mocked(commands.sessionStart).mockReturnValue(
      new Promise((resolve) => (answer = (state) => resolve({ session: state, storageProblems: [], prefill: null }))),
    );
    await startEarly(20);
    render(App);
    expect(screen.getByText("Starting OAS Desktop…")).toBeInTheDocument();
    answer(signedIn);
    expect(await screen.findByRole("heading", { name: "Hello, demo" })).toBeInTheDocument();
    await waitFor(() => expect(document.documentElement.dataset.ready).toBe("1"));
    expect(commands.sessionStart).toHaveBeenCalledTimes(1);
  });
});
