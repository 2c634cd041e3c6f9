// A community's programme settings as the module works with them, and the C4GT defaults a community has until
// an admin changes them.
import type { Complexity } from "../forms/issue-form.js";

export type Role = "contributor" | "mentor";

export interface PointsRule {
  role: Role;
  complexity: Complexity;
  points: number;
}

export interface Badge {
  name: string;
  points: number;
}

export interface Period {
  name: string;
  start: Date;
  end: Date;
}

export interface Programme {
  communityId: string;
  labels: string[];
  points: PointsRule[];
  creditMergedPullRequests: boolean;
  badges: Badge[];
  pullRequestBadge: string;
  periods: Period[];
  updatedAt?: Date;
  lastReconcileAt?: Date;
}

export const DEFAULT_LABELS = ["C4GT Community", "C4GT Bounty", "C4GT Coding", "DMP 2026"];

export function defaultProgramme(communityId: string): Programme {
  return {
    communityId,
    labels: [...DEFAULT_LABELS],
    points: [
      { role: "contributor", complexity: "high", points: 30 },
      { role: "contributor", complexity: "medium", points: 20 },
      { role: "contributor", complexity: "low", points: 10 },
      { role: "mentor", complexity: "high", points: 0 },
      { role: "mentor", complexity: "medium", points: 0 },
      { role: "mentor", complexity: "low", points: 0 },
    ],
    creditMergedPullRequests: false,
    badges: [
      { name: "Rising Star", points: 50 },
      { name: "Wizard", points: 100 },
      { name: "Ninja", points: 175 },
      { name: "Warrior", points: 275 },
    ],
    pullRequestBadge: "Enthusiast",
    periods: [],
  };
}

/** Whether any of the labels is one of the programme's, ignoring case and surrounding spaces. */
export function inProgramme(programme: Programme, labels: string[]): boolean {
  const wanted = new Set(programme.labels.map(normalLabel));
  return labels.some((label) => wanted.has(normalLabel(label)));
}

const normalLabel = (label: string) => label.trim().toLowerCase();

export function pointsFor(programme: Programme, role: Role, complexity: Complexity | undefined): number {
  if (!complexity) return 0;
  return programme.points.find((rule) => rule.role === role && rule.complexity === complexity)?.points ?? 0;
}

export function mentorsEarn(programme: Programme): boolean {
  return programme.points.some((rule) => rule.role === "mentor" && rule.points > 0);
}

/** The badges `points` earn, in threshold order, plus the pull-request badge for a merged pull request. */
export function badgesFor(programme: Programme, points: number, mergedPullRequests: number): string[] {
  const earned = [...programme.badges].sort((a, b) => a.points - b.points).filter((badge) => points >= badge.points).map((badge) => badge.name);
  if (mergedPullRequests > 0 && programme.pullRequestBadge) earned.unshift(programme.pullRequestBadge);
  return earned;
}
