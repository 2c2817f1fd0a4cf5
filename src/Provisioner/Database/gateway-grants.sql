-- The provisioner's role on the Gateway's database (ADR-014): read the registry, write the observed broker state and
-- its audit rows, nothing else. Applied after the Gateway's migrations by ./hub up (psql -v role=...), by the
-- migration Job in deploy/k8s, and by the tests. Idempotent.
GRANT USAGE ON SCHEMA public TO :"role";
GRANT SELECT (code, name, kind, disabled_at) ON agencies TO :"role";
GRANT SELECT ON agency_broker_access TO :"role";
GRANT UPDATE (observed_generation, state, state_detail, observed_at) ON agency_broker_access TO :"role";
GRANT INSERT (occurred_at, actor, action, target, succeeded, detail) ON audit_events TO :"role";
