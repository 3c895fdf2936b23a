#!/bin/sh
# zdd-state.sh — changes nginx's routing state (maintenance mode, staged candidate, canary) on the nginx-state
# volume, atomically and without reloading nginx. Run inside the nginx container by deploy-scripts and by operators:
#   docker compose exec nginx sh /etc/nginx/zdd/zdd-state.sh <command> [arguments]
# (mounted read-only from the repository's nginx/, like the rest of the configuration; POSIX sh, no exec bit
# needed). Commands:
#   maintenance-on <retry-after-seconds> [<message>]   every public request gets 503 (message: plain text)
#   maintenance-off
#   stage <slot>              requests that opt in (X-ZDD-Preview: 1 or cookie zdd_preview=1) go to <slot>
#   canary <slot> <percent>   and new clients go there with this probability (1-99), sticky by cookie
#   clear-candidate           no candidate, no canary (abort; or the second step of a promote)
#   status                    prints the state as key=value lines
# Exit codes: 0 done, 64 bad arguments, 65 refused in this state (message on stderr), 75 another run holds the lock.
#
# The state is one symbolic link, /etc/nginx/state/routing, to an empty file whose name lists the state, in a
# generation directory that is complete before the link names it and never changed afterwards:
#   routing -> routing.d/<generation>/maintenance=120,candidate=green,canary=30,round=<id>
#   routing.d/<generation>/maintenance.html, maintenance.json   the operator's message, if one was given
#   routing.d/<generation>/canary/00 .. <percent - 1>          the canary's buckets (http/routing.conf)
# Every change writes a new generation, then renames a new link over the old one: rename(2) is atomic, so each
# request sees the old state or the new one, never a mix. With nothing left on, the link names an "off" generation
# for a second and is then removed (unlink(2) is atomic too). nginx reads all of it per request (snippets/routing.conf); docs/stack.md, "Routing state files",
# is the reference for these files and the commands.
set -eu

state_dir=/etc/nginx/state
link=$state_dir/routing
generations=$state_dir/routing.d
lock=$state_dir/.zdd-state.lock
template=/etc/nginx/zdd/maintenance/maintenance.html
default_message="The service is down for maintenance. Please try again later."

die() {
  code=$1
  shift
  echo "zdd-state.sh: $*" >&2
  exit "$code"
}

usage() {
  die 64 "$1 (usage: maintenance-on <retry-after-seconds> [<message>] | maintenance-off | stage <slot> |" \
    "canary <slot> <percent> | clear-candidate | status)"
}

# --- Reading the state -------------------------------------------------------------------------------------------

# Sets maintenance, candidate, percent, round and current (the generation the link names) from the link; all empty
# without one. A link or name this script did not write is refused rather than guessed at.
read_state() {
  maintenance="" candidate="" percent="" round="" current=""
  if [ ! -L "$link" ]; then
    if [ -e "$link" ]; then
      die 65 "$link is not a symbolic link; it was not written by this script. Remove it to turn routing off."
    fi
    return 0
  fi
  target=$(readlink "$link")
  case "$target" in
    routing.d/*/*/* | routing.d/*/) die 65 "$link points to '$target', not to routing.d/<generation>/<state>" ;;
    routing.d/?*/?*) ;;
    *) die 65 "$link points to '$target', not to routing.d/<generation>/<state>" ;;
  esac
  current=${target#routing.d/}
  current=${current%%/*}
  name=${target##*/}
  # Split on commas, without globbing; `set --` sets this function's arguments only.
  old_ifs=$IFS
  IFS=,
  set -f
  # shellcheck disable=SC2086
  set -- $name
  set +f
  IFS=$old_ifs
  for pair in "$@"; do
    case "$pair" in
      maintenance=*) maintenance=${pair#*=} ;;
      candidate=*) candidate=${pair#*=} ;;
      canary=*) percent=${pair#*=} ;;
      round=*) round=${pair#*=} ;;
      # A turn-off interrupted between its two steps (commit).
      off) ;;
      *) die 65 "$link names an unknown state '$name'" ;;
    esac
  done
  valid_state || die 65 "$link names an unknown state '$name'"
}

