// The contributions module's public surface.
export { createContributionsModule, type ContributionsModuleOptions } from "./module.js";
export { parseIssueForm, type IssueForm } from "./forms/issue-form.js";
