#include "tools/report.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/convert.h"
#include "tools/findings_output.h"
#include "tools/internal/html.h"
#include "tools/internal/report_assets.h"
#include "tools/report_children.h"

namespace ethrec::tools {
namespace {

using html_internal::Esc;
using html_internal::EscTo;
using report_internal::kChildrenCss;
using report_internal::kReportCss;
using report_internal::kReportJs;

// --- Words for practitioners ---

struct KindText {
  v1::FindingKind kind;
  const char* label;
  const char* explanation;
};

// Every kind, in the API's order.
constexpr KindText kKinds[] = {
    {v1::SELF_ID_MISMATCH, "Differs from the child's own identity",
     "The agency's record cannot be what the child says about themselves: the categories do not "
     "overlap. Check the record with the child, or their parent or carer, and correct it (the "
     "suggested code is the one to record)."},
    {v1::AGENCY_DISAGREEMENT, "Agencies disagree",
     "The child has not said how they identify, and two agencies' records cannot both be right. Both "
     "agencies see the finding: ask the child, and record what they say."},
    {v1::CLASSIFICATION_LIMIT, "Code list cannot say it",
     "The record fits what the child says, but the agency's code list has no exact code for it (for "
     "example Roma in the NHS ethnic category letters). For information: use the suggested code, the "
     "closest one in the list."},
    {v1::DETAIL_LOST, "Detail lost",
     "The category is right, but a detail the child gave (such as 'Somali') is not recorded. Record "
     "the detail where the system allows it."},
    {v1::OUTDATED, "Out of date",
     "The agency recorded before the child's identity last changed, and the record no longer fits it. "
     "Update the record (the suggested code is the one to record)."},
    {v1::NOT_SELF_DEFINED, "Not self-defined",
     "The agency's only records were observed or assumed by a practitioner, not given by the child or "
     "a parent or carer. Ask how the child describes their ethnicity."},
    {v1::MISSING, "Recorded as not known",
     "The agency holds 'not known' while the child's identity is known. Ask, and record the answer."},
};

// The kind's label, or nullptr for a kind this version does not know.
const char* KnownKindLabel(v1::FindingKind kind) {
  for (const KindText& k : kKinds) {
    if (k.kind == kind) return k.label;
  }
  return nullptr;
}

std::string KindLabel(v1::FindingKind kind) {
  const char* label = KnownKindLabel(kind);
  return label != nullptr ? label : EnumName(kind);
}

std::string SeverityLabel(v1::Severity s) {
  switch (s) {
    case v1::HIGH: return "High";
    case v1::MEDIUM: return "Medium";
    case v1::LOW: return "Low";
    case v1::INFO: return "Info";
    default: return EnumName(s);
  }
}

std::string StatusLabel(v1::FindingStatus s) {
  switch (s) {
    case v1::OPEN: return "Open";
    case v1::ACKNOWLEDGED: return "Acknowledged";
    case v1::RESOLVED: return "Resolved";
    case v1::CLEARED: return "Cleared";
    default: return EnumName(s);
  }
}

// The category's official label, or its taxonomy name when it has none
// (kept in `storage` when it has to be made up).
absl::string_view CategoryLabel(const CategoryLabels& labels, int proto_category, std::string* storage) {
  const auto c = static_cast<v1::Category>(proto_category);
  if (std::optional<Category> cat = api::FromProto(c); cat && !labels[static_cast<int>(*cat)].empty()) {
    return labels[static_cast<int>(*cat)];
  }
  const std::string& name = v1::Category_Name(c);
  if (!name.empty()) return name;
  *storage = absl::StrCat("category ", proto_category);
  return *storage;
}

// The table's order: most severe first, then by id.
bool TableBefore(const v1::Finding* a, const v1::Finding* b) {
  if (a->severity() != b->severity()) return a->severity() > b->severity();
  return a->finding_id() < b->finding_id();
}

// The first `limit` findings (all when `limit` is at least their number) in
// the table's order. Only those are sorted: n log(limit), not n log n.
std::vector<const v1::Finding*> TableOrder(const std::vector<v1::Finding>& findings, size_t limit) {
  std::vector<const v1::Finding*> rows;
  rows.reserve(findings.size());
  for (const v1::Finding& f : findings) rows.push_back(&f);
  if (limit < rows.size()) {
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(limit), rows.end(), TableBefore);
    rows.resize(limit);
  } else {
    std::sort(rows.begin(), rows.end(), TableBefore);
  }
  return rows;
}

// How many findings the HTML table lists.
size_t TableRows(const ReportInput& input) {
  return std::min(input.findings.size(), static_cast<size_t>(std::max(input.max_table_rows, 0)));
}

// --- Counting ---

bool NeedsWork(v1::FindingStatus s) { return s == v1::OPEN || s == v1::ACKNOWLEDGED; }

struct Totals {
  int64_t open = 0;  // OPEN + ACKNOWLEDGED
  int64_t acknowledged = 0;
  int64_t resolved = 0;
  std::map<std::string, int64_t> open_by_agency;  // every agency in the summary
  std::map<int, int64_t> open_by_kind;            // every kind, zeros included
};

Totals Count(const v1::SummarizeFindingsResponse& summary) {
  Totals t;
  for (const KindText& k : kKinds) t.open_by_kind[k.kind] = 0;
  for (const v1::AgencyCompleteness& a : summary.completeness()) t.open_by_agency[a.agency()] = 0;
  for (const v1::FindingCount& c : summary.counts()) {
    int64_t& agency = t.open_by_agency[c.agency()];
    if (c.status() == v1::RESOLVED) t.resolved += c.count();
    if (!NeedsWork(c.status())) continue;
    t.open += c.count();
    if (c.status() == v1::ACKNOWLEDGED) t.acknowledged += c.count();
    agency += c.count();
    t.open_by_kind[c.kind()] += c.count();
  }
  return t;
}

// Whole percent, rounded down so that 100% means every child.
int64_t PercentDown(int64_t part, int64_t whole) { return whole > 0 ? part * 100 / whole : 0; }

// --- HTML ---

// `n` with thousands separators: "291,234".
std::string Thousands(int64_t n) {
  const uint64_t magnitude = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  const std::string digits = absl::StrCat(magnitude);
  std::string out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string DisplayTime(absl::Time t) { return absl::FormatTime("%d %b %Y, %H:%M UTC", t, absl::UTCTimeZone()); }

std::string TimeElement(const google::protobuf::Timestamp& t) {
  return absl::StrCat("<time datetime=\"", FormatTimestampUtc(t), "\">",
                      Esc(absl::FormatTime("%d %b %Y %H:%M", api::FromProto(t), absl::UTCTimeZone())),
                      "</time>");
}

constexpr absl::string_view kCsp =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'";

// One bar of a horizontal bar chart.
struct Bar {
  std::string label;        // above the bar
  std::string data_name;    // e.g. "data-agency"
  std::string data_value;   // e.g. "camden-csc"
  double fraction = 0;      // of the full bar length, 0..1
  std::string value;        // e.g. "5" or "72%"
  std::string note;         // after the value, e.g. "(18 of 25 children)"
};

// Characters (UTF-8 code points) of `s`, cut to `max` with an ellipsis.
std::string Shorten(absl::string_view s, size_t max) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars++ == max - 1) return absl::StrCat(s.substr(0, i), "\u2026");
  }
  return std::string(s);
}

