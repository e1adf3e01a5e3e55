#!/bin/sh
# Runs the built command line (dist/cli.js). Node 20 reads `--env-file` ANYWHERE on its command
# line, even after the script name, and exits when that file does not exist yet (fixed in Node 22).
# `npm run stack -- --env-file PATH` must work on Node 20, so the flag reaches our CLI as --env-out.
for arg; do
  shift
  case "$arg" in
    --env-file) set -- "$@" --env-out ;;
    --env-file=*) set -- "$@" "--env-out=${arg#--env-file=}" ;;
    *) set -- "$@" "$arg" ;;
  esac
done
exec node "$(dirname "$0")/../dist/cli.js" "$@"
