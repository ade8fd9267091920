// The command table (tools/commands/command.h): every command is named once,
// has usage lines that name exactly the options it accepts, and answers
// `--help` or an option it does not have with those lines.
#include "tools/commands/command.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/cli_run.h"

namespace ethrec::tools {
namespace {

using ::ethrec::testing::CliRun;
using ::ethrec::testing::RunEthrec;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

std::vector<const Command*> AllCommands() {
  std::vector<const Command*> all;
  for (const CommandSection& section : CommandTable()) {
    for (const Command& command : section.commands) all.push_back(&command);
  }
  return all;
}

// The names of the --options written in `usage` ("--since/--until" gives
// both).
std::set<std::string> OptionsIn(absl::string_view usage) {
  std::set<std::string> names;
  for (size_t at = usage.find("--"); at != absl::string_view::npos; at = usage.find("--", at + 2)) {
    size_t end = at + 2;
    while (end < usage.size() && (absl::ascii_islower(usage[end]) || usage[end] == '-')) ++end;
    names.emplace(usage.substr(at + 2, end - at - 2));
  }
  return names;
}

// The command line that runs `command` with `extra` after its name, with a
// --server when it needs one and `server` (nothing connects before the
// options are checked).
std::vector<std::string> CommandLine(const Command& command, const std::vector<std::string>& extra,
                                     bool server = true) {
  std::vector<std::string> args;
  if (server && !command.needs_server.empty()) args = {"--server", "127.0.0.1:1"};
  for (absl::string_view word : absl::StrSplit(command.name, ' ')) args.emplace_back(word);
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(CommandTableTest, NamesAreUnique) {
  std::set<absl::string_view> names;
  for (const Command* command : AllCommands()) {
    EXPECT_FALSE(command->name.empty());
    EXPECT_TRUE(names.insert(command->name).second) << command->name;
  }
}

TEST(CommandTableTest, EveryCommandHasUsageAndRuns) {
  for (const Command* command : AllCommands()) {
    SCOPED_TRACE(command->name);
    EXPECT_THAT(std::string(command->usage), StartsWith(absl::StrCat("  ", command->name, " ")));
    EXPECT_EQ(command->usage.back(), '\n');
    EXPECT_NE(command->run, nullptr);
  }
}

TEST(CommandTableTest, UsageNamesExactlyTheCommandsOptions) {
  for (const Command* command : AllCommands()) {
    SCOPED_TRACE(command->name);
    std::set<std::string> accepted;
    for (const Option& option : command->options) accepted.emplace(option.name);
    EXPECT_EQ(OptionsIn(command->usage), accepted);
  }
}

// The command line is split before the command is known, so an option
// must be written the same way in every command that has it.
TEST(CommandTableTest, AnOptionIsWrittenTheSameWayEverywhere) {
  for (const Command* command : AllCommands()) {
    for (const Option& option : command->options) {
      EXPECT_EQ(option.kind, KindOfOption(option.name)) << command->name << " --" << option.name;
    }
  }
}

TEST(CommandTableTest, HelpListsEveryCommand) {
  CliRun r = RunEthrec({"--help"});
  EXPECT_EQ(r.exit, kExitOk);
  for (const CommandSection& section : CommandTable()) {
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat(section.heading, "\n", section.commands.front().usage)));
    for (const Command& command : section.commands) EXPECT_THAT(r.out, HasSubstr(std::string(command.usage)));
  }
}

TEST(CommandTableTest, CommandHelpPrintsItsUsage) {
  for (const Command* command : AllCommands()) {
    SCOPED_TRACE(command->name);
    CliRun r = RunEthrec(CommandLine(*command, {"--help"}));
    EXPECT_EQ(r.exit, kExitOk);
    EXPECT_THAT(r.out, AllOf(StartsWith(absl::StrCat("usage:\n", command->usage)),
                             HasSubstr("run 'ethrec --help' for the global options")));
    EXPECT_THAT(r.err, IsEmpty());
  }
}

TEST(CommandTableTest, UnknownOptionPrintsTheCommandsUsage) {
  for (const Command* command : AllCommands()) {
    SCOPED_TRACE(command->name);
    CliRun r = RunEthrec(CommandLine(*command, {"--no-such-option", "x"}));
    EXPECT_EQ(r.exit, kExitUsage);
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, AllOf(StartsWith(absl::StrCat("ethrec: command ", command->name,
                                                     " has no option --no-such-option\n")),
                             HasSubstr(std::string(command->usage))));
  }
}

TEST(CommandTableTest, CommandsThatNeedAServerSayWhich) {
  for (const Command* command : AllCommands()) {
    if (command->needs_server.empty()) continue;
    SCOPED_TRACE(command->name);
    CliRun r = RunEthrec(CommandLine(*command, {}, /*server=*/false));
    EXPECT_EQ(r.exit, kExitUsage);
    EXPECT_THAT(r.err, HasSubstr(std::string(command->needs_server)));
  }
}

}  // namespace
}  // namespace ethrec::tools
