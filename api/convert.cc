#include "api/convert.h"

namespace ethrec::api {

// The proto numbers are the ONS TS021 codes: the enum value plus one.
v1::Category ToProto(Category c) { return static_cast<v1::Category>(Ts021Code(c)); }

std::optional<Category> FromProto(v1::Category c) {
  const int n = static_cast<int>(c);
  if (n < 1 || n > kNumCategories) return std::nullopt;
  return static_cast<Category>(n - 1);
}

v1::Group ToProto(Group g) { return static_cast<v1::Group>(static_cast<int>(g) + 1); }

v1::Outcome ToProto(Outcome o) {
  switch (o) {
    case Outcome::kCategories: return v1::CATEGORIES;
    case Outcome::kNotStated: return v1::NOT_STATED;
    case Outcome::kNotKnown: return v1::NOT_KNOWN;
    case Outcome::kUnrecognised: return v1::UNRECOGNISED;
  }
  return v1::OUTCOME_UNSPECIFIED;
}

v1::Relationship ToProto(Relationship r) {
  switch (r) {
    case Relationship::kEquivalent: return v1::EQUIVALENT;
    case Relationship::kSourceIsNarrowerThanTarget: return v1::SOURCE_IS_NARROWER_THAN_TARGET;
    case Relationship::kSourceIsBroaderThanTarget: return v1::SOURCE_IS_BROADER_THAN_TARGET;
    case Relationship::kRelatedTo: return v1::RELATED_TO;
    case Relationship::kNotRelatedTo: return v1::NOT_RELATED_TO;
  }
  return v1::RELATIONSHIP_UNSPECIFIED;
}

v1::RecordingBasis ToProto(RecordingBasis b) {
  switch (b) {
    case RecordingBasis::kSelfDefined: return v1::SELF_DEFINED;
    case RecordingBasis::kObserved: return v1::OBSERVED;
    case RecordingBasis::kUnspecified: return v1::RECORDING_BASIS_UNSPECIFIED;
  }
  return v1::RECORDING_BASIS_UNSPECIFIED;
}

void ToProto(const Normalized& n, v1::NormalizedValue* out) {
  out->set_outcome(ToProto(n.outcome));
  for (const RankedCategory& c : n.categories) {
    v1::RankedCategory* r = out->add_categories();
    r->set_category(ToProto(c.category));
    r->set_confidence(c.confidence);
  }
  out->set_relationship(ToProto(n.relationship));
  out->set_ambiguous(n.ambiguous);
  out->set_detail(n.detail);
  out->set_basis(ToProto(n.basis));
  out->set_system(n.system);
  out->set_system_version(n.system_version);
  out->set_code(n.code);
  out->set_display(n.display);
  out->set_map_id(n.map_id);
  out->set_map_version(n.map_version);
  out->set_decided_by_text(n.decided_by_text);
  out->set_explanation(n.explanation);
  for (const std::string& note : n.notes) out->add_notes(note);
}

namespace {

Outcome OutcomeFromProto(v1::Outcome o) {
  switch (o) {
    case v1::CATEGORIES: return Outcome::kCategories;
    case v1::NOT_STATED: return Outcome::kNotStated;
    case v1::NOT_KNOWN: return Outcome::kNotKnown;
    default: return Outcome::kUnrecognised;
  }
}

Relationship RelationshipFromProto(v1::Relationship r) {
  switch (r) {
    case v1::EQUIVALENT: return Relationship::kEquivalent;
    case v1::SOURCE_IS_NARROWER_THAN_TARGET: return Relationship::kSourceIsNarrowerThanTarget;
    case v1::SOURCE_IS_BROADER_THAN_TARGET: return Relationship::kSourceIsBroaderThanTarget;
    case v1::RELATED_TO: return Relationship::kRelatedTo;
    default: return Relationship::kNotRelatedTo;
  }
}

RecordingBasis BasisFromProto(v1::RecordingBasis b) {
  switch (b) {
    case v1::SELF_DEFINED: return RecordingBasis::kSelfDefined;
    case v1::OBSERVED: return RecordingBasis::kObserved;
    default: return RecordingBasis::kUnspecified;
  }
}

}  // namespace

Normalized FromProto(const v1::NormalizedValue& v) {
  Normalized n;
  n.outcome = OutcomeFromProto(v.outcome());
  for (const v1::RankedCategory& r : v.categories()) {
    if (std::optional<Category> c = FromProto(r.category())) {
      n.categories.push_back(RankedCategory{*c, r.confidence()});
      n.category_set.Add(*c);
    }
  }
  n.relationship = RelationshipFromProto(v.relationship());
  n.ambiguous = v.ambiguous();
  n.detail = v.detail();
  n.basis = BasisFromProto(v.basis());
  n.system = v.system();
  n.system_version = v.system_version();
  n.code = v.code();
  n.display = v.display();
  n.map_id = v.map_id();
  n.map_version = v.map_version();
  n.decided_by_text = v.decided_by_text();
  n.explanation = v.explanation();
  n.notes.assign(v.notes().begin(), v.notes().end());
  return n;
}

CodeSuggestion FromProto(const v1::SuggestedCode& s) {
  CodeSuggestion out;
  out.system = s.system();
  out.system_version = s.system_version();
  out.code = s.code();
  out.display = s.display();
  out.relationship = RelationshipFromProto(s.relationship());
  for (int c : s.categories()) {
    if (std::optional<Category> cat = FromProto(static_cast<v1::Category>(c))) out.category_set.Add(*cat);
  }
  out.explanation = s.explanation();
  return out;
}

void ToBasicView(v1::NormalizedValue* value) {
  value->clear_display();
  value->clear_explanation();
  value->clear_notes();
  value->clear_system_version();
  value->clear_map_version();
}

void ToProto(const CodeSuggestion& s, v1::SuggestedCode* out) {
  out->set_system(s.system);
  out->set_system_version(s.system_version);
  out->set_code(s.code);
  out->set_display(s.display);
  out->set_relationship(ToProto(s.relationship));
  for (Category c : s.category_set.ToVector()) out->add_categories(ToProto(c));
  out->set_explanation(s.explanation);
}

void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  // Floor division, so times before 1970 keep nanos in [0, 1e9).
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest) * 1000);
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  // Truncated toward the past, as the stores keep it.
  return absl::FromUnixMicros(absl::ToUnixMicros(absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos())));
}

}  // namespace ethrec::api

