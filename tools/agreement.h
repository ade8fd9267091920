// Agreement of ethrec's reading with expert coding, on sets of real-world
// strings (tests/testdata/realworld/{dev,test}.csv).
//
// Each case is one string as an agency holds it (free text, or a code with
// its description), the answer an expert coder gives, and where it came
// from. Score() normalises every case and reports, by genre and overall:
// the share of cases read as the expert reads them, which categories are
// mistaken for which, how many coded cases the code lists know, and
// calibration (of the answers given with confidence >= 0.9, the share that
// is right; UNRECOGNISED claims nothing and is never counted as confident).
//
// A case is right when:
//   - expected is one of the 19 categories: the answer's first category is it;
//   - expected is NOT_STATED, NOT_KNOWN or UNRECOGNISED: the outcome is it;
//   - expected is AMBIGUOUS (the text cannot fix one category, e.g. NHS "Any
//     other White background", which may be Roma): the first category, or
//     the outcome, is one of `acceptable`.
//
// Example:
//   absl::StatusOr<std::vector<AgreementCase>> cases = ReadAgreementCases(in);
//   AgreementReport r = Score(*cases, normalizer, {.text_only = false});
//   std::cout << FormatReport(r);
#ifndef ETHREC_TOOLS_AGREEMENT_H_
#define ETHREC_TOOLS_AGREEMENT_H_

#include <istream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mapping/normalizer.h"

namespace ethrec::tools {

struct AgreementCase {
  int line = 0;
  std::string text;
  std::string system;  // with `code`: a coded case; else free text
  std::string code;
  std::string expected;                 // a category name, NOT_STATED, NOT_KNOWN, UNRECOGNISED or AMBIGUOUS
  std::vector<std::string> acceptable;  // AMBIGUOUS only
  std::string genre;
  std::string source;
};

// Reads a CSV with the header text,system,code,expected,acceptable,genre,source
// (any column order; system, code and acceptable may be absent). Errors:
// InvalidArgument naming the line and column for a missing column, an
// unknown expected value, AMBIGUOUS without acceptable values, or a code
// without a system.
absl::StatusOr<std::vector<AgreementCase>> ReadAgreementCases(std::istream& in);

struct ScoreOptions {
  // Read every case's text alone, ignoring its code: how well the free-text
  // reader does on the descriptions by itself.
  bool text_only = false;
};

struct GenreScore {
  int cases = 0;
  int right = 0;
  int coded = 0;        // cases sent with a code
  int code_known = 0;   // ... whose code the code list knows
};

struct AgreementReport {
  std::map<std::string, GenreScore> by_genre;
  GenreScore all;
  int confident = 0;        // answers with first confidence >= 0.9
  int confident_right = 0;
  // "expected -> answered", for the wrong cases, with counts.
  std::map<std::string, int> confusions;
  // The wrong cases, for reading (line: text -> answer, expected).
  std::vector<std::string> misses;
};

// Normalises each case and scores it. A case the normalizer refuses counts
// as wrong, answered with its status code's name.
AgreementReport Score(const std::vector<AgreementCase>& cases, const Normalizer& normalizer,
                      const ScoreOptions& options);

// The report as text: by genre, overall, calibration, the most common
// confusions, and (with `misses`) every wrong case.
std::string FormatReport(const AgreementReport& report, bool misses);

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_AGREEMENT_H_
