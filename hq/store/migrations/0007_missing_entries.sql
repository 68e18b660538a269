-- Entries a terminal deleted before head office got them (wire.Batch's
-- pruned_through: a terminal that ran long without head office keeps its
-- unsent entries only so long). Head office acknowledges past them and
-- counts them here, for the terminal list to show.

ALTER TABLE journals ADD COLUMN missing bigint NOT NULL DEFAULT 0;