namespace ethrec::api {

namespace {

// One row per value: the domain enum and its proto counterpart.
template <typename D, typename P>
struct EnumRow {
  D domain;
  P proto;
};

template <typename D, typename P, size_t N>
P ToProtoBy(const EnumRow<D, P> (&table)[N], D d) {
  for (const EnumRow<D, P>& row : table) {
    if (row.domain == d) return row.proto;
  }
  return static_cast<P>(0);  // UNSPECIFIED: a value missing here fails convert_test
}

template <typename D, typename P, size_t N>
std::optional<D> FromProtoBy(const EnumRow<D, P> (&table)[N], P p) {
  for (const EnumRow<D, P>& row : table) {
    if (row.proto == p) return row.domain;
  }
  return std::nullopt;
}

constexpr EnumRow<FindingKind, v1::FindingKind> kKinds[] = {
    {FindingKind::kSelfIdMismatch, v1::SELF_ID_MISMATCH},
    {FindingKind::kAgencyDisagreement, v1::AGENCY_DISAGREEMENT},
    {FindingKind::kClassificationLimit, v1::CLASSIFICATION_LIMIT},
    {FindingKind::kDetailLost, v1::DETAIL_LOST},
    {FindingKind::kOutdated, v1::OUTDATED},
    {FindingKind::kNotSelfDefined, v1::NOT_SELF_DEFINED},
    {FindingKind::kMissing, v1::MISSING},
};
constexpr EnumRow<Severity, v1::Severity> kSeverities[] = {
    {Severity::kInfo, v1::INFO},
    {Severity::kLow, v1::LOW},
    {Severity::kMedium, v1::MEDIUM},
    {Severity::kHigh, v1::HIGH},
};
constexpr EnumRow<FindingStatus, v1::FindingStatus> kStatuses[] = {
    {FindingStatus::kOpen, v1::OPEN},
    {FindingStatus::kAcknowledged, v1::ACKNOWLEDGED},
    {FindingStatus::kResolved, v1::RESOLVED},
    {FindingStatus::kCleared, v1::CLEARED},
};
constexpr EnumRow<FindingAction, v1::FindingEvent::Action> kActions[] = {
    {FindingAction::kRaised, v1::FindingEvent::RAISED},
    {FindingAction::kUpdated, v1::FindingEvent::UPDATED},
    {FindingAction::kCleared, v1::FindingEvent::CLEARED},
    {FindingAction::kReopened, v1::FindingEvent::REOPENED},
    {FindingAction::kAcknowledged, v1::FindingEvent::ACKNOWLEDGED},
    {FindingAction::kResolved, v1::FindingEvent::RESOLVED},
};
constexpr EnumRow<ReviewAction, v1::ReviewFindingRequest::Action> kReviewActions[] = {
    {ReviewAction::kAcknowledge, v1::ReviewFindingRequest::ACKNOWLEDGE},
    {ReviewAction::kResolve, v1::ReviewFindingRequest::RESOLVE},
    {ReviewAction::kReopen, v1::ReviewFindingRequest::REOPEN},
};
constexpr EnumRow<Verdict, v1::Verdict> kVerdicts[] = {
    {Verdict::kReference, v1::VERDICT_REFERENCE},
    {Verdict::kAgrees, v1::VERDICT_AGREES},
    {Verdict::kDiffers, v1::VERDICT_DIFFERS},
    {Verdict::kOutdated, v1::VERDICT_OUT_OF_DATE},
    {Verdict::kCodeListLimit, v1::VERDICT_CODE_LIST_LIMIT},
    {Verdict::kDetailLost, v1::VERDICT_DETAIL_LOST},
    {Verdict::kNotSelfDefined, v1::VERDICT_NOT_SELF_DEFINED},
    {Verdict::kNotKnown, v1::VERDICT_NOT_KNOWN},
    {Verdict::kDeclined, v1::VERDICT_DECLINED},
    {Verdict::kUnconfirmed, v1::VERDICT_UNCONFIRMED},
};

}  // namespace

v1::FindingKind ToProto(FindingKind k) { return ToProtoBy(kKinds, k); }
std::optional<FindingKind> FromProto(v1::FindingKind k) { return FromProtoBy(kKinds, k); }
v1::Severity ToProto(Severity s) { return ToProtoBy(kSeverities, s); }
std::optional<Severity> FromProto(v1::Severity s) { return FromProtoBy(kSeverities, s); }
v1::FindingStatus ToProto(FindingStatus s) { return ToProtoBy(kStatuses, s); }
std::optional<FindingStatus> FromProto(v1::FindingStatus s) { return FromProtoBy(kStatuses, s); }
v1::FindingEvent::Action ToProto(FindingAction a) { return ToProtoBy(kActions, a); }
std::optional<FindingAction> FromProto(v1::FindingEvent::Action a) { return FromProtoBy(kActions, a); }
std::optional<ReviewAction> FromProto(v1::ReviewFindingRequest::Action a) { return FromProtoBy(kReviewActions, a); }
v1::Verdict ToProto(Verdict v) { return ToProtoBy(kVerdicts, v); }
std::optional<Verdict> FromProto(v1::Verdict v) { return FromProtoBy(kVerdicts, v); }

v1::SuppliedBy ToProto(SuppliedBy s) {
  switch (s) {
    case SuppliedBy::kSelf: return v1::SELF;
    case SuppliedBy::kParentOrCarer: return v1::PARENT_OR_CARER;
    case SuppliedBy::kPractitioner: return v1::PRACTITIONER;
    case SuppliedBy::kOfficerObserved: return v1::OFFICER_OBSERVED;
    case SuppliedBy::kUnknown: return v1::UNKNOWN;
  }
  return v1::UNKNOWN;
}

std::optional<SuppliedBy> FromProto(v1::SuppliedBy s) {
  switch (s) {
    case v1::SELF: return SuppliedBy::kSelf;
    case v1::PARENT_OR_CARER: return SuppliedBy::kParentOrCarer;
    case v1::PRACTITIONER: return SuppliedBy::kPractitioner;
    case v1::OFFICER_OBSERVED: return SuppliedBy::kOfficerObserved;
    case v1::UNKNOWN: return SuppliedBy::kUnknown;
    default: return std::nullopt;
  }
}

v1::WriteOutcome ToProto(WriteOutcome o) {
  switch (o) {
    case WriteOutcome::kInserted: return v1::INSERTED;
    case WriteOutcome::kDuplicate: return v1::DUPLICATE;
    case WriteOutcome::kHistorical: return v1::HISTORICAL;
  }
  return v1::WRITE_OUTCOME_UNSPECIFIED;
}

void ToProto(const StoredFinding& f, const Taxonomy& taxonomy, v1::Finding* out) {
  out->set_finding_id(f.id);
  out->set_kind(ToProto(f.kind));
  out->set_severity(ToProto(f.severity));
  out->set_status(ToProto(f.status));
  out->set_agency(f.agency);
  out->set_record_id(f.record_id);
  for (const RecordRef& r : f.compared) {
    v1::RecordRef* ref = out->add_compared();
    ref->set_agency(r.agency);
    ref->set_record_id(r.record_id);
    ref->set_record_version(r.record_version);
  }
  for (Category c : f.record_set.ToVector()) out->add_record_categories(ToProto(c));
  for (Category c : f.reference_set.ToVector()) out->add_reference_categories(ToProto(c));
  out->set_reason(ExplainFinding(f.kind, f.agency, f.record_set, f.reference_set, f.suggested_code, f.facts, taxonomy));
  out->set_suggested_code(f.suggested_code);
  out->set_suggested_display(f.suggested_code.empty() ? "" : f.facts.suggested_display);
  if (f.first_raised_at != absl::Time()) ToProto(f.first_raised_at, out->mutable_first_raised_at());
  if (f.last_raised_at != absl::Time()) ToProto(f.last_raised_at, out->mutable_last_raised_at());
  out->set_reopen_count(f.reopen_count);
  for (const FindingEvent& e : f.history) {
    v1::FindingEvent* event = out->add_history();
    event->set_action(ToProto(e.action));
    ToProto(e.time, event->mutable_time());
    event->set_by_agency(e.by_agency);
    event->set_by_role(e.by_role);
    event->set_note(e.note);
  }
}

void ToProto(const FindingFeedback& f, const Taxonomy& taxonomy, v1::FindingFeedback* out) {
  out->set_action(ToProto(f.action));
  ToProto(f.finding, taxonomy, out->mutable_finding());
  // A cleared finding is fed back by identity only: its old reason would
  // describe data that is gone.
  if (f.action == FindingAction::kCleared) out->mutable_finding()->clear_reason();
}

void ToProto(const ReferenceView& r, v1::ReferenceIdentity* out) {
  for (Category c : r.categories.ToVector()) out->add_categories(ToProto(c));
  out->set_detail(r.detail);
  ToProto(r.stated_at, out->mutable_stated_at());
  out->set_supplied_by(r.ascribed ? v1::PARENT_OR_CARER : v1::SELF);
  out->set_declined_later(r.declined_later);
}

}  // namespace ethrec::api
