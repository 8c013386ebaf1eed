import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { IpcError } from "../lib/bindings/IpcError";
import type { SessionState } from "../lib/bindings/SessionState";
import * as commands from "../lib/commands";
import { setLocale } from "../lib/i18n.svelte";
import { session } from "../lib/session.svelte";
import SignIn from "./SignIn.svelte";

vi.mock("../lib/commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../lib/commands")>();
  return { ...actual, signIn: vi.fn(), openAccessRequest: vi.fn(), sessionRestore: vi.fn(), forgetServer: vi.fn() };
});

const signedIn: SessionState = {
  status: "signedIn",
  server: "https://oas-beta.ottomate.me/api/",
  user: { id: 1, username: "demo", email: "demo@example.com" },
  apiKeyHint: "…7Q2",
  staysSignedIn: true,
};

function fail(code: IpcError["code"], extra: Partial<IpcError> = {}) {
  vi.mocked(commands.signIn).mockRejectedValueOnce({ code, message: "server words", ...extra });
}

async function fillValid(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText("API key"), "A2QnAjPg.2tBY21luBv1V1X1krrXQtmadPpwcuUjH");
  await user.type(screen.getByLabelText("Username"), "demo");
  await user.type(screen.getByLabelText("Password"), "secret-pass");
}

beforeEach(() => {
  vi.mocked(commands.signIn).mockReset();
  vi.mocked(commands.openAccessRequest).mockReset();
  setLocale("en");
  session.state = { status: "signedOut", remembered: { server: "", username: "", email: "", userId: null }, savedKeyHint: null };
  session.restoreError = null;
  session.notice = null;
  session.prefill = null;
});

