// The built-in code lists, maps and lexicons (mapping/data/*.json), compiled
// into the binary so that they are found wherever it is installed.
#ifndef ETHREC_MAPPING_BUILTIN_DATA_H_
#define ETHREC_MAPPING_BUILTIN_DATA_H_

#include "absl/strings/string_view.h"
#include <vector>

namespace ethrec {

// One data file: its name (e.g. "codesystem-dfe.json") and its whole text.
struct DataFile {
  absl::string_view name;
  absl::string_view content;
};

// The built-in data files, sorted by name. Never empty in a correct build.
const std::vector<DataFile>& BuiltinDataFiles();

}  // namespace ethrec

#endif  // ETHREC_MAPPING_BUILTIN_DATA_H_
