#include "tools/cli.h"

#include <algorithm>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "tools/commands/command.h"

namespace ethrec::tools {
namespace {

// The usage text is these around the sections of the command table.
constexpr absl::string_view kUsageHead =
    "usage: ethrec [--maps DIR]... [--server HOST:PORT] COMMAND [OPTIONS]\n"
    "\n"
    "Normalises ethnicity codes and free text to the ONS 2021 ethnic groups.\n"
    "\n";
constexpr absl::string_view kUsageTail =
    "Global options:\n"
    "  --maps DIR          also load the CodeSystem/ConceptMap files in DIR (repeatable)\n"
    "  --server HOST:PORT  ask an ethrecd server instead of working in-process\n"
    "                      (same output); validate-maps always runs locally\n"
    "  --agency ID         the calling agency sent to the server (default ethrec-cli)\n"
    "  --role ROLE         the caller's role sent to the server without TLS (default record-system)\n"
    "  --tls_ca PEM --tls_cert PEM --tls_key PEM\n"
    "                      mutual TLS: the CA of the server's certificate, and this client's\n"
    "                      certificate and key (its SPIFFE ID names the agency and role)\n"
    "\n"
    "Exit status: 0 success, 1 a request failed, 2 bad command line.\n";

// `ethrec --help`: every section of the command table, with its heading.
std::string UsageText() {
  std::string text(kUsageHead);
  for (const CommandSection& section : CommandTable()) {
    absl::StrAppend(&text, section.heading, "\n");
    for (const Command& command : section.commands) absl::StrAppend(&text, command.usage);
    absl::StrAppend(&text, "\n");
  }
  absl::StrAppend(&text, kUsageTail);
  return text;
}

// `ethrec COMMAND --help`, and after a usage error naming an option.
std::string CommandUsage(const Command& command) {
  return absl::StrCat("usage:\n", command.usage,
                      "(run 'ethrec --help' for the global options and every command)\n");
}

// Splits `args` into global options, the command, its --key value options
// and positional arguments. A command within another ("findings summary")
// takes its second word from the first positional argument. Returns an
// error message on bad syntax.
std::optional<std::string> Parse(const std::vector<std::string>& args, CommandArgs* p) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (absl::StartsWith(a, "--")) {
      std::string key = a.substr(2), value;
      if (size_t eq = key.find('='); eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
      } else if (key == "help" || KindOfOption(key) == OptionKind::kFlag) {
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
      } else if (p->command.empty() && key == "tls_ca") {
        p->identity.tls_ca = value;
      } else if (p->command.empty() && key == "tls_cert") {
        p->identity.tls_cert = value;
      } else if (p->command.empty() && key == "tls_key") {
        p->identity.tls_key = value;
      } else if (p->command.empty() && key != "help") {
        return absl::StrCat("unknown global option --", key);
      } else if (auto [it, inserted] = p->options.emplace(key, value); !inserted) {
        if (KindOfOption(key) != OptionKind::kList) return absl::StrCat("option --", key, " is given twice");
        absl::StrAppend(&it->second, ",", value);
      }
    } else if (p->command.empty()) {
      p->command = a;
    } else {
      p->positional.push_back(a);
    }
  }
  if (!p->positional.empty()) {
    std::string two_words = absl::StrCat(p->command, " ", p->positional.front());
    if (FindCommand(two_words) != nullptr) {
      p->command = std::move(two_words);
      p->positional.erase(p->positional.begin());
    }
  }
  return std::nullopt;
}

// Finds the command, checks --server, its options and arguments, and runs it.
int Run(CommandContext& context) {
  const CommandArgs& args = context.args();
  const bool help = args.options.contains("help");
  if (args.command.empty() || args.command == "help") {
    context.out() << UsageText();
    return args.command.empty() && !help ? kExitUsage : kExitOk;
  }
  const Command* command = FindCommand(args.command);
  if (help) {
    context.out() << (command != nullptr ? CommandUsage(*command) : UsageText());
    return kExitOk;
  }
  if (command == nullptr) return context.Usage(absl::StrCat("unknown command \"", args.command, "\""));
  if (!command->needs_server.empty() && args.server.empty()) return context.Usage(command->needs_server);
  for (const auto& option_given : args.options) {
    // A named variable, not a structured binding: clang 14 cannot capture one.
    const auto& key = option_given.first;
    auto allowed = [&key](const Option& option) { return option.name == key; };
    if (std::none_of(command->options.begin(), command->options.end(), allowed)) {
      context.err() << "ethrec: command " << command->name << " has no option --" << key << "\n"
                    << CommandUsage(*command);
      return kExitUsage;
    }
  }
  if (!command->argument.empty()) {
    if (args.positional.size() != 1) {
      return context.Usage(absl::StrCat(command->name, " takes one ", command->argument));
    }
  } else if (!args.positional.empty()) {
    return context.Usage(absl::StrCat("unexpected argument \"", args.positional.front(), "\""));
  }
  return command->run(context);
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return RunCli(args, out, err, CliEnvironment{});
}

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const CliEnvironment& env) {
  CommandArgs parsed;
  const std::optional<std::string> error = Parse(args, &parsed);
  CommandContext context(std::move(parsed), out, err, env);
  if (error) return context.Usage(*error);
  return Run(context);
}

}  // namespace ethrec::tools
