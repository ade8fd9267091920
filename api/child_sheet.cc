#include "api/child_sheet.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "mapping/reconcile.h"
#include "mapping/verdict.h"
#include "api/convert.h"

namespace ethrec::api {

void ToSheet(const ChildRecord& child, const ChildViewer& viewer, v1::ChildReconciliation* out) {
  out->set_child_id(child.child_id);
  // The current version of each record, as the rules saw it.
  std::vector<RecordState> states;
  states.reserve(child.records.size());
  for (const RecordHistory& r : child.records) {
    const StoredObservation& c = r.current();
    states.push_back(RecordState{r.agency, r.record_id, c.observation.record_version, c.observation.supplied_by,
                                 c.observation.recorded_at, c.observation.system, c.normalized});
  }
  auto index_of = [&states](const RecordRef& ref) -> std::optional<size_t> {
    for (size_t i = 0; i < states.size(); ++i) {
      if (states[i].agency == ref.agency && states[i].record_id == ref.record_id) return i;
    }
    return std::nullopt;
  };
  // Which findings name each record (see VerdictOf), and the correction
  // offered for it.
  std::vector<std::vector<FindingKind>> kinds(states.size());
  std::vector<std::vector<int64_t>> ids(states.size());
  std::vector<const StoredFinding*> correction(states.size(), nullptr);
  for (const StoredFinding& f : child.findings) {
    if (!viewer.all_agencies && !VisibleToAgency(f, viewer.agency)) continue;
    if ((f.status == FindingStatus::kOpen || f.status == FindingStatus::kAcknowledged)) {
      out->set_open_findings(out->open_findings() + 1);
    }
    for (size_t k = 0; k < f.compared.size(); ++k) {
      const bool names = k == 0 || f.kind == FindingKind::kNotSelfDefined ||
                         (k == 1 && f.kind == FindingKind::kAgencyDisagreement);
      if (!names) continue;
      std::optional<size_t> i = index_of(f.compared[k]);
      if (!i.has_value()) continue;
      kinds[*i].push_back(f.kind);
      ids[*i].push_back(f.id);
      if (k == 0 && !f.suggested_code.empty()) correction[*i] = &f;
    }
  }
  const std::optional<ReferenceIdentity> reference = FindReference(states);
  if (reference.has_value()) {
    const RecordState& r = *reference->record;
    ToProto(ReferenceView{r.normalized.category_set, r.normalized.detail, r.recorded_at, reference->ascribed,
                          reference->declined != nullptr},
            out->mutable_reference());
    if (viewer.all_agencies) {
      out->mutable_reference_record()->set_agency(r.agency);
      out->mutable_reference_record()->set_record_id(r.record_id);
      out->mutable_reference_record()->set_record_version(r.record_version);
    }
  }
  v1::AgencyVerdicts* agency = nullptr;
  for (size_t i = 0; i < states.size(); ++i) {
    const RecordState& s = states[i];
    if (!viewer.all_agencies && s.agency != viewer.agency) continue;
    if (agency == nullptr || agency->agency() != s.agency) {
      agency = out->add_agencies();
      agency->set_agency(s.agency);
    }
    const Verdict verdict = VerdictOf(s, reference, kinds[i]);
    v1::RecordVerdict* rv = agency->add_records();
    rv->mutable_record()->set_agency(s.agency);
    rv->mutable_record()->set_record_id(s.record_id);
    rv->mutable_record()->set_record_version(s.record_version);
    const Observation& o = child.records[i].current().observation;
    rv->set_system(o.system);
    rv->set_code(o.code);
    rv->set_text(o.text);
    rv->set_supplied_by(ToProto(o.supplied_by));
    ToProto(o.recorded_at, rv->mutable_recorded_at());
    ToProto(s.normalized, rv->mutable_value());
    rv->set_verdict(ToProto(verdict));
    for (int64_t id : ids[i]) rv->add_finding_ids(id);
    if (correction[i] != nullptr) {
      rv->set_suggested_code(correction[i]->suggested_code);
      rv->set_suggested_display(correction[i]->facts.suggested_display);
    }
    const std::optional<Verdict> current = FromProto(agency->verdict());
    if (!current.has_value() || VerdictRank(verdict) > VerdictRank(*current)) {
      agency->set_verdict(ToProto(verdict));
    }
  }
}

}  // namespace ethrec::api
