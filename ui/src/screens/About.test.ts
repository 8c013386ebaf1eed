import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as commands from "../lib/commands";
import { setLocale } from "../lib/i18n.svelte";
import About from "./About.svelte";

vi.mock("../lib/commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../lib/commands")>();
  return { ...actual, appInfo: vi.fn(), diagnostics: vi.fn(), openLink: vi.fn() };
});

beforeEach(() => {
  vi.resetAllMocks();
  setLocale("en");
  vi.mocked(commands.appInfo).mockResolvedValue({
    name: "OAS Desktop",
    version: "0.1.0",
    builtAt: 1_795_000_000,
    tauriVersion: "2.12.5",
    webviewVersion: "2.44.0",
    os: "linux x86_64",
    docsUrl: "https://oas-beta.ottomate.me/api/docs/",
    projectUrl: null,
  });
});

describe("About", () => {
  it("shows the version, build date, links and shortcuts", async () => {
    render(About);
    expect(await screen.findByText("0.1.0")).toBeInTheDocument();
    const built = new Intl.DateTimeFormat("en", { dateStyle: "long" }).format(new Date(1_795_000_000 * 1000));
    expect(screen.getByText(built)).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: "New organization" })).toBeInTheDocument();
    expect(screen.getByText("F5")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "OAS Desktop project page" })).not.toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "OAS API documentation" }));
    expect(commands.openLink).toHaveBeenCalledWith("documentation");
  });

  it("links to the project page the build names", async () => {
    vi.mocked(commands.appInfo).mockResolvedValue({ ...(await commands.appInfo()), projectUrl: "https://github.com/example-org/oas-desktop" });
    render(About);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "OAS Desktop project page" }));
    expect(commands.openLink).toHaveBeenCalledWith("project");
  });

  it("copies the diagnostic information and shows it", async () => {
    const user = userEvent.setup();
    const text = "OAS Desktop 0.1.0\nServer: https://oas.example/api/";
    vi.mocked(commands.diagnostics).mockResolvedValue(text);
    render(About);
    await user.click(await screen.findByRole("button", { name: "Copy diagnostic information" }));
    expect(await screen.findByText("Copied. Paste it into your e-mail.")).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(text);
    expect(screen.getByLabelText("Diagnostic information")).toHaveValue(text);
    expect(commands.diagnostics).toHaveBeenCalledWith("en");
  });

  it("speaks Spanish", async () => {
    setLocale("es");
    render(About);
    expect(await screen.findByRole("heading", { name: "Atajos de teclado" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copiar información de diagnóstico" })).toBeInTheDocument();
  });
});
