#include "tools/commands/command.h"

#include <utility>

#include "mapping/normalizer.h"
#include "tools/json_output.h"

namespace ethrec::tools {
namespace {

absl::Status MapsNeedInProcess() {
  return absl::InvalidArgumentError("--maps applies in-process only; start ethrecd with --maps instead");
}

}  // namespace

CommandContext::CommandContext(CommandArgs args, std::ostream& out, std::ostream& err, const CliEnvironment& env)
    : args_(std::move(args)), out_(out), err_(err), env_(env) {}

std::string CommandContext::Opt(absl::string_view key) const {
  auto it = args_.options.find(key);
  return it == args_.options.end() ? "" : it->second;
}

bool CommandContext::Has(absl::string_view key) const { return args_.options.contains(key); }

int CommandContext::Usage(absl::string_view message) {
  err_ << "ethrec: " << message << "\n(run 'ethrec --help' for usage)\n";
  return kExitUsage;
}

int CommandContext::Fail(const absl::Status& status) {
  err_ << "ethrec: " << ErrorToJson(status) << "\n";
  return kExitError;
}

absl::Status CommandContext::ConnectBackend() {
  if (backend_ != nullptr) return absl::OkStatus();
  if (!args_.server.empty()) {
    if (!args_.maps.empty()) return MapsNeedInProcess();
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

absl::Status CommandContext::ConnectRecords() {
  if (records_ != nullptr) return absl::OkStatus();
  if (!args_.maps.empty()) return MapsNeedInProcess();
  absl::StatusOr<std::unique_ptr<RecordsClient>> client = RecordsClient::Connect(args_.server, args_.identity);
  if (!client.ok()) return client.status();
  records_ = *std::move(client);
  return absl::OkStatus();
}

absl::Status CommandContext::ConnectFindings() {
  if (findings_ != nullptr) return absl::OkStatus();
  if (!args_.maps.empty()) return MapsNeedInProcess();
  absl::StatusOr<std::unique_ptr<FindingsClient>> client = FindingsClient::Connect(args_.server, args_.identity);
  if (!client.ok()) return client.status();
  findings_ = *std::move(client);
  return absl::OkStatus();
}

absl::Status CommandContext::ConnectAudit() {
  if (audit_ != nullptr) return absl::OkStatus();
  if (!args_.maps.empty()) return MapsNeedInProcess();
  absl::StatusOr<std::unique_ptr<AuditClient>> client = AuditClient::Connect(args_.server, args_.identity);
  if (!client.ok()) return client.status();
  audit_ = *std::move(client);
  return absl::OkStatus();
}

const std::vector<CommandSection>& CommandTable() {
  static const std::vector<CommandSection>* const kTable =
      new std::vector<CommandSection>{TaxonomyCommands(), RecordsCommands(), FindingsCommands(), AuditCommands(),
                                      ChangesCommands(), DatabaseCommands()};
  return *kTable;
}

const Command* FindCommand(absl::string_view name) {
  for (const CommandSection& section : CommandTable()) {
    for (const Command& command : section.commands) {
      if (command.name == name) return &command;
    }
  }
  return nullptr;
}

OptionKind KindOfOption(absl::string_view name) {
  for (const CommandSection& section : CommandTable()) {
    for (const Command& command : section.commands) {
      for (const Option& option : command.options) {
        if (option.name == name) return option.kind;
      }
    }
  }
  return OptionKind::kValue;
}

}  // namespace ethrec::tools
