#include "tools/agreement.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tools/csv.h"

namespace ethrec::tools {
namespace {

constexpr double kConfident = 0.9;

bool IsNonCategory(absl::string_view s) {
  return s == "NOT_STATED" || s == "NOT_KNOWN" || s == "UNRECOGNISED";
}

bool IsValidAnswerName(absl::string_view s) { return ParseCategory(s).has_value() || IsNonCategory(s); }

// What the answer is, as one name: its first category, or its outcome.
std::string AnswerName(const Normalized& n) {
  if (n.outcome == Outcome::kCategories && !n.categories.empty()) {
    return std::string(CategoryName(n.categories.front().category));
  }
  return std::string(OutcomeName(n.outcome));
}

// An unrecognised answer claims nothing, so it is never a confident one.
double FirstConfidence(const Normalized& n) {
  if (n.outcome == Outcome::kUnrecognised) return 0.0;
  if (n.outcome != Outcome::kCategories || n.categories.empty()) return 1.0;
  return n.categories.front().confidence;
}

}  // namespace

absl::StatusOr<std::vector<AgreementCase>> ReadAgreementCases(std::istream& in) {
  CsvReader reader(&in);
  CsvRecord header;
  absl::StatusOr<bool> got = reader.Next(&header);
  if (!got.ok()) return got.status();
  if (!*got) return absl::InvalidArgumentError("the file is empty; expected a header row");
  absl::flat_hash_map<std::string, size_t> column;
  for (size_t i = 0; i < header.fields.size(); ++i) column[header.fields[i]] = i;
  for (const char* required : {"text", "expected", "genre", "source"}) {
    if (!column.contains(required)) {
      return absl::InvalidArgumentError(absl::StrCat("line 1: the header has no '", required, "' column"));
    }
  }
  std::vector<AgreementCase> out;
  CsvRecord rec;
  while (true) {
    got = reader.Next(&rec);
    if (!got.ok()) return got.status();
    if (!*got) break;
    if (rec.fields.size() == 1 && rec.fields[0].empty()) continue;  // blank line
    auto field = [&](const char* name) -> std::string {
      auto it = column.find(name);
      if (it == column.end() || it->second >= rec.fields.size()) return "";
      return rec.fields[it->second];
    };
    AgreementCase c;
    c.line = rec.line;
    c.text = field("text");
    c.system = field("system");
    c.code = field("code");
    c.expected = field("expected");
    c.genre = field("genre");
    c.source = field("source");
    const std::string acceptable = field("acceptable");
    if (!acceptable.empty()) c.acceptable = absl::StrSplit(acceptable, '|');
    if (c.expected == "AMBIGUOUS") {
      if (c.acceptable.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", c.line, ": expected AMBIGUOUS needs the acceptable answers in 'acceptable'"));
      }
      for (const std::string& a : c.acceptable) {
        if (!IsValidAnswerName(a)) {
          return absl::InvalidArgumentError(
              absl::StrCat("line ", c.line, ": column 'acceptable': unknown answer '", a, "'"));
        }
      }
    } else if (!IsValidAnswerName(c.expected)) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", c.line, ": column 'expected': unknown answer '", c.expected, "'"));
    }
    if (!c.code.empty() && c.system.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("line ", c.line, ": a code needs its system"));
    }
    if (c.code.empty() && c.text.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("line ", c.line, ": neither text nor code"));
    }
    out.push_back(std::move(c));
  }
  return out;
}

AgreementReport Score(const std::vector<AgreementCase>& cases, const Normalizer& normalizer,
                      const ScoreOptions& options) {
  AgreementReport report;
  for (const AgreementCase& c : cases) {
    const bool coded = !c.code.empty() && !options.text_only;
    NormalizeRequest request{.text = c.text};
    if (coded) {
      request.system = c.system;
      request.code = c.code;
    }
    absl::StatusOr<Normalized> answer = normalizer.Normalize(request);
    std::string got;
    double confidence = 0;
    bool known = false;
    if (answer.ok()) {
      got = AnswerName(*answer);
      confidence = FirstConfidence(*answer);
      known = coded && !answer->decided_by_text;
    } else {
      got = absl::StatusCodeToString(answer.status().code());
    }
    bool right;
    if (c.expected == "AMBIGUOUS") {
      right = answer.ok() && std::find(c.acceptable.begin(), c.acceptable.end(), got) != c.acceptable.end();
    } else {
      right = answer.ok() && got == c.expected;
    }
    for (GenreScore* s : {&report.by_genre[c.genre], &report.all}) {
      ++s->cases;
      s->right += right;
      s->coded += coded;
      s->code_known += known;
    }
    if (answer.ok() && confidence >= kConfident) {
      ++report.confident;
      report.confident_right += right;
    }
    if (!right) {
      ++report.confusions[absl::StrCat(c.expected, " -> ", got)];
      report.misses.push_back(absl::StrCat(c.line, ": ", c.text, coded ? absl::StrCat(" [", c.system, " ", c.code, "]") : "",
                                           " -> ", got, absl::StrFormat(" (%.2f)", confidence), ", expected ",
                                           c.expected));
    }
  }
  return report;
}

std::string FormatReport(const AgreementReport& report, bool misses) {
  auto pct = [](int a, int b) { return b == 0 ? 0.0 : 100.0 * a / b; };
  std::string out = absl::StrFormat("%-26s %6s %6s %7s %12s\n", "genre", "cases", "right", "agree", "codes known");
  auto row = [&](absl::string_view name, const GenreScore& s) {
    const std::string known =
        s.coded == 0 ? "-" : absl::StrFormat("%d/%d %.1f%%", s.code_known, s.coded, pct(s.code_known, s.coded));
    absl::StrAppendFormat(&out, "%-26s %6d %6d %6.1f%% %12s\n", name, s.cases, s.right, pct(s.right, s.cases), known);
  };
  for (const auto& [genre, s] : report.by_genre) row(genre, s);
  row("ALL", report.all);
  absl::StrAppendFormat(&out, "calibration: %d of %d answers with confidence >= 0.9 are right (%.1f%%)\n",
                        report.confident_right, report.confident, pct(report.confident_right, report.confident));
  std::vector<std::pair<std::string, int>> confusions(report.confusions.begin(), report.confusions.end());
  std::stable_sort(confusions.begin(), confusions.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  out.append("main confusions (expected -> answered):\n");
  for (size_t i = 0; i < confusions.size() && i < 15; ++i) {
    absl::StrAppendFormat(&out, "  %4d  %s\n", confusions[i].second, confusions[i].first);
  }
  if (misses) {
    out.append("wrong cases:\n");
    for (const std::string& m : report.misses) absl::StrAppend(&out, "  ", m, "\n");
  }
  return out;
}

}  // namespace ethrec::tools
