// One organisation: its projects (list + create) and its members (role bindings on org/<id>, grant + revoke).
import { api } from "../api.js";
import { field, formatTime, formValues, h, select, SLUG_PATTERN, table } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { link } from "../router.js";
import { renderMarkdown } from "../markdown.js";

export async function orgDetailPage(orgId: string): Promise<Node> {
  const resource = `org/${orgId}`;
  const [{ org }, messaging] = await Promise.all([api.orgs.getOrg({ orgId }), mayMessage(resource)]);
  return h("div", { class: "grid halves" },
    h("section", { class: "card wide" },
      h("p", { class: "crumbs" }, h("a", { href: link("/orgs") }, "Organisations"), " / "),
      h("h1", { "data-testid": "org-title" }, org?.displayName ?? orgId),
      h("p", { class: "muted" }, h("code", {}, org?.slug ?? ""), org?.description ? null : " · No description."),
      org?.description ? renderMarkdown(org.description) : null,
      messaging ? h("nav", { class: "tabs", "aria-label": "Organisation" }, h("a", { href: link(`/orgs/${orgId}`), "aria-current": "page" }, "Overview"),
        h("a", { href: link(`/orgs/${orgId}/messaging`), "data-testid": "org-messaging-tab" }, "Messaging")) : null),
    await projectsSection(orgId),
    await membersSection(resource));
}

/** Whether to offer the Messaging tab: a quiet hint (the server decides on every call); shown when it cannot be asked. */
async function mayMessage(resource: string): Promise<boolean> {
  const permissions = ["messaging.contact.read", "messaging.provider.read", "messaging.blast.read"];
  try {
    const { decisions } = await api.authz.checkMyPermissions({ resource, permissions });
    return decisions.some((d) => d.allowed);
  } catch {
    return true;
  }
}

async function projectsSection(orgId: string): Promise<HTMLElement> {
  const list = h("div", { "data-testid": "projects-list" });
  const listError = h("div", { class: "slot" });
  const load = () => attempt(listError, async () => {
    const res = await api.orgs.listProjects({ orgId, pageSize: 200 });
    list.replaceChildren(table(["Name", "Slug", "Created", ""], res.projects.map((p) => [p.displayName, h("code", {}, p.slug), formatTime(p.createdAt),
      h("span", {}, h("a", { href: link(`/disco/surveys/${p.id}`), "data-testid": "project-surveys-link" }, "Surveys"), " · ",
        h("a", { href: link(`/disco/projects/${p.id}/campaigns`), "data-testid": "project-campaigns-link" }, "Campaigns"))]), "projects-table"));
  });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const form = h("form", { id: "create-project-form", class: "compact" },
    field("Project name", "project-name", { name: "displayName", required: true, maxlength: 100 }),
    field("Slug", "project-slug", { name: "slug", required: true, pattern: SLUG_PATTERN, minlength: 2, maxlength: 63 }),
    slot, h("button", { type: "submit", id: "create-project-submit" }, "Create project"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    if (await attempt(slot, () => api.orgs.createProject({ orgId, displayName: v.displayName, slug: v.slug }))) {
      form.reset();
      slot.replaceChildren(okBox(`Created project ${v.displayName}.`));
      await load();
    }
  });
  await load();
  return h("section", { class: "card" }, h("h2", {}, "Projects"), listError, list, h("h3", {}, "New project"), form);
}

async function membersSection(resource: string): Promise<HTMLElement> {
  const list = h("div", { "data-testid": "members-list" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });

  const load = () => attempt(slot, async () => {
    const res = await api.authz.listRoleBindings({ resource, pageSize: 200 });
    list.replaceChildren(table(["Member", "Role", "Since", ""], res.bindings.map((b) => [
      h("span", { title: b.accountId }, b.accountDisplayName || b.accountEmail || b.accountId, h("br"), h("small", { class: "muted" }, b.accountEmail)),
      h("code", {}, b.role),
      formatTime(b.createdAt),
      h("button", { type: "button", class: "danger small", "data-testid": "revoke-role", "aria-label": `Revoke ${b.role} from ${b.accountEmail || b.accountId}`,
        onclick: async () => {
          if (!confirm(`Revoke ${b.role} from ${b.accountEmail || b.accountId}?`)) return;
          if (await attempt(slot, () => api.authz.revokeRole({ accountId: b.accountId, role: b.role, resource }))) await load();
        } }, "Revoke"),
    ]), "members-table"));
  });

  const roles = await api.authz.listRoles({}).then((r) => r.roles.filter((x) => x.scope === "org").map((x) => x.name)).catch(() => [] as string[]);
  const form = h("form", { id: "grant-role-form", class: "compact" },
    field("Account id or email", "grant-account", { name: "account", required: true }),
    roles.length ? select("Role", "grant-role", roles, { name: "role" }, "org.member") : field("Role", "grant-role", { name: "role", required: true, placeholder: "org.member" }),
    h("button", { type: "submit", id: "grant-role-submit" }, "Grant role"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    const ok = await attempt(slot, async () => {
      const accountId = await resolveAccount(v.account.trim());
      await api.authz.grantRole({ accountId, role: v.role, resource });
    });
    if (ok) {
      form.reset();
      await load();
      slot.replaceChildren(okBox(`Granted ${v.role} to ${v.account}.`));
    }
  });
  await load();
  return h("section", { class: "card" }, h("h2", {}, "Members"), slot, list, h("h3", {}, "Grant a role"), form);
}

/** Accepts an account id, or an email looked up with ListAccounts (which needs a platform role). */
async function resolveAccount(input: string): Promise<string> {
  if (!input.includes("@")) return input;
  const res = await api.accounts.listAccounts({ query: input, pageSize: 10 });
  const match = res.accounts.find((a) => a.email.toLowerCase() === input.toLowerCase());
  if (!match) throw new Error(`No account with email ${input}`);
  return match.id;
}
