// Routes of the community app: #/communities, #/communities/<id>, …/polls/<poll>, …/polls/<poll>/edit,
// …/delegation, …/activity, …/governance, …/contributions, …/contributions/<account>.
import type { Route } from "../router.js";
import { communitiesPage } from "./communities.js";
import { communityPage } from "./community.js";
import { pollPage } from "./poll.js";
import { pollEditPage } from "./poll-form.js";
import { delegationPage } from "./delegation.js";
import { activityPage } from "./activity.js";
import { governancePage } from "./governance.js";
import { contributionsPage } from "./contributions.js";
import { contributorPage } from "./contributions-contributor.js";

export function communitiesRoute(route: Route): Promise<Node> {
  const [, id, section, sub, action] = route.path;
  if (!id) return communitiesPage();
  if (section === "polls" && sub && action === "edit") return pollEditPage(id, sub);
  if (section === "polls" && sub) return pollPage(id, sub);
  if (section === "delegation") return delegationPage(id);
  if (section === "activity") return activityPage(id);
  if (section === "governance") return governancePage(id);
  if (section === "contributions" && sub) return contributorPage(id, sub);
  if (section === "contributions") return contributionsPage(id);
  return communityPage(id);
}
