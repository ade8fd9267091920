// ChildRecord: everything held about one child (its identifiers, every
// version of every agency's record, its findings), and what one viewer may
// see of it. Pure domain: the stores fill it, api/ converts it, and the
// least-privilege rule below is the one place that decides what an agency
// sees of a child that other agencies also hold records about.
//
// Example:
//   const ChildViewer viewer{.all_agencies = false, .agency = caller_agency};
//   if (!MaySeeChild(child, viewer)) return ChildNotFound(key);  // never reveal it exists
//   ChildRecord seen = ViewOfChild(child, viewer);
#ifndef ETHREC_MAPPING_CHILD_RECORD_H_
#define ETHREC_MAPPING_CHILD_RECORD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mapping/finding.h"
#include "mapping/normalized.h"
#include "mapping/observation.h"

namespace ethrec {

// An agency's own id for a child.
struct AgencyChildId {
  std::string agency;
  std::string agency_child_id;
  friend bool operator==(const AgencyChildId&, const AgencyChildId&) = default;
};

// One stored version of a record.
struct StoredObservation {
  Observation observation;  // as written (recorded_at to the microsecond)
  Normalized normalized;    // as it was normalised when written
  absl::Time received_at;   // when the write that stored it ran
};

// Every stored version of one record.
struct RecordHistory {
  std::string agency;
  std::string record_id;
  // Never empty. The current (highest) version first, then older versions
  // by record_version descending.
  std::vector<StoredObservation> versions;
  const StoredObservation& current() const { return versions.front(); }
};

// Everything stored about one child.
struct ChildRecord {
  // ethrec's internal id for the child: pseudonymous (no NHS number or
  // agency id), kept until a link merges the child into a lower id.
  int64_t child_id = 0;
  // Every NHS number linked to the child, sorted. Usually one; more than one
  // means the agencies disagree about the child's NHS number.
  std::vector<std::string> nhs_numbers;
  // Every agency child id linked to the child, sorted by agency then id.
  // Includes other agencies' ids: ViewOfChild decides what a viewer sees.
  std::vector<AgencyChildId> agency_child_ids;
  // Every record about the child, sorted by agency then record_id.
  std::vector<RecordHistory> records;
  // The child's findings that are not CLEARED, by id (empty when findings
  // are disabled).
  std::vector<StoredFinding> findings;
};

// Who is looking at a child: every agency (a data-quality officer), or one
// agency (a record system), which sees only its own part.
struct ChildViewer {
  bool all_agencies = false;
  absl::string_view agency;  // the viewer's own agency (set for officers too)
};

// Whether `viewer` may know `child` exists: every-agency viewers always; one
// agency only when it holds a record about the child. A caller that may not
// must be answered as for an unknown child.
bool MaySeeChild(const ChildRecord& child, const ChildViewer& viewer);

// `child` as `viewer` may see it. For one agency: its own records and
// agency child ids, only the NHS numbers its own record versions carried,
// and only the findings VisibleToAgency. Every-agency viewers see it all.
// The child_id is kept: it is pseudonymous.
ChildRecord ViewOfChild(const ChildRecord& child, const ChildViewer& viewer);

}  // namespace ethrec

#endif  // ETHREC_MAPPING_CHILD_RECORD_H_
