import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { EditConflict } from "../lib/bindings/EditConflict";
import type { Organisation } from "../lib/bindings/Organisation";
import type { OrganisationDraft } from "../lib/bindings/OrganisationDraft";
import * as commands from "../lib/commands";
import { setLocale } from "../lib/i18n.svelte";
import OrganisationForm from "./OrganisationForm.svelte";

vi.mock("../lib/commands", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../lib/commands")>();
  return {
    ...actual,
    organisationCreate: vi.fn(),
    organisationUpdate: vi.fn(),
    draftSave: vi.fn(),
    draftDiscard: vi.fn(),
  };
});

const empty: OrganisationDraft = { name: "", baseCurrency: "", currencies: [], image: "", contacts: null };
const saved = (draft: OrganisationDraft, id = 7): Organisation => ({ id, ...draft, image: draft.image || null, isActive: null, contacts: draft.contacts });

function setup(opts: { initial?: OrganisationDraft; organisation?: Organisation | null; contactsSupported?: boolean; restored?: boolean } = {}) {
  const onclose = vi.fn();
  const user = userEvent.setup();
  render(OrganisationForm, {
    props: {
      organisation: opts.organisation ?? null,
      initial: opts.initial ?? empty,
      restored: opts.restored ?? false,
      contactsSupported: opts.contactsSupported ?? false,
      onclose,
    },
  });
  return { user, onclose };
}

const chips = () => within(screen.getByRole("list", { name: "Selected currencies" })).getAllByRole("listitem").map((li) => li.textContent?.trim().slice(0, 3));

beforeEach(() => {
  vi.resetAllMocks();
  setLocale("en");
  vi.mocked(commands.draftSave).mockResolvedValue(undefined);
  vi.mocked(commands.draftDiscard).mockResolvedValue(undefined);
});

