// A child's reconciliation sheet (FindingsService.GetChildReconciliation):
// the reference identity and each agency's current records with a verdict
// (mapping/verdict.h), built from what the store holds about the child.
#ifndef ETHREC_SERVICE_CHILD_SHEET_H_
#define ETHREC_SERVICE_CHILD_SHEET_H_

#include "absl/strings/string_view.h"
#include "ethrec/v1/findings_service.pb.h"
#include "mapping/taxonomy.h"
#include "service/store.h"

namespace ethrec::service {

// Whose view of the sheet: a data-quality officer sees every agency and the
// source of the reference; anyone else (`agency`) only its own agency's
// records and findings, and the reference without its source.
struct SheetViewer {
  bool officer = false;
  absl::string_view agency;
};

// Whether `viewer` may see `child` at all: an officer always; an agency
// only a child it holds a record about.
bool MaySeeChild(const ChildRecord& child, const SheetViewer& viewer);

void ToSheet(const ChildRecord& child, const SheetViewer& viewer, v1::ChildReconciliation* out);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_CHILD_SHEET_H_
