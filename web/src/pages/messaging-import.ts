// CSV import and export of contacts. An import may be tried first (dry run); either way every refused row is
// listed with its row number (the header is row 1), column and reason. The export streams a CSV the import
// reads back, and the browser saves it as a file.
import { h } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import type { ImportContactsResponse } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { contacts } from "./messaging-client.js";

const MAX_BYTES = 2 * 1024 * 1024;

export function importSection(orgId: string, onImported: () => Promise<unknown>): HTMLElement {
  const file = h("input", { type: "file", id: "contacts-csv", name: "csv", accept: ".csv,text/csv", required: true, "data-testid": "contacts-csv" });
  const source = h("input", { id: "contacts-consent-source", name: "source", maxlength: 200, placeholder: "e.g. sign-up sheet 2026", "data-testid": "contacts-consent-source" });
  const dryRun = h("input", { type: "checkbox", id: "contacts-dry-run", style: "width:auto", "data-testid": "contacts-dry-run" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const report = h("div", { "data-testid": "import-report" });
  const submit = h("button", { type: "submit", "data-testid": "contacts-import" }, "Import");
  const form = h("form", { class: "compact", "data-testid": "import-form" },
    h("div", { class: "field" }, h("label", { for: "contacts-csv" }, "CSV file"), file,
      h("small", { class: "help muted" }, "Columns: name, email, phone, telegram, webhook, slack, discord, categories, language, time_zone, default_region, community_id, consent_<channel> (yes/no), opted_out.")),
    h("div", { class: "field" }, h("label", { for: "contacts-consent-source" }, "Where consent was given (optional)"), source),
    h("label", { class: "check" }, dryRun, " Check only (dry run): nothing is saved"),
    slot, submit, report);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    report.replaceChildren();
    if (chosen.size > MAX_BYTES) return void slot.replaceChildren(h("div", { class: "alert error", role: "alert", "data-testid": "error" }, "The file is larger than 2 MB: split it."));
    submit.disabled = true;
    let res: ImportContactsResponse | undefined;
    const ok = await attempt(slot, async () => {
      res = await contacts().importContacts({ orgId, csv: new Uint8Array(await chosen.arrayBuffer()), dryRun: dryRun.checked, consentSource: source.value.trim() });
    });
    submit.disabled = false;
    if (!ok || !res) return;
    const verb = res.dryRun ? "would be created" : "created";
    slot.replaceChildren(okBox(`${res.rows} rows read, ${res.created} contacts ${verb}, ${res.errors.length} rows refused.`));
    report.replaceChildren(rowErrors(res));
    if (!res.dryRun && res.created > 0) await onImported();
  });
  return h("section", { class: "card" }, h("h2", {}, "Import"), form, h("h2", { style: "margin-top:1.5rem" }, "Export"), exportForm(orgId));
}

function rowErrors(res: ImportContactsResponse): HTMLElement | string {
  if (res.errors.length === 0) return "";
  return h("div", { class: "table-wrap" }, h("table", { "data-testid": "import-errors" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Row"), h("th", { scope: "col" }, "Column"), h("th", { scope: "col" }, "Reason"))),
    h("tbody", {}, res.errors.map((e) => h("tr", { "data-row": e.row }, h("td", {}, e.row), h("td", {}, e.column ? h("code", {}, e.column) : ""), h("td", {}, e.reason))))));
}

function exportForm(orgId: string): HTMLElement {
  const category = h("input", { id: "export-category", maxlength: 63, placeholder: "all", "data-testid": "export-category" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "secondary", "data-testid": "contacts-export" }, "Download CSV");
  const form = h("form", { class: "compact" }, h("div", { class: "field" }, h("label", { for: "export-category" }, "Only the category (optional)"), category), slot, button);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    await attempt(slot, async () => {
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      for await (const { chunk } of contacts().exportContacts({ orgId, category: category.value.trim() })) chunks.push(new Uint8Array(chunk));
      const url = URL.createObjectURL(new Blob(chunks, { type: "text/csv" }));
      const a = h("a", { href: url, download: `contacts-${new Date().toISOString().slice(0, 10)}.csv`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
    button.disabled = false;
  });
  return form;
}
