-- Full-text search over test_runs: trigram finds substrings of 3+ characters in any script
-- (codes like TR-2026-0042, hyphenated words like e-4ORCE, Japanese). Shorter words fall back
-- to LIKE in src/domain/search.ts.
CREATE VIRTUAL TABLE IF NOT EXISTS `test_runs_fts` USING fts5(code, title, objective, location, result_summary, engineer, software_version, hardware_revision, content='test_runs', content_rowid='id', tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `test_runs_fts_insert` AFTER INSERT ON `test_runs` BEGIN
  INSERT INTO `test_runs_fts`(rowid, code, title, objective, location, result_summary, engineer, software_version, hardware_revision) VALUES (new.id, new.code, new.title, new.objective, new.location, new.result_summary, new.engineer, new.software_version, new.hardware_revision);
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `test_runs_fts_delete` AFTER DELETE ON `test_runs` BEGIN
  INSERT INTO `test_runs_fts`(`test_runs_fts`, rowid, code, title, objective, location, result_summary, engineer, software_version, hardware_revision) VALUES ('delete', old.id, old.code, old.title, old.objective, old.location, old.result_summary, old.engineer, old.software_version, old.hardware_revision);
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `test_runs_fts_update` AFTER UPDATE ON `test_runs` BEGIN
  INSERT INTO `test_runs_fts`(`test_runs_fts`, rowid, code, title, objective, location, result_summary, engineer, software_version, hardware_revision) VALUES ('delete', old.id, old.code, old.title, old.objective, old.location, old.result_summary, old.engineer, old.software_version, old.hardware_revision);
  INSERT INTO `test_runs_fts`(rowid, code, title, objective, location, result_summary, engineer, software_version, hardware_revision) VALUES (new.id, new.code, new.title, new.objective, new.location, new.result_summary, new.engineer, new.software_version, new.hardware_revision);
END;
--> statement-breakpoint
INSERT INTO `test_runs_fts`(`test_runs_fts`) VALUES ('rebuild');
--> statement-breakpoint
-- Full-text search over technologies: trigram finds substrings of 3+ characters in any script
-- (codes like TR-2026-0042, hyphenated words like e-4ORCE, Japanese). Shorter words fall back
-- to LIKE in src/domain/search.ts.
CREATE VIRTUAL TABLE IF NOT EXISTS `technologies_fts` USING fts5(name, description, owner, content='technologies', content_rowid='id', tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `technologies_fts_insert` AFTER INSERT ON `technologies` BEGIN
  INSERT INTO `technologies_fts`(rowid, name, description, owner) VALUES (new.id, new.name, new.description, new.owner);
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `technologies_fts_delete` AFTER DELETE ON `technologies` BEGIN
  INSERT INTO `technologies_fts`(`technologies_fts`, rowid, name, description, owner) VALUES ('delete', old.id, old.name, old.description, old.owner);
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `technologies_fts_update` AFTER UPDATE ON `technologies` BEGIN
  INSERT INTO `technologies_fts`(`technologies_fts`, rowid, name, description, owner) VALUES ('delete', old.id, old.name, old.description, old.owner);
  INSERT INTO `technologies_fts`(rowid, name, description, owner) VALUES (new.id, new.name, new.description, new.owner);
END;
--> statement-breakpoint
INSERT INTO `technologies_fts`(`technologies_fts`) VALUES ('rebuild');