describe("SignIn", () => {
  it("with a saved key asks only for the password, and can use a different key or forget the server", async () => {
    const user = userEvent.setup();
    const remembered = { server: "http://127.0.0.1:8765/api/", username: "demo", email: "demo@example.com", userId: 1 };
    session.state = { status: "signedOut", remembered, savedKeyHint: "…7Q2" };
    vi.mocked(commands.signIn).mockResolvedValue(signedIn);
    render(SignIn);
    expect(screen.getByLabelText("API key")).toHaveAccessibleDescription(/Key ending …7Q2 is saved on this computer/);
    await user.type(screen.getByLabelText("Password"), "secret-pass");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() =>
      expect(commands.signIn).toHaveBeenCalledWith({ server: remembered.server, apiKey: "", username: "demo", email: "demo@example.com", password: "secret-pass" }),
    );

    // Typing a key sets the saved one aside.
    await user.type(screen.getByLabelText("API key"), "other");
    expect(screen.getByLabelText("API key")).not.toHaveAccessibleDescription(/saved on this computer/);

    vi.mocked(commands.forgetServer).mockResolvedValue({ status: "signedOut", remembered: { server: "", username: "", email: "", userId: null }, savedKeyHint: null });
    await user.click(screen.getByRole("button", { name: "Forget this server" }));
    expect(commands.forgetServer).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(session.state).toEqual({ status: "signedOut", remembered: { server: "", username: "", email: "", userId: null }, savedKeyHint: null }));
  });

  it("without a saved key still asks for one", async () => {
    const user = userEvent.setup();
    render(SignIn);
    expect(screen.queryByRole("button", { name: "Forget this server" })).not.toBeInTheDocument();
    await user.type(screen.getByLabelText("Username"), "demo");
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(screen.getByLabelText("API key")).toHaveAccessibleDescription(/Enter your API key/);
    expect(commands.signIn).not.toHaveBeenCalled();
  });

  it("shows every field with its visible label and the production server by default", () => {
    render(SignIn);
    expect(screen.getByLabelText("Server")).toHaveValue("https://oas-beta.ottomate.me");
    for (const label of ["API key", "Username", "Email", "Password"]) {
      expect(screen.getByLabelText(label)).toHaveValue("");
    }
    expect(screen.getByLabelText("API key")).toHaveAttribute("type", "password");
    expect(screen.getByRole("button", { name: "Sign in" })).toBeEnabled();
  });

  it("fills in the remembered server, username and email but never a password", () => {
    session.state = {
      status: "signedOut",
      remembered: { server: "http://127.0.0.1:8765/api/", username: "demo", email: "demo@example.com", userId: 1 },
      savedKeyHint: null,
    };
    render(SignIn);
    expect(screen.getByLabelText("Server")).toHaveValue("http://127.0.0.1:8765/api/");
    expect(screen.getByLabelText("Username")).toHaveValue("demo");
    expect(screen.getByLabelText("Email")).toHaveValue("demo@example.com");
    expect(screen.getByLabelText("Password")).toHaveValue("");
  });

  it("uses the demo prefill when the demo script launched the app", () => {
    session.prefill = {
      server: "http://127.0.0.1:8765",
      apiKey: "abcdefgh.0123456789abcdefghijklmnopqrstuv",
      username: "demo",
      email: "demo@example.com",
      password: "demo-password",
    };
    render(SignIn);
    expect(screen.getByLabelText("Server")).toHaveValue("http://127.0.0.1:8765");
    expect(screen.getByLabelText("API key")).toHaveValue("abcdefgh.0123456789abcdefghijklmnopqrstuv");
    expect(screen.getByLabelText("Password")).toHaveValue("demo-password");
  });

  it("validates required fields on submit, next to each field, without calling the server", async () => {
    const user = userEvent.setup();
    render(SignIn);
    await user.clear(screen.getByLabelText("Server"));
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(screen.getByLabelText("Server")).toHaveAccessibleDescription(/Enter the server address/);
    expect(screen.getByLabelText("API key")).toHaveAccessibleDescription(/Enter your API key/);
    expect(screen.getByLabelText("Username")).toHaveAccessibleDescription(/Enter your username or your email/);
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription(/Enter your password/);
    expect(screen.getByLabelText("Server")).toHaveFocus();
    expect(commands.signIn).not.toHaveBeenCalled();
  });

  it("accepts an email instead of a username", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.signIn).mockResolvedValue(signedIn);
    render(SignIn);
    await user.type(screen.getByLabelText("API key"), "key.secret");
    await user.type(screen.getByLabelText("Email"), "demo@example.com");
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(commands.signIn).toHaveBeenCalledWith({
      server: "https://oas-beta.ottomate.me/api/",
      apiKey: "key.secret",
      username: "",
      email: "demo@example.com",
      password: "pw",
    });
  });

  it("refuses plain http:// to a remote host with a clear message", async () => {
    const user = userEvent.setup();
    render(SignIn);
    const server = screen.getByLabelText("Server");
    await user.clear(server);
    await user.type(server, "http://oas.example.com");
    await fillValid(user);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(server).toHaveAccessibleDescription(/not encrypted/);
    expect(commands.signIn).not.toHaveBeenCalled();
  });

  it("sends the normalised API root for a pasted documentation address", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.signIn).mockResolvedValue(signedIn);
    render(SignIn);
    const server = screen.getByLabelText("Server");
    await user.clear(server);
    await user.type(server, "oas-beta.ottomate.me/api/docs/");
    expect(screen.getByText("Will connect to https://oas-beta.ottomate.me/api/")).toBeInTheDocument();
    await fillValid(user);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(vi.mocked(commands.signIn).mock.calls[0][0].server).toBe("https://oas-beta.ottomate.me/api/");
    expect(session.state).toEqual(signedIn);
  });

  it("shows and hides the API key", async () => {
    const user = userEvent.setup();
    render(SignIn);
    await user.click(screen.getByRole("button", { name: "Show API key" }));
    expect(screen.getByLabelText("API key")).toHaveAttribute("type", "text");
    await user.click(screen.getByRole("button", { name: "Hide API key" }));
    expect(screen.getByLabelText("API key")).toHaveAttribute("type", "password");
  });

  it("disables the button while signing in, so one click signs in once", async () => {
    const user = userEvent.setup();
    let finish!: (s: SessionState) => void;
    vi.mocked(commands.signIn).mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    render(SignIn);
    await fillValid(user);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    const busy = screen.getByRole("button", { name: "Signing in…" });
    expect(busy).toBeDisabled();
    await user.type(screen.getByLabelText("Password"), "{Enter}");
    expect(commands.signIn).toHaveBeenCalledTimes(1);
    finish(signedIn);
    await waitFor(() => expect(session.state).toEqual(signedIn));
  });

  it.each([
    ["unreachable", "Server", /could not reach this server/],
    ["not_oas", "Server", /not an OAS server/],
    ["tls", "Server", /certificate/],
    ["api_key_rejected", "API key", /API key was not accepted/],
    ["wrong_credentials", "Password", /username, email or password is not correct/],
  ] as const)("puts %s next to %s and keeps what was typed", async (code, label, message) => {
    const user = userEvent.setup();
    fail(code);
    render(SignIn);
    await fillValid(user);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(screen.getByLabelText(label)).toHaveAccessibleDescription(message));
    expect(screen.getByLabelText("API key")).toHaveValue("A2QnAjPg.2tBY21luBv1V1X1krrXQtmadPpwcuUjH");
    expect(screen.getByLabelText("Username")).toHaveValue("demo");
    expect(screen.getByLabelText("Password")).toHaveValue("secret-pass");
    expect(screen.getByRole("button", { name: "Sign in" })).toBeEnabled();
  });

  it("maps server validation messages to their fields", async () => {
    const user = userEvent.setup();
    fail("validation", {
      fields: { email: ["Enter a valid email address."], non_field_errors: ["Unable to log in with provided credentials."] },
    });
    render(SignIn);
    await fillValid(user);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(screen.getByLabelText("Email")).toHaveAccessibleDescription(/Enter a valid email address/));
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription(/Unable to log in/);
  });

  it("shows other failures in a banner in the person's language", async () => {
    const user = userEvent.setup();
    setLocale("es");
    fail("throttled");
    render(SignIn);
    await user.type(screen.getByLabelText("Clave de API"), "k");
    await user.type(screen.getByLabelText("Nombre de usuario"), "demo");
    await user.type(screen.getByLabelText("Contraseña"), "pw");
    await user.click(screen.getByRole("button", { name: "Iniciar sesión" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Demasiados intentos");
  });

  it("falls back to the server's message for an unknown failure", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.signIn).mockRejectedValueOnce({ code: "unexpected", message: "Disk full" });
    render(SignIn);
    await fillValid(user);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Disk full");
  });

  it("explains how to get access and opens the request form", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.openAccessRequest).mockResolvedValue(undefined);
    render(SignIn);
    await user.click(screen.getByRole("button", { name: "Don't have an account?" }));
    expect(screen.getByText(/granted on request by an OAS administrator/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Request access" }));
    expect(commands.openAccessRequest).toHaveBeenCalledTimes(1);
  });

  it("offers to try again when the session could not be restored", async () => {
    const user = userEvent.setup();
    session.restoreError = { code: "unreachable", message: "" };
    vi.mocked(commands.sessionRestore).mockResolvedValue(signedIn);
    render(SignIn);
    expect(screen.getByRole("alert")).toHaveTextContent("could not restore your session");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(session.state).toEqual(signedIn));
  });

  it("switches language and remembers the choice", async () => {
    const user = userEvent.setup();
    render(SignIn);
    await user.selectOptions(screen.getByLabelText("Language"), "es");
    expect(screen.getByLabelText("Servidor")).toBeInTheDocument();
    expect(screen.getByLabelText("Correo electrónico")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Iniciar sesión" })).toBeInTheDocument();
    expect(localStorage.getItem("oas.locale")).toBe("es");
  });
});
