import type { ServerColour } from "./bindings/ServerColour";
import type { MessageKey } from "./i18n.svelte";

/**
 * How each profile colour (Rust's `ServerColour`) is painted: mid tones with at least 3:1
 * against every surface of both themes (checked in serverColours.test.ts). The name is always
 * written beside the chip, so colour is never the only cue.
 */
export const SERVER_COLOURS: Record<ServerColour, { hex: string; label: MessageKey }> = {
  blue: { hex: "#3a6ee0", label: "servers.colour.blue" },
  green: { hex: "#1f9a52", label: "servers.colour.green" },
  orange: { hex: "#d06a0c", label: "servers.colour.orange" },
  purple: { hex: "#9657d6", label: "servers.colour.purple" },
  red: { hex: "#dc3f3a", label: "servers.colour.red" },
  grey: { hex: "#7a8496", label: "servers.colour.grey" },
};

export const COLOUR_ORDER = Object.keys(SERVER_COLOURS) as ServerColour[];
