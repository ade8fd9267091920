// normalize, translate, suggest, systems and validate-maps: the code
// systems, in-process or from --server.
#include <fstream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "mapping/normalizer.h"
#include "tools/commands/command.h"
#include "tools/csv.h"
#include "tools/json_output.h"

namespace ethrec::tools {
namespace {

// `normalize --batch FILE`: one JSON line per row, a failed row as its error.
int Batch(CommandContext& c, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return c.Fail(absl::NotFoundError(absl::StrCat("cannot open \"", path, "\"")));
  CsvReader reader(&in);
  CsvRecord header;
  absl::StatusOr<bool> got = reader.Next(&header);
  if (!got.ok()) return c.Fail(got.status());
  if (!*got) {
    return c.Fail(absl::InvalidArgumentError(absl::StrCat(path, " is empty; expected a header system,code,text")));
  }
  int col[3] = {-1, -1, -1};
  const char* names[3] = {"system", "code", "text"};
  for (size_t i = 0; i < header.fields.size(); ++i) {
    for (int k = 0; k < 3; ++k) {
      if (header.fields[i] == names[k]) col[k] = static_cast<int>(i);
    }
  }
  for (int k = 0; k < 3; ++k) {
    if (col[k] < 0) {
      return c.Fail(absl::InvalidArgumentError(absl::StrCat(
          path, " line 1: the header has no \"", names[k], "\" column; expected system,code,text")));
    }
  }
  // Read every row first, so a server can take them in batches.
  struct Row {
    int line = 0;
    std::string system, code, text;
    absl::Status error;
  };
  std::vector<Row> rows;
  while (true) {
    CsvRecord record;
    absl::StatusOr<bool> more = reader.Next(&record);
    if (!more.ok()) {
      rows.push_back(Row{record.line, "", "", "", more.status()});
      continue;  // the reader resumes at the next line
    }
    if (!*more) break;
    if (record.fields.size() == 1 && record.fields[0].empty()) continue;  // blank line
    Row row{record.line, "", "", "", absl::OkStatus()};
    if (record.fields.size() != header.fields.size()) {
      row.error = absl::InvalidArgumentError(absl::StrCat("line ", record.line, ": ", record.fields.size(),
                                                          " fields; the header has ", header.fields.size()));
    } else {
      row.system = record.fields[col[0]];
      row.code = record.fields[col[1]];
      row.text = record.fields[col[2]];
    }
    rows.push_back(std::move(row));
  }
  std::vector<NormalizeRequest> requests;
  for (const Row& r : rows) {
    if (r.error.ok()) requests.push_back({.system = r.system, .code = r.code, .text = r.text});
  }
  std::vector<absl::StatusOr<Normalized>> results = c.backend().NormalizeMany(requests);
  int failed = 0;
  size_t next = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const int row = static_cast<int>(i) + 1;
    absl::Status error = rows[i].error;
    if (error.ok()) {
      const absl::StatusOr<Normalized>& n = results[next++];
      if (n.ok()) {
        c.out() << NormalizedToJson(c.backend().labels(), *n, row) << "\n";
        continue;
      }
      error = absl::Status(n.status().code(), absl::StrCat("line ", rows[i].line, ": ", n.status().message()));
    }
    c.out() << ErrorToJson(error, row) << "\n";
    ++failed;
  }
  if (failed > 0) {
    c.err() << "ethrec: " << failed << " row(s) failed; see their \"error\" objects\n";
    return kExitError;
  }
  return kExitOk;
}

int Normalize(CommandContext& c) {
  if (absl::Status s = c.ConnectBackend(); !s.ok()) return c.Fail(s);
  if (c.Has("batch")) {
    if (c.Has("system") || c.Has("code") || c.Has("text")) {
      return c.Usage("--batch cannot be combined with --system, --code or --text");
    }
    return Batch(c, c.Opt("batch"));
  }
  if (!c.Has("code") && !c.Has("text")) return c.Usage("normalize needs --code (with --system), --text or --batch");
  if (c.Has("code") && !c.Has("system")) return c.Usage("--code needs --system");
  absl::StatusOr<Normalized> n =
      c.backend().Normalize({.system = c.Opt("system"), .code = c.Opt("code"), .text = c.Opt("text")});
  if (!n.ok()) return c.Fail(n.status());
  c.out() << NormalizedToJson(c.backend().labels(), *n) << "\n";
  return kExitOk;
}

int Translate(CommandContext& c) {
  if (absl::Status s = c.ConnectBackend(); !s.ok()) return c.Fail(s);
  if (!c.Has("from") || !c.Has("code") || !c.Has("to")) return c.Usage("translate needs --from, --code and --to");
  absl::StatusOr<CodeSuggestion> s = c.backend().Translate(c.Opt("from"), c.Opt("code"), c.Opt("to"));
  if (!s.ok()) return c.Fail(s.status());
  c.out() << SuggestionToJson(*s) << "\n";
  return kExitOk;
}

int Suggest(CommandContext& c) {
  if (absl::Status s = c.ConnectBackend(); !s.ok()) return c.Fail(s);
  if (!c.Has("to")) return c.Usage("suggest needs --to");
  if (c.Has("category") == c.Has("non-answer")) {
    return c.Usage("suggest needs exactly one of --category and --non-answer");
  }
  TaxonomyValue value;
  if (c.Has("category")) {
    std::optional<Category> category = ParseCategory(c.Opt("category"));
    if (!category) {
      return c.Fail(absl::InvalidArgumentError(absl::StrCat(
          "--category \"", c.Opt("category"), "\" is not a taxonomy category (e.g. WHITE_ROMA)")));
    }
    value.category = *category;
    value.detail = c.Opt("detail");
  } else if (c.Opt("non-answer") == "NOT_STATED" || c.Opt("non-answer") == "NOT_KNOWN") {
    value.outcome = c.Opt("non-answer") == "NOT_STATED" ? Outcome::kNotStated : Outcome::kNotKnown;
  } else {
    return c.Fail(absl::InvalidArgumentError(
        absl::StrCat("--non-answer \"", c.Opt("non-answer"), "\" must be NOT_STATED or NOT_KNOWN")));
  }
  absl::StatusOr<CodeSuggestion> s = c.backend().SuggestCode(value, c.Opt("to"));
  if (!s.ok()) return c.Fail(s.status());
  c.out() << SuggestionToJson(*s) << "\n";
  return kExitOk;
}

int Systems(CommandContext& c) {
  if (absl::Status s = c.ConnectBackend(); !s.ok()) return c.Fail(s);
  absl::StatusOr<SystemsListing> systems = c.backend().ListSystems();
  if (!systems.ok()) return c.Fail(systems.status());
  c.out() << SystemsToJson(*systems) << "\n";
  return kExitOk;
}

// Always in-process: it checks files before anyone loads them.
int ValidateMaps(CommandContext& c) {
  std::vector<DataSource> sources;
  for (const std::string& dir : c.args().maps) {
    if (absl::Status s = Registry::ReadDirectory(dir, &sources); !s.ok()) return c.Fail(s);
  }
  const std::string& dir = c.args().positional.front();
  const size_t before = sources.size();
  if (absl::Status s = Registry::ReadDirectory(dir, &sources); !s.ok()) return c.Fail(s);
  const size_t in_dir = sources.size() - before;
  std::vector<LoadProblem> problems;
  std::unique_ptr<const Registry> registry = Registry::LoadSources(sources, true, &problems);
  for (const LoadProblem& p : problems) c.out() << p.ToString() << "\n";
  if (registry == nullptr) {
    c.err() << "ethrec: " << problems.size() << " problem(s) in " << dir << "; nothing would be loaded\n";
    return kExitError;
  }
  int local = 0;
  for (const auto& s : registry->systems()) local += s->origin != "built-in";
  c.out() << "OK: " << in_dir << " file(s) in " << dir << "; " << local
          << " local code system(s) load cleanly beside the built-in ones\n";
  return kExitOk;
}

}  // namespace

