import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { setLocale } from "../i18n.svelte";
import CurrencyPicker from "./CurrencyPicker.svelte";

function setup(props: { selected?: string[]; base?: string } = {}) {
  const user = userEvent.setup();
  const result = render(CurrencyPicker, { props: { id: "cur", selected: [], base: "", ...props } });
  const input = screen.getByRole("combobox");
  return { user, input, ...result };
}

const chips = () => within(screen.getByRole("list", { name: /currencies/i })).getAllByRole("listitem").map((li) => li.textContent?.trim().slice(0, 3));

beforeEach(() => setLocale("en"));

describe("CurrencyPicker", () => {
  it("offers the most used currencies first", async () => {
    const { user, input } = setup();
    await user.click(input);
    const options = screen.getAllByRole("option");
    expect(options.slice(0, 4).map((o) => o.textContent)).toEqual([
      expect.stringContaining("USD"),
      expect.stringContaining("EUR"),
      expect.stringContaining("GBP"),
      expect.stringContaining("MXN"),
    ]);
    expect(screen.getByText("Most used")).toBeInTheDocument();
  });

  it("finds a currency by name and adds it with a click", async () => {
    const { user, input } = setup({ selected: ["USD"] });
    await user.type(input, "yen");
    await user.click(screen.getByRole("option", { name: /JPY Japanese Yen/ }));
    expect(chips()).toEqual(["USD", "JPY"]);
    expect(input).toHaveValue("");
  });

  it("finds a currency by country", async () => {
    const { user, input } = setup();
    await user.type(input, "switzerland");
    expect(screen.getAllByRole("option")[0]).toHaveTextContent("CHF");
  });

  it("searches in Spanish when the UI is in Spanish", async () => {
    setLocale("es");
    const { user, input } = setup();
    await user.type(input, "méxico");
    expect(screen.getByRole("option", { name: /MXN peso mexicano/i })).toBeInTheDocument();
  });

  it("works from the keyboard: arrows, Enter to pick, Escape to close", async () => {
    const { user, input } = setup();
    await user.type(input, "eu");
    expect(input).toHaveAttribute("aria-expanded", "true");
    await user.keyboard("{Enter}");
    expect(chips()).toEqual(["EUR"]);
    await user.type(input, "peso");
    await user.keyboard("{ArrowDown}{Enter}");
    expect(chips()).toHaveLength(2);
    await user.keyboard("{Escape}");
    expect(input).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByRole("listbox")).not.toBeInTheDocument();
  });

  it("removes a currency, but never the base currency", async () => {
    const { user } = setup({ selected: ["MXN", "USD", "EUR"], base: "MXN" });
    expect(screen.queryByRole("button", { name: "Remove MXN" })).not.toBeInTheDocument();
    expect(screen.getByText("base")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Remove USD" }));
    expect(chips()).toEqual(["MXN", "EUR"]);
  });

  it("marks chosen currencies as selected and toggles them off", async () => {
    const { user, input } = setup({ selected: ["GBP"] });
    await user.type(input, "gbp");
    const option = screen.getByRole("option", { name: /GBP/ });
    expect(option).toHaveAttribute("aria-selected", "true");
    await user.click(option);
    expect(screen.queryByRole("list", { name: /currencies/i })).not.toBeInTheDocument();
  });

  it("says so when nothing matches", async () => {
    const { user, input } = setup();
    await user.type(input, "zzzzqq");
    expect(screen.getByText("No currency matches “zzzzqq”.")).toBeInTheDocument();
  });
});

describe("CurrencyPicker with codes it does not know", () => {
  it("lets a three-letter code be used as typed, for the server to judge", async () => {
    const { user, input } = setup();
    await user.type(input, "xxx{Enter}");
    expect(chips()).toEqual(["XXX"]);
  });
});