// An inline SVG chart whose accessible name is `title` and whose
// description lists every value, so it reads in full without the picture.
// Each label sits above its bar, so long agency names need no room beside
// it. `track` draws the full length behind each bar (for shares).
std::string BarChart(absl::string_view id, absl::string_view title, const std::vector<Bar>& bars, bool track,
                     absl::string_view bar_class) {
  constexpr int kWidth = 600, kBarMax = 440, kRow = 48, kBarY = 22, kBarHeight = 16, kMaxLabel = 70;
  const int height = static_cast<int>(bars.size()) * kRow;
  std::vector<std::string> described;
  for (const Bar& b : bars) {
    described.push_back(absl::StrCat(b.label, ": ", b.value, b.note.empty() ? "" : " ", b.note));
  }
  std::string out = absl::StrCat("<svg id=\"", id, "\" class=\"chart\" viewBox=\"0 0 ", kWidth, " ", height,
                                 "\" role=\"img\" aria-labelledby=\"", id, "-title ", id, "-desc\">\n<title id=\"",
                                 id, "-title\">", Esc(title), "</title>\n<desc id=\"", id, "-desc\">",
                                 Esc(absl::StrJoin(described, "; ")), "</desc>\n");
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const int length = static_cast<int>(std::clamp(b.fraction, 0.0, 1.0) * kBarMax + 0.5);
    const int value_x = (track ? kBarMax : length) + 8;
    absl::StrAppend(&out, "<g transform=\"translate(0,", static_cast<int>(i) * kRow, ")\">",  //
                    "<text class=\"label\" x=\"0\" y=\"15\"><title>", Esc(b.label), "</title>",
                    Esc(Shorten(b.label, kMaxLabel)), "</text>");
    if (track) {
      absl::StrAppend(&out, "<rect class=\"track\" x=\"0\" y=\"", kBarY, "\" width=\"", kBarMax, "\" height=\"",
                      kBarHeight, "\"/>");
    }
    absl::StrAppend(&out, "<rect class=\"bar", bar_class.empty() ? "" : " ", bar_class, "\" x=\"0\" y=\"", kBarY,
                    "\" width=\"", length, "\" height=\"", kBarHeight, "\"/>",  //
                    "<text class=\"value\" x=\"", value_x, "\" y=\"", kBarY + kBarHeight - 3, "\"><tspan ",
                    b.data_name, "=\"", Esc(b.data_value), "\">", Esc(b.value), "</tspan>");
    if (!b.note.empty()) absl::StrAppend(&out, "<tspan class=\"note\"> ", Esc(b.note), "</tspan>");
    absl::StrAppend(&out, "</text></g>\n");
  }
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

