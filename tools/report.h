// The findings report: one self-contained HTML page for practitioners and
// managers, and a CSV of the same findings for spreadsheet users. Pure
// functions over what FindingsService answered, and WriteReport to put both
// in a directory.
//
// In the report, "open" means needing work: OPEN or ACKNOWLEDGED (the
// findings ListFindings returns by default). The headline counts and the
// charts come from the summary; the CSV lists every one of `findings`, and
// the HTML table the most severe max_table_rows of them (a page with a
// table of 300,000 rows is of no use to a reader, and slow to open).
//
// Both renderings take time and memory linear in the number of findings
// (the table's order is one sort), so 300,000 findings are fine.
//
// The HTML page fetches nothing: its CSS, script and SVG charts are inline,
// and a Content-Security-Policy forbids any network fetch. Every piece of
// data (agency and record ids, reasons and notes come from users) is
// HTML-escaped, and the script reads no data, only the page it sorts. The
// page is complete without the script, which only adds sorting by column.
// Neither file contains an NHS number: findings do not carry one.
//
// Example:
//   ReportInput input{.summary = *summary, .findings = *std::move(open),
//                     .labels = backend->labels(), .generated_at = absl::Now(),
//                     .title = "Ethnicity recording findings"};
//   absl::StatusOr<ReportPaths> paths = WriteReport("out/2026-11", input);
#ifndef ETHREC_TOOLS_REPORT_H_
#define ETHREC_TOOLS_REPORT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ethrec/v1/findings_service.pb.h"
#include "tools/backend.h"

namespace ethrec::tools {

struct ReportInput {
  // SummarizeFindings for the report's scope.
  v1::SummarizeFindingsResponse summary;
  // The findings to list, normally every OPEN and ACKNOWLEDGED one of the
  // same scope. Any order: the table lists them most severe first, then by id.
  std::vector<v1::Finding> findings;
  // The sheets of the children with findings needing work
  // (ListChildReconciliations), for the Children section.
  std::vector<v1::ChildReconciliation> children;
  // Why there is no Children section (e.g. the caller is not a data-quality
  // officer), shown in its place; empty when `children` is the list.
  // children_cut: `children` are the first max_table_rows of more.
  std::string children_unavailable;
  bool children_cut = false;
  // Official labels of the categories ("White: Roma"); a category without
  // one is shown by its taxonomy name.
  CategoryLabels labels;
  // Shown on the page, in UTC.
  absl::Time generated_at;
  // The page's title and main heading, e.g. "Ethnicity recording findings".
  std::string title;
  // The most findings the HTML table lists: the first ones in its order
  // (most severe first, then by id), with a caption saying how many of how
  // many it shows and that the CSV lists them all. The CSV is not capped.
  // A negative value counts as 0 (a table of no rows; the caption still
  // gives the total).
  int max_table_rows = 5000;
};

// The HTML page (UTF-8). Elements a reader or a test can rely on (every
// number is written with thousands separators, e.g. "291,234"):
// - id="open-count", "acknowledged-count", "resolved-count",
//   "children-count": the headline numbers (open = OPEN + ACKNOWLEDGED);
// - data-kind="SELF_ID_MISMATCH" (every kind, zeros included) and
//   data-agency="camden-csc" (every agency in the summary): the open
//   findings of that kind or agency, as text;
// - data-completeness="camden-csc": the agency's share of children with a
//   usable self-defined record, as a whole percentage rounded down ("72%");
// - id="findings-table": one <tr data-finding-id="N"> per finding listed,
//   at most max_table_rows of them (the table is left out when there are no
//   findings). In its caption, id="row-count" is the number of rows in the
//   table and id="total-count" the number of findings (all of `findings`,
//   the rows of the CSV). When the table lists fewer than all, the caption
//   says so: "Showing the 5,000 most severe of 291,234 open findings; the
//   CSV file lists all of them." With no findings there is only
//   id="row-count" ("0"). The script marks the table data-sortable="ready",
//   and data-sorted-by says the order ("severity:desc" as written). A URL
//   fragment "#sort=KEY" or "#sort=KEY:asc|desc" sorts at load, with KEY
//   one of id, agency, record, kind, severity, status, recorded, compared,
//   reason, suggested, raised (severity and raised sort descending by
//   default). Sorting reorders the rows listed; it brings in no others;
// - the Children section, as RenderChildrenSection (report_children.h)
//   describes it.
std::string RenderReportHtml(const ReportInput& input);

// RFC 4180 CSV (CRLF line ends, fields quoted when they hold a comma, quote
// or line break), starting with a UTF-8 byte order mark so that spreadsheet
// programs read it as UTF-8, then the header
//   finding_id,agency,record_id,kind,severity,status,record_categories,
//   reference_categories,reason,suggested_code,last_raised_at
// and one row per finding (all of them, whatever max_table_rows says), in
// the table's order. Kind, severity and status
// are API names; categories are their labels joined with "; "; the time is
// RFC 3339 UTC. A cell that a spreadsheet would run as a formula (one
// starting with =, +, -, @, a tab or a carriage return) is prefixed with '.
std::string RenderFindingsCsv(const ReportInput& input);

// The file names WriteReport writes.
inline constexpr absl::string_view kReportHtmlName = "ethrec-report.html";
inline constexpr absl::string_view kReportCsvName = "ethrec-findings.csv";

struct ReportPaths {
  std::string html;  // dir/ethrec-report.html
  std::string csv;   // dir/ethrec-findings.csv
  size_t table_rows = 0;  // findings listed in the HTML table (at most max_table_rows)
  size_t csv_rows = 0;    // findings listed in the CSV: all of them
};

// Writes RenderReportHtml and RenderFindingsCsv into `dir` (created, with its
// parents, when missing), replacing earlier files. Each file is written to a
// temporary file in `dir` first and renamed into place only when both are
// complete, so a reader never sees a partial file. New files are readable
// and writable by their owner only: they are about children. Errors name
// the path: e.g. NotFound, PermissionDenied or FailedPrecondition (from the
// errno) when `dir` cannot be created or written.
absl::StatusOr<ReportPaths> WriteReport(const std::string& dir, const ReportInput& input);

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_REPORT_H_
