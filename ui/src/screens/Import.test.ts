import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Preview } from "../lib/bindings/Preview";
import type { Progress } from "../lib/bindings/Progress";
import type { Report } from "../lib/bindings/Report";
import * as commands from "../lib/commands";
import { setLocale } from "../lib/i18n.svelte";
import Import from "./Import.svelte";

vi.setConfig({ testTimeout: 30_000 });

vi.mock("../lib/commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../lib/commands")>();
  return {
    ...actual,
    importOpen: vi.fn(),
    importPreview: vi.fn(),
    importRun: vi.fn(),
    importCancel: vi.fn(),
    importReportSave: vi.fn(),
    organisationsList: vi.fn(),
  };
});

HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

async function violations(): Promise<string[]> {
  const results = await axe.run(document.body, { resultTypes: ["violations"] });
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

const preview: Preview = {
  rows: [
    { line: 2, values: { name: "Acme", baseCurrency: "USD", currencies: ["USD", "EUR"], image: null, contact: null }, status: { kind: "new" }, problems: [] },
    {
      line: 3,
      values: { name: "Globex", baseCurrency: "ABC", currencies: ["ABC"], image: "ftp://x", contact: null },
      status: { kind: "invalid" },
      problems: [
        { field: "baseCurrency", kind: "unknownCurrency", code: "ABC", line: null },
        { field: "image", kind: "badImageUrl", code: null, line: null },
      ],
    },
    { line: 4, values: { name: "café", baseCurrency: "EUR", currencies: ["EUR"], image: null, contact: null }, status: { kind: "exists", id: 9, name: "Café", changes: ["currencies"] }, problems: [] },
  ],
  new: 1,
  existing: 1,
  invalid: 1,
  baseMissing: 0,
};

const report: Report = {
  rows: [
    { line: 2, name: "Acme", outcome: "created", reason: null, id: 10, problems: [], serverFields: {}, error: null },
    { line: 3, name: "Globex", outcome: "failed", reason: "invalid", id: null, problems: preview.rows[1].problems, serverFields: {}, error: null },
    { line: 4, name: "café", outcome: "updated", reason: null, id: 9, problems: [], serverFields: {}, error: null },
  ],
  created: 1,
  updated: 1,
  skipped: 0,
  failed: 1,
  notRun: 0,
  cancelled: false,
  stopped: null,
};

beforeEach(() => {
  vi.resetAllMocks();
  setLocale("en");
  vi.mocked(commands.importOpen).mockResolvedValue({
    status: "opened",
    fileName: "orgs.csv",
    headers: ["Nombre", "Moneda base", "Notas"],
    mapping: ["name", "baseCurrency", null],
    rows: 3,
  });
  vi.mocked(commands.importPreview).mockResolvedValue(preview);
  vi.mocked(commands.organisationsList).mockResolvedValue({ total: 0, activeId: null, contactsSupported: false });
});

async function toPreview() {
  const user = userEvent.setup();
  render(Import);
  await user.click(screen.getByRole("button", { name: "Choose file…" }));
  expect(await screen.findByText("orgs.csv: 3 rows")).toBeInTheDocument();
  expect(screen.getByLabelText("Column “Nombre”")).toHaveValue("name");
  expect(screen.getByLabelText("Column “Notas”")).toHaveDisplayValue("Not imported");
  await user.click(screen.getByRole("button", { name: "Preview" }));
  await screen.findByText("1 new, 1 already exist, 1 with errors");
  return user;
}

describe("Import", () => {
  it("maps the columns, then previews every row with the reason at its cell, sending nothing", async () => {
    const user = await toPreview();
    const known = vi.mocked(commands.importPreview).mock.calls[0][1];
    expect(known).toContain("USD");
    expect(vi.mocked(commands.importPreview).mock.calls[0][0]).toEqual({ mapping: ["name", "baseCurrency", null], addMissingBase: false });
    expect(commands.importRun).not.toHaveBeenCalled();
    // Errors first when there are some.
    const errors = screen.getByRole("row", { name: /Globex/ });
    expect(within(errors).getByText("“ABC” is not a currency code we know.")).toBeInTheDocument();
    expect(within(errors).getByText("This is not a web address (https://…).")).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Show"), "all");
    expect(within(screen.getByRole("row", { name: /Acme/ })).getByText("USD (US Dollar), EUR (Euro)")).toBeInTheDocument();
    const existing = screen.getByRole("row", { name: /café/ });
    expect(within(existing).getByText("Exists as “Café”")).toBeInTheDocument();
    // Skipped by default: one to send.
    expect(screen.getByRole("button", { name: "Import 1 organizations" })).toBeEnabled();
    await user.selectOptions(within(existing).getByLabelText("What to do with row 4"), "update");
    expect(screen.getByRole("button", { name: "Import 2 organizations" })).toBeEnabled();
    expect(await violations()).toEqual([]);
  });

  it("runs with a progress bar, can be cancelled, and ends with a report that can be exported", async () => {
    let send: (p: Progress) => void = () => {};
    let finish: (r: Report) => void = () => {};
    vi.mocked(commands.importRun).mockImplementation((_choices, onProgress) => {
      send = onProgress;
      return new Promise((resolve) => (finish = resolve));
    });
    vi.mocked(commands.importReportSave).mockResolvedValue(true);
    const user = await toPreview();
    await user.click(screen.getByRole("radio", { name: "Update them with the file's values" }));
    await user.click(screen.getByRole("button", { name: "Import 2 organizations" }));
    expect(vi.mocked(commands.importRun).mock.calls[0][0]).toEqual({ onExisting: "update", overrides: {} });
    send({ done: 1, total: 3 });
    expect(await screen.findByText("1 of 3")).toBeInTheDocument();
    expect(screen.getByRole("progressbar")).toHaveAttribute("value", "1");
    expect(screen.queryByRole("button", { name: "Back to organizations" })).not.toBeInTheDocument();
    expect(await violations()).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(commands.importCancel).toHaveBeenCalled();
    expect(screen.getByText("Stopping after the requests under way…")).toBeInTheDocument();

    finish(report);
    expect(await screen.findByText("1 created, 1 updated, 0 skipped, 1 failed")).toBeInTheDocument();
    const failed = screen.getByRole("row", { name: /Globex/ });
    expect(within(failed).getByText("Failed")).toBeInTheDocument();
    expect(within(failed).getByText("“ABC” is not a currency code we know. This is not a web address (https://…).")).toBeInTheDocument();
    expect(screen.queryByRole("row", { name: /Acme/ })).not.toBeInTheDocument();
    expect(await violations()).toEqual([]);

    await user.click(screen.getByRole("button", { name: "Export report" }));
    expect(commands.importReportSave).toHaveBeenCalledWith(["Result", "Reason"], [
      { line: 2, result: "Created", reason: "" },
      { line: 3, result: "Failed", reason: "“ABC” is not a currency code we know. This is not a web address (https://…)." },
      { line: 4, result: "Updated", reason: "" },
    ]);
    expect(await screen.findByText("Report saved. Fix the failed rows in it and import it again.")).toBeInTheDocument();
  });

  it("says why a file cannot be read, in Spanish too", async () => {
    setLocale("es");
    vi.mocked(commands.importOpen).mockResolvedValue({ status: "unreadable", reason: "unsupported_kind" });
    const user = userEvent.setup();
    render(Import);
    await user.click(screen.getByRole("button", { name: "Elegir archivo…" }));
    expect(await screen.findByText("Es un archivo de Excel antiguo (.xls). Guárdalo como .xlsx o CSV y vuelve a elegirlo.")).toBeInTheDocument();
    expect(commands.importPreview).not.toHaveBeenCalled();
    expect(await violations()).toEqual([]);
  });

  it("asks for the name and base currency columns before a preview", async () => {
    vi.mocked(commands.importOpen).mockResolvedValue({ status: "opened", fileName: "x.csv", headers: ["a", "b"], mapping: [null, null], rows: 1 });
    const user = userEvent.setup();
    render(Import);
    await user.click(screen.getByRole("button", { name: "Choose file…" }));
    expect(await screen.findByText("Choose the column that holds the organization's name.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Preview" })).toBeDisabled();
    await user.selectOptions(screen.getByLabelText("Column “a”"), "Name");
    await user.selectOptions(screen.getByLabelText("Column “b”"), "Base currency");
    expect(screen.getByRole("button", { name: "Preview" })).toBeEnabled();
  });
});
