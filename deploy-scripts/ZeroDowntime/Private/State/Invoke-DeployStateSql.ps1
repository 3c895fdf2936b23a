# ZeroDowntime module, private (State): not exported.
# Called by: Enter-DeployLock, Exit-DeployLock, Get-DeployLock, Get-DeployRecord, Get-RetainedVersion,
#   Start-DeployLockHeartbeat, Write-DeployRecord
function Invoke-DeployStateSql {
    <#
    .SYNOPSIS
        Runs one named query against the deploy state in the stack's PostgreSQL (database zdd_deploy) and returns
        its result, parsed from JSON. Creates the database and its tables on first use.
    .DESCRIPTION
        The deploy lock, the history and what follows from it (the retained versions) live with the stack, not in a
        checkout: every clone and machine that talks to the same Docker engine sees one lock and one history. They
        live in the stack's own PostgreSQL, in a database of their own (zdd_deploy) that the application's roles
        cannot connect to, reached with `docker exec <db container> psql` as the superuser over the container's
        local socket (trust authentication there; no password leaves the container, and nothing is published).
        PostgreSQL gives what the lock needs and a file on a volume does not: an atomic insert-if-absent, one clock
        (now() of the server, so that hosts with skewed clocks agree on a heartbeat's age), and a trigger that makes
        the history append-only.

        ALL the SQL of the kit is in this one function, so that the schema, the queries and the variables each one
        reads can be checked against each other in one place. Values never become SQL text: each is passed as a
        psql variable (psql -v name=value, as separate arguments of docker exec, so no shell reads them either)
        and quoted by psql as a literal where the SQL reads :'name'. Each query prints one JSON value (or nothing).

        A script starts on database postgres: it creates zdd_deploy if missing under an advisory lock (two first
        runs at once create it once), connects to it, creates the schema if its marker table is missing (again under
        an advisory lock, in one transaction), then runs the query.
    .PARAMETER Query
        TakeLock, GetLock, Heartbeat, ReleaseLock, RemoveLock, StageLock, AdoptStaged, AppendHistory, GetHistory,
        DeployedVersions.
    .PARAMETER Variables
        The psql variables the query reads (names below, at each query).
    .PARAMETER DbContainerId
        The db container to ask; default: the compose project's db service (looked up once per context).
    #>
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [pscustomobject] $Context,
        [Parameter(Mandatory)]
        [ValidateSet('TakeLock', 'GetLock', 'Heartbeat', 'ReleaseLock', 'RemoveLock', 'StageLock', 'AdoptStaged',
            'AppendHistory', 'GetHistory', 'DeployedVersions')]
        [string] $Query,
        [hashtable] $Variables = @{},
        [string] $DbContainerId
    )

    # The holder as Get-DeployLock returns it; HeartbeatAgeSeconds by the server's clock.
    $holder = @'
SELECT json_build_object('Token', token, 'User', user_name, 'Host', host_name, 'Pid', pid, 'Command', command,
  'StartedAt', started_at, 'HeartbeatAt', heartbeat_at, 'Kind', kind, 'Staged', staged,
  'HeartbeatAgeSeconds', round(extract(epoch FROM now() - heartbeat_at)::numeric, 1))
'@
    $sql = switch ($Query) {
        # token, user, host, pid, command. Atomic: of two runs at once, one inserts and the other sees the row.
        'TakeLock' {
            @"
WITH taken AS (
  INSERT INTO deploy_lock (token, user_name, host_name, pid, command)
  VALUES (:'token'::uuid, :'user', :'host', :'pid'::int, :'command')
  ON CONFLICT (id) DO NOTHING RETURNING *)
SELECT json_build_object('Taken', EXISTS (SELECT FROM taken),
  'Holder', coalesce(($holder FROM taken), ($holder FROM deploy_lock)));
"@
        }
        'GetLock' { "$holder FROM deploy_lock;" }
        # token. Only a running holder beats; returns whether this token still holds the lock.
        'Heartbeat' {
            "WITH beat AS (UPDATE deploy_lock SET heartbeat_at = now() WHERE token = :'token'::uuid AND kind = 'run' " +
            'RETURNING 1) SELECT to_json(EXISTS (SELECT FROM beat));'
        }
        # token. Releases this run's own lock only (a staged holder is released by promote/abort through AdoptStaged).
        'ReleaseLock' {
            "WITH gone AS (DELETE FROM deploy_lock WHERE token = :'token'::uuid AND kind = 'run' RETURNING 1) " +
            'SELECT to_json(EXISTS (SELECT FROM gone));'
        }
        # token. -BreakLock: removes exactly the holder that was judged dead, never one that took the lock since.
        'RemoveLock' {
            "WITH gone AS (DELETE FROM deploy_lock WHERE token = :'token'::uuid RETURNING 1) " +
            'SELECT to_json(EXISTS (SELECT FROM gone));'
        }
        # token, staged (JSON). The running holder becomes a staged one that outlives the process.
        'StageLock' {
            "WITH kept AS (UPDATE deploy_lock SET kind = 'staged', staged = :'staged'::jsonb, heartbeat_at = now() " +
            "WHERE token = :'token'::uuid AND kind = 'run' RETURNING 1) SELECT to_json(EXISTS (SELECT FROM kept));"
        }
        # token, user, host, pid, command. Takes over a staged holder (kind back to run; staged details kept).
        'AdoptStaged' {
            @"
WITH adopted AS (
  UPDATE deploy_lock SET token = :'token'::uuid, user_name = :'user', host_name = :'host', pid = :'pid'::int,
    command = :'command', kind = 'run', heartbeat_at = now()
  WHERE kind = 'staged' RETURNING *)
$holder FROM adopted;
"@
        }
        # record (the report as JSON). Returns the new entry's id.
        'AppendHistory' {
            @'
WITH r AS (SELECT :'record'::jsonb AS j)
INSERT INTO deploy_history (project, mode, result, exit_code, user_name, host_name, command, from_slot, to_slot,
  from_version, to_version, failed_step, error, started_at, finished_at, steps, warnings, hooks, details)
SELECT j->>'Project', j->>'Mode', j->>'Result', (j->>'ExitCode')::int, j->>'User', j->>'Host', j->>'Command',
  j->>'FromSlot', j->>'ToSlot', j->>'FromVersion', j->>'ToVersion', (j->>'FailedStep')::int, j->>'Error',
  coalesce((j->>'StartedAt')::timestamptz, now()), coalesce((j->>'FinishedAt')::timestamptz, now()),
  coalesce(j->'Steps', '[]'), coalesce(j->'Warnings', '[]'), coalesce(j->'Hooks', '[]'), coalesce(j->'Details', '{}')
FROM r
RETURNING to_json(id);
'@
        }
        # last. Newest first.
        'GetHistory' {
            @'
SELECT coalesce(json_agg(e ORDER BY e."Id" DESC), '[]') FROM (
  SELECT id AS "Id", recorded_at AS "RecordedAt", started_at AS "StartedAt", finished_at AS "FinishedAt",
    project AS "Project", mode AS "Mode", result AS "Result", exit_code AS "ExitCode", user_name AS "User",
    host_name AS "Host", command AS "Command", from_slot AS "FromSlot", to_slot AS "ToSlot",
    from_version AS "FromVersion", to_version AS "ToVersion", failed_step AS "FailedStep", error AS "Error",
    steps AS "Steps", warnings AS "Warnings", hooks AS "Hooks", details AS "Details"
  FROM deploy_history ORDER BY id DESC LIMIT :'last'::int) AS e;
'@
        }
        # Every version that was live, or that a swap, rollback or promote tried to make live, newest first.
        # LastLive orders them by when they last served: the version an operation moved traffic to ranks just after
        # the one it moved traffic from (2 id vs 2 id - 1). A version whose every try failed has no LastLive.
        # Stage, Canary (a new split too) and Abort never move everyone's traffic: a staged version is live once
        # promoted (the Promote record), and the slot it was staged over never stopped serving.
        'DeployedVersions' {
            @'
SELECT coalesce(json_agg(v ORDER BY v."LastLive" DESC NULLS LAST, v."LastId" DESC), '[]') FROM (
  SELECT version AS "Version", max(live) AS "LastLive", max(id) AS "LastId" FROM (
    SELECT to_version AS version, id, CASE WHEN result = 'Succeeded' THEN 2 * id END AS live
    FROM deploy_history WHERE mode IN ('Swap', 'Rollback', 'Promote')
    UNION ALL
    SELECT from_version, id, 2 * id - 1 FROM deploy_history
    WHERE mode IN ('Swap', 'Rollback', 'Promote') AND result = 'Succeeded') AS tried
  WHERE version IS NOT NULL AND version <> ''
  GROUP BY version) AS v;
'@
        }
    }

    # First use: the database (CREATE DATABASE cannot run in a transaction; the advisory lock serialises two
    # first runs), then the schema in one transaction. The application's roles get no access: REVOKE from PUBLIC.
    $prologue = @'
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT pg_advisory_lock(7461001) AS zdd_locked \gset
SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = 'zdd_deploy') AS zdd_create_database \gset
\if :zdd_create_database
CREATE DATABASE zdd_deploy;
REVOKE ALL ON DATABASE zdd_deploy FROM PUBLIC;
\endif
SELECT pg_advisory_unlock(7461001) AS zdd_unlocked \gset
\connect zdd_deploy
SET client_min_messages = warning;
SELECT to_regclass('public.deploy_schema') IS NULL AS zdd_create_schema \gset
\if :zdd_create_schema
BEGIN;
SELECT pg_advisory_xact_lock(7461002) AS zdd_locked \gset
REVOKE ALL ON SCHEMA public FROM PUBLIC;
-- One row at most (id is always true): the deploy lock. kind 'run' = a running script that beats every few
-- seconds; 'staged' = a staged deployment that holds the lock until it is promoted or aborted.
CREATE TABLE IF NOT EXISTS deploy_lock (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  token uuid NOT NULL UNIQUE,
  user_name text NOT NULL,
  host_name text NOT NULL,
  pid integer NOT NULL,
  command text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL DEFAULT 'run' CHECK (kind IN ('run', 'staged')),
  staged jsonb);
