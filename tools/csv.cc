#include "tools/csv.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ethrec::tools {

absl::StatusOr<bool> CsvReader::Next(CsvRecord* record) {
  record->fields.clear();
  record->line = line_;
  if (in_->peek() == std::char_traits<char>::eof()) return false;
  std::string field;
  bool quoted = false, after_quote = false;
  int c;
  while ((c = in_->get()) != std::char_traits<char>::eof()) {
    if (quoted) {
      if (c == '"') {
        if (in_->peek() == '"') {
          in_->get();
          field.push_back('"');
        } else {
          quoted = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++line_;
        field.push_back(static_cast<char>(c));
      }
      continue;
    }
    if (c == ',') {
      record->fields.push_back(std::move(field));
      field.clear();
      after_quote = false;
    } else if (c == '\r' && in_->peek() == '\n') {
      continue;
    } else if (c == '\n') {
      ++line_;
      record->fields.push_back(std::move(field));
      StripByteOrderMark(record);
      return true;
    } else if (c == '"' && field.empty() && !after_quote) {
      quoted = true;
    } else if (after_quote) {
      const int bad_line = line_;
      SkipRestOfLine();
      return absl::InvalidArgumentError(
          absl::StrCat("line ", bad_line, ": text after a closing quote"));
    } else {
      field.push_back(static_cast<char>(c));
    }
  }
  if (quoted) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", record->line, ": a quoted field is never closed"));
  }
  record->fields.push_back(std::move(field));
  StripByteOrderMark(record);
  return true;
}

void CsvReader::SkipRestOfLine() {
  int c;
  while ((c = in_->get()) != std::char_traits<char>::eof()) {
    if (c == '\n') {
      ++line_;
      return;
    }
  }
}

void CsvReader::StripByteOrderMark(CsvRecord* record) {
  if (!first_) return;
  first_ = false;
  std::string& f = record->fields.front();
  if (f.compare(0, 3, "\xEF\xBB\xBF") == 0) f.erase(0, 3);
}

}  // namespace ethrec::tools
