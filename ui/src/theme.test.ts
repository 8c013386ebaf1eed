// Colour contrast of both themes, from the colours app.css defines (jsdom has no layout, so axe
// cannot measure it there): text at least 4.5:1 (WCAG AA), the focus ring at least 3:1.
import { describe, expect, it } from "vitest";

// Read from disk (Vitest leaves CSS imports empty); the UI has no Node types, hence the cast.
const fsModule = "node:fs";
const { readFileSync } = (await import(/* @vite-ignore */ fsModule)) as {
  readFileSync(path: string, encoding: "utf8"): string;
};
const cwd = (globalThis as unknown as { process: { cwd(): string } }).process.cwd(); // ui/
const css = readFileSync(`${cwd}/src/app.css`, "utf8");

function variables(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  const body = css.slice(start, css.indexOf("}", start));
  return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
}

const light = variables(":root");
const dark = { ...light, ...variables(':root[data-theme="dark"]') };

function luminance(hex: string): number {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(m[1].slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

// [text, background] pairs the stylesheet puts together.
const TEXT: [string, string][] = [
  ["text", "bg"], ["text", "surface"], ["text", "surface-2"], ["text", "primary-soft"],
  ["text-muted", "bg"], ["text-muted", "surface"], ["text-muted", "surface-2"],
  ["primary", "bg"], ["primary", "surface"], ["primary", "primary-soft"], ["primary", "surface-2"],
  ["primary-text", "primary"], ["primary-text", "primary-hover"],
  ["danger", "surface"], ["danger", "danger-soft"], ["danger", "bg"],
  ["success", "success-soft"], ["success", "surface"],
  ["info", "surface"],
  ["error-text", "danger-soft"], ["success-text", "success-soft"], ["info-text", "info-soft"],
  ["warning-text", "warning-soft"], ["thumb-text", "thumb-from"], ["thumb-text", "thumb-to"],
];

describe.each([
  ["light", light],
  ["dark", dark],
])("%s theme", (_, colours) => {
  it.each(TEXT)("%s on %s is at least 4.5:1", (fg, bg) => {
    expect(contrast(colours[fg], colours[bg])).toBeGreaterThanOrEqual(4.5);
  });

  it("the focus ring stands out at least 3:1", () => {
    for (const bg of ["bg", "surface"]) expect(contrast(colours.focus, colours[bg])).toBeGreaterThanOrEqual(3);
  });
});
