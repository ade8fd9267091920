// Test-only: tables of free-text phrasings with what an expert coder expects
// (tests/testdata/free_text_*.csv), and the check of one reading against one.
#ifndef ETHREC_TESTS_TESTING_TEXT_CASES_H_
#define ETHREC_TESTS_TESTING_TEXT_CASES_H_

#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mapping/normalizer.h"
#include "tools/csv.h"

namespace ethrec::testing {

// One row: text,outcome,first,must_include,must_exclude,detail,note.
struct TextCase {
  int line = 0;
  std::string text, outcome, first, detail, note;
  std::vector<std::string> must_include, must_exclude;
};

inline void PrintTo(const TextCase& c, std::ostream* os) { *os << "line " << c.line << " '" << c.text << "'"; }

// The rows of `path`; an unreadable file or malformed row gives an empty or
// shorter list, which the callers' size checks catch.
inline std::vector<TextCase> LoadTextCases(const std::string& path) {
  auto list = [](const std::string& s) {
    return s.empty() ? std::vector<std::string>() : std::vector<std::string>(absl::StrSplit(s, '|'));
  };
  std::ifstream in(path, std::ios::binary);
  tools::CsvReader reader(&in);
  tools::CsvRecord record;
  std::vector<TextCase> cases;
  absl::StatusOr<bool> header = reader.Next(&record);
  if (!header.ok() || !*header || record.fields.size() != 7) return cases;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&record);
    if (!more.ok() || !*more) break;
    if (record.fields.size() != 7) continue;
    cases.push_back(TextCase{record.line, record.fields[0], record.fields[1], record.fields[2],
                             record.fields[5], record.fields[6], list(record.fields[3]),
                             list(record.fields[4])});
  }
  return cases;
}

// "" when the normaliser reads `c` as expected; otherwise what went wrong.
inline std::string CheckTextCase(const Normalizer& normalizer, const TextCase& c) {
  absl::StatusOr<Normalized> n = normalizer.Normalize({.text = c.text});
  if (c.text.empty()) {
    return n.status().code() == absl::StatusCode::kInvalidArgument ? "" : "empty text was not refused";
  }
  if (!n.ok()) return absl::StrCat("error: ", n.status().ToString());
  std::vector<std::string> got;
  for (const RankedCategory& r : n->categories) got.emplace_back(CategoryName(r.category));
  std::vector<std::string> problems;
  if (OutcomeName(n->outcome) != c.outcome) problems.push_back(absl::StrCat("outcome ", OutcomeName(n->outcome)));
  if (c.outcome == "CATEGORIES") {
    if (!c.first.empty() && (got.empty() || got.front() != c.first)) problems.push_back("first");
    for (const std::string& want : c.must_include) {
      if (std::find(got.begin(), got.end(), want) == got.end()) problems.push_back("missing " + want);
    }
    for (const std::string& unwanted : c.must_exclude) {
      if (std::find(got.begin(), got.end(), unwanted) != got.end()) problems.push_back("has " + unwanted);
    }
    if (!c.detail.empty() &&
        !absl::StrContains(absl::AsciiStrToLower(n->detail), absl::AsciiStrToLower(c.detail))) {
      problems.push_back("detail");
    }
  }
  if (problems.empty()) return "";
  return absl::StrCat(absl::StrJoin(problems, ", "), "; got ", OutcomeName(n->outcome), " [",
                      absl::StrJoin(got, ","), "] detail '", n->detail, "': ", n->explanation);
}

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_TESTING_TEXT_CASES_H_
