// Registry loading of FHIR R4 maps and canonical URLs: a ConceptMap target's
// R4 equivalence with the R5 cross-version relationship extension reads as
// the legacy R5 relationship did; the forms must agree; the built-in systems
// carry their official canonical URLs and still answer to their former
// urn:ethrec: URLs; a code system's codes may come from other code systems,
// each in its own map group.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/registry.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tests/mapping/local_list_fixture.h"
#include "tests/testing/status_matchers.h"

namespace ethrec {
namespace {

using ::ethrec::testing::CamdenSources;
using ::ethrec::testing::Edit;
using ::ethrec::testing::Edited;
using ::ethrec::testing::Erase;
using ::ethrec::testing::kCamdenMap;
using ::ethrec::testing::kCamdenSystem;
using ::ethrec::testing::kMapFile;
using ::ethrec::testing::kSystemFile;
using ::ethrec::testing::ProblemIs;
using ::ethrec::testing::Set;
using ::ethrec::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kR5Extension[] =
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ConceptMap.group.element.target.relationship";

// FHIR's official R5 -> R4 map (FHIR Extensions Pack, ConceptMap5to4B).
std::string EquivalenceOf(const std::string& relationship) {
  if (relationship == "source-is-narrower-than-target") return "wider";
  if (relationship == "source-is-broader-than-target") return "narrower";
  if (relationship == "related-to") return "relatedto";
  if (relationship == "not-related-to") return "unmatched";
  return relationship;  // equivalent
}

// `r5_map` in R4 form: each target's relationship becomes its equivalence,
// kept in the R5 extension too when `with_extension`.
std::string R4Form(const std::string& r5_map, bool with_extension = true) {
  rapidjson::Document doc;
  doc.Parse(r5_map.c_str());
  auto& a = doc.GetAllocator();
  for (auto& group : doc["group"].GetArray()) {
    for (auto& element : group["element"].GetArray()) {
      for (auto& target : element["target"].GetArray()) {
        const std::string rel = target["relationship"].GetString();
        target.RemoveMember("relationship");
        target.AddMember("equivalence", rapidjson::Value(EquivalenceOf(rel).c_str(), a), a);
        if (!with_extension) continue;
        rapidjson::Value ext(rapidjson::kObjectType);
        ext.AddMember("url", rapidjson::Value(kR5Extension, a), a);
        ext.AddMember("valueCode", rapidjson::Value(rel.c_str(), a), a);
        rapidjson::Value list(rapidjson::kArrayType);
        list.PushBack(ext, a);
        target.AddMember("extension", list, a);
      }
    }
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  doc.Accept(writer);
  return buf.GetString();
}

std::vector<DataSource> R4Sources(const std::vector<Edit>& map_edits = {}, bool with_extension = true) {
  return {DataSource{kSystemFile, kCamdenSystem},
          DataSource{kMapFile, Edited(R4Form(kCamdenMap, with_extension).c_str(), map_edits)}};
}

std::unique_ptr<const Registry> LoadOrFail(const std::vector<DataSource>& sources) {
  std::vector<LoadProblem> problems;
  std::unique_ptr<const Registry> registry = Registry::LoadSources(sources, true, &problems);
  EXPECT_THAT(problems, IsEmpty());
  return registry;
}

const Registry& BuiltinRegistry() {
  static const Registry* const registry = LoadOrFail({}).release();
  return *registry;
}

// ---------------------------------------------------------------------------
// R4 equivalence, the R5 extension and the legacy R5 relationship.

TEST(RegistryR4MapTest, R4FormReadsAsTheLegacyR5Form) {
  std::unique_ptr<const Registry> r5 = LoadOrFail(CamdenSources());
  ASSERT_NE(r5, nullptr);
  for (bool with_extension : {true, false}) {
    SCOPED_TRACE(with_extension ? "with the R5 extension" : "equivalence alone");
    std::unique_ptr<const Registry> r4 = LoadOrFail(R4Sources({}, with_extension));
    ASSERT_NE(r4, nullptr);
    const CodeSystem& a = *r5->systems().back();
    const CodeSystem& b = *r4->systems().back();
    ASSERT_EQ(a.concepts.size(), b.concepts.size());
    for (size_t i = 0; i < a.concepts.size(); ++i) {
      SCOPED_TRACE(a.concepts[i].code);
      const MapEntry& x = a.concepts[i].mapping;
      const MapEntry& y = b.concepts[i].mapping;
      EXPECT_EQ(x.outcome, y.outcome);
      EXPECT_EQ(x.ranked, y.ranked);
      EXPECT_EQ(x.relationship, y.relationship);
      EXPECT_EQ(x.detail, y.detail);
      EXPECT_EQ(x.reason, y.reason);
    }
  }
}

TEST(RegistryR4MapTest, EveryR4EquivalenceReadsAsItsR5Relationship) {
  struct Case {
    const char* equivalence;
    Relationship relationship;
  };
  // FHIR's official R4 -> R5 map (ConceptMap4Bto5), as the loader applies it.
  const Case cases[] = {{"equivalent", Relationship::kEquivalent},
                        {"equal", Relationship::kEquivalent},
                        {"wider", Relationship::kSourceIsNarrowerThanTarget},
                        {"subsumes", Relationship::kSourceIsNarrowerThanTarget},
                        {"relatedto", Relationship::kRelatedTo},
                        {"inexact", Relationship::kRelatedTo}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.equivalence);
    std::unique_ptr<const Registry> registry = LoadOrFail(R4Sources(
        {Set("/group/0/element/0/target/0/equivalence", absl::StrCat("\"", c.equivalence, "\"")),
         Erase("/group/0/element/0/target/0/extension")}));
    ASSERT_NE(registry, nullptr);
    EXPECT_EQ(registry->systems().back()->concepts[0].mapping.relationship, c.relationship);
  }
}

struct RejectCase {
  const char* name;
  std::vector<Edit> map_edits;
  const char* path;
  const char* reason;
};

void PrintTo(const RejectCase& c, std::ostream* os) { *os << c.name; }

class RegistryR4RuleTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(RegistryR4RuleTest, NothingLoadedAndProblemNamed) {
  const RejectCase& c = GetParam();
  std::vector<LoadProblem> problems;
  EXPECT_EQ(Registry::LoadSources(R4Sources(c.map_edits), true, &problems), nullptr);
  EXPECT_THAT(problems, Contains(ProblemIs(kMapFile, c.path, c.reason)));
}

constexpr char kTarget0[] = "/group/0/element/0/target/0";

INSTANTIATE_TEST_SUITE_P(
    Rules, RegistryR4RuleTest,
    ::testing::Values(
        RejectCase{"UnknownEquivalence", {Set(absl::StrCat(kTarget0, "/equivalence"), R"("same-as")")},
                   "$.group[0].element[0].target[0].equivalence",
                   "unknown R4 equivalence \"same-as\" (expected equivalent, wider, narrower or relatedto)"},
        RejectCase{"UnmatchedPlacesNoCode",
                   {Set(absl::StrCat(kTarget0, "/equivalence"), R"("unmatched")"),
                    Erase(absl::StrCat(kTarget0, "/extension"))},
                   "$.group[0].element[0].target[0].equivalence", "not-related-to cannot place a code"},
        RejectCase{"ExtensionDisagrees",
                   {Set(absl::StrCat(kTarget0, "/extension/0/valueCode"), R"("source-is-narrower-than-target")")},
                   "$.group[0].element[0].target[0].extension[0].valueCode",
                   "says source-is-narrower-than-target but $.group[0].element[0].target[0].equivalence "
                   "says equivalent"},
        RejectCase{"UnknownExtensionValue", {Set(absl::StrCat(kTarget0, "/extension/0/valueCode"), R"("same")")},
                   "$.group[0].element[0].target[0].extension[0].valueCode", "unknown relationship \"same\""},
        RejectCase{"ExtensionTwice",
                   {Set(absl::StrCat(kTarget0, "/extension/-"),
                        absl::StrCat(R"({"url": ")", kR5Extension, R"(", "valueCode": "equivalent"})"))},
                   "$.group[0].element[0].target[0].extension[1]", "the R5 relationship extension is given twice"},
        RejectCase{"ExtensionWithoutEquivalence", {Erase(absl::StrCat(kTarget0, "/equivalence"))},
                   "$.group[0].element[0].target[0]", "missing required \"equivalence\""},
        RejectCase{"LegacyRelationshipDisagrees",
                   {Set(absl::StrCat(kTarget0, "/relationship"), R"("related-to")")},
                   "$.group[0].element[0].target[0].relationship", "says related-to but"}),
    [](const ::testing::TestParamInfo<RejectCase>& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------
// Canonical URLs.

TEST(RegistryUrlTest, BuiltinSystemsHaveCanonicalUrlsAndAnswerToFormerOnes) {
  struct Case {
    const char* id;
    const char* url;
  };
  const Case cases[] = {
      {"snomed-ct", "http://snomed.info/sct"},
      {"ctv3", "http://read.info/ctv3"},
      {"nhs-wales", "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryWales"},
      {"nhs-ethnic-category", "urn:ethrec:codesystem:nhs-ethnic-category"},
      {"dfe", "urn:ethrec:codesystem:dfe"},
      {"ons-2011", "urn:ethrec:codesystem:ons-2011"},
      {"ons-2021", "urn:ethrec:codesystem:ons-2021"},
      {"ons-2021-detailed", "urn:ethrec:codesystem:ons-2021-detailed"},
      {"police-sde", "urn:ethrec:codesystem:police-sde"},
      {"police-sde-16", "urn:ethrec:codesystem:police-sde-16"},
      {"police-ic", "urn:ethrec:codesystem:police-ic"},
  };
  const Registry& registry = BuiltinRegistry();
  EXPECT_EQ(registry.systems().size(), std::size(cases));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id);
    absl::StatusOr<const CodeSystem*> by_id = registry.FindSystem(c.id);
    ASSERT_TRUE(by_id.ok()) << by_id.status();
    EXPECT_EQ((*by_id)->url, c.url);
    for (const std::string& name : {std::string(c.url), absl::StrCat("urn:ethrec:codesystem:", c.id)}) {
      absl::StatusOr<const CodeSystem*> by_url = registry.FindSystem(name);
      ASSERT_TRUE(by_url.ok()) << name << ": " << by_url.status();
      EXPECT_EQ(*by_url, *by_id) << name;
    }
  }
  absl::StatusOr<const Concept*> white = registry.LookupCode("http://snomed.info/sct", "494131000000105");
  ASSERT_TRUE(white.ok()) << white.status();
  EXPECT_EQ((*white)->mapping.ranked, std::vector<Category>{Category::kWhiteBritish});
}

TEST(RegistryUrlTest, NhsCodesAnswerToTheCodeSystemThatDefinesThem) {
  struct Case {
    const char* url;
    const char* code;
  };
  const Case cases[] = {
      {"https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland", "A"},
      {"https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland", "99"},
      {"https://fhir.nhs.uk/R4/CodeSystem/UKCore-EthnicCategory", "CA"},
      {"urn:ethrec:codesystem:nhs-ethnic-category", "9"},
      {"urn:ethrec:codesystem:nhs-ethnic-category", "CA"},  // the whole list answers to its own url
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.url, " ", c.code));
    absl::StatusOr<Registry::CodeEntry> entry = BuiltinRegistry().Lookup(c.url, c.code);
    ASSERT_TRUE(entry.ok()) << entry.status();
    EXPECT_EQ(entry->system->id, "nhs-ethnic-category");
    EXPECT_EQ(entry->concept_->code, c.code);
  }
  EXPECT_THAT(
      BuiltinRegistry().Lookup("https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland", "CA"),
      StatusIs(absl::StatusCode::kNotFound,
               HasSubstr("code \"CA\" is not in code system "
                         "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland")));
  absl::StatusOr<const CodeSystem*> holder =
      BuiltinRegistry().FindSystem("https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland");
  ASSERT_TRUE(holder.ok()) << holder.status();
  EXPECT_EQ((*holder)->id, "nhs-ethnic-category");
}

