-- The SQLite schema as ethrec released it at version 3 (migrations 1 to 3 of
-- service/sqlite/schema.cc, frozen), dumped from a file that ethrecd at
-- 2cbad6f created and filled through the API: two synthetic children, one
-- told the school who they are (with the school's own id for the child) and
-- a GP recorded otherwise in two versions, so it has findings (one of them
-- acknowledged by an officer); the other with one record. No audit trail
-- yet. audit_store_test opens it with the current code to check migration 4.
-- Synthetic data only.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at_us BIGINT NOT NULL
);
INSERT INTO schema_migrations VALUES(1,'children, identifiers, records and observations',1796048873957670);
INSERT INTO schema_migrations VALUES(2,'findings with their history; each record''s current state',1796048873957670);
INSERT INTO schema_migrations VALUES(3,'findings visible to both agencies of a disagreement; when the identity was stated',1796048873957670);
CREATE TABLE children (
  child_id INTEGER PRIMARY KEY,
  created_at_us BIGINT NOT NULL
);
INSERT INTO children VALUES(1,1796048879324548);
INSERT INTO children VALUES(2,1796048879513864);
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
INSERT INTO child_agency_ids VALUES('school','PUPIL-1',1);
CREATE TABLE records (
  agency VARCHAR(128) NOT NULL,
  record_id VARCHAR(128) NOT NULL,
  child_id BIGINT NOT NULL REFERENCES children (child_id),
  current_version BIGINT NOT NULL, self_defined SMALLINT NOT NULL DEFAULT 0, cur_supplied_by VARCHAR(32) NOT NULL DEFAULT '', cur_recorded_at_us BIGINT NOT NULL DEFAULT 0, cur_system TEXT NOT NULL DEFAULT '', cur_outcome VARCHAR(32) NOT NULL DEFAULT '', cur_categories TEXT NOT NULL DEFAULT '', cur_confidences TEXT NOT NULL DEFAULT '', cur_detail TEXT NOT NULL DEFAULT '', cur_basis VARCHAR(32) NOT NULL DEFAULT '', cur_code TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (agency, record_id)
);
INSERT INTO records VALUES('school','s-1',1,1,1,'SELF',1772442000000000,'dfe','CATEGORIES','BLACK_CARIBBEAN','1','','self-defined','BCRB');
INSERT INTO records VALUES('gp','g-1',1,2,0,'PRACTITIONER',1775031300000000,'nhs-ethnic-category','CATEGORIES','WHITE_BRITISH','1','','self-defined','A');
INSERT INTO records VALUES('csc','c-9',2,1,1,'PARENT_OR_CARER',1770732000000000,'dfe','CATEGORIES','WHITE_BRITISH','1','','self-defined','WBRI');
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
INSERT INTO observations VALUES('school','s-1',1,'9990002010','PUPIL-1','dfe','BCRB','','SELF',1772442000000000,1796048879324548,'CATEGORIES','BLACK_CARIBBEAN','1','BLACK_CARIBBEAN','equivalent',0,'','self-defined','dfe','2024-09','BCRB','Black Caribbean','dfe-to-ons-2021-ew','1.0.0',0,'dfe code BCRB ''Black Caribbean'' (version 2024-09) via map dfe-to-ons-2021-ew version 1.0.0: Same meaning as ONS 2021 ''Black, Black British, Black Welsh, Caribbean or African: Caribbean''.','');
INSERT INTO observations VALUES('gp','g-1',1,'9990002010','','nhs-ethnic-category','A','','PRACTITIONER',1772710200000000,1796048879359282,'CATEGORIES','WHITE_BRITISH','1','WHITE_BRITISH','equivalent',0,'','self-defined','nhs-ethnic-category','2001.1','A','White - British','nhs-ethnic-category-to-ons-2021-ew','1.0.0',0,'nhs-ethnic-category code A ''White - British'' (version 2001.1) via map nhs-ethnic-category-to-ons-2021-ew version 1.0.0: Same meaning as ONS 2021 ''White: English, Welsh, Scottish, Northern Irish or British'' (PDS wording ''British, Mixed British'').','');
INSERT INTO observations VALUES('gp','g-1',2,'9990002010','','nhs-ethnic-category','A','','PRACTITIONER',1775031300000000,1796048879483676,'CATEGORIES','WHITE_BRITISH','1','WHITE_BRITISH','equivalent',0,'','self-defined','nhs-ethnic-category','2001.1','A','White - British','nhs-ethnic-category-to-ons-2021-ew','1.0.0',0,'nhs-ethnic-category code A ''White - British'' (version 2001.1) via map nhs-ethnic-category-to-ons-2021-ew version 1.0.0: Same meaning as ONS 2021 ''White: English, Welsh, Scottish, Northern Irish or British'' (PDS wording ''British, Mixed British'').','');
INSERT INTO observations VALUES('csc','c-9',1,'9990003017','','dfe','WBRI','','PARENT_OR_CARER',1770732000000000,1796048879513864,'CATEGORIES','WHITE_BRITISH','1','WHITE_BRITISH','equivalent',0,'','self-defined','dfe','2024-09','WBRI','White - British','dfe-to-ons-2021-ew','1.0.0',0,'dfe code WBRI ''White - British'' (version 2024-09) via map dfe-to-ons-2021-ew version 1.0.0: Same meaning as ONS 2021 ''White: English, Welsh, Scottish, Northern Irish or British''.','');
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
, other_agency VARCHAR(128) NOT NULL DEFAULT '');
INSERT INTO findings VALUES(1,1,'gp	g-1	2','NOT_SELF_DEFINED','LOW',1,'ACKNOWLEDGED','gp','','','							','',1796048879359282,1796048879359282,0,replace('UPDATED	1796048879483676			\nACKNOWLEDGED	1796048881337786	county-dq	data-quality-officer	synthetic review\n','\n',char(10)),'');
INSERT INTO findings VALUES(2,1,replace('gp	g-1	2\nschool	s-1	1','\n',char(10)),'SELF_ID_MISMATCH','HIGH',3,'OPEN','gp','WHITE_BRITISH','BLACK_CARIBBEAN','		nhs-ethnic-category	A		Black or Black British - Caribbean	1772442000000000	','M',1796048879359282,1796048879359282,0,replace('UPDATED	1796048879483676			\n','\n',char(10)),'');
CREATE TABLE store_state (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO store_state VALUES('findings_stale','0');
CREATE TABLE finding_counts (
  agency VARCHAR(128) NOT NULL,
  other_agency VARCHAR(128) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  status VARCHAR(16) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (agency, other_agency, kind, status)
);
INSERT INTO finding_counts VALUES('gp','','NOT_SELF_DEFINED','OPEN',0);
INSERT INTO finding_counts VALUES('gp','','SELF_ID_MISMATCH','OPEN',1);
INSERT INTO finding_counts VALUES('gp','','NOT_SELF_DEFINED','ACKNOWLEDGED',1);
CREATE INDEX child_nhs_numbers_by_child ON child_nhs_numbers (child_id);
CREATE INDEX child_agency_ids_by_child ON child_agency_ids (child_id);
CREATE INDEX findings_by_child ON findings (child_id);
CREATE INDEX records_by_agency_child ON records (agency, child_id, self_defined);
CREATE INDEX records_by_child_agency ON records (child_id, agency, record_id);
COMMIT;
