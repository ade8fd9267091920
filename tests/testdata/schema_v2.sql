-- The SQLite schema as ethrec released it at version 2 (migrations 1 and 2 of
-- service/sqlite_store.cc, frozen), with two synthetic children as such a file
-- held them: a disagreement between two practitioner-assumed records (facts
-- name the other agency), and a MISSING finding whose facts carry flags
-- ("au"). Facts are in the version-2 form (seven tab-separated fields).
-- findings_store_test opens it with the current code to check migration 3.
-- Synthetic data only.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at_us BIGINT NOT NULL
);
INSERT INTO schema_migrations VALUES(1,'children, identifiers, records and observations',1796031926320376);
INSERT INTO schema_migrations VALUES(2,'findings with their history; each record''s current state',1796031926320376);
CREATE TABLE children (
  child_id INTEGER PRIMARY KEY,
  created_at_us BIGINT NOT NULL
);
INSERT INTO children VALUES(1,1796031927811600);
INSERT INTO children VALUES(2,1796031934937446);
CREATE TABLE child_nhs_numbers (
  nhs_number VARCHAR(10) NOT NULL PRIMARY KEY,
  child_id BIGINT NOT NULL REFERENCES children (child_id)
);
INSERT INTO child_nhs_numbers VALUES('9990002010',1);
INSERT INTO child_nhs_numbers VALUES('9990003017',2);
CREATE TABLE child_agency_ids (
  agency VARCHAR(128) NOT NULL,
  agency_child_id VARCHAR(128) NOT NULL,
  child_id BIGINT NOT NULL REFERENCES children (child_id),
  PRIMARY KEY (agency, agency_child_id)
);
CREATE TABLE records (
  agency VARCHAR(128) NOT NULL,
  record_id VARCHAR(128) NOT NULL,
  child_id BIGINT NOT NULL REFERENCES children (child_id),
  current_version BIGINT NOT NULL, self_defined SMALLINT NOT NULL DEFAULT 0, cur_supplied_by VARCHAR(32) NOT NULL DEFAULT '', cur_recorded_at_us BIGINT NOT NULL DEFAULT 0, cur_system TEXT NOT NULL DEFAULT '', cur_outcome VARCHAR(32) NOT NULL DEFAULT '', cur_categories TEXT NOT NULL DEFAULT '', cur_confidences TEXT NOT NULL DEFAULT '', cur_detail TEXT NOT NULL DEFAULT '', cur_basis VARCHAR(32) NOT NULL DEFAULT '', cur_code TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (agency, record_id)
);
INSERT INTO records VALUES('gp','g201',1,1,0,'PRACTITIONER',1767607200000000,'nhs-ethnic-category','CATEGORIES','WHITE_BRITISH','1','','self-defined','A');
INSERT INTO records VALUES('school','s201',1,1,0,'PRACTITIONER',1770285600000000,'dfe','CATEGORIES','BLACK_CARIBBEAN','1','','self-defined','BCRB');
INSERT INTO records VALUES('csc','c301',2,1,1,'PARENT_OR_CARER',1767607200000000,'dfe','CATEGORIES','ASIAN_PAKISTANI','1','','self-defined','APKN');
INSERT INTO records VALUES('gp','g301',2,1,0,'UNKNOWN',1770285600000000,'','UNRECOGNISED','','','','unspecified','');
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
INSERT INTO observations VALUES('gp','g201',1,'9990002010','','nhs-ethnic-category','A','','PRACTITIONER',1767607200000000,1796031927811600,'CATEGORIES','WHITE_BRITISH','1','WHITE_BRITISH','equivalent',0,'','self-defined','nhs-ethnic-category','2001.1','A','White - British','nhs-ethnic-category-to-ons-2021-ew','1.0.0',0,'nhs-ethnic-category code A ''White - British'' (version 2001.1) via map nhs-ethnic-category-to-ons-2021-ew version 1.0.0: Same meaning as ONS 2021 ''White: English, Welsh, Scottish, Northern Irish or British'' (PDS wording ''British, Mixed British'').','');
INSERT INTO observations VALUES('school','s201',1,'9990002010','','dfe','BCRB','','PRACTITIONER',1770285600000000,1796031927833167,'CATEGORIES','BLACK_CARIBBEAN','1','BLACK_CARIBBEAN','equivalent',0,'','self-defined','dfe','2024-09','BCRB','Black Caribbean','dfe-to-ons-2021-ew','1.0.0',0,'dfe code BCRB ''Black Caribbean'' (version 2024-09) via map dfe-to-ons-2021-ew version 1.0.0: Same meaning as ONS 2021 ''Black, Black British, Black Welsh, Caribbean or African: Caribbean''.','');
INSERT INTO observations VALUES('csc','c301',1,'9990003017','','dfe','APKN','','PARENT_OR_CARER',1767607200000000,1796031934937446,'CATEGORIES','ASIAN_PAKISTANI','1','ASIAN_PAKISTANI','equivalent',0,'','self-defined','dfe','2024-09','APKN','Pakistani','dfe-to-ons-2021-ew','1.0.0',0,'dfe code APKN ''Pakistani'' (version 2024-09) via map dfe-to-ons-2021-ew version 1.0.0: Same meaning as ONS 2021 ''Asian, Asian British or Asian Welsh: Pakistani''.','');
INSERT INTO observations VALUES('gp','g301',1,'9990003017','','','','British','UNKNOWN',1770285600000000,1796031934961366,'UNRECOGNISED','','','','not-related-to',0,'','unspecified','','','','','','',1,'free text (lexicon core 1.0.0, places 1.0.0): recognised ''british'' (heritage): a nationality, which names no ethnic group; not guessed','');
CREATE TABLE findings (
  finding_id INTEGER PRIMARY KEY,
  child_id BIGINT NOT NULL REFERENCES children (child_id),
  compared TEXT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  severity VARCHAR(16) NOT NULL,
  severity_rank SMALLINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  agency VARCHAR(128) NOT NULL,
  record_set TEXT NOT NULL,
  reference_set TEXT NOT NULL,
  facts TEXT NOT NULL,
  suggested_code TEXT NOT NULL,
  first_raised_at_us BIGINT NOT NULL,
  last_raised_at_us BIGINT NOT NULL,
  reopen_count INTEGER NOT NULL,
  history TEXT NOT NULL
);
INSERT INTO findings VALUES(1,1,'gp	g201	1','NOT_SELF_DEFINED','LOW',1,'OPEN','gp','','','						','',1796031927811600,1796031927811600,0,'');
INSERT INTO findings VALUES(2,1,'school	s201	1','NOT_SELF_DEFINED','LOW',1,'OPEN','school','','','						','',1796031927833167,1796031927833167,0,'');
INSERT INTO findings VALUES(3,1,replace('gp	g201	1\nschool	s201	1','\n',char(10)),'AGENCY_DISAGREEMENT','MEDIUM',2,'OPEN','gp','WHITE_BRITISH','BLACK_CARIBBEAN','		nhs-ethnic-category	A	school		','',1796031927833167,1796031927833167,0,'');
INSERT INTO findings VALUES(4,2,replace('gp	g301	1\ncsc	c301	1','\n',char(10)),'MISSING','MEDIUM',2,'OPEN','gp','','ASIAN_PAKISTANI','						au','',1796031934961366,1796031934961366,0,'');
CREATE TABLE store_state (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO store_state VALUES('findings_stale','0');
CREATE TABLE finding_counts (
  agency VARCHAR(128) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  status VARCHAR(16) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (agency, kind, status)
);
INSERT INTO finding_counts VALUES('gp','AGENCY_DISAGREEMENT','OPEN',1);
INSERT INTO finding_counts VALUES('gp','MISSING','OPEN',1);
INSERT INTO finding_counts VALUES('gp','NOT_SELF_DEFINED','OPEN',1);
INSERT INTO finding_counts VALUES('school','NOT_SELF_DEFINED','OPEN',1);
CREATE INDEX child_nhs_numbers_by_child ON child_nhs_numbers (child_id);
CREATE INDEX child_agency_ids_by_child ON child_agency_ids (child_id);
CREATE INDEX findings_by_child ON findings (child_id);
CREATE INDEX records_by_agency_child ON records (agency, child_id, self_defined);
CREATE INDEX records_by_child_agency ON records (child_id, agency, record_id);
COMMIT;
