// A server error in plain words for a person: what happened, as a sentence, and the next step. The gRPC code
// and ErrorInfo reason are kept for --json; the human text does not show them.
import { Code } from "@connectrpc/connect";

export interface PlainError {
  /** What happened, one or more sentences. */
  text: string;
  /** What to do next. */
  next: string;
}

type Explain = (message: string) => PlainError;

const said = (message: string) => sentence(message);

/** Reasons whose next step is specific; the server's message says what happened. */
const BY_REASON: Record<string, Explain> = {
  INVALID_SETUP_TOKEN: (m) => ({ text: said(m), next: "Use the setup token from polityd's log of its latest start, or sign in if setup was done." }),
  SETUP_TOKEN_EXPIRED: (m) => ({ text: said(m), next: "Restart polityd: it prints a new setup token." }),
  INVALID_LINK_TOKEN: () => ({ text: "This link is not valid, or it was already used.", next: "Ask for a new one, e.g. `polity password reset --email you@example.org`." }),
  LINK_TOKEN_EXPIRED: () => ({ text: "This link has expired.", next: "Ask for a new one, e.g. `polity password reset --email you@example.org`." }),
  INVALID_CREDENTIALS: () => ({ text: "The email or the password is not right.", next: "Check both and sign in again with `polity login`." }),
  WRONG_PASSWORD: () => ({ text: "The password is not right.", next: "Check it and try again." }),
  LOGIN_THROTTLED: () => ({ text: "There were too many failed sign-ins.", next: "Wait a few minutes, then try again." }),
  REGISTRATION_THROTTLED: () => ({ text: "Too many accounts were registered from this address.", next: "Wait an hour, then try again." }),
  RATE_LIMITED: () => ({ text: "The server is receiving too many requests from you.", next: "Wait a moment, then try again." }),
  EMAIL_UNVERIFIED: () => ({ text: "Your email address is not verified yet.", next: "Open the link in the verification email, then run the command again." }),
  EMAIL_TAKEN: () => ({ text: "An account with this email already exists.", next: "Sign in with `polity login`, or use another email." }),
  WEAK_PASSWORD: (m) => ({ text: said(m), next: "Choose a longer password that is harder to guess." }),
  ACCOUNT_DISABLED: () => ({ text: "This account is disabled.", next: "Ask a platform administrator to enable it." }),
  SLUG_TAKEN: (m) => ({ text: said(m), next: "Pick another slug." }),
  ETAG_MISMATCH: () => ({ text: "Someone changed this since you read it.", next: "Show it again to get the new etag, then retry." }),
  NOT_A_MEMBER: () => ({ text: "You are not a member of this community.", next: "Join it with `polity communities join COMMUNITY`." }),
  ALREADY_MEMBER: () => ({ text: "You are already a member of this community.", next: "Nothing to do." }),
  INVITE_ONLY: () => ({ text: "This community is joined by invitation only.", next: "Ask a moderator for an invite, then run `polity members accept TOKEN`." }),
  INVITE_EXPIRED: () => ({ text: "This invite has expired.", next: "Ask a moderator for a new invite." }),
  INVITE_USED: () => ({ text: "This invite was already used.", next: "Ask a moderator for a new invite." }),
  INVITE_EMAIL_MISMATCH: () => ({ text: "This invite was sent to another email address.", next: "Sign in as the invited account, or ask for an invite to yours." }),
  COMMUNITY_ARCHIVED: () => ({ text: "This community is archived, so it is read-only.", next: "An admin can reopen it with `polity communities unarchive COMMUNITY`." }),
  POLL_NOT_OPEN: (m) => ({ text: said(m), next: "See the poll's state with `polity polls show POLL`; an admin opens a draft with `polity polls open POLL`." }),
  POLL_NOT_DRAFT: (m) => ({ text: said(m), next: "Only a draft can be changed or opened; see its state with `polity polls show POLL`." }),
  POLL_NOT_EDITABLE: (m) => ({ text: said(m), next: "Only a draft can be changed; create a new poll instead." }),
  POLL_CLOSES_IN_PAST: (m) => ({ text: said(m), next: "Pass a --closes-at time in the future." }),
  NOT_ELIGIBLE: (m) => ({ text: `You cannot vote in this poll: ${lower(m)}`, next: "Who may vote is fixed when a poll opens; ask its creator if you should have been included." }),
  RESULTS_NOT_VISIBLE: (m) => ({ text: said(m), next: "Vote first or wait for the close; `polity polls show POLL` says when results are visible." }),
  DELEGATION_CYCLE: (m) => ({ text: said(m), next: "Delegate to someone else, or ask them to revoke their delegation first." }),
  SELF_DELEGATION: () => ({ text: "You cannot delegate to yourself.", next: "Name another member (see `polity members list`)." }),
  INVALID_BALLOT: (m) => ({ text: said(m), next: "See the poll's options with `polity polls show POLL` and `polity vote --help` for the ballot syntax." }),
  BALLOT_KIND_MISMATCH: (m) => ({ text: said(m), next: "See `polity vote --help`: each method takes its own flag." }),
  ROLE_ABOVE_OWN: (m) => ({ text: said(m), next: "Ask someone with a higher role to do it." }),
  CANNOT_MANAGE_SELF: (m) => ({ text: said(m), next: "Ask another admin to do it." }),
  CANNOT_GRANT_TO_SELF: (m) => ({ text: said(m), next: "Ask another admin to do it." }),
  UNKNOWN_ROLE: (m) => ({ text: said(m), next: "See the roles with `polity roles list`." }),
  SYS_UNAVAILABLE: (m) => ({ text: said(m), next: "Try again shortly; if it persists, check that the sys tier is running." }),
  INVALID_PAGE_TOKEN: () => ({ text: "The page token is not valid for this list.", next: "Run the command again without --page-token." }),
  PLATFORM_ERROR: (m) => ({ text: `The plugin's platform failed: ${lower(m)}`, next: "Check the instance's config (`polity plugins enabled COMMUNITY`) and that the platform is up, then try again." }),
  PLUGIN_NOT_FOUND: (m) => ({ text: said(m), next: "See the plugins this server offers with `polity plugins list`." }),
  ACTION_NOT_FOUND: (m) => ({ text: said(m), next: "See each plugin's actions with `polity plugins list`." }),
  PROCESS_TYPE_NOT_FOUND: (m) => ({ text: said(m), next: "See each plugin's processes with `polity plugins list`." }),
  PLUGIN_NOT_ENABLED: (m) => ({ text: said(m), next: "An admin enables it with `polity plugins enable COMMUNITY PLUGIN`." }),
  INSTANCE_REQUIRED: (m) => ({ text: said(m), next: "Pass --instance with one of the ids from `polity plugins enabled COMMUNITY`." }),
  SCHEMA_MISMATCH: (m) => ({ text: said(m), next: "See the expected fields with `polity plugins show PLUGIN`." }),
  SECRETS_KEY_NOT_CONFIGURED: (m) => ({ text: said(m), next: "The operator sets POLITY_SECRETS_KEY (the same on every mod replica) and restarts." }),
  UNKNOWN_PERIOD: (m) => ({ text: said(m), next: "See the programme's periods with `polity contributions programme COMMUNITY`." }),
  ALREADY_REVERSED: (m) => ({ text: said(m), next: "Nothing to do: see the entries with `polity contributions ledger COMMUNITY`." }),
  NOT_A_CREDIT: (m) => ({ text: said(m), next: "Only a credit can be reversed; see the entries with `polity contributions ledger COMMUNITY`." }),
  DESTINATION_NOT_ALLOWED: (m) => ({ text: said(m), next: "Use a public URL; an operator may allow private networks with POLITY_OUTBOUND_ALLOW_PRIVATE." }),
};

