#include "mapping/child_record.h"

#include <algorithm>

namespace ethrec {

bool MaySeeChild(const ChildRecord& child, const ChildViewer& viewer) {
  if (viewer.all_agencies) return true;
  return std::any_of(child.records.begin(), child.records.end(),
                     [&viewer](const RecordHistory& r) { return r.agency == viewer.agency; });
}

ChildRecord ViewOfChild(const ChildRecord& child, const ChildViewer& viewer) {
  if (viewer.all_agencies) return child;
  ChildRecord seen;
  seen.child_id = child.child_id;
  for (const RecordHistory& r : child.records) {
    if (r.agency == viewer.agency) seen.records.push_back(r);
  }
  // Another agency's NHS number for the child is not the viewer's to learn.
  for (const std::string& nhs : child.nhs_numbers) {
    const bool sent = std::any_of(seen.records.begin(), seen.records.end(), [&nhs](const RecordHistory& r) {
      return std::any_of(r.versions.begin(), r.versions.end(),
                         [&nhs](const StoredObservation& v) { return v.observation.nhs_number == nhs; });
    });
    if (sent) seen.nhs_numbers.push_back(nhs);
  }
  for (const AgencyChildId& id : child.agency_child_ids) {
    if (id.agency == viewer.agency) seen.agency_child_ids.push_back(id);
  }
  for (const StoredFinding& f : child.findings) {
    if (VisibleToAgency(f, viewer.agency)) seen.findings.push_back(f);
  }
  return seen;
}

}  // namespace ethrec