describe("OrganisationForm", () => {
  it("has the labelled fields and a Save button", () => {
    setup();
    for (const label of ["Name", "Base currency", "Currencies", "Image URL"]) expect(screen.getByLabelText(label)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Save" })).toBeInTheDocument();
  });

  it("checks the required fields before sending anything", async () => {
    const { user } = setup();
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByLabelText("Name")).toHaveAccessibleDescription(/Enter a name/);
    expect(screen.getByLabelText("Base currency")).toHaveAccessibleDescription(/Choose the base currency/);
    expect(screen.getByText("Choose at least one currency.")).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveFocus();
    expect(commands.organisationCreate).not.toHaveBeenCalled();
  });

  it("adds the base currency to the currencies, visibly, and keeps it there", async () => {
    const { user } = setup({ initial: { ...empty, currencies: ["USD"] } });
    await user.selectOptions(screen.getByLabelText("Base currency"), "MXN");
    expect(chips()).toEqual(["MXN", "USD"]);
    expect(screen.getByText("MXN was added to the currencies because it is the base currency.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Remove MXN" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Remove USD" })).toBeInTheDocument();
  });

  it("takes back a currency added only for being the base when the base moves on (arrowing through the list)", async () => {
    const { user } = setup({ initial: { ...empty, currencies: ["USD"] } });
    const base = screen.getByLabelText("Base currency");
    for (const code of ["EUR", "GBP", "MXN"]) await user.selectOptions(base, code);
    expect(chips()).toEqual(["MXN", "USD"]);
    // One the person chose stays when it stops being the base.
    await user.selectOptions(base, "USD");
    expect(chips()).toEqual(["USD"]);
    await user.selectOptions(base, "EUR");
    expect(chips()).toEqual(["EUR", "USD"]);
  });

  it("refuses an image address that is not a web address", async () => {
    const { user } = setup({ initial: { ...empty, name: "A", baseCurrency: "USD", currencies: ["USD"] } });
    await user.type(screen.getByLabelText("Image URL"), "logo.png");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByLabelText("Image URL")).toHaveAccessibleDescription(/full web address/);
    expect(commands.organisationCreate).not.toHaveBeenCalled();
  });

  it("previews the image and flags a broken address before saving", async () => {
    const { user } = setup();
    await user.type(screen.getByLabelText("Image URL"), "https://img.example/missing.png");
    const preview = await screen.findByRole("img", { name: "Image preview" });
    expect(preview).toHaveAttribute("src", "https://img.example/missing.png");
    await fireEvent.error(preview);
    expect(screen.getByText(/This image could not be loaded/)).toBeInTheDocument();
    expect(screen.getByLabelText("Image URL")).toHaveAttribute("aria-invalid", "true");
  });

  it("creates once, however many times Save is pressed", async () => {
    let finish!: (o: Organisation) => void;
    vi.mocked(commands.organisationCreate).mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    const draft = { ...empty, name: "Acme", baseCurrency: "USD", currencies: ["USD", "EUR"] };
    const { user, onclose } = setup({ initial: draft });
    const button = screen.getByRole("button", { name: "Save" });
    await user.dblClick(button);
    await user.type(screen.getByLabelText("Name"), "{Enter}{Enter}{Enter}");
    // Busy, not disabled: it keeps the keyboard focus; the form itself refuses a second save.
    expect(screen.getByRole("button", { name: "Saving…" })).toHaveAttribute("aria-disabled", "true");
    expect(commands.organisationCreate).toHaveBeenCalledTimes(1);
    expect(commands.organisationCreate).toHaveBeenCalledWith(draft);
    finish(saved(draft));
    await waitFor(() => expect(onclose).toHaveBeenCalledWith({ saved: saved(draft) }));
    // No draft was kept for this form, so another form's draft must survive.
    expect(commands.draftDiscard).not.toHaveBeenCalled();
  });

  it("clears its own draft once saved", async () => {
    vi.mocked(commands.organisationCreate).mockImplementation(async (d) => saved(d));
    const { user, onclose } = setup({ initial: { ...empty, baseCurrency: "USD", currencies: ["USD"] } });
    await user.type(screen.getByLabelText("Name"), "Kept");
    await waitFor(() => expect(commands.draftSave).toHaveBeenCalled(), { timeout: 2000 });
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onclose).toHaveBeenCalledWith({ saved: expect.objectContaining({ name: "Kept" }), draft: null }));
    expect(commands.draftDiscard).toHaveBeenCalledTimes(1);
  });

  it("keeps the draft when leaving with Cancel", async () => {
    const { user, onclose } = setup();
    await user.type(screen.getByLabelText("Name"), "Later");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(onclose).toHaveBeenCalledWith({ draft: { editingId: null, draft: { ...empty, name: "Later" } } });
    await waitFor(() => expect(commands.draftSave).toHaveBeenCalledWith({ editingId: null, draft: { ...empty, name: "Later" } }, null));
  });

  it("updates an existing organisation", async () => {
    const existing = saved({ name: "Old", baseCurrency: "EUR", currencies: ["EUR"], image: "", contacts: null }, 12);
    vi.mocked(commands.organisationUpdate).mockImplementation(async (id, _base, d) => saved(d, id));
    const { user, onclose } = setup({ organisation: existing, initial: { name: "Old", baseCurrency: "EUR", currencies: ["EUR"], image: "", contacts: null } });
    expect(screen.getByRole("heading", { name: "Edit organization" })).toBeInTheDocument();
    await user.clear(screen.getByLabelText("Name"));
    await user.type(screen.getByLabelText("Name"), "New");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onclose).toHaveBeenCalled());
    // The organisation as the form opened it goes along, so the shell sends only what changed.
    expect(commands.organisationUpdate).toHaveBeenCalledWith(12, existing, { name: "New", baseCurrency: "EUR", currencies: ["EUR"], image: "", contacts: null });
  });

  it("puts server validation errors next to their fields and keeps everything typed", async () => {
    vi.mocked(commands.organisationCreate).mockRejectedValue({
      code: "validation",
      message: "invalid",
      fields: { currencies: ['"XXX" is not a valid choice.'], name: ["Organisation with this name already exists."] },
    });
    const draft = { ...empty, name: "Acme", baseCurrency: "USD", currencies: ["USD", "EUR"], image: "https://img.example/a.png" };
    const { user, onclose } = setup({ initial: draft });
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.getByLabelText("Currencies")).toHaveAccessibleDescription(/"XXX" is not a valid choice/));
    expect(screen.getByLabelText("Name")).toHaveAccessibleDescription(/already exists/);
    expect(screen.getByRole("alert")).toHaveTextContent("Everything you typed is still here");
    expect(screen.getByLabelText("Name")).toHaveValue("Acme");
    expect(screen.getByLabelText("Image URL")).toHaveValue("https://img.example/a.png");
    expect(chips()).toEqual(["USD", "EUR"]);
    expect(screen.getByRole("button", { name: "Save" })).toBeEnabled();
    expect(onclose).not.toHaveBeenCalled();
  });

  it("maps base_currency from the server to the Base currency field", async () => {
    vi.mocked(commands.organisationCreate).mockRejectedValue({ code: "validation", message: "", fields: { base_currency: ["This field is required."] } });
    const { user } = setup({ initial: { ...empty, name: "A", baseCurrency: "USD", currencies: ["USD"] } });
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.getByLabelText("Base currency")).toHaveAccessibleDescription(/This field is required/));
  });

  it("explains other failures in a banner and keeps the form", async () => {
    vi.mocked(commands.organisationCreate).mockRejectedValue({ code: "unreachable", message: "" });
    const { user } = setup({ initial: { ...empty, name: "Acme", baseCurrency: "USD", currencies: ["USD"] } });
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(/could not reach this server/);
    expect(screen.getByLabelText("Name")).toHaveValue("Acme");
  });

  it("keeps an unsaved draft a moment after typing", async () => {
    const { user } = setup();
    await user.type(screen.getByLabelText("Name"), "Dra");
    await waitFor(() => expect(commands.draftSave).toHaveBeenCalled(), { timeout: 2000 });
    const last = vi.mocked(commands.draftSave).mock.calls.at(-1)![0];
    expect(last).toEqual({ editingId: null, draft: { ...empty, name: "Dra" } });
    expect(commands.draftSave).toHaveBeenCalledTimes(1);
  });

  it("discards the draft on request", async () => {
    const { user, onclose } = setup({ initial: { ...empty, name: "Restored" }, restored: true });
    expect(screen.getByText("Your unsaved draft was restored.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Discard draft" }));
    expect(commands.draftDiscard).toHaveBeenCalled();
    expect(onclose).toHaveBeenCalledWith({ draft: null });
  });

  it("hides contacts when the server does not support them", () => {
    setup();
    expect(screen.queryByRole("button", { name: "Add contact" })).not.toBeInTheDocument();
  });

  it("adds contacts when the server supports them and sends them", async () => {
    vi.mocked(commands.organisationCreate).mockImplementation(async (d) => saved(d));
    const { user } = setup({ contactsSupported: true, initial: { ...empty, name: "Acme", baseCurrency: "USD", currencies: ["USD"], contacts: [] } });
    await user.click(screen.getByRole("button", { name: /Add contact/ }));
    const contact = screen.getByRole("group", { name: "Contact 1" });
    await user.type(within(contact).getByLabelText("Contact name"), "Ana Pérez");
    await user.type(within(contact).getByLabelText("Contact email"), "ana@example.com");
    await user.type(within(contact).getByLabelText("Contact role"), "CFO");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(commands.organisationCreate).toHaveBeenCalled());
    expect(vi.mocked(commands.organisationCreate).mock.calls[0][0].contacts).toEqual([
      { name: "Ana Pérez", email: "ana@example.com", phone: null, role: "CFO" },
    ]);
  });

  it("requires a contact's name", async () => {
    const { user } = setup({ contactsSupported: true, initial: { ...empty, name: "Acme", baseCurrency: "USD", currencies: ["USD"], contacts: [] } });
    await user.click(screen.getByRole("button", { name: /Add contact/ }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Enter the contact's name.")).toBeInTheDocument();
    expect(commands.organisationCreate).not.toHaveBeenCalled();
  });
});

