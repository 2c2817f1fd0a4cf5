-- The provisioner's role on Identity's database (ADR-014): Identity learns the registered agencies, and which are
-- disabled, from it. It may read and add agencies and change their name, kind and disabled_at, nothing else (no users,
-- clients, keys or tokens). Applied after Identity's migrations by ./hub up (psql -v role=...), by the migration Job
-- in deploy/k8s, by the compose stack's provisioner-grants service, and by the tests. Idempotent.
GRANT USAGE ON SCHEMA public TO :"role";
GRANT SELECT (code, name, kind, disabled_at), INSERT (code, name, kind, disabled_at) ON agencies TO :"role";
GRANT UPDATE (name, kind, disabled_at) ON agencies TO :"role";
