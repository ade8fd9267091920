#include "absl/strings/string_view.h"
#include "tools/cli.h"

#include <fstream>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mapping/normalizer.h"
#include "tools/backend.h"
#include "tools/csv.h"
#include "tools/json_output.h"

namespace ethrec::tools {
namespace {

constexpr char kUsage[] = R"(usage: ethrec [--maps DIR]... [--server HOST:PORT] COMMAND [OPTIONS]

Normalises ethnicity codes and free text to the ONS 2021 ethnic groups.

Commands:
  normalize --system S --code C [--text T]   normalise a code (and its display text)
  normalize --text T [--system S]            normalise free text
  normalize --batch FILE.csv                 one JSON line per row of a CSV with
                                             header system,code,text
  translate --from S --code C --to S2        translate a code between systems
  suggest --category CAT [--detail D] --to S the code to record for a category
          | --non-answer NOT_STATED|NOT_KNOWN --to S
  systems                                    list the loaded code systems
  validate-maps DIR                          check a directory of local code
                                             lists and report every problem

Global options:
  --maps DIR          also load the CodeSystem/ConceptMap files in DIR (repeatable)
  --server HOST:PORT  ask an ethrecd server instead of working in-process
                      (same output); validate-maps always runs locally
  --agency ID         the calling agency sent to the server (default ethrec-cli)
  --role ROLE         the caller's role sent to the server (default cli)

Exit status: 0 success, 1 a request failed, 2 bad command line.
)";

struct ParsedArgs {
  std::vector<std::string> maps;
  std::string server;
  RemoteIdentity identity;
  std::string command;
  absl::flat_hash_map<std::string, std::string> options;
  std::vector<std::string> positional;
};

// Splits `args` into global options, the command, its --key value options
// and positional arguments. Returns an error message on bad syntax.
std::optional<std::string> Parse(const std::vector<std::string>& args, ParsedArgs* p) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (absl::StartsWith(a, "--")) {
      std::string key = a.substr(2), value;
      if (size_t eq = key.find('='); eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
      } else if (key == "help") {
        value = "";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::StrCat("option --", key, " needs a value");
      }
      if (key == "maps") {
        p->maps.push_back(value);
      } else if (p->command.empty() && key == "server") {
        p->server = value;
      } else if (p->command.empty() && key == "agency") {
        p->identity.agency = value;
      } else if (p->command.empty() && key == "role") {
        p->identity.role = value;
      } else if (p->command.empty() && key != "help") {
        return absl::StrCat("unknown global option --", key);
      } else if (!p->options.emplace(key, value).second) {
        return absl::StrCat("option --", key, " is given twice");
      }
    } else if (p->command.empty()) {
      p->command = a;
    } else {
      p->positional.push_back(a);
    }
  }
  return std::nullopt;
}

class Cli {
 public:
  Cli(ParsedArgs args, std::ostream& out, std::ostream& err)
      : args_(std::move(args)), out_(out), err_(err) {}

  int Run() {
    if (args_.command.empty() || args_.options.contains("help") || args_.command == "help") {
      out_ << kUsage;
      return args_.command.empty() && !args_.options.contains("help") ? kExitUsage : kExitOk;
    }
    if (args_.command == "validate-maps") return ValidateMaps();
    static const absl::flat_hash_map<std::string, std::vector<std::string>> kAllowed = {
        {"normalize", {"system", "code", "text", "batch"}},
        {"translate", {"from", "code", "to"}},
        {"suggest", {"category", "detail", "non-answer", "to"}},
        {"systems", {}},
    };
    auto allowed = kAllowed.find(args_.command);
    if (allowed == kAllowed.end()) {
      return Usage(absl::StrCat("unknown command \"", args_.command, "\""));
    }
    for (const auto& [key, value] : args_.options) {
      if (std::find(allowed->second.begin(), allowed->second.end(), key) == allowed->second.end()) {
        return Usage(absl::StrCat("command ", args_.command, " has no option --", key));
      }
    }
    if (!args_.positional.empty()) {
      return Usage(absl::StrCat("unexpected argument \"", args_.positional.front(), "\""));
    }
    if (absl::Status s = Connect(); !s.ok()) return Fail(s);
    if (args_.command == "normalize") return NormalizeCommand();
    if (args_.command == "translate") return TranslateCommand();
    if (args_.command == "suggest") return SuggestCommand();
    absl::StatusOr<SystemsListing> systems = backend_->ListSystems();
    if (!systems.ok()) return Fail(systems.status());
    out_ << SystemsToJson(*systems) << "\n";
    return kExitOk;
  }