CommandSection TaxonomyCommands() {
  return {
      .heading = "Commands:",
      .commands = {
          {.name = "normalize",
           .options = {{"system"}, {"code"}, {"text"}, {"batch"}},
           .usage = "  normalize --system S --code C [--text T]   normalise a code (and its display text)\n"
                    "  normalize --text T [--system S]            normalise free text\n"
                    "  normalize --batch FILE.csv                 one JSON line per row of a CSV with\n"
                    "                                             header system,code,text\n",
           .run = Normalize},
          {.name = "translate",
           .options = {{"from"}, {"code"}, {"to"}},
           .usage = "  translate --from S --code C --to S2        translate a code between systems\n",
           .run = Translate},
          {.name = "suggest",
           .options = {{"category"}, {"detail"}, {"non-answer"}, {"to"}},
           .usage = "  suggest --category CAT [--detail D] --to S the code to record for a category\n"
                    "          | --non-answer NOT_STATED|NOT_KNOWN --to S\n",
           .run = Suggest},
          {.name = "systems",
           .usage = "  systems                                    list the loaded code systems\n",
           .run = Systems},
          {.name = "validate-maps",
           .argument = "directory",
           .usage = "  validate-maps DIR                          check a directory of local code\n"
                    "                                             lists and report every problem\n",
           .run = ValidateMaps},
      }};
}

}  // namespace ethrec::tools