/** What each code means in general, when the reason has no specific advice. */
function byCode(code: Code, message: string): PlainError {
  switch (code) {
    case Code.Unauthenticated:
      return { text: "You are not signed in, or your session has expired.", next: "Run `polity login`." };
    case Code.PermissionDenied:
      return { text: `You are not allowed to do this: ${lower(message)}`, next: "Ask an admin of the org or community for the role it needs (see `polity whoami` for yours)." };
    case Code.NotFound:
      return { text: said(message), next: "Check the name or id; the matching `list` command shows what exists." };
    case Code.InvalidArgument:
      return { text: `The server refused a value: ${lower(message.replace(/^invalid \w+Request: /, ""))}`, next: "Fix that value and try again; `--help` shows what each flag takes." };
    case Code.AlreadyExists:
      return { text: said(message), next: "Use another name, or work with the existing one." };
    case Code.FailedPrecondition:
      return { text: said(message), next: "Check the current state (the matching `show` command), then try again." };
    case Code.ResourceExhausted:
      return { text: said(message), next: "Wait a moment, then try again." };
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return { text: `The server could not be reached or did not answer in time (${message.trim().replace(/\.$/, "")}).`, next: "Check that polityd is running and that --server (or POLITY_SERVER) points at it." };
    default:
      return { text: `The server reported an error: ${lower(message)}`, next: "Try again; if it keeps happening, report it with the output of the same command run with --json." };
  }
}

export function explain(code: Code, reason: string | undefined, message: string): PlainError {
  const specific = reason ? BY_REASON[reason] : undefined;
  return specific ? specific(message) : byCode(code, message);
}

/** Capitalised and ending in a full stop. */
export function sentence(text: string): string {
  const t = fullStop(text);
  return t ? t[0].toUpperCase() + t.slice(1) : "";
}

/** Ends in a full stop, unless it ends in a list (candidates, one a line) or punctuation already. */
export function fullStop(text: string): string {
  const t = text.trim();
  return !t || /[.!?:]$/.test(t) || t.includes("\n") ? t : `${t}.`;
}

function lower(text: string): string {
  const t = sentence(text);
  // Keep acronyms and ids as they are; only a leading capital of an ordinary word is lowered.
  return /^[A-Z][a-z]/.test(t) ? t[0].toLowerCase() + t.slice(1) : t;
}
