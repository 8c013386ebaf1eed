// Words for the import's preview and report. The rules (what a row becomes, why) are in Rust
// (crates/oas-import); this only puts them in the person's language.
import type { Field } from "./bindings/Field";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { Problem } from "./bindings/Problem";
import type { ReportRow } from "./bindings/ReportRow";
import type { RowWords } from "./bindings/RowWords";
import { describeError, t } from "./i18n.svelte";

export const FIELDS: readonly Field[] = [
  "name", "baseCurrency", "currencies", "image", "contactName", "contactEmail", "contactPhone", "contactRole",
];

export const fieldLabel = (field: Field) => t(`import.field.${field}`);

export function problemText(p: Problem): string {
  return t(`import.problem.${p.kind}`, { code: p.code ?? "", line: p.line ?? "" });
}

/** Why a row of the report ended as it did; empty for a row created or updated. */
export function reasonText(row: ReportRow): string {
  switch (row.reason) {
    case null:
      return "";
    case "invalid":
      return row.problems.map(problemText).join(" ");
    case "refused": {
      const parts = Object.entries(row.serverFields).map(([field, messages]) => `${field}: ${messages.join(" ")}`);
      return parts.length > 0 ? parts.join("; ") : describeError({ code: "validation", message: "" });
    }
    case "requestFailed":
      return describeError({ code: (row.error ?? "unexpected") as ErrorCode, message: "" });
    default:
      return t(`import.reason.${row.reason}`);
  }
}

export const outcomeText = (row: ReportRow) => t(`import.outcome.${row.outcome}`);

/** The report's words for each row, for the CSV the shell writes. */
export function reportWords(rows: readonly ReportRow[]): RowWords[] {
  return rows.map((row) => ({ line: row.line, result: outcomeText(row), reason: reasonText(row) }));
}
