// Test-only: the Normalizer over the built-in data, shared by a test binary,
// and CSV files read as rows of named columns.
#ifndef ETHREC_TESTS_TESTING_BUILTIN_DATA_H_
#define ETHREC_TESTS_TESTING_BUILTIN_DATA_H_

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mapping/normalizer.h"
#include "tools/csv.h"

namespace ethrec::testing {

// The Normalizer over the built-in code lists, created once per binary. A
// load failure fails the test and aborts: nothing else could run.
inline const Normalizer& BuiltinNormalizer() {
  static const Normalizer* const n = [] {
    absl::StatusOr<std::unique_ptr<Normalizer>> created = Normalizer::Create(LoadOptions());
    if (!created.ok()) {
      ADD_FAILURE() << created.status();
      std::abort();
    }
    return created->release();
  }();
  return *n;
}

using CsvRow = std::map<std::string, std::string>;

// The rows of the CSV at `path`, keyed by the header's column names. An
// unreadable file, a bad record or a row whose field count differs from the
// header's is a test failure.
inline std::vector<CsvRow> ReadCsvRows(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  tools::CsvReader reader(&in);
  tools::CsvRecord header, record;
  absl::StatusOr<bool> got = reader.Next(&header);
  EXPECT_TRUE(got.ok() && *got) << path << ": no header";
  std::vector<CsvRow> rows;
  while (true) {
    got = reader.Next(&record);
    EXPECT_TRUE(got.ok()) << path << ": " << got.status();
    if (!got.ok() || !*got) break;
    EXPECT_EQ(record.fields.size(), header.fields.size()) << path << " line " << record.line;
    CsvRow row;
    for (size_t i = 0; i < header.fields.size() && i < record.fields.size(); ++i) {
      row[header.fields[i]] = record.fields[i];
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_TESTING_BUILTIN_DATA_H_
