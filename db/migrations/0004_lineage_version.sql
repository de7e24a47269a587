CREATE TABLE `lineage_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	CONSTRAINT "lineage_version_single_row" CHECK("lineage_version"."id" = 1)
);
--> statement-breakpoint
-- The lineage edges live in the columns below. Every write that changes one moves the counter, in
-- the same transaction, so a reader that sees version N sees exactly the edges of version N.
INSERT INTO `lineage_version` (`id`, `version`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `programs_lineage_insert` AFTER INSERT ON `programs` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `programs_lineage_delete` AFTER DELETE ON `programs` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `programs_lineage_update` AFTER UPDATE OF `series_id` ON `programs` WHEN OLD.`series_id` IS NOT NEW.`series_id` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `prototype_programs_lineage_insert` AFTER INSERT ON `prototype_programs` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `prototype_programs_lineage_delete` AFTER DELETE ON `prototype_programs` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `prototype_programs_lineage_update` AFTER UPDATE OF `prototype_id`, `program_id` ON `prototype_programs` WHEN OLD.`prototype_id` IS NOT NEW.`prototype_id` OR OLD.`program_id` IS NOT NEW.`program_id` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `test_runs_lineage_insert` AFTER INSERT ON `test_runs` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `test_runs_lineage_delete` AFTER DELETE ON `test_runs` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `test_runs_lineage_update` AFTER UPDATE OF `prototype_id`, `program_id`, `status` ON `test_runs` WHEN OLD.`prototype_id` IS NOT NEW.`prototype_id` OR OLD.`program_id` IS NOT NEW.`program_id` OR OLD.`status` IS NOT NEW.`status` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `evidence_lineage_insert` AFTER INSERT ON `evidence` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `evidence_lineage_delete` AFTER DELETE ON `evidence` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `evidence_lineage_update` AFTER UPDATE OF `test_run_id`, `technology_id`, `outcome` ON `evidence` WHEN OLD.`test_run_id` IS NOT NEW.`test_run_id` OR OLD.`technology_id` IS NOT NEW.`technology_id` OR OLD.`outcome` IS NOT NEW.`outcome` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `technologies_lineage_insert` AFTER INSERT ON `technologies` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `technologies_lineage_delete` AFTER DELETE ON `technologies` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `technologies_lineage_update` AFTER UPDATE OF `origin_program_id` ON `technologies` WHEN OLD.`origin_program_id` IS NOT NEW.`origin_program_id` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `technology_derivations_lineage_insert` AFTER INSERT ON `technology_derivations` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `technology_derivations_lineage_delete` AFTER DELETE ON `technology_derivations` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `technology_derivations_lineage_update` AFTER UPDATE OF `parent_id`, `child_id` ON `technology_derivations` WHEN OLD.`parent_id` IS NOT NEW.`parent_id` OR OLD.`child_id` IS NOT NEW.`child_id` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `transfers_lineage_insert` AFTER INSERT ON `transfers` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `transfers_lineage_delete` AFTER DELETE ON `transfers` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `transfers_lineage_update` AFTER UPDATE OF `technology_id`, `road_model_id`, `stage` ON `transfers` WHEN OLD.`technology_id` IS NOT NEW.`technology_id` OR OLD.`road_model_id` IS NOT NEW.`road_model_id` OR OLD.`stage` IS NOT NEW.`stage` BEGIN UPDATE `lineage_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
