import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Organisation } from "../lib/bindings/Organisation";
import type { OrganisationRows } from "../lib/bindings/OrganisationRows";
import type { OrganisationsListed } from "../lib/bindings/OrganisationsListed";
import * as commands from "../lib/commands";
import { setLocale } from "../lib/i18n.svelte";
import { resetOrganisations } from "../lib/organisations.svelte";
import { session } from "../lib/session.svelte";
import Organisations from "./Organisations.svelte";

vi.mock("../lib/commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../lib/commands")>();
  return {
    ...actual,
    organisationsList: vi.fn(),
    organisationGet: vi.fn(),
    organisationCreate: vi.fn(),
    organisationUpdate: vi.fn(),
    organisationMakeActive: vi.fn(),
    draftLoad: vi.fn(),
    draftSave: vi.fn(),
    draftDiscard: vi.fn(),
    exportCsv: vi.fn(),
  };
});

const org = (id: number, name: string, base: string, currencies: string[], extra: Partial<Organisation> = {}): Organisation => ({
  id, name, baseCurrency: base, currencies, image: null, isActive: null, contacts: null, ...extra,
});

const three: Organisation[] = [
  org(1, "Zeta Holdings", "EUR", ["EUR", "USD"]),
  org(2, "Acme Mexico", "MXN", ["MXN", "USD", "EUR", "GBP", "JPY", "CAD", "CHF"], { image: "https://img.example/acme.png" }),
  org(3, "Bluebird", "GBP", ["GBP"]),
];

/** What the shell does for `organisations_list`: the rows on the channel, then the answer. */
function view(organisations: Organisation[], activeId: number | null = null, contactsSupported = false) {
  return async (onRows: (m: OrganisationRows) => void): Promise<OrganisationsListed> => {
    const total = organisations.length;
    onRows({ rows: organisations.map(({ id, name, baseCurrency, currencies, image }) => ({ id, name, baseCurrency, currencies, image })), loaded: total, total, restart: false, activeId });
    // The form fetches the whole organisation.
    vi.mocked(commands.organisationGet).mockImplementation(async (id) => {
      const o = organisations.find((x) => x.id === id);
      if (!o) throw { code: "not_found", message: "" };
      return o;
    });
    return { total, activeId, contactsSupported };
  };
}

const rows = () => within(screen.getByRole("list", { name: "Organizations" })).getAllByRole("listitem");
const rowNames = () => rows().map((r) => r.querySelector(".org__name")?.textContent);

beforeEach(() => {
  vi.resetAllMocks();
  localStorage.clear();
  setLocale("en");
  resetOrganisations();
  session.state = { status: "signedIn", server: "https://oas.example/api/", user: { id: 1, username: "demo", email: "" }, apiKeyHint: "…7Q2", staysSignedIn: true };
  vi.mocked(commands.draftLoad).mockResolvedValue([]);
  vi.mocked(commands.draftSave).mockResolvedValue(undefined);
  vi.mocked(commands.draftDiscard).mockResolvedValue(undefined);
});

