import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Profile } from "../lib/bindings/Profile";
import type { SessionState } from "../lib/bindings/SessionState";
import * as commands from "../lib/commands";
import { setLocale } from "../lib/i18n.svelte";
import { session } from "../lib/session.svelte";
import Account from "./Account.svelte";

vi.mock("../lib/commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../lib/commands")>();
  return {
    ...actual,
    accountProfile: vi.fn(),
    accountUpdate: vi.fn(),
    passwordStrength: vi.fn(),
    passwordChange: vi.fn(),
    apiKeyReplace: vi.fn(),
    themeSet: vi.fn(),
  };
});

const signedIn: Extract<SessionState, { status: "signedIn" }> = {
  status: "signedIn",
  server: "https://oas.example/api/",
  user: { id: 1, username: "demo", email: "demo@example.com" },
  apiKeyHint: "…7Q2",
  staysSignedIn: true,
};

const profile: Profile = {
  id: 1,
  username: "demo",
  email: "demo@example.com",
  role: "staff",
  lastLogin: "2026-11-28T09:30:00Z",
};

beforeEach(() => {
  vi.resetAllMocks();
  setLocale("en");
  session.state = signedIn;
  session.keyRejected = false;
  vi.mocked(commands.accountProfile).mockResolvedValue(profile);
  vi.mocked(commands.passwordStrength).mockResolvedValue({ score: 0, level: "veryWeak", warning: "commonPassword" });
  vi.mocked(commands.themeSet).mockResolvedValue(undefined);
});

describe("Account", () => {
  it("shows the profile with the role in plain words and the last sign-in in local time", async () => {
    render(Account, { signedIn });
    const expected = new Intl.DateTimeFormat("en", { dateStyle: "long", timeStyle: "short" }).format(new Date(profile.lastLogin!));
    expect(await screen.findByText(expected)).toBeInTheDocument();
    expect(screen.getByText("Staff: may use the server's administration site")).toBeInTheDocument();
    expect(screen.getByText("API key ending …7Q2")).toBeInTheDocument();
  });

  it("speaks Spanish", async () => {
    setLocale("es");
    render(Account, { signedIn });
    expect(await screen.findByText("Personal: puede usar el sitio de administración del servidor")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Editar datos personales" })).toBeInTheDocument();
  });

  it("puts server field errors at their fields and keeps what was typed", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.accountUpdate).mockRejectedValueOnce({
      code: "validation",
      message: "x",
      fields: { username: ["A user with that username already exists."], email: ["Enter a valid email address."] },
    });
    render(Account, { signedIn });
    await screen.findByText("Staff: may use the server's administration site");
    const username = screen.getByLabelText("Username");
    const email = screen.getByLabelText("Email");
    await user.clear(username);
    await user.type(username, "taken");
    await user.clear(email);
    await user.type(email, "nope");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("A user with that username already exists.")).toBeInTheDocument();
    expect(screen.getByText("Enter a valid email address.")).toBeInTheDocument();
    expect(username).toHaveValue("taken");
    expect(email).toHaveValue("nope");
    expect(username).toHaveAttribute("aria-invalid", "true");
    expect(username).toHaveFocus();
  });

  it("a saved username reaches the session (the header follows)", async () => {
    const user = userEvent.setup();
    const next: SessionState = { ...signedIn, user: { ...signedIn.user, username: "demo2" } };
    vi.mocked(commands.accountUpdate).mockResolvedValueOnce([{ ...profile, username: "demo2" }, next]);
    render(Account, { signedIn });
    await screen.findByText("Staff: may use the server's administration site");
    const username = screen.getByLabelText("Username");
    await user.clear(username);
    await user.type(username, "demo2");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Your personal information was saved.")).toBeInTheDocument();
    expect(commands.accountUpdate).toHaveBeenCalledWith({ username: "demo2", email: "demo@example.com" });
    expect(session.state).toEqual(next);
  });

  it("changes the password with show/hide toggles, a strength hint and the server's words at the fields", async () => {
    const user = userEvent.setup();
    render(Account, { signedIn });
    const current = screen.getByLabelText("Current password");
    const fresh = screen.getByLabelText("New password");
    const confirm = screen.getByLabelText("Confirm new password");
    expect(fresh).toHaveAttribute("type", "password");
    await user.click(screen.getByRole("button", { name: "Show new password" }));
    expect(fresh).toHaveAttribute("type", "text");
    expect(screen.getByRole("button", { name: "Hide new password" })).toHaveAttribute("aria-pressed", "true");

    await user.type(current, "old-one");
    await user.type(fresh, "password");
    expect(await screen.findByText(/Strength: very weak\./)).toHaveTextContent("This is a commonly used password.");
    expect(commands.passwordStrength).toHaveBeenLastCalledWith("password");
    await user.type(confirm, "passwort");
    vi.mocked(commands.passwordChange).mockRejectedValueOnce({
      code: "validation",
      message: "x",
      fields: { new_password2: ["The two password fields didn’t match."] },
    });
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText("The two password fields didn’t match.")).toBeInTheDocument();
    expect(confirm).toHaveAttribute("aria-invalid", "true");
    expect(fresh).toHaveValue("password");

    await user.clear(confirm);
    await user.type(confirm, "password");
    vi.mocked(commands.passwordChange).mockResolvedValueOnce(undefined);
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText(/Your password was changed/)).toBeInTheDocument();
    expect(commands.passwordChange).toHaveBeenLastCalledWith({ current: "old-one", new: "password", confirm: "password" });
    expect(fresh).toHaveValue("");
  });

  it("asks for every password field before sending", async () => {
    const user = userEvent.setup();
    render(Account, { signedIn });
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(screen.getByText("Enter your current password.")).toBeInTheDocument();
    expect(screen.getByLabelText("Current password")).toHaveFocus();
    expect(commands.passwordChange).not.toHaveBeenCalled();
  });

  it("replaces the API key, or shows the refusal at the field and keeps the old one", async () => {
    const user = userEvent.setup();
    render(Account, { signedIn });
    const field = screen.getByLabelText("New API key");
    await user.type(field, "revoked.key");
    vi.mocked(commands.apiKeyReplace).mockRejectedValueOnce({ code: "api_key_rejected", message: "x" });
    await user.click(screen.getByRole("button", { name: "Replace API key" }));
    expect(await screen.findByText("This API key was not accepted. It may be mistyped, expired or revoked.")).toBeInTheDocument();
    expect(field).toHaveValue("revoked.key");
    expect(session.keyRejected).toBe(false);

    const next: SessionState = { ...signedIn, apiKeyHint: "…XYZ" };
    vi.mocked(commands.apiKeyReplace).mockResolvedValueOnce(next);
    await user.clear(field);
    await user.type(field, "new.keyXYZ");
    await user.click(screen.getByRole("button", { name: "Replace API key" }));
    expect(await screen.findByText("The new API key is in use (ending in …XYZ).")).toBeInTheDocument();
    expect(commands.apiKeyReplace).toHaveBeenLastCalledWith("new.keyXYZ");
    expect(session.state).toEqual(next);
    expect(field).toHaveValue("");
  });

  it("switches the theme through Rust", async () => {
    const user = userEvent.setup();
    render(Account, { signedIn });
    const group = screen.getByRole("group", { name: "Theme" });
    await user.click(within(group).getByLabelText("Dark"));
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
    expect(commands.themeSet).toHaveBeenCalledWith("dark");
    await user.click(within(group).getByLabelText("Light"));
    expect(document.documentElement.dataset.theme).toBe("light");
  });
});
