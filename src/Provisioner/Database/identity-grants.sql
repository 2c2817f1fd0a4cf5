-- The provisioner's role on Identity's database (ADR-014): Identity learns the registered agencies from it. It may
-- read and add agencies and change their name and kind, nothing else (no users, clients, keys or tokens). Applied
-- after Identity's migrations by ./hub up (psql -v role=...), by the migration Job in deploy/k8s, and by the tests.
GRANT USAGE ON SCHEMA public TO :"role";
GRANT SELECT (code, name, kind), INSERT (code, name, kind) ON agencies TO :"role";
GRANT UPDATE (name, kind) ON agencies TO :"role";