std::string Tile(absl::string_view id, int64_t number, absl::string_view label, absl::string_view extra_class) {
  return absl::StrCat("<div class=\"tile", extra_class.empty() ? "" : " ", extra_class,
                      "\"><span class=\"number\" id=\"", id, "\">", Thousands(number),
                      "</span><span class=\"label\">", Esc(label), "</span></div>\n");
}

std::string AgencyChart(const Totals& totals) {
  std::vector<std::pair<std::string, int64_t>> agencies(totals.open_by_agency.begin(), totals.open_by_agency.end());
  std::stable_sort(agencies.begin(), agencies.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  const int64_t max = agencies.empty() ? 0 : agencies.front().second;
  std::vector<Bar> bars;
  for (const auto& [agency, count] : agencies) {
    bars.push_back({.label = agency, .data_name = "data-agency", .data_value = agency,
                    .fraction = max > 0 ? static_cast<double>(count) / static_cast<double>(max) : 0,
                    .value = Thousands(count)});
  }
  if (bars.empty()) return "<p class=\"hint\">No agency holds records in this scope.</p>\n";
  return BarChart("chart-agency", "Open findings by agency", bars, false, "");
}

std::string KindChart(const Totals& totals) {
  int64_t max = 0;
  for (const auto& [kind, count] : totals.open_by_kind) max = std::max(max, count);
  std::vector<Bar> bars;
  for (const auto& [kind, count] : totals.open_by_kind) {
    const auto k = static_cast<v1::FindingKind>(kind);
    bars.push_back({.label = KindLabel(k), .data_name = "data-kind", .data_value = EnumName(k),
                    .fraction = max > 0 ? static_cast<double>(count) / static_cast<double>(max) : 0,
                    .value = Thousands(count)});
  }
  return BarChart("chart-kind", "Open findings by kind", bars, false, "");
}

std::string CompletenessChart(const v1::SummarizeFindingsResponse& summary) {
  std::vector<Bar> bars;
  for (const v1::AgencyCompleteness& a : summary.completeness()) {
    const int64_t percent = PercentDown(a.children_self_defined(), a.children());
    bars.push_back({.label = a.agency(), .data_name = "data-completeness", .data_value = a.agency(),
                    .fraction = static_cast<double>(percent) / 100.0,
                    .value = absl::StrCat(percent, "%"),
                    .note = absl::StrCat("(", Thousands(a.children_self_defined()), " of ",
                                         Thousands(a.children()), ")")});
  }
  if (bars.empty()) return "<p class=\"hint\">No agency holds records in this scope.</p>\n";
  return BarChart("chart-completeness", "Children with a self-defined record, by agency", bars, true, "good");
}

std::string KindExplanations() {
  std::string out = "<dl class=\"kinds\">\n";
  for (const KindText& k : kKinds) {
    absl::StrAppend(&out, "<dt id=\"kind-", EnumName(k.kind), "\">", Esc(k.label), "</dt><dd>", Esc(k.explanation),
                    "</dd>\n");
  }
  absl::StrAppend(&out,
                  "<dt>Not stated</dt><dd>When a child or family chose not to say, that choice is respected: "
                  "it never raises a finding.</dd>\n</dl>\n");
  return out;
}

void AppendTag(std::string* out, absl::string_view css_class, absl::string_view text) {
  absl::StrAppend(out, "<strong class=\"tag ", css_class, "\">");
  EscTo(out, text);
  out->append("</strong>");
}

// The category labels joined with "; " into `out` (replacing it).
void JoinCategoryLabels(const CategoryLabels& labels, const google::protobuf::RepeatedField<int>& categories,
                        std::string* out) {
  out->clear();
  std::string storage;
  bool first = true;
  for (int c : categories) {
    if (!first) out->append("; ");
    first = false;
    const absl::string_view label = CategoryLabel(labels, c, &storage);
    out->append(label.data(), label.size());
  }
}

void AppendCategoryCell(std::string* out, const CategoryLabels& labels,
                        const google::protobuf::RepeatedField<int>& categories, std::string* scratch) {
  if (categories.empty()) {
    out->append("<td data-sort=\"\"><span class=\"muted\">none</span></td>");
    return;
  }
  JoinCategoryLabels(labels, categories, scratch);
  out->append("<td data-sort=\"");
  EscTo(out, *scratch);
  out->append("\"><ul>");
  std::string storage;
  for (int c : categories) {
    out->append("<li>");
    EscTo(out, CategoryLabel(labels, c, &storage));
    out->append("</li>");
  }
  out->append("</ul></td>");
}

const char* SeverityClass(v1::Severity s) {
  switch (s) {
    case v1::HIGH: return "sev-high";
    case v1::MEDIUM: return "sev-medium";
    case v1::LOW: return "sev-low";
    case v1::INFO: return "sev-info";
    default: return nullptr;
  }
}

// Appends one table row; `scratch` is reused between rows.
void AppendFindingRow(std::string* out, const CategoryLabels& labels, const v1::Finding& f, std::string* scratch) {
  const char* severity_class = SeverityClass(f.severity());
  const char* kind_label = KnownKindLabel(f.kind());
  const char* status_class =
      f.status() == v1::OPEN ? "st-open" : f.status() == v1::ACKNOWLEDGED ? "st-acknowledged" : "st-other";
  absl::StrAppend(out, "<tr data-finding-id=\"", f.finding_id(), "\"><td class=\"id num\">", f.finding_id(),
                  "</td><td class=\"agency\">");
  EscTo(out, f.agency());
  out->append("</td><td class=\"mono\">");
  EscTo(out, f.record_id());
  out->append("</td><td class=\"kind\">");
  EscTo(out, kind_label != nullptr ? absl::string_view(kind_label) : absl::string_view(EnumName(f.kind())));
  absl::StrAppend(out, "</td><td data-sort=\"", static_cast<int>(f.severity()), "\">");
  if (severity_class != nullptr) {
    AppendTag(out, severity_class, SeverityLabel(f.severity()));
  } else {
    AppendTag(out, absl::StrCat("sev-", absl::AsciiStrToLower(EnumName(f.severity()))), SeverityLabel(f.severity()));
  }
  absl::StrAppend(out, "</td><td data-sort=\"", static_cast<int>(f.status()), "\">");
  AppendTag(out, status_class, StatusLabel(f.status()));
  out->append("</td>");
  AppendCategoryCell(out, labels, f.record_categories(), scratch);
  AppendCategoryCell(out, labels, f.reference_categories(), scratch);
  out->append("<td class=\"reason\">");
  EscTo(out, f.reason());
  out->append("</td><td class=\"mono\">");
  EscTo(out, f.suggested_code());
  absl::StrAppend(out, "</td><td class=\"num\" data-sort=\"", f.last_raised_at().seconds(), "\">",
                  TimeElement(f.last_raised_at()), "</td></tr>\n");
}

// The column headings: key (for sorting and #sort=), heading, whether the
// sort is numeric, and the first direction when sorted.
struct Column {
  const char* key;
  const char* heading;
  bool numeric;
  bool first_desc;
};
constexpr Column kColumns[] = {
    {"id", "ID", true, false},
    {"agency", "Agency", false, false},
    {"record", "Agency record ID", false, false},
    {"kind", "Finding", false, false},
    {"severity", "Severity", true, true},
    {"status", "Status", true, false},
    {"recorded", "Recorded categories", false, false},
    {"compared", "Compared with", false, false},
    {"reason", "Reason", false, false},
    {"suggested", "Suggested code", false, false},
    {"raised", "Last raised", true, true},
};

// Appends the table of the first `listed` of `order` (findings in the
// table's order), with a caption saying how many of all `total` it lists.
void AppendFindingsTable(std::string* out, const ReportInput& input, const std::vector<const v1::Finding*>& order,
                         size_t listed, size_t total) {
  if (total == 0) {
    out->append("<p class=\"empty\"><span id=\"row-count\">0</span> open findings: nothing needs work.</p>\n");
    return;
  }
  const std::string shown = Thousands(static_cast<int64_t>(listed));
  const std::string all = Thousands(static_cast<int64_t>(total));
  absl::StrAppend(out,
                  "<div class=\"table-scroll\" role=\"region\" aria-labelledby=\"findings-heading\" tabindex=\"0\">\n"
                  "<table id=\"findings-table\" class=\"sortable\" data-sorted-by=\"severity:desc\">\n<caption>");
  if (listed < total) {
    absl::StrAppend(out, "Showing the <span id=\"row-count\">", shown, "</span> most severe of <span "
                    "id=\"total-count\">", all, "</span> open findings; the CSV file lists all of them. Rows: "
                    "<span id=\"sort-note\" class=\"sort-note\">most severe first</span>. Select a column heading to sort these rows by "
                    "it.</caption>\n<thead><tr>");
  } else {
    absl::StrAppend(out, "<span id=\"row-count\">", shown, "</span> findings, <span id=\"sort-note\" class=\"sort-note\">most severe "
                    "first</span>; the CSV file lists the same <span id=\"total-count\">", all, "</span>. Select a "
                    "column heading to sort by it.</caption>\n<thead><tr>");
  }
  for (const Column& c : kColumns) {
    absl::StrAppend(out, "<th scope=\"col\" data-key=\"", c.key, "\"", c.numeric ? " data-type=\"number\"" : "",
                    c.first_desc ? " data-first=\"desc\"" : "",
                    absl::string_view(c.key) == "severity" ? " aria-sort=\"descending\"" : "", ">", c.heading,
                    "</th>");
  }
  out->append("</tr></thead>\n<tbody>\n");
  std::string scratch;
  for (size_t i = 0; i < listed; ++i) AppendFindingRow(out, input.labels, *order[i], &scratch);
  out->append("</tbody>\n</table>\n</div>\n");
}

// --- CSV ---

// Formula injection: a spreadsheet runs a cell that starts with =, +, - or
// @ (and some also after a tab or carriage return) as a formula, which can
// exfiltrate data or run commands when the file is opened. Agency and record
// ids and reasons come from users, so such a cell is prefixed with a single
// quote, which spreadsheets show as text (OWASP "CSV Injection").
void AppendCsvField(std::string* out, absl::string_view s) {
  const bool guard = !s.empty() && absl::string_view("=+-@\t\r").find(s.front()) != absl::string_view::npos;
  const bool quote = s.find_first_of(",\"\r\n") != absl::string_view::npos;
  if (quote) out->push_back('"');
  if (guard) out->push_back('\'');
  if (!quote) {
    out->append(s.data(), s.size());
    return;
  }
  size_t plain = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '"') continue;
    out->append(s.data() + plain, i + 1 - plain);  // up to and including the quote, which is doubled
    plain = i;
  }
  out->append(s.data() + plain, s.size() - plain);
  out->push_back('"');
}

