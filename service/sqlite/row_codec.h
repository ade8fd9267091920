// How the SQLite store writes its rows and reads them back: Normalized
// values as readable text ("WHITE_ROMA|WHITE_OTHER", most likely first),
// the binding of an observation's columns (schema.h kObservationColumns,
// kCurrentColumns), and the rows read back as StoredObservation,
// RecordState and StoredFinding. A column holding what this build cannot
// read is DataLoss naming the column.
#ifndef ETHREC_SERVICE_SQLITE_ROW_CODEC_H_
#define ETHREC_SERVICE_SQLITE_ROW_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mapping/audit_event.h"
#include "mapping/finding.h"
#include "mapping/normalized.h"
#include "mapping/observation.h"
#include "mapping/reconcile.h"
#include "service/sqlite/statement.h"
#include "service/store.h"

namespace ethrec::sqlite_internal {

// The text columns of a Normalized value, encoded once per write. Query
// binds text without a copy, so these must outlive the Query they are bound to.
struct EncodedNormalized {
  explicit EncodedNormalized(const Normalized& n);
  std::string categories;    // "WHITE_ROMA|WHITE_OTHER"
  std::string confidences;   // "0.5|0.5"
  std::string category_set;  // the set's names, taxonomy order
  std::string notes;         // each note escaped, then a newline
};

// The functions that bind or read a row take the query as a template
// parameter: the SQLite store's Query (statement.h) and the PostgreSQL
// store's (service/postgres/statement.h), which have the same methods; both
// are instantiated in row_codec.cc.

// Binds, in kCurrentColumns order, what reconciliation reads of a record's
// current version (`o`, `n`; `e` encodes `n`).
template <typename Q>
Q& BindCurrentState(Q& q, const Observation& o, const Normalized& n, const EncodedNormalized& e);

// Binds every column of one version, in kObservationColumns order.
template <typename Q>
Q& BindObservation(Q& q, const Observation& o, const Normalized& n, const EncodedNormalized& e,
                       int64_t received_us);

// The row the query is on: an observation (kObservationColumns), a
// record's current state (the columns of the kCurrentRecords statement;
// `r` may hold an earlier row), a finding (kFindingColumns).
template <typename Q>
absl::StatusOr<StoredObservation> ReadObservationRow(const Q& q);
template <typename Q>
absl::Status ReadRecordStateRow(const Q& q, RecordState& r);
template <typename Q>
absl::StatusOr<StoredFinding> ReadFindingRow(const Q& q);
// A row of the kChildFindings statement (id, compared, status, child, kind,
// agency, other agency, severity rank): what reconciliation needs of a
// stored finding. `*child` is the child it is about.
template <typename Q>
absl::StatusOr<ExistingFinding> ReadExistingFindingRow(const Q& q, int64_t* child);

// A set of categories as its names, and back (DataLoss naming `column`).
std::string CategorySetText(CategorySet set);
absl::StatusOr<CategorySet> ParseCategorySet(absl::string_view text, absl::string_view column);

// A finding's history after its first event, one line per event:
// ACTION<TAB>at_us<TAB>by_agency<TAB>by_role<TAB>note<NEWLINE>, every field
// escaped; appending an event is part of the one UPDATE that changes the
// finding. ParseHistory reads what EventLine lines make (nullopt otherwise).
std::string EventLine(FindingAction action, int64_t at_us, absl::string_view by_agency = "",
                      absl::string_view by_role = "", absl::string_view note = "");
std::optional<std::vector<FindingEvent>> ParseHistory(absl::string_view text);

// A finding's facts as one line, and back (nullopt for text FactsText cannot have written).
std::string FactsText(const FindingFacts& f);
std::optional<FindingFacts> ParseFacts(absl::string_view text);

// Ids as a comma list ("12,15"; "" for none), and back (nullopt for text
// IdListText cannot have written).
std::string IdListText(const std::vector<int64_t>& ids);
std::optional<std::vector<int64_t>> ParseIdList(absl::string_view text);

// Binds an audit event's columns but id, in kAuditEventColumns order
// (`child_ids` and `finding_ids`: its lists as IdListText, which must
// outlive the Query), and reads one back (DataLoss naming a column it
// cannot read).
template <typename Q>
Q& BindAuditEvent(Q& q, const AuditEvent& e, const std::string& child_ids, const std::string& finding_ids);
template <typename Q>
absl::StatusOr<AuditEvent> ReadAuditEventRow(const Q& q);

// DataLoss for a column this build cannot read; `column` is in
// `observations` unless it names its table ("findings.record_set").
absl::Status Corrupt(absl::string_view column);
absl::Status CorruptFinding(absl::string_view column);

}  // namespace ethrec::sqlite_internal

#endif  // ETHREC_SERVICE_SQLITE_ROW_CODEC_H_
