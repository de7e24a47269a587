CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`scopes` text NOT NULL,
	`expires_at` text,
	`last_used_at` text,
	`revoked_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "api_tokens_scopes_check" CHECK("scopes" IN ('read', 'read,write'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_tokens_user_id_idx` ON `api_tokens` (`user_id`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text NOT NULL,
	`action` text NOT NULL,
	`actor_id` integer,
	`actor` text NOT NULL,
	`at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`before` text,
	`after` text,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "audit_events_action_check" CHECK("action" IN ('create', 'update', 'delete'))
);
--> statement-breakpoint
CREATE INDEX `audit_events_entity_idx` ON `audit_events` (`entity`,`entity_id`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_events_actor_id_idx` ON `audit_events` (`actor_id`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_events_at_idx` ON `audit_events` (`at`);--> statement-breakpoint
CREATE TABLE `category_venue_types` (
	`category_id` integer NOT NULL,
	`venue_type` text NOT NULL,
	PRIMARY KEY(`category_id`, `venue_type`),
	FOREIGN KEY (`category_id`) REFERENCES `technology_categories`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "category_venue_types_venue_type_check" CHECK("venue_type" IN ('track', 'race_event', 'dyno', 'bench', 'hil', 'sil', 'simulator', 'wind_tunnel'))
);
--> statement-breakpoint
CREATE TABLE `evidence` (
	`test_run_id` integer NOT NULL,
	`technology_id` integer NOT NULL,
	`outcome` text NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	PRIMARY KEY(`test_run_id`, `technology_id`),
	FOREIGN KEY (`test_run_id`) REFERENCES `test_runs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`technology_id`) REFERENCES `technologies`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "evidence_outcome_check" CHECK("outcome" IN ('pass', 'fail', 'inconclusive'))
);
--> statement-breakpoint
CREATE INDEX `evidence_technology_id_idx` ON `evidence` (`technology_id`,`outcome`,`test_run_id`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`principal` text NOT NULL,
	`key` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`request_hash` text NOT NULL,
	`state` text NOT NULL,
	`response_status` integer,
	`response_headers` text,
	`response_body` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`expires_at` text NOT NULL,
	PRIMARY KEY(`principal`, `key`),
	CONSTRAINT "idempotency_keys_state_check" CHECK("state" IN ('in_flight', 'done'))
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_expires_at_idx` ON `idempotency_keys` (`expires_at`);--> statement-breakpoint
CREATE TABLE `markets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `markets_code_unique` ON `markets` (`code`);--> statement-breakpoint
CREATE INDEX `markets_updated_at_idx` ON `markets` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `measurements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`test_run_id` integer NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`value` real NOT NULL,
	`unit` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`test_run_id`) REFERENCES `test_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `measurements_test_run_id_idx` ON `measurements` (`test_run_id`,`position`);--> statement-breakpoint
CREATE INDEX `measurements_name_idx` ON `measurements` (`name`,`test_run_id`);--> statement-breakpoint
CREATE TABLE `plan_targets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`year` integer NOT NULL,
	`model_count_target` integer NOT NULL,
	`units_target` integer NOT NULL,
	`outside_japan_share_min` real,
	`outside_japan_share_max` real,
	`notes` text DEFAULT '' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "plan_targets_counts_check" CHECK("plan_targets"."model_count_target" >= 0 AND "plan_targets"."units_target" >= 0),
	CONSTRAINT "plan_targets_share_check" CHECK(("plan_targets"."outside_japan_share_min" IS NULL OR "plan_targets"."outside_japan_share_min" BETWEEN 0 AND 100) AND ("plan_targets"."outside_japan_share_max" IS NULL OR "plan_targets"."outside_japan_share_max" BETWEEN 0 AND 100))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plan_targets_year_unique` ON `plan_targets` (`year`);--> statement-breakpoint
CREATE INDEX `plan_targets_updated_at_idx` ON `plan_targets` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `programs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`series_id` integer NOT NULL,
	`season` text NOT NULL,
	`start_year` integer NOT NULL,
	`end_year` integer NOT NULL,
	`class` text DEFAULT '' NOT NULL,
	`entry` text NOT NULL,
	`car` text NOT NULL,
	`status` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`series_id`) REFERENCES `series`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "programs_status_check" CHECK("status" IN ('planned', 'active', 'completed')),
	CONSTRAINT "programs_years_check" CHECK("programs"."end_year" >= "programs"."start_year")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `programs_key_unique` ON `programs` (`series_id`,`season`,`class`,`entry`);--> statement-breakpoint
CREATE INDEX `programs_series_id_idx` ON `programs` (`series_id`);--> statement-breakpoint
CREATE INDEX `programs_start_year_idx` ON `programs` (`start_year`,`id`);--> statement-breakpoint
CREATE INDEX `programs_updated_at_idx` ON `programs` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `prototype_programs` (
	`prototype_id` integer NOT NULL,
	`program_id` integer NOT NULL,
	PRIMARY KEY(`prototype_id`, `program_id`),
	FOREIGN KEY (`prototype_id`) REFERENCES `prototypes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `prototype_programs_program_id_idx` ON `prototype_programs` (`program_id`,`prototype_id`);--> statement-breakpoint
CREATE TABLE `prototypes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`kind` text NOT NULL,
	`hardware_revision` text DEFAULT '' NOT NULL,
	`road_model_id` integer,
	`notes` text DEFAULT '' NOT NULL,
	`demo` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`road_model_id`) REFERENCES `road_models`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "prototypes_kind_check" CHECK("kind" IN ('race_car', 'mule', 'road_prototype', 'dyno_rig', 'bench_rig', 'hil_rig', 'simulator'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `prototypes_code_unique` ON `prototypes` (`code`);--> statement-breakpoint
CREATE INDEX `prototypes_road_model_id_idx` ON `prototypes` (`road_model_id`);--> statement-breakpoint
CREATE INDEX `prototypes_updated_at_idx` ON `prototypes` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `readiness_assessments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`technology_id` integer NOT NULL,
	`target` text NOT NULL,
	`level` integer NOT NULL,
	`assessed_on` text NOT NULL,
	`assessor` text NOT NULL,
	`rationale` text DEFAULT '' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`technology_id`) REFERENCES `technologies`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "readiness_assessments_target_check" CHECK("target" IN ('race', 'road')),
	CONSTRAINT "readiness_assessments_level_check" CHECK("readiness_assessments"."level" BETWEEN 1 AND 9)
);
--> statement-breakpoint
CREATE INDEX `readiness_assessments_technology_idx` ON `readiness_assessments` (`technology_id`,`target`,`assessed_on`,`id`);--> statement-breakpoint
CREATE INDEX `readiness_assessments_updated_at_idx` ON `readiness_assessments` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `readiness_evidence_runs` (
	`assessment_id` integer NOT NULL,
	`test_run_id` integer NOT NULL,
	PRIMARY KEY(`assessment_id`, `test_run_id`),
	FOREIGN KEY (`assessment_id`) REFERENCES `readiness_assessments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`test_run_id`) REFERENCES `test_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `readiness_evidence_runs_test_run_id_idx` ON `readiness_evidence_runs` (`test_run_id`);--> statement-breakpoint
CREATE TABLE `road_model_markets` (
	`road_model_id` integer NOT NULL,
	`market_id` integer NOT NULL,
	`year` integer NOT NULL,
	`planned_units` integer NOT NULL,
	PRIMARY KEY(`road_model_id`, `market_id`, `year`),
	FOREIGN KEY (`road_model_id`) REFERENCES `road_models`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`market_id`) REFERENCES `markets`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "road_model_markets_units_check" CHECK("road_model_markets"."planned_units" >= 0)
);
--> statement-breakpoint
CREATE INDEX `road_model_markets_market_id_idx` ON `road_model_markets` (`market_id`);--> statement-breakpoint
CREATE INDEX `road_model_markets_year_idx` ON `road_model_markets` (`year`);--> statement-breakpoint
CREATE TABLE `road_models` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`base_model` text DEFAULT '' NOT NULL,
	`powertrain` text NOT NULL,
	`status` text NOT NULL,
	`launch_date` text,
	`end_date` text,
	`partner` text,
	`description` text DEFAULT '' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "road_models_powertrain_check" CHECK("powertrain" IN ('ice', 'e_power', 'ev')),
	CONSTRAINT "road_models_status_check" CHECK("status" IN ('concept', 'planned', 'development', 'production', 'discontinued'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `road_models_name_unique` ON `road_models` (`name`);--> statement-breakpoint
CREATE INDEX `road_models_updated_at_idx` ON `road_models` (`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `road_models_launch_date_idx` ON `road_models` (`launch_date`,`id`);--> statement-breakpoint
CREATE TABLE `sequences` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `series` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_name_unique` ON `series` (`name`);--> statement-breakpoint
CREATE INDEX `series_updated_at_idx` ON `series` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`csrf_secret` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`last_seen_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_user_id_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_at_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `technologies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`domain` text NOT NULL,
	`category_id` integer NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`origin_program_id` integer,
	`owner` text DEFAULT '' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`category_id`) REFERENCES `technology_categories`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`origin_program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "technologies_domain_check" CHECK("domain" IN ('hardware', 'software'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `technologies_name_unique` ON `technologies` (`name`);--> statement-breakpoint
CREATE INDEX `technologies_category_id_idx` ON `technologies` (`category_id`);--> statement-breakpoint
CREATE INDEX `technologies_origin_program_id_idx` ON `technologies` (`origin_program_id`);--> statement-breakpoint
CREATE INDEX `technologies_updated_at_idx` ON `technologies` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `technology_categories` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `technology_categories_name_unique` ON `technology_categories` (`name`);--> statement-breakpoint
CREATE INDEX `technology_categories_updated_at_idx` ON `technology_categories` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `technology_derivations` (
	`parent_id` integer NOT NULL,
	`child_id` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`parent_id`, `child_id`),
	FOREIGN KEY (`parent_id`) REFERENCES `technologies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`child_id`) REFERENCES `technologies`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "technology_derivations_not_self" CHECK("technology_derivations"."parent_id" <> "technology_derivations"."child_id")
);
--> statement-breakpoint
CREATE INDEX `technology_derivations_child_id_idx` ON `technology_derivations` (`child_id`,`parent_id`);--> statement-breakpoint
CREATE TABLE `test_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`prototype_id` integer NOT NULL,
	`program_id` integer,
	`title` text NOT NULL,
	`objective` text DEFAULT '' NOT NULL,
	`venue_type` text NOT NULL,
	`location` text DEFAULT '' NOT NULL,
	`start_time` text NOT NULL,
	`end_time` text,
	`status` text NOT NULL,
	`software_version` text DEFAULT '' NOT NULL,
	`hardware_revision` text DEFAULT '' NOT NULL,
	`engineer` text DEFAULT '' NOT NULL,
	`result_summary` text DEFAULT '' NOT NULL,
	`demo` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`prototype_id`) REFERENCES `prototypes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "test_runs_venue_type_check" CHECK("venue_type" IN ('track', 'race_event', 'dyno', 'bench', 'hil', 'sil', 'simulator', 'wind_tunnel')),
	CONSTRAINT "test_runs_status_check" CHECK("status" IN ('planned', 'running', 'completed', 'aborted')),
	CONSTRAINT "test_runs_times_check" CHECK("test_runs"."end_time" IS NULL OR "test_runs"."end_time" >= "test_runs"."start_time")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `test_runs_code_unique` ON `test_runs` (`code`);--> statement-breakpoint
