-- The SQLite schema as ethrec released it at version 1 (migration 1 of
-- service/sqlite_store.cc, frozen), with one synthetic child recorded by two
-- agencies, as such a file held it. findings_store_test opens it with the
-- current code to check the forward migration. Synthetic data only.
CREATE TABLE schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at_us BIGINT NOT NULL
);
INSERT INTO schema_migrations VALUES (1, 'children, identifiers, records and observations', 1767225600000000);
CREATE TABLE children (
  child_id INTEGER PRIMARY KEY,
  created_at_us BIGINT NOT NULL
);
CREATE TABLE child_nhs_numbers (
  nhs_number VARCHAR(10) NOT NULL PRIMARY KEY,
  child_id BIGINT NOT NULL REFERENCES children (child_id)
);
CREATE INDEX child_nhs_numbers_by_child ON child_nhs_numbers (child_id);
CREATE TABLE child_agency_ids (
  agency VARCHAR(128) NOT NULL,
  agency_child_id VARCHAR(128) NOT NULL,
  child_id BIGINT NOT NULL REFERENCES children (child_id),
  PRIMARY KEY (agency, agency_child_id)
);
CREATE INDEX child_agency_ids_by_child ON child_agency_ids (child_id);
CREATE TABLE records (
  agency VARCHAR(128) NOT NULL,
  record_id VARCHAR(128) NOT NULL,
  child_id BIGINT NOT NULL REFERENCES children (child_id),
  current_version BIGINT NOT NULL,
  PRIMARY KEY (agency, record_id)
);
CREATE INDEX records_by_child ON records (child_id);
CREATE TABLE observations (
  agency VARCHAR(128) NOT NULL,
  record_id VARCHAR(128) NOT NULL,
  record_version BIGINT NOT NULL,
  nhs_number VARCHAR(10) NOT NULL,
  agency_child_id VARCHAR(128) NOT NULL,
  obs_system TEXT NOT NULL,
  obs_code TEXT NOT NULL,
  obs_text TEXT NOT NULL,
  supplied_by VARCHAR(32) NOT NULL,
  recorded_at_us BIGINT NOT NULL,
  received_at_us BIGINT NOT NULL,
  norm_outcome VARCHAR(32) NOT NULL,
  norm_categories TEXT NOT NULL,
  norm_confidences TEXT NOT NULL,
  norm_category_set TEXT NOT NULL,
  norm_relationship VARCHAR(64) NOT NULL,
  norm_ambiguous SMALLINT NOT NULL,
  norm_detail TEXT NOT NULL,
  norm_basis VARCHAR(32) NOT NULL,
  norm_system TEXT NOT NULL,
  norm_system_version TEXT NOT NULL,
  norm_code TEXT NOT NULL,
  norm_display TEXT NOT NULL,
  norm_map_id TEXT NOT NULL,
  norm_map_version TEXT NOT NULL,
  norm_decided_by_text SMALLINT NOT NULL,
  norm_explanation TEXT NOT NULL,
  norm_notes TEXT NOT NULL,
  PRIMARY KEY (agency, record_id, record_version),
  FOREIGN KEY (agency, record_id) REFERENCES records (agency, record_id)
);
INSERT INTO children VALUES (1, 1767225600000000);
INSERT INTO child_nhs_numbers VALUES ('9990001030', 1);
INSERT INTO records VALUES ('school', 's103', 1, 1);
INSERT INTO records VALUES ('gp', 'g103', 1, 2);
INSERT INTO observations VALUES ('school', 's103', 1, '9990001030', '', 'dfe', 'MWBC', '', 'SELF',
  1772528400000000, 1772528400000000, 'CATEGORIES', 'MIXED_WHITE_BLACK_CARIBBEAN', '1', 'MIXED_WHITE_BLACK_CARIBBEAN',
  'equivalent', 0, '', 'self-defined', 'dfe', '2024-09', 'MWBC', 'White and Black Caribbean', 'dfe-to-ons-2021-ew',
  '1.0.0', 0, 'dfe code MWBC', '');
INSERT INTO observations VALUES ('gp', 'g103', 1, '9990001030', '', 'nhs-ethnic-category', 'A', '', 'PRACTITIONER',
  1780477200000000, 1780477200000000, 'CATEGORIES', 'WHITE_BRITISH', '1', 'WHITE_BRITISH', 'equivalent', 0, '',
  'self-defined', 'nhs-ethnic-category', '2001.1', 'A', 'British', 'nhs-ethnic-category-to-ons-2021-ew', '1.0.0', 0,
  'nhs-ethnic-category code A', '');
INSERT INTO observations VALUES ('gp', 'g103', 2, '9990001030', '', 'nhs-ethnic-category', 'A', '', 'PRACTITIONER',
  1780563600000000, 1780563600000000, 'CATEGORIES', 'WHITE_BRITISH', '1', 'WHITE_BRITISH', 'equivalent', 0, '',
  'self-defined', 'nhs-ethnic-category', '2001.1', 'A', 'British', 'nhs-ethnic-category-to-ons-2021-ew', '1.0.0', 0,
  'nhs-ethnic-category code A', '');