-- Every operation and state change, appended once and never changed (the trigger below).
CREATE TABLE IF NOT EXISTS deploy_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  project text,
  mode text NOT NULL,
  result text NOT NULL,
  exit_code integer,
  user_name text,
  host_name text,
  command text,
  from_slot text,
  to_slot text,
  from_version text,
  to_version text,
  failed_step integer,
  error text,
  steps jsonb NOT NULL DEFAULT '[]',
  warnings jsonb NOT NULL DEFAULT '[]',
  hooks jsonb NOT NULL DEFAULT '[]',
  details jsonb NOT NULL DEFAULT '{}');
CREATE OR REPLACE FUNCTION deploy_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'deploy_history is append-only: % refused', TG_OP;
END
$fn$;
CREATE OR REPLACE TRIGGER deploy_history_append_only BEFORE UPDATE OR DELETE ON deploy_history
  FOR EACH ROW EXECUTE FUNCTION deploy_history_append_only();
CREATE OR REPLACE TRIGGER deploy_history_no_truncate BEFORE TRUNCATE ON deploy_history
  FOR EACH STATEMENT EXECUTE FUNCTION deploy_history_append_only();
CREATE TABLE IF NOT EXISTS deploy_schema (version integer NOT NULL);
INSERT INTO deploy_schema (version) VALUES (1);
COMMIT;
\endif
'@

    if (-not $DbContainerId) {
        if (-not $Context) { throw 'Invoke-DeployStateSql needs -Context or -DbContainerId.' }
        $DbContainerId = Get-DeployStateContainer -Context $Context
    }
    # POSTGRES_USER is the superuser the image created (DB_ADMIN_USER); the shell only expands that one name, every
    # other argument reaches psql as it is ("$@").
    $arguments = [System.Collections.Generic.List[string]]::new()
    $arguments.AddRange([string[]]@('exec', '-i', $DbContainerId, 'sh', '-c',
            'exec psql --no-psqlrc --quiet --tuples-only --no-align --username "$POSTGRES_USER" --dbname postgres "$@"',
            'zdd-deploy-state'))
    foreach ($name in $Variables.Keys) {
        if ($name -notmatch '^[a-z]+\z') { throw "Not a psql variable name: '$name'." }
        $value = $Variables[$name]
        if ($null -eq $value) { $value = '' }
        $arguments.Add('--set')
        $arguments.Add("$name=$value")
    }
    $result = Invoke-Docker -ArgumentList $arguments.ToArray() -StandardInput "$prologue`n$sql`n" -AllowFailure `
        -TimeoutSeconds 60
    if ($result.ExitCode -ne 0) {
        # Only stderr: the command line holds the variables (a record may be long).
        throw "The deploy state in the stack's PostgreSQL (database zdd_deploy) could not be read or written " +
            "($Query): $("$($result.StdErr)".Trim())"
    }
    # The prologue prints nothing (-quiet, \gset): stdout is the query's one JSON value (json_agg spreads an array
    # over lines), or nothing.
    $text = "$($result.StdOut)".Trim()
    if ($text) { $text | ConvertFrom-Json -Depth 20 } else { $null }
}
