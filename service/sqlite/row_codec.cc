#include "service/sqlite/row_codec.h"

#include <charconv>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "service/postgres/statement.h"

namespace ethrec::sqlite_internal {

static std::string FormatDouble(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

static std::string CategoriesText(const Normalized& n) {
  return absl::StrJoin(n.categories, "|", [](std::string* out, const RankedCategory& r) {
    absl::StrAppend(out, CategoryName(r.category));
  });
}

static std::string ConfidencesText(const Normalized& n) {
  return absl::StrJoin(n.categories, "|", [](std::string* out, const RankedCategory& r) {
    absl::StrAppend(out, FormatDouble(r.confidence));
  });
}

std::string CategorySetText(CategorySet set) {
  return absl::StrJoin(set.ToVector(), "|",
                       [](std::string* out, Category c) { absl::StrAppend(out, CategoryName(c)); });
}

// Each note followed by a newline; backslashes and newlines inside a note
// are escaped, so any list of notes (even empty ones) reads back exactly.
static std::string NotesText(const std::vector<std::string>& notes) {
  std::string out;
  for (const std::string& note : notes) {
    for (char c : note) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '\n';
  }
  return out;
}

// DataLoss for a column holding what this build cannot read; `column` is
// in `observations` unless it names its table ("findings.record_set"). The
// codec serves the SQLite and the PostgreSQL store, so the message names
// the stored row rather than either database.
absl::Status Corrupt(absl::string_view column) {
  return absl::DataLossError(absl::StrCat("stored row: ", absl::StrContains(column, '.') ? "" : "observations.",
                                          column, " holds a value this build cannot read"));
}

static std::optional<std::vector<std::string>> ParseNotes(absl::string_view text) {
  std::vector<std::string> notes;
  std::string note;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      notes.push_back(std::move(note));
      note.clear();
    } else if (c == '\\') {
      if (++i == text.size()) return std::nullopt;
      if (text[i] == 'n') {
        note += '\n';
      } else if (text[i] == '\\') {
        note += '\\';
      } else {
        return std::nullopt;
      }
    } else {
      note += c;
    }
  }
  if (!note.empty()) return std::nullopt;
  return notes;
}

