import { describe, expect, it } from "vitest";
import { displayServer } from "./address";

// What an address means is tested in Rust (crates/oas-api/src/address.rs).
describe("displayServer", () => {
  it("drops the API suffix", () => {
    expect(displayServer("https://oas-beta.ottomate.me/api/")).toBe("https://oas-beta.ottomate.me");
    expect(displayServer("https://host.example/tenant/api/")).toBe("https://host.example/tenant");
  });
});