# Only what nginx reads the same way (http/routing.conf); anything else was not written by this script.
valid_state() {
  if [ -n "$maintenance" ]; then (check_retry_after "$maintenance") 2>/dev/null || return 1; fi
  case "$candidate" in "" | blue | green) ;; *) return 1 ;; esac
  if [ -n "$percent" ] || [ -n "$round" ]; then
    [ -n "$candidate" ] && [ -n "$percent" ] && [ -n "$round" ] || return 1
    (check_percent "$percent") 2>/dev/null || return 1
    case "$round" in *[!0-9A-Za-z-]*) return 1 ;; esac
    [ "${#round}" -le 40 ] || return 1
  fi
  return 0
}

# The active slot: the marker file snippets/active-slot.conf checks.
active_slot() {
  if [ -e "$state_dir/active-slot.blue" ] && [ -e "$state_dir/active-slot.green" ]; then
    die 65 "both active-slot.blue and active-slot.green exist in $state_dir"
  elif [ -e "$state_dir/active-slot.blue" ]; then
    echo blue
  elif [ -e "$state_dir/active-slot.green" ]; then
    echo green
  else
    die 65 "no active-slot marker in $state_dir"
  fi
}

# --- Validating arguments ----------------------------------------------------------------------------------------

check_slot() {
  case "$1" in
    blue | green) ;;
    *) usage "slot: expected 'blue' or 'green', got '$1'" ;;
  esac
  active=$(active_slot) || exit "$?"
  if [ "$1" = "$active" ]; then
    die 65 "$1 is the active slot; stage the idle slot"
  fi
}

check_percent() {
  case "$1" in
    [1-9] | [1-9][0-9]) ;;
    *) usage "percent: expected an integer 1-99 without a leading zero, got '$1'" ;;
  esac
}

check_retry_after() {
  case "$1" in
    0 | [1-9] | [1-9][0-9] | [1-9][0-9][0-9] | [1-9][0-9][0-9][0-9] | [1-9][0-9][0-9][0-9][0-9] | \
      [1-9][0-9][0-9][0-9][0-9][0-9] | [1-9][0-9][0-9][0-9][0-9][0-9][0-9] | \
      [1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9] | [1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]) ;;
    *) usage "retry-after: expected seconds, an integer 0-999999999 without a leading zero, got '$1'" ;;
  esac
}

# --- Writing the bodies ------------------------------------------------------------------------------------------

# One line of plain text: tabs and line breaks become spaces, other control characters are dropped.
plain_text() {
  printf '%s' "$1" | tr '\t\n\r' '   ' | tr -d '\000-\037\177'
}

html_escape() {
  printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' -e "s/'/\&#39;/g"
}

json_escape() {
  printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
}

# The page: the template with the line after the zdd:message marker replaced by the message.
write_html() {
  replace_next=false
  while IFS= read -r line || [ -n "$line" ]; do
    if $replace_next; then
      printf '%s\n' "$1"
      replace_next=false
      continue
    fi
    printf '%s\n' "$line"
    case "$line" in
      *"<!-- zdd:message"*) replace_next=true ;;
    esac
  done < "$template"
}

# RFC 9457 problem details; the same shape as the default nginx/maintenance/maintenance.json.
write_json() {
  printf '{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"%s"}\n' "$1"
}

# --- Writing the state -------------------------------------------------------------------------------------------

