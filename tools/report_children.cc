#include "tools/report_children.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "api/convert.h"
#include "mapping/verdict.h"
#include "tools/findings_output.h"
#include "tools/internal/html.h"

namespace ethrec::tools {
namespace {

using html_internal::Esc;
using html_internal::EscTo;

// How a verdict reads in a cell. Its seriousness, for sorting, is the
// domain's own (mapping/verdict.h VerdictRank).
struct VerdictLabel {
  v1::Verdict verdict;
  const char* label;
};
constexpr VerdictLabel kVerdictLabels[] = {
    {v1::VERDICT_DIFFERS, "Differs"},
    {v1::VERDICT_OUT_OF_DATE, "Out of date"},
    {v1::VERDICT_NOT_KNOWN, "Not known"},
    {v1::VERDICT_DETAIL_LOST, "Detail lost"},
    {v1::VERDICT_CODE_LIST_LIMIT, "Code list limit"},
    {v1::VERDICT_NOT_SELF_DEFINED, "Not self-defined"},
    {v1::VERDICT_UNCONFIRMED, "Unconfirmed"},
    {v1::VERDICT_DECLINED, "Declined to say"},
    {v1::VERDICT_AGREES, "Agrees"},
    {v1::VERDICT_REFERENCE, "Child's statement"},
};

const char* LabelOf(v1::Verdict v) {
  for (const VerdictLabel& l : kVerdictLabels) {
    if (l.verdict == v) return l.label;
  }
  return nullptr;
}

std::string Labels(const CategoryLabels& labels, const google::protobuf::RepeatedField<int>& categories) {
  std::string out;
  for (int c : categories) {
    const std::optional<Category> cat = api::FromProto(static_cast<v1::Category>(c));
    const std::string label = cat && !labels[static_cast<int>(*cat)].empty()
                                  ? labels[static_cast<int>(*cat)]
                                  : v1::Category_Name(static_cast<v1::Category>(c));
    absl::StrAppend(&out, out.empty() ? "" : " or ", label);
  }
  return out;
}

}  // namespace

std::string RenderChildrenSection(const std::vector<v1::ChildReconciliation>& children, const CategoryLabels& labels,
                                  absl::string_view unavailable, bool cut) {
  std::string out =
      "<section aria-labelledby=\"children-heading\">\n<h2 id=\"children-heading\">Children</h2>\n"
      "<p class=\"lede\">One row per child with findings needing work: beside the child's own statement (or a "
      "parent's), what each agency's current records say of it. Children are shown by ethrec's pseudonymous id; "
      "see one in full with <code>ethrec child</code>.</p>\n";
  if (!unavailable.empty()) return absl::StrCat(out, "<p class=\"empty\">", Esc(unavailable), "</p>\n</section>\n");
  if (cut) {
    absl::StrAppend(&out, "<p class=\"hint\">These are the first ", children.size(),
                    " children by id of more with findings needing work; list them all with the API "
                    "(ListChildReconciliations).</p>\n");
  }
  if (children.empty()) {
    return out + "<p class=\"empty\"><span id=\"children-row-count\">0</span> children have findings needing "
                 "work.</p>\n</section>\n";
  }
  std::set<std::string> agencies;
  for (const v1::ChildReconciliation& c : children) {
    for (const v1::AgencyVerdicts& a : c.agencies()) agencies.insert(a.agency());
  }
  absl::StrAppend(&out,
                  "<div class=\"table-scroll\" role=\"region\" aria-labelledby=\"children-heading\" tabindex=\"0\">\n"
                  "<table id=\"children-table\" class=\"sortable\" data-sorted-by=\"open:desc\">\n<caption><span "
                  "id=\"children-row-count\">",
                  children.size(),
                  "</span> children, <span class=\"sort-note\">most open findings first</span>. Select a column "
                  "heading to sort by it.</caption>\n<thead><tr><th scope=\"col\" data-key=\"child\" "
                  "data-type=\"number\">Child</th><th scope=\"col\" data-key=\"open\" data-type=\"number\" "
                  "data-first=\"desc\" aria-sort=\"descending\">Open findings</th><th scope=\"col\" "
                  "data-key=\"reference\">Child's identity</th>");
  int column = 0;
  for (const std::string& agency : agencies) {
    absl::StrAppend(&out, "<th scope=\"col\" data-key=\"a", column++, "\" data-type=\"number\" data-first=\"desc\" "
                    "data-agency-column=\"", Esc(agency), "\">", Esc(agency), "</th>");
  }
  out.append("</tr></thead>\n<tbody>\n");
  std::vector<const v1::ChildReconciliation*> order;
  for (const v1::ChildReconciliation& c : children) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return a->open_findings() > b->open_findings();
  });
  for (const v1::ChildReconciliation* c : order) {
    absl::StrAppend(&out, "<tr data-child-id=\"", c->child_id(), "\"><td class=\"num mono\">", c->child_id(),
                    "</td><td class=\"num\">", c->open_findings(), "</td>");
    if (c->has_reference()) {
      const std::string reference = Labels(labels, c->reference().categories());
      out.append("<td data-sort=\"");
      EscTo(&out, reference);
      out.append("\">");
      EscTo(&out, reference);
      if (!c->reference().detail().empty()) absl::StrAppend(&out, " (", Esc(c->reference().detail()), ")");
      absl::StrAppend(&out, "<span class=\"muted\"> &middot; ",
                      c->reference().supplied_by() == v1::PARENT_OR_CARER ? "a parent or carer" : "the child",
                      ", ", FormatTimestampUtc(c->reference().stated_at()).substr(0, 10),
                      c->reference().declined_later() ? "; later declined to say" : "", "</span></td>");
    } else {
      out.append("<td data-sort=\"\"><span class=\"muted\">no statement</span></td>");
    }
    for (const std::string& agency : agencies) {
      const auto it = std::find_if(c->agencies().begin(), c->agencies().end(),
                                   [&agency](const v1::AgencyVerdicts& a) { return a.agency() == agency; });
      if (it == c->agencies().end()) {
        out.append("<td class=\"verdict\" data-verdict=\"\" data-sort=\"-1\"></td>");
        continue;
      }
      const char* label = LabelOf(it->verdict());
      const std::optional<Verdict> verdict = api::FromProto(it->verdict());
      const std::string name = v1::Verdict_Name(it->verdict());
      absl::StrAppend(&out, "<td class=\"verdict\" data-verdict=\"", Esc(name), "\" data-sort=\"",
                      verdict ? VerdictRank(*verdict) : -1, "\"><span class=\"tag v-",
                      absl::AsciiStrToLower(absl::StripPrefix(name, "VERDICT_")), "\">", label ? label : Esc(name),
                      "</span><span class=\"ids\">");
      bool first = true;
      for (const v1::RecordVerdict& r : it->records()) {
        if (!first) out.append(", ");
        first = false;
        EscTo(&out, r.record().record_id());
      }
      out.append("</span></td>");
    }
    out.append("</tr>\n");
  }
  out.append("</tbody>\n</table>\n</div>\n</section>\n");
  return out;
}

}  // namespace ethrec::tools
