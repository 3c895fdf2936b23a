#!/bin/sh
# db/init-roles.sh — creates the database roles of the stack, once, when PostgreSQL initialises an empty data
# directory. Mounted by docker-compose.yaml (service `db`) into /docker-entrypoint-initdb.d/, where the official
# postgres image's entrypoint (and .ci/standin/postgres-entrypoint.sh, which mimics it) runs it against the
# temporary, socket-only server of the first start, as POSTGRES_USER, the superuser the image creates.
#
# Two roles, neither of them a superuser:
#   DB_MIGRATE_USER (default app_owner): owns the schema `public`, so the migrate verb can create and change tables
#     there, and owns every table it creates. Used by the compose one-shot `migrate` only.
#   DB_USER (default app): the API's role. May connect, and SELECT, INSERT, UPDATE and DELETE in the tables the
#     schema owner creates (default privileges), and use their sequences. It cannot create, alter, drop or truncate
#     anything, nor create temporary tables. After migrating, the migrate verb also takes INSERT, UPDATE and DELETE on
#     the migrations history back from it (api/Data/DatabaseExtensions.cs).
# tests/Stack.Tests/DatabaseRolesTests.cs checks all of it on a running stack.
#
# Runs once per data directory: changing these variables later changes nothing (docs/security.md, "Database roles",
# says what to run on an existing database). Executable, so the entrypoint runs it rather than sourcing it; the
# subshell keeps `set -eu` from leaking into the entrypoint if it is sourced anyway.
(
  set -eu
  : "${POSTGRES_USER:?}" "${POSTGRES_DB:?}"
  owner="${DB_MIGRATE_USER:-app_owner}"
  app="${DB_USER:-app}"
  if [ -z "${DB_MIGRATE_PASSWORD:-}" ] || [ -z "${DB_PASSWORD:-}" ]; then
    echo "init-roles.sh: DB_MIGRATE_PASSWORD and DB_PASSWORD must be set (see .env.sample)" >&2
    exit 1
  fi
  if [ "$owner" = "$app" ] || [ "$owner" = "$POSTGRES_USER" ] || [ "$app" = "$POSTGRES_USER" ]; then
    echo "init-roles.sh: DB_USER ('$app'), DB_MIGRATE_USER ('$owner') and DB_ADMIN_USER ('$POSTGRES_USER') must be" \
      "three different roles" >&2
    exit 1
  fi

  # psql quotes the values itself: :"name" as an identifier, :'name' as a literal.
  psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set owner="$owner" --set owner_password="$DB_MIGRATE_PASSWORD" \
    --set app="$app" --set app_password="$DB_PASSWORD" --set db="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';

-- Only these two connect (besides the superuser), and neither may create temporary tables.
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"owner", :"app";

-- The schema owner creates and changes tables; nobody else creates anything (PostgreSQL 15+ already revokes
-- CREATE from PUBLIC; stated for older servers).
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";

-- Tables and sequences the schema owner creates from now on (every migration) are usable by the API's role.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO :"app";
SQL
  echo "init-roles.sh: created roles $owner (schema owner) and $app (application)"
)
