// The report page's style sheet and script, from the files in tools/report/
// (edited as plain CSS and JavaScript), embedded at build time by
// cmake/embed_files.cmake. The page inlines them: it fetches nothing.
#ifndef ETHREC_TOOLS_INTERNAL_REPORT_ASSETS_H_
#define ETHREC_TOOLS_INTERNAL_REPORT_ASSETS_H_

#include "absl/strings/string_view.h"

namespace ethrec::tools::report_internal {

// tools/report/report.css: the page's layout, in NHS identity colours;
// every text and background pair has a contrast ratio of at least 4.5:1
// (WCAG 2.1 AA).
extern const absl::string_view kReportCss;

// tools/report/children.css: the verdict colours of the Children section
// (report_children.h).
extern const absl::string_view kChildrenCss;

// tools/report/report.js: sorting by column. It reads only the page
// (data-sort values and cell text) and writes only element order and
// attributes, never markup.
extern const absl::string_view kReportJs;

}  // namespace ethrec::tools::report_internal

#endif  // ETHREC_TOOLS_INTERNAL_REPORT_ASSETS_H_
