#!/bin/sh
# The container's entrypoint (under tini): runs polityd with the container's arguments.
#
#   (no arguments) or options only    the server: polityd [options], after `polityd [options] migrate` when
#                                     POLITY_MIGRATE_ON_START is true
#   a subcommand (migrate, doctor…)   that subcommand alone: polityd <subcommand> [args]
#
# polityd applies pending migrations at start-up anyway, under an advisory lock. Migrating as a step of its own
# makes a failing migration stop the container with migrate's exit code before anything listens, instead of a
# server that fails half-started. The server is exec'd, so it is tini's child and receives SIGTERM itself.
set -eu

if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ]; then
  exec polityd "$@"
fi

case "$(printf '%s' "${POLITY_MIGRATE_ON_START:-false}" | tr '[:upper:]' '[:lower:]')" in
  true | 1 | yes | on)
    # The server's options (--tiers, --config, database flags) also choose what to migrate.
    polityd "$@" migrate
    ;;
  false | 0 | no | off | "") ;;
  *)
    echo "entrypoint: POLITY_MIGRATE_ON_START must be true or false, not \"${POLITY_MIGRATE_ON_START}\"" >&2
    exit 2
    ;;
esac

exec polityd "$@"
