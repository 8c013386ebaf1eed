import { describe, expect, it } from "vitest";
import { displayServer, isLoopbackHost, normaliseServerAddress } from "./address";

const root = (input: string) => {
  const r = normaliseServerAddress(input);
  return r.ok ? r.apiRoot : r.problem;
};

describe("normaliseServerAddress", () => {
  it.each([
    ["https://oas-beta.ottomate.me", "https://oas-beta.ottomate.me/api/"],
    ["https://oas-beta.ottomate.me/", "https://oas-beta.ottomate.me/api/"],
    ["https://oas-beta.ottomate.me/api", "https://oas-beta.ottomate.me/api/"],
    ["https://oas-beta.ottomate.me/api/", "https://oas-beta.ottomate.me/api/"],
    ["https://oas-beta.ottomate.me/api/docs/", "https://oas-beta.ottomate.me/api/"],
    ["https://oas-beta.ottomate.me/api/docs", "https://oas-beta.ottomate.me/api/"],
    ["https://oas-beta.ottomate.me/api/organisations/12/", "https://oas-beta.ottomate.me/api/"],
    ["oas-beta.ottomate.me", "https://oas-beta.ottomate.me/api/"],
    ["oas-beta.ottomate.me/api/docs/", "https://oas-beta.ottomate.me/api/"],
    ["  https://oas-beta.ottomate.me/api/  ", "https://oas-beta.ottomate.me/api/"],
    ["HTTPS://OAS-Beta.Ottomate.ME/API/Docs/", "https://oas-beta.ottomate.me/api/"],
    ["https://host.example:8443/api/", "https://host.example:8443/api/"],
    ["https://host.example:443", "https://host.example/api/"],
    ["https://host.example/api/?page=2#top", "https://host.example/api/"],
    ["https://host.example/docs/", "https://host.example/api/"],
    ["https://host.example/tenant/api/docs/", "https://host.example/tenant/api/"],
    ["https://host.example/tenant", "https://host.example/tenant/api/"],
  ])("%s → %s", (input, expected) => {
    expect(root(input)).toBe(expected);
  });

  it("accepts plain http on loopback addresses only", () => {
    expect(root("http://127.0.0.1:8765")).toBe("http://127.0.0.1:8765/api/");
    expect(root("http://127.1.2.3:8765/api/docs/")).toBe("http://127.1.2.3:8765/api/");
    expect(root("http://localhost:8765/api")).toBe("http://localhost:8765/api/");
    expect(root("http://[::1]:8765/")).toBe("http://[::1]:8765/api/");
    expect(root("http://oas-beta.ottomate.me")).toBe("insecure");
    expect(root("http://192.168.1.10:8000/api/")).toBe("insecure");
    expect(root("http://127.0.0.1.example.com/")).toBe("insecure");
  });

  it("treats a bare loopback address as the local sandbox", () => {
    expect(root("127.0.0.1:8765")).toBe("http://127.0.0.1:8765/api/");
    expect(root("localhost:8765/api/")).toBe("http://localhost:8765/api/");
  });

  it("still allows https on loopback", () => {
    expect(root("https://localhost:8443")).toBe("https://localhost:8443/api/");
  });

  it("refuses what is not an address", () => {
    expect(root("")).toBe("required");
    expect(root("   ")).toBe("required");
    expect(root("ftp://host.example")).toBe("invalid");
    expect(root("javascript:alert(1)")).toBe("invalid");
    expect(root("https://")).toBe("invalid");
    expect(root("https://user:secret@host.example/")).toBe("invalid");
    expect(root("host with spaces")).toBe("invalid");
    expect(root("https://ho$t.example")).toBe("invalid");
  });
});

describe("isLoopbackHost", () => {
  it.each([
    ["localhost", true],
    ["LOCALHOST", true],
    ["app.localhost", true],
    ["127.0.0.1", true],
    ["127.255.0.9", true],
    ["[::1]", true],
    ["128.0.0.1", false],
    ["localhost.example.com", false],
    ["10.0.0.1", false],
  ])("%s → %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe("displayServer", () => {
  it("drops the API suffix", () => {
    expect(displayServer("https://oas-beta.ottomate.me/api/")).toBe("https://oas-beta.ottomate.me");
    expect(displayServer("https://host.example/tenant/api/")).toBe("https://host.example/tenant");
  });
});
