// Routes of an org's messaging area: #/orgs/<id>/messaging[/contacts[/<contact>]|/blasts[/<blast>]|/templates
// [/<template>]|/providers|/failed]. Contacts is the landing tab.
import type { Route } from "../router.js";
import { api } from "../api.js";
import { contactsPage } from "./messaging-contacts.js";
import { conversationPage } from "./messaging-conversation.js";
import { blastsPage } from "./messaging-blasts.js";
import { blastPage } from "./messaging-blast.js";
import { templatesPage } from "./messaging-templates.js";
import { templatePage } from "./messaging-template.js";
import { providersPage } from "./messaging-providers.js";
import { failedPage } from "./messaging-failed.js";

export async function messagingRoute(route: Route): Promise<Node> {
  const [, orgId = "", , section = "contacts", id] = route.path;
  const { org } = await api.orgs.getOrg({ orgId });
  const orgName = org?.displayName ?? orgId;
  if (section === "contacts" && id) return conversationPage(orgId, orgName, id);
  if (section === "blasts" && id) return blastPage(orgId, orgName, id);
  if (section === "blasts") return blastsPage(orgId, orgName);
  if (section === "templates" && id) return templatePage(orgId, orgName, id);
  if (section === "templates") return templatesPage(orgId, orgName);
  if (section === "providers") return providersPage(orgId, orgName);
  if (section === "failed") return failedPage(orgId, orgName);
  return contactsPage(orgId, orgName, route.query);
}