# Writes a generation for the new state (maintenance, candidate, percent, round), then renames a new link over the
# old one, or removes the link when nothing is on. Message bodies: from $body_dir when set, else carried over from
# the current generation while maintenance stays on.
commit() {
  name=""
  if [ -n "$maintenance" ]; then name="maintenance=$maintenance"; fi
  if [ -n "$candidate" ]; then name="${name:+$name,}candidate=$candidate"; fi
  if [ -n "$percent" ]; then name="$name,canary=$percent,round=$round"; fi

  previous=$current
  if [ -z "$name" ] && [ -z "$previous" ]; then
    echo "zdd-state.sh: routing state: none (every request to the active slot)" >&2
    return 0
  fi
  # Nothing left on: first a generation named "off" (no feature; nginx reads it as no state), then, a moment later,
  # no link at all. A request that found the link just before the unlink still resolves it (realpath() would fail
  # and log an error otherwise); it has a second for that, and needs microseconds.
  turn_off=false
  if [ -z "$name" ]; then
    name=off
    turn_off=true
  fi
  current="$(date -u +%Y%m%dT%H%M%SZ)-$$"
  dir=$generations/$current
  mkdir -p "$generations"
  mkdir "$dir"
  : > "$dir/$name"
  if [ -n "$maintenance" ]; then
    source_dir=${body_dir:-}
    if [ -z "$source_dir" ] && [ -n "$previous" ]; then source_dir=$generations/$previous; fi
    for body in maintenance.html maintenance.json; do
      if [ -n "$source_dir" ] && [ -f "$source_dir/$body" ]; then cp "$source_dir/$body" "$dir/$body"; fi
    done
  fi
  if [ -n "$percent" ]; then
    mkdir "$dir/canary"
    bucket=0
    while [ "$bucket" -lt "$percent" ]; do
      : > "$dir/canary/$(printf '%02d' "$bucket")"
      bucket=$((bucket + 1))
    done
  fi
  ln -s "routing.d/$current/$name" "$state_dir/.routing.new"
  # The link names a file, not a directory, so mv renames over it (rename(2)) instead of moving into it.
  mv -f "$state_dir/.routing.new" "$link"
  if $turn_off; then
    sleep 1
    rm -f "$link"
    name=""
  fi

  # Keep the previous generation: a request that resolved the old link a moment ago may still read its files.
  # Every older one goes, and any leftover of an interrupted run.
  if [ -d "$generations" ]; then
    for dir in "$generations"/* "$generations"/.[!.]*; do
      [ -e "$dir" ] || continue
      case "${dir##*/}" in
        "$current" | "$previous") ;;
        *) rm -rf "$dir" ;;
      esac
    done
  fi
  echo "zdd-state.sh: routing state: ${name:-none (every request to the active slot)}" >&2
}

new_round() {
  round="$(date -u +%Y%m%dT%H%M%SZ)-$$"
}

# --- Commands ----------------------------------------------------------------------------------------------------

[ "$#" -ge 1 ] || usage "no command"
command=$1
shift

case "$command" in
  maintenance-on)
    case "$#" in
      1 | 2) ;;
      *) usage "maintenance-on takes <retry-after-seconds> [<message>]" ;;
    esac
    check_retry_after "$1"
    message=""
    if [ "$#" -eq 2 ]; then
      message=$(plain_text "$2")
      [ "${#message}" -le 1000 ] || usage "message: at most 1000 characters, got ${#message}"
    fi
    ;;
  maintenance-off | clear-candidate | status)
    [ "$#" -eq 0 ] || usage "$command takes no arguments"
    ;;
  stage)
    [ "$#" -eq 1 ] || usage "stage takes <slot>"
    check_slot "$1"
    ;;
  canary)
    [ "$#" -eq 2 ] || usage "canary takes <slot> <percent>"
    check_slot "$1"
    check_percent "$2"
    ;;
  *) usage "unknown command '$command'" ;;
esac

if [ "$command" = status ]; then
  read_state
  active=$(active_slot) || exit "$?"
  printf 'active=%s\nmaintenance=%s\ncandidate=%s\ncanary=%s\nround=%s\n' \
    "$active" "$maintenance" "$candidate" "$percent" "$round"
  exit 0
fi

# One change at a time: mkdir is atomic. A container restart removes a lock left by a killed run
# (docker-entrypoint.sh); nothing else runs this script then.
mkdir "$lock" 2>/dev/null || die 75 "$lock exists: another zdd-state.sh is running. If none is, remove it."
trap 'rm -rf "$state_dir/.routing.new" "$lock"' EXIT
trap 'exit 130' INT TERM

read_state
body_dir=""
case "$command" in
  maintenance-on)
    maintenance=$1
    if [ "$#" -eq 2 ]; then
      # A fresh message replaces any earlier one; without one, the earlier one stays, or nginx's default shows.
      body_dir=$state_dir/.routing.body.$$
      mkdir "$body_dir"
      trap 'rm -rf "$state_dir/.routing.new" "$body_dir" "$lock"' EXIT
      [ -n "$message" ] || message=$default_message
      write_html "$(html_escape "$message")" > "$body_dir/maintenance.html"
      write_json "$(json_escape "$message")" > "$body_dir/maintenance.json"
    fi
    ;;
  maintenance-off)
    maintenance=""
    ;;
  stage)
    candidate=$1 percent="" round=""
    ;;
  canary)
    # The same canary carries on at another percentage (clients keep their slot); anything else starts a new one.
    if [ "$candidate" != "$1" ] || [ -z "$percent" ]; then new_round; fi
    candidate=$1 percent=$2
    ;;
  clear-candidate)
    candidate="" percent="" round=""
    ;;
esac
commit