template <typename E, int N>
static std::optional<E> ParseByName(absl::string_view name, absl::string_view (*to_name)(E)) {
  for (int i = 0; i < N; ++i) {
    if (to_name(static_cast<E>(i)) == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

absl::StatusOr<CategorySet> ParseCategorySet(absl::string_view text, absl::string_view column) {
  CategorySet set;
  if (text.empty()) return set;
  for (absl::string_view name : absl::StrSplit(text, '|')) {
    std::optional<Category> c = ParseCategory(name);
    if (!c.has_value()) return Corrupt(column);
    set.Add(*c);
  }
  return set;
}

static absl::Status ParseRanked(absl::string_view names, absl::string_view confidences, Normalized& n) {
  if (names.empty() != confidences.empty()) return Corrupt("norm_confidences");
  if (names.empty()) return absl::OkStatus();
  // Walks both lists together ("A|B", "0.6|0.4"): read for every record on
  // every write, so no vectors.
  while (true) {
    const size_t name_end = std::min(names.find('|'), names.size());
    const size_t conf_end = std::min(confidences.find('|'), confidences.size());
    std::optional<Category> c = ParseCategory(names.substr(0, name_end));
    if (!c.has_value()) return Corrupt("norm_categories");
    double d = 0;
    const char* const conf_last = confidences.data() + conf_end;
    auto [end, ec] = std::from_chars(confidences.data(), conf_last, d);
    if (ec != std::errc() || end != conf_last) return Corrupt("norm_confidences");
    n.categories.push_back({*c, d});
    const bool names_done = name_end == names.size();
    if (names_done != (conf_end == confidences.size())) return Corrupt("norm_confidences");
    if (names_done) return absl::OkStatus();
    names.remove_prefix(name_end + 1);
    confidences.remove_prefix(conf_end + 1);
  }
}

// The observation row the query is on (columns as kObservationColumns).
template <typename Q>
absl::StatusOr<StoredObservation> ReadObservationRow(const Q& q) {
  StoredObservation s;
  Observation& o = s.observation;
  o.agency = q.ColumnText(0);
  o.record_id = q.ColumnText(1);
  o.record_version = q.ColumnInt(2);
  o.nhs_number = q.ColumnText(3);
  o.agency_child_id = q.ColumnText(4);
  o.system = q.ColumnText(5);
  o.code = q.ColumnText(6);
  o.text = q.ColumnText(7);
  std::optional<SuppliedBy> supplied_by = ParseSuppliedBy(q.ColumnText(8));
  if (!supplied_by.has_value()) return Corrupt("supplied_by");
  o.supplied_by = *supplied_by;
  o.recorded_at = absl::FromUnixMicros(q.ColumnInt(9));
  s.received_at = absl::FromUnixMicros(q.ColumnInt(10));

  Normalized& n = s.normalized;
  std::optional<Outcome> outcome = ParseByName<Outcome, 4>(q.ColumnText(11), OutcomeName);
  if (!outcome.has_value()) return Corrupt("norm_outcome");
  n.outcome = *outcome;
  if (absl::Status st = ParseRanked(q.ColumnText(12), q.ColumnText(13), n); !st.ok()) return st;
  absl::StatusOr<CategorySet> set = ParseCategorySet(q.ColumnText(14), "norm_category_set");
  if (!set.ok()) return set.status();
  n.category_set = *set;
  std::optional<Relationship> relationship = ParseRelationship(q.ColumnText(15));
  if (!relationship.has_value()) return Corrupt("norm_relationship");
  n.relationship = *relationship;
  n.ambiguous = q.ColumnInt(16) != 0;
  n.detail = q.ColumnText(17);
  std::optional<RecordingBasis> basis =
      ParseByName<RecordingBasis, 3>(q.ColumnText(18), RecordingBasisName);
  if (!basis.has_value()) return Corrupt("norm_basis");
  n.basis = *basis;
  n.system = q.ColumnText(19);
  n.system_version = q.ColumnText(20);
  n.code = q.ColumnText(21);
  n.display = q.ColumnText(22);
  n.map_id = q.ColumnText(23);
  n.map_version = q.ColumnText(24);
  n.decided_by_text = q.ColumnInt(25) != 0;
  n.explanation = q.ColumnText(26);
  std::optional<std::vector<std::string>> notes = ParseNotes(q.ColumnText(27));
  if (!notes.has_value()) return Corrupt("norm_notes");
  n.notes = *std::move(notes);
  return s;
}

// Fills `r` (which may hold an earlier row) from the record row the query
// is on (columns as kCurrentRecords).
template <typename Q>
absl::Status ReadRecordStateRow(const Q& q, RecordState& r) {
  r.agency.assign(q.ColumnView(0).data(), q.ColumnView(0).size());
  r.record_id.assign(q.ColumnView(1).data(), q.ColumnView(1).size());
  r.record_version = q.ColumnInt(2);
  std::optional<SuppliedBy> supplied_by = ParseSuppliedBy(q.ColumnView(3));
  if (!supplied_by.has_value()) return Corrupt("records.cur_supplied_by");
  r.supplied_by = *supplied_by;
  r.recorded_at = absl::FromUnixMicros(q.ColumnInt(4));
  r.system.assign(q.ColumnView(5).data(), q.ColumnView(5).size());
  Normalized& n = r.normalized;
  std::optional<Outcome> outcome = ParseByName<Outcome, 4>(q.ColumnView(6), OutcomeName);
  if (!outcome.has_value()) return Corrupt("records.cur_outcome");
  n.outcome = *outcome;
  n.categories.clear();  // `r` may be reused
  if (absl::Status st = ParseRanked(q.ColumnView(7), q.ColumnView(8), n); !st.ok()) return st;
  // The set is the ranked categories'.
  n.category_set = CategorySet();
  for (const RankedCategory& c : n.categories) n.category_set.Add(c.category);
  n.detail.assign(q.ColumnView(9).data(), q.ColumnView(9).size());
  std::optional<RecordingBasis> basis = ParseByName<RecordingBasis, 3>(q.ColumnView(10), RecordingBasisName);
  if (!basis.has_value()) return Corrupt("records.cur_basis");
  n.basis = *basis;
  n.code.assign(q.ColumnView(11).data(), q.ColumnView(11).size());
  return absl::OkStatus();
}

// A finding's history is kept in its row, one line per event after the
// first (RAISED, at first_raised_at_us, is implied):
// ACTION<TAB>at_us<TAB>by_agency<TAB>by_role<TAB>note<NEWLINE>, with
// backslash, tab and newline escaped in every field. Appending an event is
// then part of the one UPDATE that changes the finding.
static void AppendEscaped(std::string* out, absl::string_view field) {
  for (char c : field) {
    switch (c) {
      case '\\': *out += "\\\\"; break;
      case '\t': *out += "\\t"; break;
      case '\n': *out += "\\n"; break;
      default: *out += c;
    }
  }
}

std::string EventLine(FindingAction action, int64_t at_us, absl::string_view by_agency, absl::string_view by_role,
                      absl::string_view note) {
  std::string line = absl::StrCat(FindingActionName(action), "\t", at_us, "\t");
  AppendEscaped(&line, by_agency);
  line += '\t';
  AppendEscaped(&line, by_role);
  line += '\t';
  AppendEscaped(&line, note);
  line += '\n';
  return line;
}

static std::optional<std::string> Unescape(absl::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\') {
      out += field[i];
      continue;
    }
    if (++i == field.size()) return std::nullopt;
    switch (field[i]) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      default: return std::nullopt;
    }
  }
  return out;
}

