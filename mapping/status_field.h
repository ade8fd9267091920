// Names the request field an error is about, as a payload on absl::Status,
// so that the edge (the gRPC service) can report it as a field violation
// without parsing messages.
//
// Example:
//   return WithField(absl::NotFoundError("unknown code system \"x\""), "system");
//   ...
//   FieldOf(status) == "system"
#ifndef ETHREC_MAPPING_STATUS_FIELD_H_
#define ETHREC_MAPPING_STATUS_FIELD_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/types/optional.h"
#include "absl/strings/string_view.h"

namespace ethrec {

inline constexpr absl::string_view kFieldPayloadUrl = "type.ethrec.dev/field";

// Returns `status` with `field` attached (no-op for OK).
inline absl::Status WithField(absl::Status status, absl::string_view field) {
  if (!status.ok()) status.SetPayload(kFieldPayloadUrl, absl::Cord(field));
  return status;
}

// The field attached by WithField, or "" when none.
inline std::string FieldOf(const absl::Status& status) {
  absl::optional<absl::Cord> field = status.GetPayload(kFieldPayloadUrl);
  return field ? std::string(*field) : std::string();
}

}  // namespace ethrec

#endif  // ETHREC_MAPPING_STATUS_FIELD_H_