 private:
  // The in-process library, or the server given with --server.
  absl::Status Connect() {
    if (!args_.server.empty()) {
      if (!args_.maps.empty()) {
        return absl::InvalidArgumentError("--maps applies in-process only; start ethrecd with --maps instead");
      }
      absl::StatusOr<std::unique_ptr<Backend>> remote = NewRemoteBackend(args_.server, args_.identity);
      if (!remote.ok()) return remote.status();
      backend_ = *std::move(remote);
      return absl::OkStatus();
    }
    LoadOptions options;
    options.local_dirs = args_.maps;
    absl::StatusOr<std::unique_ptr<Normalizer>> normalizer = Normalizer::Create(options);
    if (!normalizer.ok()) return normalizer.status();
    backend_ = NewLocalBackend(*std::move(normalizer));
    return absl::OkStatus();
  }

  std::string Opt(const std::string& key) const {
    auto it = args_.options.find(key);
    return it == args_.options.end() ? "" : it->second;
  }
  bool Has(const std::string& key) const { return args_.options.contains(key); }

  int Usage(absl::string_view message) {
    err_ << "ethrec: " << message << "\n(run 'ethrec --help' for usage)\n";
    return kExitUsage;
  }

  int Fail(const absl::Status& status) {
    err_ << "ethrec: " << ErrorToJson(status) << "\n";
    return kExitError;
  }

  int NormalizeCommand() {
    if (Has("batch")) {
      if (Has("system") || Has("code") || Has("text")) {
        return Usage("--batch cannot be combined with --system, --code or --text");
      }
      return Batch(Opt("batch"));
    }
    if (!Has("code") && !Has("text")) return Usage("normalize needs --code (with --system), --text or --batch");
    if (Has("code") && !Has("system")) return Usage("--code needs --system");
    absl::StatusOr<Normalized> n =
        backend_->Normalize({.system = Opt("system"), .code = Opt("code"), .text = Opt("text")});
    if (!n.ok()) return Fail(n.status());
    out_ << NormalizedToJson(backend_->labels(), *n) << "\n";
    return kExitOk;
  }

