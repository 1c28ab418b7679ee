"""Audit trail out of the application role's reach: the chain's head moves only by appending an entry that extends it.

The application's role may read both audit tables and insert entries, nothing else (`sisamu.migrations.roles`
grants it after every upgrade). It takes a chain's head, locked for its transaction, through `sisamu_audit_head`
(security definer: the role may not lock or write `audit_head` itself); a trigger, owned by the owner role, moves
the head to each inserted entry and refuses one that does not extend the chain (wrong sequence or previous hash).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

HEAD_FUNCTION = """
CREATE OR REPLACE FUNCTION sisamu_audit_head(tenant varchar)
RETURNS TABLE (head_seq bigint, head_hash varchar)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO public.audit_head (samu_id, seq, hash) VALUES (tenant, 0, repeat('0', 64))
        ON CONFLICT (samu_id) DO NOTHING;
    RETURN QUERY SELECT h.seq, h.hash FROM public.audit_head AS h WHERE h.samu_id = tenant FOR UPDATE;
END;
$$
"""

EXTEND_FUNCTION = """
CREATE OR REPLACE FUNCTION sisamu_audit_extend() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    last_seq bigint;
    last_hash varchar;
BEGIN
    SELECT h.seq, h.hash INTO last_seq, last_hash FROM public.audit_head AS h
     WHERE h.samu_id = NEW.samu_id FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO public.audit_head (samu_id, seq, hash) VALUES (NEW.samu_id, 0, repeat('0', 64));
        last_seq := 0;
        last_hash := repeat('0', 64);
    END IF;
    IF NEW.seq <> last_seq + 1 OR NEW.prev_hash <> last_hash THEN
        RAISE EXCEPTION 'audit entry %/% does not extend its chain (head at %)', NEW.samu_id, NEW.seq, last_seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    UPDATE public.audit_head SET seq = NEW.seq, hash = NEW.hash WHERE samu_id = NEW.samu_id;
    RETURN NEW;
END;
$$
"""


def upgrade() -> None:
    op.execute(HEAD_FUNCTION)
    op.execute(EXTEND_FUNCTION)
    op.execute(
        "CREATE TRIGGER audit_event_extends_head BEFORE INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION sisamu_audit_extend()"
    )
    # Functions are executable by everyone unless revoked; only the grants of `roles.py` apply.
    for function in ("sisamu_audit_head(varchar)", "sisamu_audit_extend()", "sisamu_append_only()"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    op.execute("REVOKE ALL ON audit_event, audit_head, alembic_version FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_event_extends_head ON audit_event")
    op.execute("DROP FUNCTION IF EXISTS sisamu_audit_extend()")
    op.execute("DROP FUNCTION IF EXISTS sisamu_audit_head(varchar)")
    op.execute("GRANT EXECUTE ON FUNCTION sisamu_append_only() TO PUBLIC")
