// Names the request field an error is about, and for a batch the index of
// the item, as payloads on absl::Status: one typed form inside the store,
// the service and the clients alike. The edge (the gRPC service) reports
// them as a field violation ("observations[3].record_version"); a client
// reads that path back with ParseBatchFieldPath. Nobody parses messages.
//
// Example:
//   return WithField(absl::NotFoundError("unknown code system \"x\""), "system");
//   ...
//   FieldOf(status) == "system"
#ifndef ETHREC_MAPPING_STATUS_FIELD_H_
#define ETHREC_MAPPING_STATUS_FIELD_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/types/optional.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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

inline constexpr absl::string_view kBatchItemPayloadUrl = "type.ethrec.dev/batch-item";

// Returns `status` with the index of the batch item it is about (no-op for OK).
inline absl::Status WithBatchItem(absl::Status status, size_t index) {
  if (!status.ok()) status.SetPayload(kBatchItemPayloadUrl, absl::Cord(absl::StrCat(index)));
  return status;
}

// The index attached by WithBatchItem, or nullopt when the error is not
// about one item (e.g. a storage failure).
inline std::optional<size_t> BatchItemOf(const absl::Status& status) {
  absl::optional<absl::Cord> item = status.GetPayload(kBatchItemPayloadUrl);
  size_t index = 0;
  if (!item.has_value() || !absl::SimpleAtoi(std::string(*item), &index)) return std::nullopt;
  return index;
}

// The wire path of `field` in item `index` of the repeated field `list`:
// "observations[3].record_version", or "observations[3]" for the whole item.
inline std::string BatchFieldPath(absl::string_view list, size_t index, absl::string_view field) {
  return field.empty() ? absl::StrCat(list, "[", index, "]") : absl::StrCat(list, "[", index, "].", field);
}

// The reverse: (3, "record_version") for "observations[3].record_version"
// when `list` is "observations"; nullopt for any other path.
inline std::optional<std::pair<size_t, std::string>> ParseBatchFieldPath(absl::string_view list,
                                                                         absl::string_view path) {
  if (path.size() <= list.size() + 2 || path.substr(0, list.size()) != list || path[list.size()] != '[') {
    return std::nullopt;
  }
  path.remove_prefix(list.size() + 1);
  const size_t close = path.find(']');
  size_t index = 0;
  if (close == absl::string_view::npos || !absl::SimpleAtoi(path.substr(0, close), &index)) return std::nullopt;
  path.remove_prefix(close + 1);
  if (!path.empty() && path.front() != '.') return std::nullopt;
  if (!path.empty()) path.remove_prefix(1);
  return std::make_pair(index, std::string(path));
}

}  // namespace ethrec

#endif  // ETHREC_MAPPING_STATUS_FIELD_H_