TEST(RegistryUrlTest, LocalListCannotTakeABuiltinUrlOrFormerUrl) {
  const std::vector<std::pair<Edit, const char*>> cases = {
      {Set("/url", R"("urn:ethrec:codesystem:snomed-ct")"), "$.url"},
      {Set("/url", R"("http://snomed.info/sct")"), "$.url"},
      {Set("/identifier", R"([{"system": "urn:ietf:rfc:3986", "value": "urn:ethrec:codesystem:ctv3"}])"),
       "$.identifier[0].value"},
  };
  for (const auto& [edit, path] : cases) {
    SCOPED_TRACE(edit.json.value_or(""));
    std::vector<LoadProblem> problems;
    EXPECT_EQ(Registry::LoadSources(CamdenSources({edit}), true, &problems), nullptr);
    EXPECT_THAT(problems, Contains(ProblemIs(kSystemFile, path, "is already loaded from built-in")));
  }
}

TEST(RegistryUrlTest, LocalListAnswersToItsFormerUrl) {
  std::unique_ptr<const Registry> registry = LoadOrFail(CamdenSources(
      {Set("/url", R"("https://example.org/CodeSystem/camden")"),
       Set("/identifier", R"([{"system": "urn:ietf:rfc:3986", "value": "urn:example:codesystem:local-camden-csc"}])")}));
  ASSERT_NE(registry, nullptr);  // the map still names the system by its former url
  absl::StatusOr<const Concept*> c = registry->LookupCode("urn:example:codesystem:local-camden-csc", "WB");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ((*c)->code, "WB");
}

// WB is a code of another code system: the map must place it in that system's group.
constexpr char kNational[] = "https://example.org/CodeSystem/national";
Edit WbIsNational() {
  return Set("/concept/0/property", absl::StrCat(R"([{"code": "system", "valueString": ")", kNational, R"("}])"));
}

TEST(RegistryUrlTest, CodeOfAnotherSystemMapsInThatSystemsGroup) {
  std::vector<DataSource> sources = CamdenSources({WbIsNational()});
  std::vector<LoadProblem> problems;
  EXPECT_EQ(Registry::LoadSources(sources, true, &problems), nullptr);
  EXPECT_THAT(problems, Contains(ProblemIs(kMapFile, "$.group[0].element[0].code",
                                           absl::StrCat("code \"WB\" is a code of ", kNational,
                                                        ", not of this group's source "
                                                        "urn:example:codesystem:local-camden-csc"))));
  // Moved into a group of its own system, it loads and answers to that system's URL.
  rapidjson::Document map;
  map.Parse(kCamdenMap);
  auto& a = map.GetAllocator();
  rapidjson::Value group(map["group"][0], a);
  group["source"].SetString(kNational, a);
  group["element"].Erase(group["element"].Begin() + 1, group["element"].End());
  map["group"][0]["element"].Erase(map["group"][0]["element"].Begin());
  map["group"].PushBack(group, a);
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  map.Accept(writer);
  sources[1].content = buf.GetString();
  std::unique_ptr<const Registry> registry = LoadOrFail(sources);
  ASSERT_NE(registry, nullptr);
  absl::StatusOr<Registry::CodeEntry> wb = registry->Lookup(kNational, "wb");
  ASSERT_TRUE(wb.ok()) << wb.status();
  EXPECT_EQ(wb->concept_->mapping.ranked, std::vector<Category>{Category::kWhiteBritish});
  EXPECT_THAT(registry->Lookup(kNational, "WO"), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

}  // namespace
}  // namespace ethrec