describe("OrganisationForm with nested server errors", () => {
  it("puts a contact's field error next to that field, as the shell flattens it", async () => {
    vi.mocked(commands.organisationCreate).mockRejectedValue({ code: "validation", message: "", fields: { "contacts.1.email": ["Enter a valid email address."] } });
    const two = [{ name: "Ana", email: null, phone: null, role: null }, { name: "Luis", email: "luis@mail.invalid", phone: null, role: null }];
    const { user } = setup({ contactsSupported: true, initial: { ...empty, name: "A", baseCurrency: "USD", currencies: ["USD"], contacts: two } });
    await user.click(screen.getByRole("button", { name: "Save" }));
    const second = screen.getByRole("group", { name: "Contact 2" });
    await waitFor(() => expect(within(second).getByLabelText("Contact email")).toHaveAccessibleDescription("Enter a valid email address."));
    expect(within(second).getByLabelText("Contact email")).toHaveFocus();
    expect(within(screen.getByRole("group", { name: "Contact 1" })).getByLabelText("Contact email")).not.toHaveAttribute("aria-invalid");
  });

  it("puts other contact errors on the contacts section", async () => {
    vi.mocked(commands.organisationCreate).mockRejectedValue({ code: "validation", message: "", fields: { contacts: ["Contacts are not accepted for this organisation."] } });
    const { user } = setup({ contactsSupported: true, initial: { ...empty, name: "A", baseCurrency: "USD", currencies: ["USD"], contacts: [{ name: "Ana", email: null, phone: null, role: null }] } });
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.getByRole("group", { name: "Contacts" })).toHaveAccessibleDescription(/not accepted/));
  });

  it("maps a nested currency error to the currencies", async () => {
    vi.mocked(commands.organisationCreate).mockRejectedValue({ code: "validation", message: "", fields: { "currencies.1": ['"XXX" is not a valid choice.'] } });
    const { user } = setup({ initial: { ...empty, name: "A", baseCurrency: "USD", currencies: ["USD", "XXX"] } });
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.getByLabelText("Currencies")).toHaveAccessibleDescription(/"XXX" is not a valid choice/));
  });

  it("says when the draft could not be saved instead of pretending it was", async () => {
    vi.mocked(commands.draftSave).mockRejectedValue({ code: "unexpected", message: "The file on this computer could not be written (disk full)." });
    const { user } = setup();
    await user.type(screen.getByLabelText("Name"), "Acme");
    expect(await screen.findByText(/Your draft could not be saved:/, {}, { timeout: 5000 })).toBeInTheDocument();
  });
});

