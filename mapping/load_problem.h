// A problem found while loading code lists, maps or lexicons.
#ifndef ETHREC_MAPPING_LOAD_PROBLEM_H_
#define ETHREC_MAPPING_LOAD_PROBLEM_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace ethrec {

struct LoadProblem {
  std::string file;       // "conceptmap-dfe.json" or a local file's path
  std::string json_path;  // "$.group[0].element[3].target[0].relationship"
  std::string reason;     // what is wrong, naming the value

  // "file: $.path: reason"
  std::string ToString() const;
};

// InvalidArgument listing every problem, one per line; OK when there are none.
absl::Status ProblemsToStatus(const std::vector<LoadProblem>& problems);

}  // namespace ethrec

#endif  // ETHREC_MAPPING_LOAD_PROBLEM_H_
