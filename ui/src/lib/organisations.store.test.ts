// The organisations store while a listing is under way: what this app changes meanwhile (a save,
// Make active, an organisation found deleted) is not undone by pages read before the change.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Organisation } from "./bindings/Organisation";
import type { OrganisationRows } from "./bindings/OrganisationRows";
import type { OrganisationsListed } from "./bindings/OrganisationsListed";
import * as commands from "./commands";
import { filterOrganisations } from "./organisations";
import { loadOrganisations, makeActive, organisations, removeOrganisation, resetOrganisations, upsertOrganisation } from "./organisations.svelte";

vi.mock("./commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./commands")>();
  return { ...actual, organisationsList: vi.fn(), organisationMakeActive: vi.fn() };
});

const org = (id: number, name: string): Organisation => ({
  id, name, baseCurrency: "USD", currencies: ["USD"], image: null, isActive: null, contacts: null,
});
const rowOf = ({ id, name, baseCurrency, currencies, image }: Organisation) => ({ id, name, baseCurrency, currencies, image });

/** A listing whose pages the test sends one by one; `end` answers it. */
function controlledListing() {
  let send!: (m: OrganisationRows) => void;
  let answer!: (listed: OrganisationsListed) => void;
  vi.mocked(commands.organisationsList).mockImplementation((onRows) => {
    send = onRows;
    return new Promise((resolve) => (answer = resolve));
  });
  const loading = loadOrganisations();
  return {
    page(list: Organisation[], loaded: number, total: number, activeId: number | null = null) {
      send({ rows: list.map(rowOf), loaded, total, restart: false, activeId });
    },
    async end(total: number, activeId: number | null = null) {
      answer({ total, activeId, contactsSupported: false });
      await loading;
    },
  };
}

const names = () => (organisations.rows ?? []).map((r) => r.name);
const searched = (query: string) => filterOrganisations(organisations.indexed, query).map((r) => r.name);

beforeEach(() => {
  resetOrganisations();
});

describe("changes made while the list loads", () => {
  it("a save keeps its new name, and a new organisation shows once, also when its page comes", async () => {
    const listing = controlledListing();
    listing.page([org(1, "Acme"), org(2, "Bluebird")], 2, 4);
    upsertOrganisation(org(1, "Acme Renamed"));
    upsertOrganisation(org(9, "Created Meanwhile"));
    listing.page([org(3, "Cobalt")], 3, 4);
    expect(names()).toEqual(["Acme Renamed", "Bluebird", "Cobalt", "Created Meanwhile"]);
    // The server had it by the time its page was read.
    listing.page([org(9, "Created Meanwhile")], 4, 4);
    await listing.end(4);
    expect(names()).toEqual(["Acme Renamed", "Bluebird", "Cobalt", "Created Meanwhile"]);
    expect(searched("renamed")).toEqual(["Acme Renamed"]);
    expect(searched("acme")).toEqual(["Acme Renamed"]);
  });

  it("Make active stays, though the pages read before it flag the old one", async () => {
    vi.mocked(commands.organisationMakeActive).mockResolvedValue({ message: "ok", activeId: 1 });
    const listing = controlledListing();
    listing.page([org(1, "Acme"), org(2, "Bluebird")], 2, 3, 2);
    expect(organisations.activeId).toBe(2);
    await makeActive(1);
    listing.page([org(3, "Cobalt")], 3, 3, 2);
    expect(organisations.activeId).toBe(1);
    await listing.end(3, 2);
    expect(organisations.activeId).toBe(1);
  });

  it("an organisation found deleted stays out", async () => {
    const listing = controlledListing();
    listing.page([org(1, "Acme"), org(2, "Bluebird")], 2, 3);
    removeOrganisation(2);
    listing.page([org(3, "Cobalt")], 3, 3);
    await listing.end(3);
    expect(names()).toEqual(["Acme", "Cobalt"]);
    expect(searched("blue")).toEqual([]);
  });

  it("the next listing shows the server's list as it is", async () => {
    const first = controlledListing();
    first.page([org(1, "Acme")], 1, 1);
    upsertOrganisation(org(1, "Acme Renamed"));
    await first.end(1);
    const second = controlledListing();
    second.page([org(1, "Acme Renamed Again")], 1, 1);
    await second.end(1);
    expect(names()).toEqual(["Acme Renamed Again"]);
  });
});

describe("first listing or refresh", () => {
  it("the first listing is not a refresh, though its rows show as they come; the next one is", async () => {
    const first = controlledListing();
    expect(organisations.loading).toBe(true);
    expect(organisations.refreshing).toBe(false);
    first.page([org(1, "Acme")], 1, 2);
    expect(names()).toEqual(["Acme"]);
    expect(organisations.refreshing).toBe(false);
    first.page([org(2, "Bluebird")], 2, 2);
    await first.end(2);
    expect(organisations.loading).toBe(false);

    const refresh = controlledListing();
    expect(organisations.refreshing).toBe(true);
    refresh.page([org(1, "Acme")], 1, 2);
    refresh.page([org(2, "Bluebird")], 2, 2);
    await refresh.end(2);
    expect(organisations.refreshing).toBe(false);
  });

  it("a listing that failed, or was left for another server, leaves no refresh under way", async () => {
    const first = controlledListing();
    first.page([org(1, "Acme")], 1, 1);
    await first.end(1);
    vi.mocked(commands.organisationsList).mockRejectedValueOnce({ code: "unreachable", message: "down" });
    await loadOrganisations();
    expect(organisations.refreshing).toBe(false);
    controlledListing();
    expect(organisations.refreshing).toBe(true);
    resetOrganisations();
    expect(organisations.refreshing).toBe(false);
  });
});