describe("OrganisationForm images", () => {
  it("loads the preview only once typing pauses", async () => {
    vi.useFakeTimers();
    try {
      const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
      render(OrganisationForm, { props: { organisation: null, initial: empty, contactsSupported: false, onclose: vi.fn() } });
      await user.type(screen.getByLabelText("Image URL"), "https://img.example/logo.png");
      expect(screen.queryByRole("img", { name: "Image preview" })).not.toBeInTheDocument();
      await act(() => vi.advanceTimersByTime(400));
      expect(screen.getByRole("img", { name: "Image preview" })).toHaveAttribute("src", "https://img.example/logo.png");
    } finally {
      vi.useRealTimers();
    }
  });

  it("does not load an http image and says why", async () => {
    const { user } = setup();
    await user.type(screen.getByLabelText("Image URL"), "http://img.example/logo.png");
    await waitFor(() => expect(screen.getByLabelText("Image URL")).toHaveAccessibleDescription(/Image not shown: only secure addresses/));
    expect(screen.queryByRole("img", { name: "Image preview" })).not.toBeInTheDocument();
  });
});

describe("OrganisationForm when another admin changed the organisation", () => {
  const opened: Organisation = { id: 12, name: "Acme", baseCurrency: "USD", currencies: ["USD", "EUR"], image: null, isActive: null, contacts: null };
  const theirs: Organisation = { ...opened, name: "Acme (theirs)", currencies: ["USD", "EUR", "GBP"] };
  const base: OrganisationDraft = { name: "Acme", baseCurrency: "USD", currencies: ["USD", "EUR"], image: "", contacts: null };
  const conflict: EditConflict = {
    fields: ["name"],
    base,
    mine: { ...base, name: "Acme (mine)" },
    theirs,
    merged: { ...base, name: "Acme (mine)", currencies: ["USD", "EUR", "GBP"] },
    theirsKept: ["currencies"],
  };
  const conflictError = { code: "conflict", message: "changed", conflict };

  async function editAndSave(user: ReturnType<typeof userEvent.setup>) {
    await user.clear(screen.getByLabelText("Name"));
    await user.type(screen.getByLabelText("Name"), "Acme (mine)");
    await user.click(screen.getByRole("button", { name: "Save" }));
  }

  it("shows both versions side by side, brings in their other changes, and saves the choice against theirs", async () => {
    vi.mocked(commands.organisationUpdate).mockRejectedValueOnce(conflictError).mockImplementationOnce(async (id, _b, d) => saved(d, id));
    const { user, onclose } = setup({ organisation: opened, initial: base });
    await editAndSave(user);

    const panel = await screen.findByRole("region", { name: "Someone else changed this organization" });
    expect(within(panel).getByRole("heading", { name: "Someone else changed this organization" })).toHaveFocus();
    const name = within(panel).getByRole("group", { name: "Name" });
    expect(within(name).getByRole("radio", { name: /Keep mine.*Acme \(mine\)/ })).not.toBeChecked();
    expect(within(name).getByRole("radio", { name: /Take theirs.*Acme \(theirs\)/ })).not.toBeChecked();
    expect(within(name).getByText("Before either change: Acme")).toBeInTheDocument();
    expect(within(panel).getByText("Their changes to other fields are already in the form: Currencies.")).toBeInTheDocument();
    expect(chips()).toEqual(["USD", "EUR", "GBP"]);
    expect(commands.organisationUpdate).toHaveBeenCalledTimes(1);

    // Saving without choosing asks for a choice and sends nothing.
    await user.click(within(panel).getByRole("button", { name: "Save with these choices" }));
    expect(within(panel).getByText("Choose a version for each field.")).toBeInTheDocument();
    expect(commands.organisationUpdate).toHaveBeenCalledTimes(1);

    await user.click(within(name).getByRole("radio", { name: /Take theirs/ }));
    // The choice shows at once in the form.
    expect(screen.getByLabelText("Name")).toHaveValue("Acme (theirs)");
    await user.click(within(panel).getByRole("button", { name: "Save with these choices" }));
    await waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(commands.organisationUpdate).toHaveBeenLastCalledWith(12, theirs, { ...base, name: "Acme (theirs)", currencies: ["USD", "EUR", "GBP"] });
  });

  it("keeps mine when chosen, and asks again if the server changed once more", async () => {
    const again: EditConflict = { ...conflict, theirs: { ...theirs, name: "Acme (third)" } };
    vi.mocked(commands.organisationUpdate).mockRejectedValueOnce(conflictError).mockRejectedValueOnce({ code: "conflict", message: "", conflict: again });
    const { user, onclose } = setup({ organisation: opened, initial: base });
    await editAndSave(user);
    const panel = await screen.findByRole("region", { name: "Someone else changed this organization" });
    await user.click(within(panel).getByRole("radio", { name: /Keep mine/ }));
    await user.click(within(panel).getByRole("button", { name: "Save with these choices" }));
    expect(commands.organisationUpdate).toHaveBeenLastCalledWith(12, theirs, { ...base, name: "Acme (mine)", currencies: ["USD", "EUR", "GBP"] });
    expect(await screen.findByRole("radio", { name: /Take theirs.*Acme \(third\)/ })).not.toBeChecked();
    expect(onclose).not.toHaveBeenCalled();
  });

  it("speaks Spanish", async () => {
    setLocale("es");
    vi.mocked(commands.organisationUpdate).mockRejectedValueOnce(conflictError);
    const user = userEvent.setup();
    render(OrganisationForm, { props: { organisation: opened, initial: base, contactsSupported: false, onclose: vi.fn() } });
    await user.clear(screen.getByLabelText("Nombre"));
    await user.type(screen.getByLabelText("Nombre"), "Acme (mine)");
    await user.click(screen.getByRole("button", { name: "Guardar" }));
    const panel = await screen.findByRole("region", { name: "Otra persona cambió esta organización" });
    expect(within(panel).getByRole("radio", { name: /Conservar la mía/ })).toBeInTheDocument();
    expect(within(panel).getByRole("radio", { name: /Usar la suya.*Acme \(theirs\)/ })).toBeInTheDocument();
    expect(within(panel).getByRole("button", { name: "Guardar con estas elecciones" })).toBeInTheDocument();
  });

  it("keeps everything typed when the organisation was deleted, and can create it again", async () => {
    vi.mocked(commands.organisationUpdate).mockRejectedValueOnce({ code: "not_found", message: "gone" });
    vi.mocked(commands.organisationCreate).mockImplementation(async (d) => saved(d, 40));
    const { user, onclose } = setup({ organisation: opened, initial: base });
    await editAndSave(user);
    expect(await screen.findByRole("alert")).toHaveTextContent("deleted on the server while you were editing it");
    expect(screen.getByLabelText("Name")).toHaveValue("Acme (mine)");
    await user.click(screen.getByRole("button", { name: "Create it again as a new organization" }));
    await waitFor(() => expect(onclose).toHaveBeenCalledWith({ saved: expect.objectContaining({ id: 40, name: "Acme (mine)" }) }));
    expect(commands.organisationCreate).toHaveBeenCalledWith({ ...base, name: "Acme (mine)" });
  });

  it("sends a contact's unknown fields back untouched", async () => {
    const withContact: Organisation = { ...opened, contacts: [{ name: "Ana", email: "ana@x.org", phone: null, role: null, extra: { id: 71, linkedin: "ana-l" } }] };
    vi.mocked(commands.organisationUpdate).mockImplementation(async (id, _b, d) => saved(d, id));
    const { user } = setup({ organisation: withContact, contactsSupported: true, initial: { ...base, contacts: withContact.contacts } });
    const contact = screen.getByRole("group", { name: "Contact 1" });
    await user.type(within(contact).getByLabelText("Contact role"), "CFO");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(commands.organisationUpdate).toHaveBeenCalled());
    expect(vi.mocked(commands.organisationUpdate).mock.calls[0][2].contacts).toEqual([
      { name: "Ana", email: "ana@x.org", phone: null, role: "CFO", extra: { id: 71, linkedin: "ana-l" } },
    ]);
  });
});
