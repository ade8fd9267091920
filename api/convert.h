// Every conversion between mapping/ values and the ethrec.v1 messages, for
// the service and for the tools alike: enums by table (every value of both
// sides is listed once, and tests walk both), times at the microsecond the
// stores keep, and the domain's values and findings.
#ifndef ETHREC_API_CONVERT_H_
#define ETHREC_API_CONVERT_H_

#include <optional>

#include "absl/time/time.h"
#include "ethrec/v1/findings_service.pb.h"
#include "ethrec/v1/records_service.pb.h"
#include "ethrec/v1/taxonomy.pb.h"
#include "ethrec/v1/taxonomy_service.pb.h"
#include "mapping/normalized.h"
#include "mapping/normalizer.h"
#include "mapping/observation.h"
#include "mapping/finding.h"
#include "mapping/verdict.h"
#include "google/protobuf/timestamp.pb.h"

namespace ethrec::api {

v1::Category ToProto(Category c);
// nullopt for CATEGORY_UNSPECIFIED or an unknown number.
std::optional<Category> FromProto(v1::Category c);
v1::Group ToProto(Group g);
v1::Outcome ToProto(Outcome o);
v1::Relationship ToProto(Relationship r);
v1::RecordingBasis ToProto(RecordingBasis b);

void ToProto(const Normalized& n, v1::NormalizedValue* out);
// The BASIC view (ResultView): the value without its words (display,
// explanation, notes, system and map versions).
void ToBasicView(v1::NormalizedValue* value);
void ToProto(const CodeSuggestion& s, v1::SuggestedCode* out);

// Times to the microsecond (what the stores keep), both ways: a finer time
// is truncated toward the past.
void ToProto(absl::Time t, google::protobuf::Timestamp* out);
absl::Time FromProto(const google::protobuf::Timestamp& t);

// The findings enums, each by one table (convert.cc) that lists every
// value once; FromProto gives nullopt for UNSPECIFIED or a number this
// build does not know.
v1::FindingKind ToProto(FindingKind k);
std::optional<FindingKind> FromProto(v1::FindingKind k);
v1::Severity ToProto(Severity s);
std::optional<Severity> FromProto(v1::Severity s);
v1::FindingStatus ToProto(FindingStatus s);
std::optional<FindingStatus> FromProto(v1::FindingStatus s);
v1::FindingEvent::Action ToProto(FindingAction a);
std::optional<FindingAction> FromProto(v1::FindingEvent::Action a);
std::optional<ReviewAction> FromProto(v1::ReviewFindingRequest::Action a);
v1::Verdict ToProto(Verdict v);
std::optional<Verdict> FromProto(v1::Verdict v);

v1::SuppliedBy ToProto(SuppliedBy s);
// nullopt for SUPPLIED_BY_UNSPECIFIED or an unknown number.
std::optional<SuppliedBy> FromProto(v1::SuppliedBy s);
v1::WriteOutcome ToProto(WriteOutcome o);

// A stored finding, its reason written (ExplainFinding) with `taxonomy`'s labels.
void ToProto(const StoredFinding& f, const Taxonomy& taxonomy, v1::Finding* out);
void ToProto(const FindingFeedback& f, const Taxonomy& taxonomy, v1::FindingFeedback* out);
void ToProto(const ReferenceView& r, v1::ReferenceIdentity* out);

// The reverse, for clients: ToProto then FromProto gives back an equal value.
Normalized FromProto(const v1::NormalizedValue& v);
CodeSuggestion FromProto(const v1::SuggestedCode& s);

}  // namespace ethrec::api

#endif  // ETHREC_API_CONVERT_H_
