import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import { setLocale } from "../i18n.svelte";
import Thumbnail, { imageSource } from "./Thumbnail.svelte";

beforeEach(() => setLocale("en"));

describe("Thumbnail", () => {
  it("loads only https logos", () => {
    expect(imageSource("https://img.example/a.png")).toEqual({ src: "https://img.example/a.png" });
    expect(imageSource("  ")).toBeNull();
    expect(imageSource(null)).toBeNull();
    for (const url of ["http://img.example/a.png", "http://127.0.0.1:8765/a.png", "file:///etc/passwd", "data:image/png;base64,AAAA", "javascript:alert(1)"]) {
      expect(imageSource(url), url).toEqual({ refused: "notHttps" });
    }
    expect(imageSource("logo.png")).toEqual({ refused: "invalid" });
  });

  it("shows the image-not-shown placeholder with the reason for an http logo", () => {
    const { container } = render(Thumbnail, { props: { src: "http://img.example/a.png", name: "Acme Music" } });
    expect(screen.getByRole("img", { name: "Image not shown: only secure addresses (https://) are loaded." })).toHaveTextContent("AM");
    expect(container.querySelector("img")).toBeNull();
  });

  it("says so when an https logo fails to load, and stays quiet without a logo", async () => {
    const { container } = render(Thumbnail, { props: { src: "https://img.example/missing.png", name: "Acme" } });
    await fireEvent.error(container.querySelector("img")!);
    expect(screen.getByRole("img", { name: "Image not shown: it could not be loaded." })).toBeInTheDocument();
    render(Thumbnail, { props: { src: null, name: "Bo" } });
    expect(screen.getAllByRole("img")).toHaveLength(1);
  });

  it("gives the reason in Spanish", () => {
    setLocale("es");
    render(Thumbnail, { props: { src: "http://img.example/a.png", name: "Acme" } });
    expect(screen.getByRole("img", { name: "Imagen no mostrada: solo se cargan direcciones seguras (https://)." })).toBeInTheDocument();
  });
});
