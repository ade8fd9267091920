// The report's Children section: one row per child with findings needing
// work, one column per agency, each cell the verdict on that agency's
// records (GetChildReconciliation), colour-coded (tools/report/children.css)
// and sortable. Children are named by ethrec's pseudonymous child_id and
// agencies' own record ids, never by NHS number (a sheet carries none).
#ifndef ETHREC_TOOLS_REPORT_CHILDREN_H_
#define ETHREC_TOOLS_REPORT_CHILDREN_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "ethrec/v1/findings_service.pb.h"
#include "tools/backend.h"

namespace ethrec::tools {

// The section's HTML. Elements a reader or a test can rely on:
// - id="children-table" (class "sortable"), one <tr data-child-id="N"> per
//   child, in the order given; its caption's id="children-row-count" is
//   the number of rows;
// - a <th data-agency-column="AGENCY"> per agency that holds a record about
//   any of the children, sorted by name;
// - in each row, per agency, a <td data-verdict="VERDICT"> (the agency's
//   most serious verdict, API name; "" where the agency holds no record),
//   listing the agency's record ids;
// - with no children, only a paragraph with id="children-row-count" "0".
// The columns sort (the page script); a child's reference is shown by the
// category labels in `labels` and the date it was stated.
// With `unavailable` non-empty the section says only that (why there is no
// list); with `cut` it says the rows are the first of more (by child id).
std::string RenderChildrenSection(const std::vector<v1::ChildReconciliation>& children, const CategoryLabels& labels,
                                  absl::string_view unavailable, bool cut);

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_REPORT_CHILDREN_H_
