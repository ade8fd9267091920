// ethrec_agreement: how often ethrec reads real-world strings as an expert
// coder does. Prints agreement by genre, code-list coverage, calibration and
// the main confusions for each CSV given (see tools/agreement.h).
//
//   ethrec_agreement tests/testdata/realworld/dev.csv [--text_only] [--reader_only] [--misses]
//
// Exit status: 0 when every file was read, 1 when one could not be, 2 for a
// bad command line. The figures are reported, never judged here: targets
// belong in the issue notes, not in a test that times or tunes.
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "mapping/normalizer.h"
#include "tools/agreement.h"

ABSL_FLAG(bool, text_only, false, "read each case's text alone, ignoring its code");
ABSL_FLAG(bool, reader_only, false,
          "with --text_only: the reader alone, without the code descriptions it looks texts up in first "
          "(NormalizerOptions::code_description_systems)");
ABSL_FLAG(bool, misses, false, "list every case read differently from the expert");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("ethrec_agreement FILE.csv... [--text_only] [--reader_only] [--misses]");
  std::vector<char*> files = absl::ParseCommandLine(argc, argv);
  if (files.size() < 2) {
    std::cerr << "ethrec_agreement: name at least one CSV file\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<ethrec::Normalizer>> normalizer = ethrec::Normalizer::Create(
      {}, absl::GetFlag(FLAGS_reader_only) ? ethrec::NormalizerOptions{.code_description_systems = {}}
                                             : ethrec::NormalizerOptions{});
  if (!normalizer.ok()) {
    std::cerr << "ethrec_agreement: " << normalizer.status() << "\n";
    return 1;
  }
  int status = 0;
  for (size_t i = 1; i < files.size(); ++i) {
    std::ifstream in(files[i]);
    if (!in) {
      std::cerr << "ethrec_agreement: cannot open " << files[i] << "\n";
      status = 1;
      continue;
    }
    absl::StatusOr<std::vector<ethrec::tools::AgreementCase>> cases = ethrec::tools::ReadAgreementCases(in);
    if (!cases.ok()) {
      std::cerr << "ethrec_agreement: " << files[i] << ": " << cases.status().message() << "\n";
      status = 1;
      continue;
    }
    const ethrec::tools::AgreementReport report =
        ethrec::tools::Score(*cases, **normalizer, {.text_only = absl::GetFlag(FLAGS_text_only)});
    std::cout << "== " << files[i] << (absl::GetFlag(FLAGS_text_only) ? " (text only)" : "")
              << (absl::GetFlag(FLAGS_reader_only) ? " (reader only)" : "") << "\n"
              << ethrec::tools::FormatReport(report, absl::GetFlag(FLAGS_misses));
  }
  return status;
}
