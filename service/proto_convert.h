// Conversions between mapping/ values and the ethrec.v1 messages.
#ifndef ETHREC_SERVICE_PROTO_CONVERT_H_
#define ETHREC_SERVICE_PROTO_CONVERT_H_

#include <optional>

#include "absl/time/time.h"
#include "ethrec/v1/taxonomy.pb.h"
#include "ethrec/v1/taxonomy_service.pb.h"
#include "mapping/normalized.h"
#include "mapping/normalizer.h"
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
void ToProto(const CodeSuggestion& s, v1::SuggestedCode* out);

// Times to the microsecond (what the stores keep), and back.
void ToProto(absl::Time t, google::protobuf::Timestamp* out);
absl::Time FromProto(const google::protobuf::Timestamp& t);

// The reverse, for clients: ToProto then FromProto gives back an equal value.
Normalized FromProto(const v1::NormalizedValue& v);
CodeSuggestion FromProto(const v1::SuggestedCode& s);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_PROTO_CONVERT_H_
