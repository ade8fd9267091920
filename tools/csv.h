// A small RFC 4180 CSV reader for the command-line tools: quoted fields,
// doubled quotes, commas and line breaks inside quotes, CRLF or LF line ends,
// and a UTF-8 byte-order mark at the start.
#ifndef ETHREC_TOOLS_CSV_H_
#define ETHREC_TOOLS_CSV_H_

#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ethrec::tools {

struct CsvRecord {
  std::vector<std::string> fields;
  int line = 0;  // line number where the record starts, from 1
};

class CsvReader {
 public:
  explicit CsvReader(std::istream* in) : in_(in) {}

  // Reads the next record into `record`. Returns false at end of input.
  // InvalidArgument (naming the line) for a quote that is never closed or
  // text right after a closing quote; after the latter, reading resumes at
  // the next line.
  absl::StatusOr<bool> Next(CsvRecord* record);

 private:
  // Consumes input up to and including the next line break.
  void SkipRestOfLine();
  // Drops a UTF-8 byte-order mark from the first field of the first record.
  void StripByteOrderMark(CsvRecord* record);

  std::istream* in_;
  int line_ = 1;
  bool first_ = true;
};

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_CSV_H_