// Rough sizes, to reserve the output once: bytes per table row and per CSV
// line beyond the finding's own text, and the page without the table.
constexpr size_t kHtmlBytesPerRow = 900;
constexpr size_t kCsvBytesPerLine = 120;
constexpr size_t kHtmlPageBytes = 32 * 1024;

size_t TextBytes(const v1::Finding& f) {
  return f.agency().size() + f.record_id().size() + f.reason().size() + f.suggested_code().size();
}

// --- Files ---

// Writes `contents` to a new temporary file beside `path`; returns its name.
absl::StatusOr<std::string> WriteTemporary(const std::string& path, absl::string_view contents) {
  std::string temp = absl::StrCat(path, ".tmp-XXXXXX");
  const int fd = mkstemp(temp.data());  // mode 0600
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot write \"", path, "\""));
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      close(fd);
      unlink(temp.c_str());
      return absl::ErrnoToStatus(error, absl::StrCat("cannot write \"", temp, "\""));
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    const int error = errno;
    unlink(temp.c_str());
    return absl::ErrnoToStatus(error, absl::StrCat("cannot write \"", temp, "\""));
  }
  return temp;
}

// The page, whose table lists the first `listed` of `order` (findings in
// the table's order).
std::string RenderHtml(const ReportInput& input, const std::vector<const v1::Finding*>& order, size_t listed) {
  const Totals totals = Count(input.summary);
  size_t text = 0;
  for (size_t i = 0; i < listed; ++i) text += TextBytes(*order[i]);
  std::string out;
  out.reserve(kHtmlPageBytes + kReportCss.size() + kChildrenCss.size() + kReportJs.size() +
              listed * kHtmlBytesPerRow + text * 6 / 5);
  absl::StrAppend(&out,
      "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"",
      kCsp,
      "\">\n<meta name=\"referrer\" content=\"no-referrer\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<link rel=\"icon\" href=\"data:,\">\n<title>",
      Esc(input.title), "</title>\n<style>\n", kReportCss, "\n", kChildrenCss, "</style>\n</head>\n<body>\n",
      "<a class=\"skip-link\" href=\"#findings-heading\">Skip to the findings</a>\n"
      "<header class=\"banner\"><div class=\"wrap\">\n<p class=\"service\">ethrec: ethnicity recording</p>\n<h1>",
      Esc(input.title), "</h1>\n<p class=\"meta\">Generated <time id=\"generated-at\" datetime=\"",
      absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ", input.generated_at, absl::UTCTimeZone()), "\">",
      Esc(DisplayTime(input.generated_at)), "</time></p>\n</div></header>\n<main class=\"wrap\">\n");

  absl::StrAppend(&out,
                  "<section aria-labelledby=\"glance-heading\">\n<h2 id=\"glance-heading\">At a glance</h2>\n"
                  "<p class=\"lede\">Open findings are where a child's recorded ethnicity differs from how the "
                  "child describes themselves, or where agencies disagree, and nobody has resolved it yet.</p>\n"
                  "<div class=\"tiles\">\n",
                  Tile("open-count", totals.open, "open findings", "tile-open"),
                  Tile("acknowledged-count", totals.acknowledged, "of them acknowledged (being worked on)", ""),
                  Tile("resolved-count", totals.resolved, "resolved by an officer", ""),
                  Tile("children-count", input.summary.children(), "children stored in ethrec", ""),
                  "</div>\n</section>\n");

  absl::StrAppend(&out,
                  "<section aria-labelledby=\"charts-heading\">\n<h2 id=\"charts-heading\">Where the findings "
                  "are</h2>\n<div class=\"panels\">\n<figure class=\"panel\"><figcaption>Open findings by "
                  "agency</figcaption>\n",
                  AgencyChart(totals),
                  "</figure>\n<figure class=\"panel\"><figcaption>Open findings by kind</figcaption>\n",
                  KindChart(totals),
                  "</figure>\n<figure class=\"panel\"><figcaption>Self-defined records, by agency</figcaption>\n"
                  "<p class=\"hint\">Children with a current record given by the child or a parent or carer "
                  "(a category, or 'not stated'), of the children the agency holds records about.</p>\n",
                  CompletenessChart(input.summary), "</figure>\n</div>\n</section>\n");

  absl::StrAppend(&out,
                  "<section aria-labelledby=\"kinds-heading\">\n<h2 id=\"kinds-heading\">What the findings "
                  "mean</h2>\n",
                  KindExplanations(), "</section>\n");

  absl::StrAppend(&out,
                  "<section aria-labelledby=\"findings-heading\">\n<h2 id=\"findings-heading\" tabindex=\"-1\">"
                  "Open findings</h2>\n<p class=\"lede\">Each finding names the agency's own record id. "
                  "Data-quality officers review a finding by its ID: <code>ethrec review --finding ID "
                  "--action acknowledge</code>.</p>\n");
  AppendFindingsTable(&out, input, order, listed, input.findings.size());
  absl::StrAppend(&out, "</section>\n", RenderChildrenSection(input.children, input.labels, input.children_unavailable, input.children_cut), "</main>\n");

  absl::StrAppend(&out,
                  "<footer><div class=\"wrap\">\n<p>This report shows the data held when it was generated. It "
                  "contains agencies' record ids about children but no NHS numbers or names: store and share it "
                  "under your organisation's information governance rules.</p>\n<p>Categories are the ONS 2021 "
                  "Census ethnic groups for England and Wales.</p>\n</div></footer>\n<script>\n",
                  kReportJs, "</script>\n</body>\n</html>\n");
  return out;
}