describe("Organisations list", () => {
  it("shows the first page at once, then the progress of the rest, then every row", async () => {
    const rowsOf = (list: Organisation[]) => list.map(({ id, name, baseCurrency, currencies, image }) => ({ id, name, baseCurrency, currencies, image }));
    let more!: () => void;
    vi.mocked(commands.organisationsList).mockImplementation(async (onRows) => {
      onRows({ rows: rowsOf(three.slice(0, 1)), loaded: 1, total: 3, restart: false, activeId: null });
      await new Promise<void>((resolve) => (more = resolve));
      // The answer overtakes the last rows: the list waits for them.
      setTimeout(() => onRows({ rows: rowsOf(three.slice(1)), loaded: 3, total: 3, restart: false, activeId: 3 }), 20);
      return { total: 3, activeId: 3, contactsSupported: false };
    });
    render(Organisations);
    await waitFor(() => expect(rowNames()).toEqual(["Zeta Holdings"]));
    const bar = screen.getByRole("progressbar", { name: "Loading organizations: 1 of 3" });
    expect(bar).toHaveAttribute("value", "1");
    expect(bar).toHaveAttribute("max", "3");
    // The first listing, not a refresh: the button keeps its name, greyed out until it is over.
    expect(screen.getByRole("button", { name: "Refresh" })).toBeDisabled();
    expect(screen.queryByRole("button", { name: "Refreshing…" })).not.toBeInTheDocument();
    more();
    await waitFor(() => expect(rowNames()).toEqual(["Acme Mexico", "Bluebird", "Zeta Holdings"]));
    expect(screen.queryByRole("progressbar")).not.toBeInTheDocument();
    await waitFor(() => expect(document.documentElement.dataset.organisations).toBe("3"));
    expect(within(rows()[1]).getByText("Active")).toBeInTheDocument();
  });

  it("shows the active badge with its row while the rest is still loading", async () => {
    const rowsOf = (list: Organisation[]) => list.map(({ id, name, baseCurrency, currencies, image }) => ({ id, name, baseCurrency, currencies, image }));
    vi.mocked(commands.organisationsList).mockImplementation((onRows) => {
      onRows({ rows: rowsOf(three), loaded: 3, total: 1000, restart: false, activeId: 3 });
      return new Promise(() => {});
    });
    render(Organisations);
    await waitFor(() => expect(rowNames()).toEqual(["Acme Mexico", "Bluebird", "Zeta Holdings"]));
    expect(screen.getByRole("progressbar")).toBeInTheDocument();
    expect(within(rows()[1]).getByText("Active")).toBeInTheDocument();
    expect(within(rows()[0]).queryByText("Active")).not.toBeInTheDocument();
  });

  it("shows the progress in Spanish", async () => {
    setLocale("es");
    vi.mocked(commands.organisationsList).mockImplementation((onRows) => {
      onRows({ rows: [{ id: 1, name: "Zeta", baseCurrency: "EUR", currencies: ["EUR"], image: null }], loaded: 1200, total: 10000, restart: false, activeId: null });
      return new Promise(() => {});
    });
    render(Organisations);
    expect(await screen.findByRole("progressbar", { name: "Cargando organizaciones: 1200 de 10.000" })).toBeInTheDocument();
  });

  it("shows every organisation with its currencies, the count and the active badge", async () => {
    vi.mocked(commands.organisationsList).mockImplementation(view(three, 3));
    render(Organisations);
    expect(screen.getByRole("heading", { name: "Organizations", level: 1 })).toBeInTheDocument();
    await waitFor(() => expect(rowNames()).toEqual(["Acme Mexico", "Bluebird", "Zeta Holdings"]));
    expect(screen.getByText("3 organizations")).toBeInTheDocument();
    const acme = rows()[0];
    expect(acme.querySelector(".chip--base")).toHaveTextContent("Base: MXN");
    expect(within(acme).getByText("+1 more")).toBeInTheDocument();
    expect(acme.querySelector("img")).toHaveAttribute("src", "https://img.example/acme.png");
    expect(within(rows()[1]).getByText("Active")).toBeInTheDocument();
    expect(within(rows()[0]).queryByText("Active")).not.toBeInTheDocument();
    expect(screen.getByText(/only one is active at a time/)).toBeInTheDocument();
  });

  it("falls back to initials when an image is missing or broken", async () => {
    vi.mocked(commands.organisationsList).mockImplementation(view(three));
    render(Organisations);
    await waitFor(() => expect(rows()).toHaveLength(3));
    const img = rows()[0].querySelector("img")!;
    img.dispatchEvent(new Event("error"));
    await waitFor(() => expect(rows()[0].querySelector("img")).toBeNull());
    expect(within(rows()[0]).getByText("AM")).toBeInTheDocument();
  });

  it("searches live by name or currency and offers to clear an empty result", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.organisationsList).mockImplementation(view(three));
    render(Organisations);
    const search = await screen.findByLabelText("Search organizations");
    await user.type(search, "blue");
    expect(rowNames()).toEqual(["Bluebird"]);
    expect(screen.getByText(/1 of 3 shown/)).toBeInTheDocument();
    await user.clear(search);
    await user.type(search, "usd");
    expect(rowNames()).toEqual(["Acme Mexico", "Zeta Holdings"]);
    await user.clear(search);
    await user.type(search, "nothing here");
    expect(screen.getByText("No organization matches “nothing here”")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Clear search" }));
    expect(rows()).toHaveLength(3);
  });

  it("sorts by newest", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.organisationsList).mockImplementation(view(three));
    render(Organisations);
    await user.selectOptions(await screen.findByLabelText("Sort by"), "newest");
    expect(rowNames()).toEqual(["Bluebird", "Acme Mexico", "Zeta Holdings"]);
  });

  it("renders only a window of 10,000 organisations", async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 10_000 }, (_, i) => org(i + 1, `Org ${String(i + 1).padStart(5, "0")}`, "USD", ["USD"]));
    vi.mocked(commands.organisationsList).mockImplementation(view(many));
    render(Organisations);
    expect(await screen.findByText("10,000 organizations")).toBeInTheDocument();
    expect(rows().length).toBeLessThan(40);
    expect(rows()[0]).toHaveAttribute("aria-setsize", "10000");
    await user.type(screen.getByLabelText("Search organizations"), "09999");
    expect(rowNames()).toEqual(["Org 09999"]);
  });

  it("recycles row elements: a search and a scroll change their contents, never remove them", async () => {
    const many = Array.from({ length: 1_000 }, (_, i) => org(i + 1, `Org ${String(i + 1).padStart(4, "0")}`, "USD", ["USD"]));
    vi.mocked(commands.organisationsList).mockImplementation(view(many));
    render(Organisations);
    expect(await screen.findByText("1,000 organizations")).toBeInTheDocument();
    const list = screen.getByRole("list", { name: "Organizations" });
    const before = [...list.querySelectorAll(".vlist__row")];
    const search = screen.getByLabelText("Search organizations");
    await fireEvent.input(search, { target: { value: "0999" } });
    expect(rowNames()).toEqual(["Org 0999"]);
    expect([...list.querySelectorAll(".vlist__row")]).toEqual(before);
    await fireEvent.input(search, { target: { value: "" } });
    const viewport = list.parentElement!;
    viewport.scrollTop = 72 * 500;
    await fireEvent.scroll(viewport);
    await waitFor(() => expect(rowNames()).toContain("Org 0501"));
    expect([...list.querySelectorAll(".vlist__row")]).toEqual(before);
  });

  it("shows a new search's results from the first, wherever the list was scrolled", async () => {
    const many = Array.from({ length: 1_000 }, (_, i) => org(i + 1, `Org ${String(i + 1).padStart(4, "0")}`, "USD", ["USD"]));
    vi.mocked(commands.organisationsList).mockImplementation(view(many));
    render(Organisations);
    expect(await screen.findByText("1,000 organizations")).toBeInTheDocument();
    const viewport = screen.getByRole("list", { name: "Organizations" }).parentElement!;
    viewport.scrollTop = 72 * 900;
    await fireEvent.scroll(viewport);
    await waitFor(() => expect(rowNames()).toContain("Org 0901"));
    // 111 results: the first of them is shown, not the scroll position the whole list had.
    await fireEvent.input(screen.getByLabelText("Search organizations"), { target: { value: "Org 09" } });
    expect(viewport.scrollTop).toBe(0);
    await waitFor(() => expect(rowNames()[0]).toBe("Org 0009"));
    expect(rows()[0]).toHaveAttribute("aria-posinset", "1");
  });

  it("leads to creating the first organisation when there are none", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.organisationsList).mockImplementation(view([]));
    render(Organisations);
    expect(await screen.findByText("No organizations yet")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Create your first organization" }));
    expect(screen.getByRole("heading", { name: "New organization" })).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toBeInTheDocument();
  });

  it("refreshes on request", async () => {
    const user = userEvent.setup();
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const four = view([...three, org(4, "Delta", "USD", ["USD"])]);
    vi.mocked(commands.organisationsList)
      .mockImplementationOnce(view(three))
      .mockImplementationOnce(async (onRows) => {
        await answered;
        return four(onRows);
      });
    render(Organisations);
    await waitFor(() => expect(rows()).toHaveLength(3));
    await user.click(screen.getByRole("button", { name: "Refresh" }));
    // Under way: the button says so, and the rows on screen stay until the new list is complete.
    expect(await screen.findByRole("button", { name: "Refreshing…" })).toBeDisabled();
    expect(rows()).toHaveLength(3);
    answer();
    await waitFor(() => expect(rows()).toHaveLength(4));
    expect(screen.getByRole("button", { name: "Refresh" })).toBeEnabled();
  });

  it("explains a failed load and tries again", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.organisationsList).mockRejectedValueOnce({ code: "unreachable", message: "" }).mockImplementationOnce(view(three));
    render(Organisations);
    expect(await screen.findByText("Your organizations could not be loaded.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(rows()).toHaveLength(3));
  });

  it("makes an organisation active, shows the server's message and moves the badge", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.organisationsList).mockImplementation(view(three, 3));
    vi.mocked(commands.organisationMakeActive).mockResolvedValue({ message: "Organisation Zeta Holdings is now active.", activeId: 1 });
    render(Organisations);
    await user.click(await screen.findByRole("button", { name: "Make active: Zeta Holdings" }));
    expect(commands.organisationMakeActive).toHaveBeenCalledWith(1);
    expect(await screen.findByText("Organisation Zeta Holdings is now active.")).toBeInTheDocument();
    expect(within(rows()[2]).getByText("Active")).toBeInTheDocument();
    expect(within(rows()[1]).queryByText("Active")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Make active: Bluebird" })).toBeInTheDocument();
  });

  it("keeps an activation made while the list loads over what the listing read before it", async () => {
    const user = userEvent.setup();
    const rowsOf = (list: Organisation[]) => list.map(({ id, name, baseCurrency, currencies, image }) => ({ id, name, baseCurrency, currencies, image }));
    let more!: () => void;
    vi.mocked(commands.organisationsList).mockImplementation(async (onRows) => {
      onRows({ rows: rowsOf(three), loaded: 3, total: 5, restart: false, activeId: 3 });
      await new Promise<void>((resolve) => (more = resolve));
      // Pages read before the activation still flag the old one.
      onRows({ rows: [], loaded: 5, total: 5, restart: false, activeId: 3 });
      return { total: 5, activeId: 3, contactsSupported: false };
    });
    vi.mocked(commands.organisationMakeActive).mockResolvedValue({ message: "Organisation Zeta Holdings is now active.", activeId: 1 });
    render(Organisations);
    await user.click(await screen.findByRole("button", { name: "Make active: Zeta Holdings" }));
    await waitFor(() => expect(within(rows()[2]).getByText("Active")).toBeInTheDocument());
    more();
    await waitFor(() => expect(document.documentElement.dataset.organisations).toBe("3"));
    expect(within(rows()[2]).getByText("Active")).toBeInTheDocument();
    expect(within(rows()[1]).queryByText("Active")).not.toBeInTheDocument();
  });

  it("marks the organisation the shell answers as active, not a guess of its own", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.organisationsList).mockImplementation(view(three));
    vi.mocked(commands.organisationMakeActive).mockResolvedValue({ message: "ok", activeId: 3 });
    render(Organisations);
    await user.click(await screen.findByRole("button", { name: "Make active: Bluebird" }));
    await waitFor(() => expect(within(rows()[1]).getByText("Active")).toBeInTheDocument());
    expect(Object.keys(localStorage).filter((k) => k.startsWith("oas.activeOrganisation"))).toEqual([]);
  });

  it("exports the shown organisations as CSV", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.organisationsList).mockImplementation(view(three, 2));
    vi.mocked(commands.exportCsv).mockResolvedValue(true);
    render(Organisations);
    await user.click(await screen.findByRole("button", { name: "Export CSV" }));
    const csv = vi.mocked(commands.exportCsv).mock.calls[0][0];
    expect(csv).toContain("id,name,base_currency,currencies,image,active\r\n");
    expect(csv).toContain("2,Acme Mexico,MXN,MXN USD EUR GBP JPY CAD CHF,https://img.example/acme.png,yes\r\n");
    expect(await screen.findByText("Exported 3 organizations to CSV.")).toBeInTheDocument();
  });

  it("offers a saved draft after a restart and continues it", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.organisationsList).mockImplementation(view(three));
    vi.mocked(commands.draftLoad).mockResolvedValue([
      { editingId: null, draft: { name: "Half-typed Ltd", baseCurrency: "EUR", currencies: ["EUR", "USD"], image: "", contacts: null } },
    ]);
    render(Organisations);
    expect(await screen.findByText("You have an unsaved draft: “Half-typed Ltd”.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Continue editing" }));
    expect(screen.getByLabelText("Name")).toHaveValue("Half-typed Ltd");
    expect(screen.getByLabelText("Base currency")).toHaveValue("EUR");
    expect(screen.getByText("Your unsaved draft was restored.")).toBeInTheDocument();
  });

  it("discards a saved draft from the list", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.organisationsList).mockImplementation(view(three));
    vi.mocked(commands.draftLoad).mockResolvedValue([
      { editingId: null, draft: { name: "Acme renamed", baseCurrency: "MXN", currencies: ["MXN"], image: "", contacts: null } },
    ]);
    render(Organisations);
    await user.click(await screen.findByRole("button", { name: "Discard draft" }));
    expect(commands.draftDiscard).toHaveBeenCalledWith(null);
    expect(screen.queryByText(/unsaved draft/)).not.toBeInTheDocument();
  });

  it("keeps one draft per organisation, marks them in the list and restores each one", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.organisationsList).mockImplementation(view(three));
    const [a, b] = three;
    vi.mocked(commands.draftLoad).mockResolvedValue([
      { editingId: a.id, draft: { name: `${a.name} draft`, baseCurrency: a.baseCurrency, currencies: a.currencies, image: "", contacts: null } },
    ]);
    render(Organisations);
    const rowOf = async (name: string) => (await screen.findByText(name, { selector: ".org__open" })).closest(".org") as HTMLElement;
    await waitFor(async () => expect(within(await rowOf(a.name)).getByText("Draft")).toBeInTheDocument());
    expect(within(await rowOf(b.name)).queryByText("Draft")).not.toBeInTheDocument();

    // Editing B and leaving it keeps A's draft and adds B's.
    await user.click(screen.getByRole("button", { name: `Edit: ${b.name}` }));
    await user.type(screen.getByLabelText("Name"), " two");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(within(await rowOf(a.name)).getByText("Draft")).toBeInTheDocument();
    expect(within(await rowOf(b.name)).getByText("Draft")).toBeInTheDocument();
    expect(commands.draftDiscard).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: `Edit: ${a.name}` }));
    expect(screen.getByLabelText("Name")).toHaveValue(`${a.name} draft`);
    expect(screen.getByText("Your unsaved draft was restored.")).toBeInTheDocument();
  });

  it("marks drafts in Spanish", async () => {
    setLocale("es");
    vi.mocked(commands.organisationsList).mockImplementation(view(three));
    vi.mocked(commands.draftLoad).mockResolvedValue([
      { editingId: three[0].id, draft: { name: "x", baseCurrency: "EUR", currencies: ["EUR"], image: "", contacts: null } },
    ]);
    render(Organisations);
    expect(await screen.findByText("Borrador")).toBeInTheDocument();
  });

  it("creates an organisation and shows it in the list", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.organisationsList).mockImplementation(view(three));
    vi.mocked(commands.organisationCreate).mockImplementation(async (draft) => org(9, draft.name, draft.baseCurrency, draft.currencies));
    render(Organisations);
    await user.click(await screen.findByRole("button", { name: "New organization" }));
    await user.type(screen.getByLabelText("Name"), "Nuevo SA");
    await user.selectOptions(screen.getByLabelText("Base currency"), "MXN");
    await user.type(screen.getByLabelText("Currencies"), "eur{Enter}");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Saved “Nuevo SA”.")).toBeInTheDocument();
    expect(commands.organisationCreate).toHaveBeenCalledWith({ name: "Nuevo SA", baseCurrency: "MXN", currencies: ["MXN", "EUR"], image: "", contacts: null });
    expect(rowNames()).toContain("Nuevo SA");
    expect(screen.getByText("4 organizations")).toBeInTheDocument();
  });

  it("edits an organisation in place", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.organisationsList).mockImplementation(view(three));
    vi.mocked(commands.organisationUpdate).mockImplementation(async (id, _base, draft) => org(id, draft.name, draft.baseCurrency, draft.currencies));
    render(Organisations);
    await user.click(await screen.findByRole("button", { name: "Edit: Bluebird" }));
    expect(screen.getByRole("heading", { name: "Edit organization" })).toBeInTheDocument();
    const name = screen.getByLabelText("Name");
    await user.clear(name);
    await user.type(name, "Bluebird Group");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText("Saved “Bluebird Group”.");
    expect(commands.organisationUpdate).toHaveBeenCalledWith(3, three[2], expect.objectContaining({ name: "Bluebird Group" }));
    expect(rowNames()).toEqual(["Acme Mexico", "Bluebird Group", "Zeta Holdings"]);
  });

  it("shows the headings and actions in Spanish", async () => {
    setLocale("es");
    vi.mocked(commands.organisationsList).mockImplementation(view(three, 1));
    render(Organisations);
    expect(screen.getByRole("heading", { name: "Organizaciones", level: 1 })).toBeInTheDocument();
    expect(await screen.findByText("3 organizaciones")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Nueva organización" })).toBeInTheDocument();
    expect(screen.getByText("Activa")).toBeInTheDocument();
  });

  it("goes back to sign in when the session has ended", async () => {
    vi.mocked(commands.organisationsList).mockRejectedValue({ code: "session_expired", message: "" });
    render(Organisations);
    await waitFor(() => expect(session.state?.status).toBe("signedOut"));
    // The API key outlives the session: signing in again needs only the password.
    expect(session.state).toEqual({
      status: "signedOut",
      remembered: { server: "https://oas.example/api/", username: "demo", email: "", userId: 1 },
      savedKeyHint: "…7Q2",
    });
    expect(session.notice?.code).toBe("session_expired");
  });
});
