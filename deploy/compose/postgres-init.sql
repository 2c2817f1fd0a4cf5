-- Runs once, when the postgres container initializes an empty data volume
-- (docker-entrypoint-initdb.d), as POSTGRES_USER. It mirrors what `./hub infra`
-- sets up for the private cluster: the two hub databases and the extensions the
-- Gateway's matching needs. Creating the extensions here, as the superuser, means
-- the migrations never need superuser rights.

CREATE DATABASE sharinghub;
CREATE DATABASE sharinghub_identity;

\connect sharinghub
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE EXTENSION IF NOT EXISTS unaccent;