CREATE INDEX `test_runs_prototype_id_idx` ON `test_runs` (`prototype_id`,`start_time`);--> statement-breakpoint
CREATE INDEX `test_runs_program_id_idx` ON `test_runs` (`program_id`,`start_time`);--> statement-breakpoint
CREATE INDEX `test_runs_start_time_idx` ON `test_runs` (`start_time`,`id`);--> statement-breakpoint
CREATE INDEX `test_runs_end_time_idx` ON `test_runs` (`end_time`);--> statement-breakpoint
CREATE INDEX `test_runs_updated_at_idx` ON `test_runs` (`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `test_runs_status_idx` ON `test_runs` (`status`,`start_time`);--> statement-breakpoint
CREATE INDEX `test_runs_venue_type_idx` ON `test_runs` (`venue_type`,`start_time`);--> statement-breakpoint
CREATE TABLE `transfers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`technology_id` integer NOT NULL,
	`road_model_id` integer NOT NULL,
	`stage` text NOT NULL,
	`rationale` text DEFAULT '' NOT NULL,
	`decided_on` text,
	`reviewed_by` integer,
	`reviewed_at` text,
	`review_note` text DEFAULT '' NOT NULL,
	`review_fingerprint` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`technology_id`) REFERENCES `technologies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`road_model_id`) REFERENCES `road_models`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "transfers_stage_check" CHECK("stage" IN ('candidate', 'evaluation', 'approved', 'in_production', 'rejected'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `transfers_technology_road_model_unique` ON `transfers` (`technology_id`,`road_model_id`);--> statement-breakpoint
CREATE INDEX `transfers_road_model_id_idx` ON `transfers` (`road_model_id`,`technology_id`);--> statement-breakpoint
CREATE INDEX `transfers_stage_idx` ON `transfers` (`stage`,`id`);--> statement-breakpoint
CREATE INDEX `transfers_updated_at_idx` ON `transfers` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "users_role_check" CHECK("role" IN ('viewer', 'engineer', 'product', 'admin'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);