  int Batch(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail(absl::NotFoundError(absl::StrCat("cannot open \"", path, "\"")));
    CsvReader reader(&in);
    CsvRecord header;
    absl::StatusOr<bool> got = reader.Next(&header);
    if (!got.ok()) return Fail(got.status());
    if (!*got) return Fail(absl::InvalidArgumentError(absl::StrCat(path, " is empty; expected a header system,code,text")));
    int col[3] = {-1, -1, -1};
    const char* names[3] = {"system", "code", "text"};
    for (size_t i = 0; i < header.fields.size(); ++i) {
      for (int k = 0; k < 3; ++k) {
        if (header.fields[i] == names[k]) col[k] = static_cast<int>(i);
      }
    }
    for (int k = 0; k < 3; ++k) {
      if (col[k] < 0) {
        return Fail(absl::InvalidArgumentError(absl::StrCat(
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
    std::vector<absl::StatusOr<Normalized>> results = backend_->NormalizeMany(requests);
    int failed = 0;
    size_t next = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const int row = static_cast<int>(i) + 1;
      absl::Status error = rows[i].error;
      if (error.ok()) {
        const absl::StatusOr<Normalized>& n = results[next++];
        if (n.ok()) {
          out_ << NormalizedToJson(backend_->labels(), *n, row) << "\n";
          continue;
        }
        error = absl::Status(n.status().code(), absl::StrCat("line ", rows[i].line, ": ", n.status().message()));
      }
      out_ << ErrorToJson(error, row) << "\n";
      ++failed;
    }
    if (failed > 0) {
      err_ << "ethrec: " << failed << " row(s) failed; see their \"error\" objects\n";
      return kExitError;
    }
    return kExitOk;
  }

  int TranslateCommand() {
    if (!Has("from") || !Has("code") || !Has("to")) return Usage("translate needs --from, --code and --to");
    absl::StatusOr<CodeSuggestion> s = backend_->Translate(Opt("from"), Opt("code"), Opt("to"));
    if (!s.ok()) return Fail(s.status());
    out_ << SuggestionToJson(*s) << "\n";
    return kExitOk;
  }

  int SuggestCommand() {
    if (!Has("to")) return Usage("suggest needs --to");
    if (Has("category") == Has("non-answer")) return Usage("suggest needs exactly one of --category and --non-answer");
    TaxonomyValue value;
    if (Has("category")) {
      std::optional<Category> c = ParseCategory(Opt("category"));
      if (!c) {
        return Fail(absl::InvalidArgumentError(absl::StrCat(
            "--category \"", Opt("category"), "\" is not a taxonomy category (e.g. WHITE_ROMA)")));
      }
      value.category = *c;
      value.detail = Opt("detail");
    } else if (Opt("non-answer") == "NOT_STATED" || Opt("non-answer") == "NOT_KNOWN") {
      value.outcome = Opt("non-answer") == "NOT_STATED" ? Outcome::kNotStated : Outcome::kNotKnown;
    } else {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("--non-answer \"", Opt("non-answer"), "\" must be NOT_STATED or NOT_KNOWN")));
    }
    absl::StatusOr<CodeSuggestion> s = backend_->SuggestCode(value, Opt("to"));
    if (!s.ok()) return Fail(s.status());
    out_ << SuggestionToJson(*s) << "\n";
    return kExitOk;
  }

  int ValidateMaps() {
    if (args_.positional.size() != 1 || !args_.options.empty()) return Usage("validate-maps takes one directory");
    std::vector<DataSource> sources;
    for (const std::string& dir : args_.maps) {
      if (absl::Status s = Registry::ReadDirectory(dir, &sources); !s.ok()) return Fail(s);
    }
    const std::string& dir = args_.positional.front();
    const size_t before = sources.size();
    if (absl::Status s = Registry::ReadDirectory(dir, &sources); !s.ok()) return Fail(s);
    const size_t in_dir = sources.size() - before;
    std::vector<LoadProblem> problems;
    std::unique_ptr<const Registry> registry = Registry::LoadSources(sources, true, &problems);
    for (const LoadProblem& p : problems) out_ << p.ToString() << "\n";
    if (registry == nullptr) {
      err_ << "ethrec: " << problems.size() << " problem(s) in " << dir << "; nothing would be loaded\n";
      return kExitError;
    }
    int local = 0;
    for (const auto& s : registry->systems()) local += s->origin != "built-in";
    out_ << "OK: " << in_dir << " file(s) in " << dir << "; " << local
         << " local code system(s) load cleanly beside the built-in ones\n";
    return kExitOk;
  }

  ParsedArgs args_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<Backend> backend_;
};

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ParsedArgs parsed;
  if (std::optional<std::string> error = Parse(args, &parsed)) {
    err << "ethrec: " << *error << "\n(run 'ethrec --help' for usage)\n";
    return kExitUsage;
  }
  return Cli(std::move(parsed), out, err).Run();
}

}  // namespace ethrec::tools
