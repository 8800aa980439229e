-- The least privileges of a ledger on PostgreSQL: a writer and a read-only reader.
-- What each may do, and why: docs/privacy.md, "Shared storage (PostgreSQL)".
--
-- Run it as the role that owns the ledger's tables (the one `ledger init` ran as), after
-- `ledger init` has made them, once per schema. The two roles must exist already:
--
--   CREATE ROLE ledger_writer LOGIN PASSWORD '...';
--   CREATE ROLE ledger_reader LOGIN PASSWORD '...';
--   psql "postgresql://OWNER@HOST/DB" -v schema=public \
--        -v writer=ledger_writer -v reader=ledger_reader -f scripts/postgres-roles.sql
--
-- It first takes back every right the two roles had on the schema's tables, then grants
-- exactly what follows, in one transaction: running it again changes nothing. The grants
-- survive `ledger replay` and `ledger forget` (the ledger re-grants what was granted on
-- the view tables it drops and makes anew).
--
-- Key material, in this design: the per-person keys in ledger_keys (each opens that
-- person's card and every note, reason and attribute sealed under it in the events) and
-- the master key of an encrypted ledger (never stored). The reader gets no right at all
-- on ledger_keys. ledger_store holds the ledger's settings and its two digest keys (the
-- id key of fact ids, the index key of identifier digests): they open nothing, and a
-- reader needs the index key to find a person by key or address, so it may read them.

\set ON_ERROR_STOP on

BEGIN;

GRANT USAGE ON SCHEMA :"schema" TO :"writer", :"reader";
REVOKE ALL ON ALL TABLES IN SCHEMA :"schema" FROM :"writer", :"reader";
REVOKE ALL ON ALL SEQUENCES IN SCHEMA :"schema" FROM :"writer", :"reader";

-- The reader: every table but the keys. It answers from the views a worker keeps
-- (`ledger --read-only`), and audits the log, the chain and the index of facts.
GRANT SELECT ON
    :"schema".ledger_events, :"schema".ledger_tracking, :"schema".ledger_chain,
    :"schema".ledger_facts, :"schema".ledger_identities, :"schema".ledger_store,
    :"schema".ledger_view_people, :"schema".ledger_view_attributes,
    :"schema".ledger_view_rows, :"schema".ledger_view_pairs,
    :"schema".ledger_view_segments, :"schema".ledger_view_voided,
    :"schema".ledger_view_retracted, :"schema".ledger_view_sources,
    :"schema".ledger_view_identifiers, :"schema".ledger_view_merges,
    :"schema".ledger_view_snoozes, :"schema".ledger_view_settings,
    :"schema".ledger_view_meta, :"schema".ledger_view_lock
TO :"reader";

-- The writer: appends to the log (events and their chain links are never updated nor
-- deleted by the ledger), indexes facts (a retraction marks its fact), registers people
-- (their keys and identifiers: inserting a key, never deleting one, so that `ledger
-- forget` is refused whole), and catches the views up with the log.
GRANT SELECT, INSERT ON :"schema".ledger_events, :"schema".ledger_chain TO :"writer";
GRANT USAGE ON SEQUENCE :"schema".ledger_events_notification_id_seq TO :"writer";
GRANT SELECT, INSERT, UPDATE ON :"schema".ledger_facts TO :"writer";
GRANT SELECT, INSERT ON :"schema".ledger_keys TO :"writer";
-- DELETE: `--allow-forgotten` replaces a forgotten identifier's tombstone.
GRANT SELECT, INSERT, DELETE ON :"schema".ledger_identities TO :"writer";
GRANT SELECT ON :"schema".ledger_store TO :"writer";
GRANT SELECT, INSERT, UPDATE ON :"schema".ledger_tracking TO :"writer";
GRANT SELECT, INSERT, UPDATE, DELETE ON
    :"schema".ledger_view_people, :"schema".ledger_view_attributes,
    :"schema".ledger_view_rows, :"schema".ledger_view_pairs,
    :"schema".ledger_view_segments, :"schema".ledger_view_voided,
    :"schema".ledger_view_retracted, :"schema".ledger_view_sources,
    :"schema".ledger_view_identifiers, :"schema".ledger_view_merges,
    :"schema".ledger_view_snoozes, :"schema".ledger_view_settings,
    :"schema".ledger_view_meta, :"schema".ledger_view_lock
TO :"writer";

COMMIT;