std::optional<std::vector<FindingEvent>> ParseHistory(absl::string_view text) {
  std::vector<FindingEvent> events;
  if (text.empty()) return events;
  if (text.back() != '\n') return std::nullopt;
  text.remove_suffix(1);
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    int64_t at_us = 0;
    std::optional<FindingAction> action = f.size() == 5 ? ParseFindingAction(f[0]) : std::nullopt;
    if (!action.has_value() || !absl::SimpleAtoi(f[1], &at_us)) return std::nullopt;
    std::optional<std::string> agency = Unescape(f[2]), role = Unescape(f[3]), note = Unescape(f[4]);
    if (!agency || !role || !note) return std::nullopt;
    events.push_back(FindingEvent{*action, absl::FromUnixMicros(at_us), *std::move(agency), *std::move(role),
                                  *std::move(note)});
  }
  return events;
}

// A finding's facts (mapping/reconcile.h FindingFacts) as one line of
// tab-separated, escaped fields: record detail, reference detail, system,
// code, other agency, suggested display, when the reference was stated (Unix
// microseconds, empty for none), then flags ("a" ascribed, "u"
// unrecognised, "d" declined later).
std::string FactsText(const FindingFacts& f) {
  std::string out;
  for (const std::string* field :
       {&f.record_detail, &f.reference_detail, &f.system, &f.code, &f.other_agency, &f.suggested_display}) {
    AppendEscaped(&out, *field);
    out += '\t';
  }
  if (f.stated_at != absl::InfinitePast()) absl::StrAppend(&out, absl::ToUnixMicros(f.stated_at));
  out += '\t';
  if (f.ascribed) out += 'a';
  if (f.unrecognised) out += 'u';
  if (f.declined_later) out += 'd';
  return out;
}

std::optional<FindingFacts> ParseFacts(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '\t');
  if (parts.size() != 8) return std::nullopt;
  FindingFacts f;
  std::string* fields[] = {&f.record_detail, &f.reference_detail, &f.system,
                           &f.code,          &f.other_agency,     &f.suggested_display};
  for (int i = 0; i < 6; ++i) {
    std::optional<std::string> v = Unescape(parts[i]);
    if (!v.has_value()) return std::nullopt;
    *fields[i] = *std::move(v);
  }
  if (!parts[6].empty()) {
    int64_t at_us = 0;
    if (!absl::SimpleAtoi(parts[6], &at_us)) return std::nullopt;
    f.stated_at = absl::FromUnixMicros(at_us);
  }
  for (char c : parts[7]) {
    if (c == 'a') {
      f.ascribed = true;
    } else if (c == 'u') {
      f.unrecognised = true;
    } else if (c == 'd') {
      f.declined_later = true;
    } else {
      return std::nullopt;
    }
  }
  return f;
}

absl::Status CorruptFinding(absl::string_view column) { return Corrupt(absl::StrCat("findings.", column)); }