// The CSV of `order` (every finding, in the table's order).
std::string RenderCsv(const ReportInput& input, const std::vector<const v1::Finding*>& order) {
  size_t text = 0;
  for (const v1::Finding* f : order) text += TextBytes(*f);
  std::string out;
  out.reserve(256 + order.size() * kCsvBytesPerLine + text * 11 / 10);
  out.append("\xEF\xBB\xBF");  // UTF-8 byte order mark
  out.append(
      "finding_id,agency,record_id,kind,severity,status,record_categories,reference_categories,reason,"
      "suggested_code,last_raised_at\r\n");
  std::string scratch;
  for (const v1::Finding* f : order) {
    absl::StrAppend(&out, f->finding_id(), ",");
    AppendCsvField(&out, f->agency());
    out.push_back(',');
    AppendCsvField(&out, f->record_id());
    absl::StrAppend(&out, ",", EnumName(f->kind()), ",", EnumName(f->severity()), ",", EnumName(f->status()), ",");
    JoinCategoryLabels(input.labels, f->record_categories(), &scratch);
    AppendCsvField(&out, scratch);
    out.push_back(',');
    JoinCategoryLabels(input.labels, f->reference_categories(), &scratch);
    AppendCsvField(&out, scratch);
    out.push_back(',');
    AppendCsvField(&out, f->reason());
    out.push_back(',');
    AppendCsvField(&out, f->suggested_code());
    absl::StrAppend(&out, ",", FormatTimestampUtc(f->last_raised_at()), "\r\n");
  }
  return out;
}

}  // namespace

