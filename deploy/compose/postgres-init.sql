-- Runs once, when the postgres container initializes an empty data volume
-- (docker-entrypoint-initdb.d), as the superuser POSTGRES_USER. It mirrors what `./hub infra`
-- sets up for the private cluster (scripts/infra.sh): the extensions the Gateway's matching
-- needs, created here by the superuser so that migrations never need superuser rights, and
-- one login role per host that owns its own database and alone may connect to it, so that
-- neither host's credential can read the other's database (docs/security.md). Each host runs
-- its own migrations as its own role. Idempotent: it may be run again by hand
--   docker compose exec postgres sh -c 'psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -f /docker-entrypoint-initdb.d/20-sharinghub.sql'
-- which also brings the roles' passwords back to the environment's.

-- The roles' passwords come from the container's environment (psql 15's \getenv), never from this file.
\getenv gateway_password POSTGRES_GATEWAY_PASSWORD
\getenv identity_password POSTGRES_IDENTITY_PASSWORD
\getenv provisioner_password POSTGRES_PROVISIONER_PASSWORD
\if :{?gateway_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'POSTGRES_GATEWAY_PASSWORD is not set (see .env.example)'; END $$;
\endif
\if :{?identity_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'POSTGRES_IDENTITY_PASSWORD is not set (see .env.example)'; END $$;
\endif
\if :{?provisioner_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'POSTGRES_PROVISIONER_PASSWORD is not set (see .env.example)'; END $$;
\endif

SET client_min_messages = warning;

SELECT 'CREATE ROLE sharinghub_gateway' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sharinghub_gateway') \gexec
SELECT 'CREATE ROLE sharinghub_identity' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sharinghub_identity') \gexec
-- The provisioner's role (ADR-014): it may connect to both databases; what it may touch there is granted by the
-- compose stack's provisioner-grants service after the migrations (src/Provisioner/Database/*-grants.sql).
SELECT 'CREATE ROLE sharinghub_provisioner' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sharinghub_provisioner') \gexec
ALTER ROLE sharinghub_gateway LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'gateway_password';
ALTER ROLE sharinghub_identity LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'identity_password';
ALTER ROLE sharinghub_provisioner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'provisioner_password';

SELECT 'CREATE DATABASE sharinghub OWNER sharinghub_gateway' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'sharinghub') \gexec
SELECT 'CREATE DATABASE sharinghub_identity OWNER sharinghub_identity' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'sharinghub_identity') \gexec
ALTER DATABASE sharinghub OWNER TO sharinghub_gateway;
ALTER DATABASE sharinghub_identity OWNER TO sharinghub_identity;

-- Deny by default: only the owning role (and the superuser) may connect to each database.
REVOKE ALL ON DATABASE sharinghub FROM PUBLIC;
REVOKE ALL ON DATABASE sharinghub_identity FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE sharinghub TO sharinghub_gateway;
GRANT CONNECT, TEMPORARY ON DATABASE sharinghub_identity TO sharinghub_identity;
GRANT CONNECT ON DATABASE sharinghub TO sharinghub_provisioner;
GRANT CONNECT ON DATABASE sharinghub_identity TO sharinghub_provisioner;

\connect sharinghub
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE EXTENSION IF NOT EXISTS unaccent;
