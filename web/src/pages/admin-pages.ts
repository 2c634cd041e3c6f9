// Read-mostly console pages: built-in roles, the audit log, and service health.
import { api } from "../api.js";
import { formatTime, h, table } from "../dom.js";
import { attempt } from "../errors.js";
import { HealthCheckResponse_ServingStatus as Serving } from "../../../clients/src/gen/grpc/health/v1/health_pb.js";

export async function rolesPage(): Promise<Node> {
  const { roles } = await api.authz.listRoles({});
  const sorted = [...roles].sort((a, b) => a.scope.localeCompare(b.scope) || b.rank - a.rank);
  return h("section", { class: "card wide" }, h("h1", {}, "Roles"),
    table(["Role", "Scope", "Rank", "Description", "Permissions"], sorted.map((r) => [
      h("code", {}, r.name), r.scope, r.rank, r.description,
      h("details", {}, h("summary", {}, `${r.permissions.length} permissions`), h("ul", { class: "perms" }, r.permissions.map((p) => h("li", {}, h("code", {}, p))))),
    ]), "roles-table"));
}

/** A name the server resolved, with the id it stands for on hover; the id itself when there is no name to show. */
function named(name: string, id: string): Node | string {
  if (!id) return "";
  return name ? h("span", { title: id }, name) : h("code", { title: id }, id.length > 40 ? `${id.slice(0, 40)}…` : id);
}

export async function auditPage(): Promise<Node> {
  const list = h("div", { "data-testid": "audit-list" });
  const slot = h("div", { class: "slot" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Older events");
  const kind = h("select", { id: "audit-kind" }, ["", "denied", "role_granted", "role_revoked", "account_disabled", "account_enabled"].map((k) => h("option", { value: k }, k || "All kinds")));
  let rows: { cells: (string | Node)[] }[] = [];
  let nextToken = "";

  async function load(append = false): Promise<void> {
    await attempt(slot, async () => {
      const res = await api.authz.listAuditEvents({ kind: kind.value, pageSize: 100, pageToken: append ? nextToken : "" });
      const fresh = res.events.map((e) => ({ cells: [formatTime(e.time), h("span", { class: `badge ${e.kind === "denied" ? "danger" : "ok"}` }, e.kind),
        named(e.actorName, e.actorId), e.permission || e.role, named(e.resourceName, e.resource), named(e.subjectName, e.subjectId), e.reason, e.method] }));
      rows = append ? [...rows, ...fresh] : fresh;
      nextToken = res.nextPageToken;
      list.replaceChildren(table(["Time", "Kind", "Actor", "Permission / role", "Resource", "Subject", "Reason", "Method"], rows.map((r) => r.cells), "audit-table"));
      more.hidden = !nextToken;
    });
  }
  kind.addEventListener("change", () => void load());
  more.addEventListener("click", () => void load(true));
  await load();
  return h("section", { class: "card wide" }, h("h1", {}, "Audit log"),
    h("div", { class: "inline" }, h("div", { class: "field" }, h("label", { for: "audit-kind" }, "Kind"), kind)), slot, list, more);
}

// Health.List names every service the deployment runs (on a mod-only process, its sys's too), so nothing is
// written out here that a new module would have to be added to.
export async function healthPage(): Promise<Node> {
  const slot = h("div", { class: "slot" });
  let rows: (string | Node)[][] = [];
  await attempt(slot, async () => {
    const { statuses } = await api.health.list({});
    rows = Object.entries(statuses)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([service, res]) => {
        const ok = res.status === Serving.SERVING;
        return [service || "(server)", h("span", { class: `badge ${ok ? "ok" : "danger"}` }, Serving[res.status] ?? String(res.status))];
      });
  });
  return h("section", { class: "card wide" }, h("h1", {}, "Health"), slot, table(["Service", "Status"], rows, "health-table"),
    h("p", { class: "muted" }, `Checked ${new Date().toLocaleTimeString()}.`));
}
