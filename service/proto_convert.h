// Conversions between mapping/ values and the ethrec.v1 messages.
#ifndef ETHREC_SERVICE_PROTO_CONVERT_H_
#define ETHREC_SERVICE_PROTO_CONVERT_H_

#include <optional>

#include "absl/time/time.h"
#include "ethrec/v1/findings_service.pb.h"
#include "ethrec/v1/records_service.pb.h"
#include "ethrec/v1/taxonomy.pb.h"
#include "ethrec/v1/taxonomy_service.pb.h"
#include "mapping/normalized.h"
#include "mapping/normalizer.h"
#include "mapping/observation.h"
#include "service/store.h"
#include "google/protobuf/timestamp.pb.h"

namespace ethrec::service {

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

// Times to the microsecond (what the stores keep), and back.
void ToProto(absl::Time t, google::protobuf::Timestamp* out);
absl::Time FromProto(const google::protobuf::Timestamp& t);

// Proto enum numbers of the findings enums (FindingKind, Severity,
// FindingStatus, FindingEvent.Action, ReviewFindingRequest.Action) are the
// domain enum values + 1 (0 is UNSPECIFIED).
template <typename P, typename E>
P ToProtoEnum(E e) {
  return static_cast<P>(static_cast<int>(e) + 1);
}
// nullopt for 0 (UNSPECIFIED) or a number beyond the N values.
template <typename E, int N>
std::optional<E> FromProtoEnum(int v) {
  if (v < 1 || v > N) return std::nullopt;
  return static_cast<E>(v - 1);
}

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

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_PROTO_CONVERT_H_
