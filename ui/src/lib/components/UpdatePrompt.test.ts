import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as commands from "../commands";
import { setLocale } from "../i18n.svelte";
import { checkForUpdates, setUnsavedWork, unsavedWork, updates } from "../updates.svelte";
import UpdateCheck from "./UpdateCheck.svelte";
import UpdatePrompt from "./UpdatePrompt.svelte";

vi.mock("../commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../commands")>();
  return { ...actual, updateCheck: vi.fn(), updateInstall: vi.fn(), unsavedWorkSet: vi.fn() };
});

const available = {
  status: "available",
  currentVersion: "0.1.0",
  version: "0.2.0",
  date: null,
  notes: "Contacts can be exported.",
} as const;

beforeEach(() => {
  vi.mocked(commands.updateCheck).mockReset();
  vi.mocked(commands.updateInstall).mockReset();
  vi.mocked(commands.unsavedWorkSet).mockReset().mockResolvedValue(undefined);
  setLocale("en");
  Object.assign(updates, { check: null, checking: false, checkError: null, installing: false, installError: null, dismissed: false });
  unsavedWork.forms = [];
});

describe("UpdatePrompt", () => {
  it("shows what is new and installs only when the person agrees", async () => {
    vi.mocked(commands.updateCheck).mockResolvedValue(available);
    vi.mocked(commands.updateInstall).mockResolvedValue(undefined);
    render(UpdatePrompt);
    await checkForUpdates();
    expect(await screen.findByText("OAS Desktop 0.2.0 is available")).toBeInTheDocument();
    expect(screen.getByText("You have version 0.1.0.")).toBeInTheDocument();
    expect(screen.getByText("Contacts can be exported.")).toBeInTheDocument();
    expect(commands.updateInstall).not.toHaveBeenCalled();
    await userEvent.setup().click(screen.getByRole("button", { name: "Install and restart" }));
    expect(commands.updateInstall).toHaveBeenCalledTimes(1);
  });

  it("disables Install with the reason while a form holds unsaved work, and tells Rust", async () => {
    vi.mocked(commands.updateCheck).mockResolvedValue(available);
    render(UpdatePrompt);
    await checkForUpdates();
    setUnsavedWork("organisationForm", true);
    const install = await screen.findByRole("button", { name: "Install and restart" });
    await waitFor(() => expect(install).toBeDisabled());
    expect(install).toHaveAccessibleDescription(/Save or discard the organisation you are editing first/);
    expect(commands.unsavedWorkSet).toHaveBeenLastCalledWith(true);
    setUnsavedWork("organisationForm", false);
    await waitFor(() => expect(install).toBeEnabled());
    expect(commands.unsavedWorkSet).toHaveBeenLastCalledWith(false);
  });

  it("says plainly when a bad signature is refused, and Later hides the prompt", async () => {
    vi.mocked(commands.updateCheck).mockResolvedValue(available);
    vi.mocked(commands.updateInstall).mockRejectedValue({ code: "update_rejected", message: "x" });
    render(UpdatePrompt);
    await checkForUpdates();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Install and restart" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("its signature is not valid");
    await user.click(screen.getByRole("button", { name: "Later" }));
    expect(screen.queryByText("OAS Desktop 0.2.0 is available")).not.toBeInTheDocument();
  });

  it("in Spanish", async () => {
    setLocale("es");
    vi.mocked(commands.updateCheck).mockResolvedValue(available);
    render(UpdatePrompt);
    await checkForUpdates();
    expect(await screen.findByText("OAS Desktop 0.2.0 está disponible")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Instalar y reiniciar" })).toBeInTheDocument();
  });
});

describe("UpdateCheck", () => {
  it("checks on demand and says when the app is up to date", async () => {
    vi.mocked(commands.updateCheck).mockResolvedValue({ status: "upToDate", currentVersion: "0.1.0" });
    render(UpdateCheck);
    await userEvent.setup().click(screen.getByRole("button", { name: "Check for updates" }));
    expect(await screen.findByText("OAS Desktop 0.1.0 is up to date.")).toBeInTheDocument();
  });
});