// The finding row the query is on (columns as kFindingColumns).
template <typename Q>
absl::StatusOr<StoredFinding> ReadFindingRow(const Q& q) {
  StoredFinding f;
  f.id = q.ColumnInt(0);
  std::optional<FindingKind> kind = ParseFindingKind(q.ColumnText(1));
  if (!kind.has_value()) return CorruptFinding("kind");
  f.kind = *kind;
  std::optional<Severity> severity = ParseSeverity(q.ColumnText(2));
  if (!severity.has_value()) return CorruptFinding("severity");
  f.severity = *severity;
  std::optional<FindingStatus> status = ParseFindingStatus(q.ColumnText(3));
  if (!status.has_value()) return CorruptFinding("status");
  f.status = *status;
  f.agency = q.ColumnText(4);
  std::optional<std::vector<RecordRef>> compared = DecodeRecordRefs(q.ColumnView(5));
  if (!compared.has_value() || compared->empty()) return CorruptFinding("compared");
  f.compared = *std::move(compared);
  f.record_id = f.compared.front().record_id;
  absl::StatusOr<CategorySet> record_set = ParseCategorySet(q.ColumnView(6), "findings.record_set");
  if (!record_set.ok()) return record_set.status();
  f.record_set = *record_set;
  absl::StatusOr<CategorySet> reference_set = ParseCategorySet(q.ColumnView(7), "findings.reference_set");
  if (!reference_set.ok()) return reference_set.status();
  f.reference_set = *reference_set;
  std::optional<FindingFacts> facts = ParseFacts(q.ColumnView(8));
  if (!facts.has_value()) return CorruptFinding("facts");
  f.facts = *std::move(facts);
  f.suggested_code = q.ColumnText(9);
  f.first_raised_at = absl::FromUnixMicros(q.ColumnInt(10));
  f.last_raised_at = absl::FromUnixMicros(q.ColumnInt(11));
  f.reopen_count = static_cast<int>(q.ColumnInt(12));
  std::optional<std::vector<FindingEvent>> history = ParseHistory(q.ColumnView(13));
  if (!history.has_value()) return CorruptFinding("history");
  f.history.reserve(history->size() + 1);
  f.history.push_back(FindingEvent{FindingAction::kRaised, f.first_raised_at, "", "", ""});
  f.history.insert(f.history.end(), std::make_move_iterator(history->begin()),
                   std::make_move_iterator(history->end()));
  return f;
}

EncodedNormalized::EncodedNormalized(const Normalized& n)
    : categories(CategoriesText(n)),
      confidences(ConfidencesText(n)),
      category_set(CategorySetText(n.category_set)),
      notes(NotesText(n.notes)) {}

template <typename Q>
Q& BindCurrentState(Q& q, const Observation& o, const Normalized& n, const EncodedNormalized& e) {
  return q.Int(SelfDefined(o.supplied_by, n) ? 1 : 0)
      .Text(SuppliedByName(o.supplied_by))
      .Int(absl::ToUnixMicros(o.recorded_at))
      .Text(o.system)
      .Text(OutcomeName(n.outcome))
      .Text(e.categories)
      .Text(e.confidences)
      .Text(n.detail)
      .Text(RecordingBasisName(n.basis))
      .Text(n.code);
}

template <typename Q>
Q& BindObservation(Q& q, const Observation& o, const Normalized& n, const EncodedNormalized& e,
                       int64_t received_us) {
  return q.Text(o.agency)
      .Text(o.record_id)
      .Int(o.record_version)
      .Text(o.nhs_number)
      .Text(o.agency_child_id)
      .Text(o.system)
      .Text(o.code)
      .Text(o.text)
      .Text(SuppliedByName(o.supplied_by))
      .Int(absl::ToUnixMicros(o.recorded_at))
      .Int(received_us)
      .Text(OutcomeName(n.outcome))
      .Text(e.categories)
      .Text(e.confidences)
      .Text(e.category_set)
      .Text(RelationshipName(n.relationship))
      .Int(n.ambiguous ? 1 : 0)
      .Text(n.detail)
      .Text(RecordingBasisName(n.basis))
      .Text(n.system)
      .Text(n.system_version)
      .Text(n.code)
      .Text(n.display)
      .Text(n.map_id)
      .Text(n.map_version)
      .Int(n.decided_by_text ? 1 : 0)
      .Text(n.explanation)
      .Text(e.notes);
}

std::string IdListText(const std::vector<int64_t>& ids) { return absl::StrJoin(ids, ","); }

