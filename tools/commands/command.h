// The `ethrec` commands as a table: each Command says its name, the options
// it accepts, whether it needs --server, its lines of the usage text and the
// function that runs it. tools/cli.cc parses the command line, finds the
// command here, checks its options and then runs it, and builds the usage
// text from the same table, so what a command accepts, what its usage says
// and what runs cannot drift apart.
//
// The commands live by area: taxonomy_commands.cc (normalize, translate,
// suggest, systems, validate-maps), records_commands.cc (record, child,
// import), findings_commands.cc (findings, findings summary, findings
// get, review, report), audit_commands.cc (audit), changes_commands.cc
// (watch) and database_commands.cc (migrate-db).
//
// Example:
//   const Command* command = FindCommand("findings summary");
//   CommandContext context(std::move(args), std::cout, std::cerr, env);
//   return command->run(context);
#ifndef ETHREC_TOOLS_COMMANDS_COMMAND_H_
#define ETHREC_TOOLS_COMMANDS_COMMAND_H_

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "tools/audit_client.h"
#include "tools/backend.h"
#include "tools/cli.h"
#include "tools/findings_client.h"
#include "tools/records_client.h"

namespace ethrec::tools {

// The command line, split by tools/cli.cc.
struct CommandArgs {
  // Global options (before the command).
  std::vector<std::string> maps;  // --maps, in order
  std::string server;             // --server; empty: in-process
  RemoteIdentity identity;        // --agency, --role
  // The command's name ("findings summary") and its --key value options; a
  // flag's value is "", a list option's values are joined with commas.
  std::string command;
  absl::flat_hash_map<std::string, std::string> options;
  // The arguments that are not options, after the command's name.
  std::vector<std::string> positional;
};

// What a command runs with: its arguments, the output streams, and the
// clients, each connected the first time a command asks for it.
class CommandContext {
 public:
  // `out` and `err` must outlive the context.
  CommandContext(CommandArgs args, std::ostream& out, std::ostream& err, const CliEnvironment& env);

  const CommandArgs& args() const { return args_; }
  const CliEnvironment& env() const { return env_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // The value of option --`key`; "" when it was not given.
  std::string Opt(absl::string_view key) const;
  bool Has(absl::string_view key) const;

  // Prints "ethrec: `message`" and where to find the usage to err();
  // returns kExitUsage.
  int Usage(absl::string_view message);
  // Prints `status` as a JSON error object to err(); returns kExitError.
  int Fail(const absl::Status& status);

  // Connect what a command asks for: the Backend (the mapping library
  // in-process, or the --server), or the server's RecordsService or
  // FindingsService or AuditService. Each connects once; a later call
  // returns OK at once. InvalidArgument when --maps is given with --server
  // (--maps applies in-process only); otherwise the error of
  // Normalizer::Create, NewRemoteBackend or the client's Connect.
  absl::Status ConnectBackend();
  absl::Status ConnectRecords();
  absl::Status ConnectFindings();
  absl::Status ConnectAudit();
  // The connected clients; each only after its Connect returned OK.
  Backend& backend() { return *backend_; }
  RecordsClient& records() { return *records_; }
  FindingsClient& findings() { return *findings_; }
  AuditClient& audit() { return *audit_; }

 private:
  CommandArgs args_;
  std::ostream& out_;
  std::ostream& err_;
  CliEnvironment env_;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<RecordsClient> records_;
  std::unique_ptr<FindingsClient> findings_;
  std::unique_ptr<AuditClient> audit_;
};

// How a command's --option is written. An option name means the same in
// every command, so the command line splits before the command is known.
enum class OptionKind {
  kValue,  // --key VALUE or --key=VALUE, at most once
  kFlag,   // --key alone
  kList,   // --key VALUE, repeatable: "--kind A --kind B" is "--kind A,B"
};

struct Option {
  absl::string_view name;  // without the leading "--"
  OptionKind kind = OptionKind::kValue;
};

struct Command {
  // What follows the global options: one word, or two for a command within
  // another ("findings summary").
  absl::string_view name;
  // The options it accepts; any other is a usage error.
  std::vector<Option> options;
  // What its one positional argument is, for the usage error when it is
  // missing ("CSV file": "import takes one CSV file"); empty when it takes
  // none.
  absl::string_view argument;
  // The usage error when --server is missing ("record/child/import need
  // --server"); empty when it also runs in-process.
  absl::string_view needs_server;
  // Its lines of the usage text, each "  NAME SYNOPSIS   what it does\n".
  absl::string_view usage;
  // Runs it once its options and arguments are checked; returns the exit
  // status (kExitOk, kExitError or kExitUsage).
  int (*run)(CommandContext& context) = nullptr;
};

// Commands under one heading of the usage text.
struct CommandSection {
  absl::string_view heading;  // e.g. "Records (need --server; the agency is --agency):"
  std::vector<Command> commands;
};

// Every command, in usage order.
const std::vector<CommandSection>& CommandTable();

// The command called `name`, or nullptr when there is none.
const Command* FindCommand(absl::string_view name);

// How option --`name` is written (kValue for a name no command has).
OptionKind KindOfOption(absl::string_view name);

// The sections of each area, for CommandTable.
CommandSection TaxonomyCommands();
CommandSection RecordsCommands();
CommandSection FindingsCommands();
CommandSection AuditCommands();
CommandSection ChangesCommands();
CommandSection DatabaseCommands();

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_COMMANDS_COMMAND_H_
