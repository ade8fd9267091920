#include "mapping/free_text.h"

#include "mapping/internal/free_text_reading.h"
#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "mapping/text_fold.h"

namespace ethrec {

using free_text_internal::AppendRecognised;
using free_text_internal::Apply2001Classification;
using free_text_internal::ApplyExclusion;
using free_text_internal::ApplySection;
using free_text_internal::BasisFactor;
using free_text_internal::Combine;
using free_text_internal::Evidence;
using free_text_internal::Gather;
using free_text_internal::IsCensusHeading;
using free_text_internal::NamesGroupOrMarker;
using free_text_internal::Reading;
using free_text_internal::SectionOf;
using free_text_internal::Small;
using free_text_internal::SplitExclusion;
using free_text_internal::StripClassificationQualifiers;
using free_text_internal::StripSemanticTag;
using free_text_internal::kBaseConfidence;

namespace {

// The whole text as the reader first folds it, and as KnownTerms are keyed:
// one function, so that the two cannot drift apart.
absl::Status FoldWhole(absl::string_view text, std::string* out) {
  return FoldTextMarkingLabels(StripSemanticTag(text), out);
}

// Folded text has no whitespace but ' '.
absl::string_view TrimSpaces(absl::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// What the label steps look for at the word starts of folded text: see Read.
struct WordStarts {
  bool maybe_census = false;
  bool maybe_exclusion = false;
  Small<size_t> bars;  // offsets of each '|', which folding makes a word of its own
};

WordStarts ScanWordStarts(const std::string& folded) {
  WordStarts out;
  const char* const d = folded.data();
  const size_t n = folded.size();
  char prev = ' ';
  for (size_t i = 0; i < n; prev = d[i], ++i) {
    if (prev != ' ') continue;
    const char c = d[i];
    if (c == 'c') {
      out.maybe_census = true;
    } else if (c == 'e' && i > 0 && i + 1 < n && d[i + 1] == 'x') {
      out.maybe_exclusion = true;
    } else if (c == '|') {
      out.bars.push_back(i);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> KnownTermKey(absl::string_view text) {
  std::string key;
  if (absl::Status s = FoldWhole(text, &key); !s.ok()) return s;
  return key;
}

FreeTextClassifier::FreeTextClassifier(const Lexicon* lexicon, const KnownTerms* known_terms)
    : lexicon_(lexicon),
      known_terms_(known_terms),
      explanation_prefix_(absl::StrCat("free text (lexicon ", lexicon->versions(), "): ")) {}

absl::StatusOr<Normalized> FreeTextClassifier::Classify(absl::string_view text) const {
  absl::StatusOr<Normalized> result = Read(text);
  // A known term of one word ("Caucasian", "Turkish") is what practitioners
  // type, and experts read it apart: the reader's ranked (and honestly
  // ambiguous) reading stands, and the term's map answers only a word the
  // reader does not know ("Pygmies"). Looked up only then: most texts are
  // read.
  if (known_terms_ != nullptr && result.ok() && result->outcome == Outcome::kUnrecognised) {
    std::string key;
    if (FoldWhole(text, &key).ok() && key.find(' ') == std::string::npos) {
      if (auto it = known_terms_->find(key); it != known_terms_->end()) *result = it->second;
    }
  }
  return result;
}

absl::StatusOr<Normalized> FreeTextClassifier::Read(absl::string_view text) const {
  // Every return returns `result`, so the compiler builds it in the
  // caller's slot (Normalized is large to move).
  absl::StatusOr<Normalized> result(absl::in_place);
  if (text.size() > kMaxFreeTextBytes) {
    result = absl::InvalidArgumentError(absl::StrCat("text is ", text.size(), " bytes long; the limit is ",
                                                     kMaxFreeTextBytes));
    return result;
  }
  // The folded text lives in a per-thread buffer: this is a hot path.
  thread_local std::string folded_buffer;
  if (absl::Status s = FoldWhole(text, &folded_buffer); !s.ok()) {
    result = std::move(s);
    return result;
  }
  // A description of several words is a coded term: its code's map decides
  // (one word: see Classify).
  if (known_terms_ != nullptr && folded_buffer.find(' ') != std::string::npos) {
    if (auto it = known_terms_->find(folded_buffer); it != known_terms_->end()) {
      *result = it->second;
      return result;
    }
  }
  // One pass over the word starts finds what the label steps look for: a
  // word that may be "census", "cens" or "classification" (one starting
  // 'c'), one that may be "excl..." ("ex", not first), and the '|' of label
  // separators. Most texts name no census and exclude nothing, and so skip
  // both steps.
  WordStarts starts = ScanWordStarts(folded_buffer);
  const size_t scanned_size = folded_buffer.size();
  const int census_year = starts.maybe_census ? StripClassificationQualifiers(&folded_buffer) : 0;
  thread_local std::string excluded;
  if (starts.maybe_exclusion) {
    SplitExclusion(&folded_buffer, &excluded);
  } else {
    excluded.clear();
  }
  if (folded_buffer.size() != scanned_size) {
    // Words were removed, and an exclusion's removal can leave a '|' right
    // after a word: every byte is looked at.
    starts.bars.clear();
    for (size_t i = 0; i < folded_buffer.size(); ++i) {
      if (folded_buffer[i] == '|') starts.bars.push_back(i);
    }
  }
  const std::string* const folded = &folded_buffer;

  // A form label reads "heading | answer": peel answers from the right until
  // one has ethnic meaning ("- 2011 census" has none); the heading before it
  // adds only its group, "mixed" and "other" words. Heading positions come
  // before every answer position.
  Small<absl::string_view> segments;
  size_t start = 0;
  for (size_t bar : starts.bars) {
    segments.push_back(TrimSpaces(absl::string_view(*folded).substr(start, bar - start)));
    start = bar + 1;
  }
  segments.push_back(TrimSpaces(absl::string_view(*folded).substr(start)));
  Evidence ev;
  ev.original = text;
  size_t answer = segments.size() - 1;
  int dropped_unknown = 0;
  bool dropped_not_stated = false, dropped_not_known = false;
  Small<const Term*> dropped_terms;  // non-answers in dropped segments, for the explanation
  for (; answer > 0; --answer) {
    Gather(*lexicon_, segments[answer], 0, /*heading_only=*/false, ev);
    if (ev.HasEthnicContent()) break;
    dropped_unknown += ev.unknown_words;
    dropped_not_stated |= ev.not_stated;  // "Ethnicity: Not stated"
    dropped_not_known |= ev.not_known;
    for (const Term* t : ev.recognised) {
      if (t->kind == TermKind::kNotStated || t->kind == TermKind::kNotKnown) dropped_terms.push_back(t);
    }
    ev = Evidence();
    ev.original = text;
  }
  // It is a heading only if it names a group, "mixed" or "other"
  // ("Black or Black British - Caribbean"); otherwise ("Traveller - Irish")
  // every segment is part of the answer.
  if (answer > 0) {
    bool heading = false;
    for (size_t h = 0; h < answer && !heading; ++h) heading = NamesGroupOrMarker(*lexicon_, segments[h]);
    for (size_t h = 0; h < answer; ++h) {
      Gather(*lexicon_, segments[h], -100000 + 1000 * static_cast<int>(h), /*heading_only=*/heading, ev);
      ev.census_heading |= heading && IsCensusHeading(text, segments[h]);
    }
  } else {
    Gather(*lexicon_, segments[0], 0, /*heading_only=*/false, ev);
  }
  // "or" lists alternatives ("Fijian or Samoan"), unless "and" joins the
  // alternatives' names into one mixed answer ("White or White British and
  // Asian or Asian British").
  if (ev.said_or && !ev.conjunction) ev.not_mixed = true;
  ev.unknown_words += dropped_unknown;
  ev.not_stated |= dropped_not_stated;
  ev.not_known |= dropped_not_known;
  ev.recognised.insert(ev.recognised.end(), dropped_terms.begin(), dropped_terms.end());

  Normalized& out = *result;
  out.basis = RecordingBasis::kUnspecified;
  out.decided_by_text = true;
  out.notes = std::move(ev.notes);
  out.explanation.reserve(224);
  out.explanation.append(explanation_prefix_);

  if (!ev.HasEthnicContent()) {
    if (ev.not_stated || ev.not_known) {
      out.outcome = ev.not_stated ? Outcome::kNotStated : Outcome::kNotKnown;
      out.relationship = Relationship::kEquivalent;
      out.explanation.append("recognised ");
      AppendRecognised(ev, &out.explanation);
      absl::StrAppend(&out.explanation, ": a non-answer, ", OutcomeName(out.outcome));
      return result;
    }
    out.outcome = Outcome::kUnrecognised;
    out.relationship = Relationship::kNotRelatedTo;
    if (folded->find_first_not_of(" |") == std::string::npos) {
      out.explanation.append("the text has no letters or digits");
    } else if (ev.umbrella != nullptr) {
      absl::StrAppend(&out.explanation, "'", ev.umbrella_text, "' names no ethnic group; not guessed");
    } else {
      out.explanation.append("no ethnic group recognised; not guessed");
    }
    return result;
  }
  // A nationality alone ("British", "UK citizen") names no ethnic group:
  // people of every group hold it.
  const bool nationality_only = ev.recognised.size() == 1 && ev.modifiers.size() == 1 &&
                                ev.modifiers.front()->basis == TermBasis::kNationality &&
                                ev.others_after_conjunction_at.empty();
  if (nationality_only) {
    out.outcome = Outcome::kUnrecognised;
    out.relationship = Relationship::kNotRelatedTo;
    out.explanation.append("recognised ");
    AppendRecognised(ev, &out.explanation);
    out.explanation.append(": a nationality, which names no ethnic group; not guessed");
    return result;
  }
  if (ev.not_stated || ev.not_known) {
    out.notes.push_back("the text also contains a non-answer; the ethnic group it names was used");
  }

  Reading reading = Combine(ev);
  std::optional<Group> section = SectionOf(ev);
  // Under a plain group heading, an answer that itself says the person is of
  // mixed origin is Mixed: "Black - other, mixed" and "Other Black -
  // Black/White orig" are the 1991 census's "Black - other" write-ins that
  // later classifications moved to Mixed. A census section still decides
  // ("Asian, Asian British or Asian Welsh: Other Mixed" is Other Asian).
  if (section && *section != Group::kMixed && !ev.census_heading && reading.said_mixed &&
      GroupOf(reading.ranked.front()) == Group::kMixed) {
    section.reset();
  }
  if (section) ApplySection(*section, ev, reading);
  if (!excluded.empty()) ApplyExclusion(*lexicon_, excluded, reading);
  if (census_year == 2001 && !section) Apply2001Classification(ev, reading);
  // A section has already ranked its category first; otherwise the heading's
  // heritages rank the answer's candidates ("Indian - Tamil").
  if (!section && !ev.context.empty() && reading.ranked.size() > 1) {
    std::stable_partition(reading.ranked.begin(), reading.ranked.end(), [&](Category c) {
      for (const Term* t : ev.context) {
        if (std::find(t->categories.begin(), t->categories.end(), c) != t->categories.end()) return true;
      }
      return false;
    });
    reading.clear_first = true;
  }
  double base = kBaseConfidence * BasisFactor(reading.basis) * reading.factor;
  for (int i = 0; i < ev.corrections; ++i) base *= 0.85;
  if (ev.unknown_words > 0) {
    base *= 0.8;
    out.notes.push_back(absl::StrCat(ev.unknown_words, " word(s) not recognised"));
  }
  const size_t n = reading.ranked.size();
  for (size_t i = 0; i < n; ++i) {
    double confidence;
    if (n == 1) {
      confidence = base;
    } else if (!reading.clear_first) {
      confidence = base / static_cast<double>(n);
    } else {
      confidence = i == 0 ? base * 0.6 : base * 0.4 / static_cast<double>(n - 1);
    }
    out.categories.push_back(RankedCategory{reading.ranked[i], confidence});
    out.category_set.Add(reading.ranked[i]);
  }
  out.outcome = Outcome::kCategories;
  out.ambiguous = n > 1 && !reading.clear_first;
  out.detail = std::move(reading.detail);
  if (n > 1) {
    out.relationship = Relationship::kSourceIsBroaderThanTarget;
  } else if (reading.basis != TermBasis::kEthnicity) {
    out.relationship = Relationship::kRelatedTo;
  } else if (!out.detail.empty()) {
    out.relationship = Relationship::kSourceIsNarrowerThanTarget;
  } else {
    out.relationship = Relationship::kEquivalent;
  }
  out.explanation.append("recognised ");
  AppendRecognised(ev, &out.explanation);
  out.explanation.append("; read as ").append(reading.how.data(), reading.how.size());
  if (reading.basis != TermBasis::kEthnicity) {
    const absl::string_view basis = TermBasisName(reading.basis);
    out.explanation.append(" (a ").append(basis.data(), basis.size()).append(", not an ethnic group)");
  }
  return result;
}

}  // namespace ethrec
