// A child's reconciliation sheet (FindingsService.GetChildReconciliation):
// the reference identity and each agency's current records with a verdict
// (mapping/verdict.h), built from what the store holds about the child.
#ifndef ETHREC_API_CHILD_SHEET_H_
#define ETHREC_API_CHILD_SHEET_H_

#include "absl/strings/string_view.h"
#include "ethrec/v1/findings_service.pb.h"
#include "mapping/taxonomy.h"
#include "mapping/child_record.h"

namespace ethrec::api {

// `child` (everything held, every agency) as `viewer` sees its sheet: an
// every-agency viewer (officer) sees every agency and the source of the
// reference; one agency only its own records and findings, and the
// reference (computed from every agency's records) without its source.
// Call only when MaySeeChild(child, viewer).
void ToSheet(const ChildRecord& child, const ChildViewer& viewer, v1::ChildReconciliation* out);

}  // namespace ethrec::api

#endif  // ETHREC_API_CHILD_SHEET_H_
