"""Checkpoints are append-only too: a signed tree head is never deleted or rewritten, and its anchor,
once recorded, never changes. The one update allowed is the sequencer's: recording the anchoring
transaction and block of a head that had none.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_REWRITES = (
    "OLD.tree_size IS NOT NEW.tree_size OR OLD.root IS NOT NEW.root OR OLD.timestamp_ms IS NOT NEW.timestamp_ms "
    "OR OLD.signature IS NOT NEW.signature OR (OLD.anchor_tx IS NOT NULL AND OLD.anchor_tx IS NOT NEW.anchor_tx) "
    "OR (OLD.anchor_block IS NOT NULL AND OLD.anchor_block IS NOT NEW.anchor_block)"
)
_SQLITE = (
    "CREATE TRIGGER log_checkpoints_delete_guard BEFORE DELETE ON log_checkpoints "
    "BEGIN SELECT RAISE(ABORT, 'log_checkpoints is append-only'); END",
    f"CREATE TRIGGER log_checkpoints_update_guard BEFORE UPDATE ON log_checkpoints WHEN {_REWRITES} "
    "BEGIN SELECT RAISE(ABORT, 'log_checkpoints is append-only: only a missing anchor may be recorded'); END",
)
_PG = (
    "CREATE TRIGGER log_checkpoints_delete_guard BEFORE DELETE ON log_checkpoints "
    "FOR EACH ROW EXECUTE FUNCTION credtrace_append_only()",
    f"""CREATE FUNCTION credtrace_checkpoint_rewrite() RETURNS trigger AS $$
BEGIN
  IF {_REWRITES.replace(" IS NOT ", " IS DISTINCT FROM ")} THEN
    RAISE EXCEPTION 'log_checkpoints is append-only: only a missing anchor may be recorded';
  END IF;
  RETURN NEW;
END; $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER log_checkpoints_update_guard BEFORE UPDATE ON log_checkpoints "
    "FOR EACH ROW EXECUTE FUNCTION credtrace_checkpoint_rewrite()",
)


def upgrade() -> None:
    for statement in _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for verb in ("delete", "update"):
        op.execute(f"DROP TRIGGER log_checkpoints_{verb}_guard" + (" ON log_checkpoints" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION credtrace_checkpoint_rewrite()")