std::string RenderReportHtml(const ReportInput& input) {
  const size_t listed = TableRows(input);
  return RenderHtml(input, TableOrder(input.findings, listed), listed);
}

std::string RenderFindingsCsv(const ReportInput& input) {
  return RenderCsv(input, TableOrder(input.findings, input.findings.size()));
}

absl::StatusOr<ReportPaths> WriteReport(const std::string& dir, const ReportInput& input) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!ec && !std::filesystem::is_directory(dir, ec) && !ec) ec = std::make_error_code(std::errc::not_a_directory);
  if (ec) return absl::ErrnoToStatus(ec.value(), absl::StrCat("cannot create the report directory \"", dir, "\""));
  const std::filesystem::path base(dir);
  const ReportPaths paths{.html = (base / std::string(kReportHtmlName)).string(),
                          .csv = (base / std::string(kReportCsvName)).string(),
                          .table_rows = TableRows(input),
                          .csv_rows = input.findings.size()};
  // One sort serves both files: the table lists the first rows of the CSV's order.
  const std::vector<const v1::Finding*> order = TableOrder(input.findings, input.findings.size());
  absl::StatusOr<std::string> html = WriteTemporary(paths.html, RenderHtml(input, order, paths.table_rows));
  if (!html.ok()) return html.status();
  absl::StatusOr<std::string> csv = WriteTemporary(paths.csv, RenderCsv(input, order));
  if (!csv.ok()) {
    unlink(html->c_str());
    return csv.status();
  }
  for (const auto& [temp, path] : {std::pair(*html, paths.html), std::pair(*csv, paths.csv)}) {
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
      const int error = errno;
      unlink(html->c_str());
      unlink(csv->c_str());
      return absl::ErrnoToStatus(error, absl::StrCat("cannot write \"", path, "\""));
    }
  }
  return paths;
}

}  // namespace ethrec::tools