std::optional<std::vector<int64_t>> ParseIdList(absl::string_view text) {
  std::vector<int64_t> ids;
  if (text.empty()) return ids;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int64_t id = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), id);
    if (ec != std::errc() || end != part.data() + part.size() || id < 1) return std::nullopt;
    ids.push_back(id);
  }
  return ids;
}

template <typename Q>
Q& BindAuditEvent(Q& q, const AuditEvent& e, const std::string& child_ids, const std::string& finding_ids) {
  return q.Int(absl::ToUnixMicros(e.time))
      .Text(e.actor.agency)
      .Text(e.actor.role)
      .Text(e.actor.identity)
      .Text(e.actor.peer)
      .Text(e.actor.method)
      .Text(child_ids)
      .Text(finding_ids)
      .Int(e.validate_only ? 1 : 0)
      .Text(e.outcome);
}

template <typename Q>
absl::StatusOr<AuditEvent> ReadAuditEventRow(const Q& q) {
  AuditEvent e;
  e.id = q.ColumnInt(0);
  e.time = absl::FromUnixMicros(q.ColumnInt(1));
  e.actor = {q.ColumnText(2), q.ColumnText(3), q.ColumnText(4), q.ColumnText(5), q.ColumnText(6)};
  std::optional<std::vector<int64_t>> children = ParseIdList(q.ColumnView(7));
  if (!children.has_value()) return Corrupt("audit_events.child_ids");
  std::optional<std::vector<int64_t>> findings = ParseIdList(q.ColumnView(8));
  if (!findings.has_value()) return Corrupt("audit_events.finding_ids");
  e.child_ids = *std::move(children);
  e.finding_ids = *std::move(findings);
  e.validate_only = q.ColumnInt(9) != 0;
  e.outcome = q.ColumnText(10);
  return e;
}

template <typename Q>
absl::StatusOr<ExistingFinding> ReadExistingFindingRow(const Q& q, int64_t* child) {
  *child = q.ColumnInt(3);
  std::optional<FindingStatus> status = ParseFindingStatus(q.ColumnView(2));
  if (!status.has_value()) return CorruptFinding("status");
  std::optional<FindingKind> kind = ParseFindingKind(q.ColumnView(4));
  if (!kind.has_value()) return CorruptFinding("kind");
  const int64_t rank = q.ColumnInt(7);
  if (rank < 0 || rank > static_cast<int64_t>(Severity::kHigh)) return CorruptFinding("severity_rank");
  return ExistingFinding{q.ColumnInt(0),    q.ColumnText(1), *status, *kind, q.ColumnText(5), q.ColumnText(6),
                         static_cast<Severity>(rank)};
}

// Both stores' queries (see row_codec.h).
#define ETHREC_ROW_CODEC_FOR(Q)                                                                                  \
  template Q& BindCurrentState(Q&, const Observation&, const Normalized&, const EncodedNormalized&);            \
  template Q& BindObservation(Q&, const Observation&, const Normalized&, const EncodedNormalized&, int64_t);     \
  template absl::StatusOr<StoredObservation> ReadObservationRow(const Q&);                                      \
  template absl::Status ReadRecordStateRow(const Q&, RecordState&);                                             \
  template absl::StatusOr<StoredFinding> ReadFindingRow(const Q&);                                              \
  template absl::StatusOr<ExistingFinding> ReadExistingFindingRow(const Q&, int64_t*);                          \
  template Q& BindAuditEvent(Q&, const AuditEvent&, const std::string&, const std::string&);                    \
  template absl::StatusOr<AuditEvent> ReadAuditEventRow(const Q&);
ETHREC_ROW_CODEC_FOR(Query)
ETHREC_ROW_CODEC_FOR(postgres_internal::Query)
#undef ETHREC_ROW_CODEC_FOR
// PostgreSQL inserts a batch's new records, and its observations, in one
// statement each.
template postgres_internal::RowArrays& BindCurrentState(postgres_internal::RowArrays&, const Observation&,
                                                        const Normalized&, const EncodedNormalized&);
template postgres_internal::RowArrays& BindObservation(postgres_internal::RowArrays&, const Observation&,
                                                       const Normalized&, const EncodedNormalized&, int64_t);

}  // namespace ethrec::sqlite_internal
