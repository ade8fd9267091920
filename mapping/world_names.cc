#include "mapping/world_names.h"

#include <algorithm>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "mapping/glottolog_peoples.h"
#include "mapping/text_fold.h"
#include "unicode/locid.h"
#include "unicode/region.h"
#include "unicode/udata.h"
#include "unicode/unistr.h"
#include "unicode/ures.h"
#include "unicode/uversion.h"

namespace ethrec {
namespace {

using C = Category;

std::string Utf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

// The language ICU's likely-subtags data gives for `locale` ("und_NG" ->
// "en", "yo" -> "yo"), its script and its region.
struct Likely {
  std::string language, script, region;
};
Likely LikelyOf(const std::string& locale) {
  icu::Locale loc(locale.c_str());
  UErrorCode status = U_ZERO_ERROR;
  loc.addLikelySubtags(status);
  if (U_FAILURE(status)) return {};
  return Likely{loc.getLanguage(), loc.getScript(), loc.getCountry()};
}

// The CLDR subregion (UN M49) that contains territory `code`, or "".
std::string SubregionOf(const std::string& code) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Region* r = icu::Region::getInstance(code.c_str(), status);
  if (U_FAILURE(status) || r == nullptr) return "";
  if (r->getType() == URGN_SUBCONTINENT) return code;
  if (r->getType() != URGN_TERRITORY) return "";
  const icu::Region* parent = r->getContainingRegion();
  return parent == nullptr ? "" : parent->getRegionCode();
}

RegionCategories Clear(std::initializer_list<Category> c) { return RegionCategories{c, false}; }
RegionCategories Either(std::initializer_list<Category> c) { return RegionCategories{c, true}; }

// Territories where the subregion's rule would be wrong or overconfident.
// Each follows ONS's own coding of the write-in where TS022 has it
// (mapping/data/sources/ons_2021_detailed.csv: the sections a write-in was
// recorded under); where a people of the place is commonly of several groups,
// the answer is ambiguous rather than a confident guess.
std::optional<RegionCategories> Override(absl::string_view code) {
  // The United Kingdom and its Crown Dependencies and Ireland: the lexicon
  // reads "British", "Irish", "Manx" (a British nationality names no group).
  // Uninhabited or without a people of their own: no name at all.
  static constexpr absl::string_view kNone[] = {"GB", "GG", "JE", "IM", "IE", "FK", "AQ", "BV", "HM",
                                                "GS", "TF", "UM", "IO", "CP", "DG", "AC", "TA", "CC",
                                                "CX", "NF", "SJ"};
  for (absl::string_view n : kNone) {
    if (code == n) return RegionCategories{};
  }
  // Arab League members in sub-Saharan Africa: Black African or Arab.
  if (code == "SD" || code == "MR" || code == "SO" || code == "DJ" || code == "KM") {
    return Either({C::kBlackAfrican, C::kOtherArab});
  }
  // TS022 "White: South African", "Mixed: South African".
  if (code == "ZA") return Either({C::kBlackAfrican, C::kWhiteOther, C::kMixedOther});
  // TS022's multi-ethnic islands ("Mauritian/Seychellois/Maldivian/Sao
  // Tomean/St Helenian") were written in under the Asian, Black, Mixed and
  // Other sections alike; Réunion is of the same kind.
  if (code == "MU" || code == "SC" || code == "MV" || code == "ST" || code == "SH" || code == "RE") {
    return Either({C::kOtherAny, C::kBlackAfrican, C::kAsianOther, C::kMixedOther});
  }
  // Spain's African territories: Spanish.
  if (code == "EA" || code == "IC") return Clear({C::kWhiteOther});
  // Western Asia outside the Arab states: TS022 "White: Israeli", "White:
  // Georgian"; Armenian under White and Other; Iranian, Afghan, Turkish and
  // Cypriot under several sections.
  if (code == "IL" || code == "GE") return Clear({C::kWhiteOther});
  if (code == "AM" || code == "CY" || code == "TR") return Either({C::kWhiteOther, C::kOtherAny});
  if (code == "AZ") return Either({C::kWhiteOther, C::kAsianOther, C::kOtherAny});
  if (code == "IR") return Either({C::kOtherAny, C::kAsianOther, C::kWhiteOther});
  if (code == "AF") return Either({C::kAsianOther, C::kOtherAny});
  // South Asia: the three countries with their own tick-box.
  if (code == "IN") return Clear({C::kAsianIndian});
  if (code == "PK") return Clear({C::kAsianPakistani});
  if (code == "BD") return Clear({C::kAsianBangladeshi});
  // East Asia: China's tick-box; Taiwanese is an Asian write-in in TS022.
  if (code == "CN" || code == "HK" || code == "MO") return Clear({C::kAsianChinese});
  if (code == "SG") return Either({C::kAsianOther, C::kAsianChinese});
  // Northern America: TS022 "White: North American" and "Black ...
  // Caribbean background: Black/African American"; indigenous peoples.
  if (code == "US" || code == "CA") return Either({C::kWhiteOther, C::kBlackOther, C::kOtherAny});
  if (code == "GL") return Either({C::kOtherAny, C::kWhiteOther});
  if (code == "BM") return Either({C::kBlackCaribbean, C::kBlackOther});
  if (code == "PM") return Clear({C::kWhiteOther});
  // The Guianas and Belize: Caribbean in culture, with large Indian
  // (Guyana, Suriname) and Latin American (Belize) populations.
  if (code == "GY" || code == "SR") return Either({C::kBlackCaribbean, C::kAsianOther, C::kOtherAny});
  if (code == "BZ" || code == "GF") return Either({C::kBlackCaribbean, C::kOtherAny});
  // Australia and New Zealand: settler majorities and indigenous peoples.
  if (code == "AU" || code == "NZ") return Either({C::kWhiteOther, C::kOtherAny});
  return std::nullopt;
}

}  // namespace

// The rules, by CLDR subregion (UN M49), after the overrides above:
//   Europe (151, 154, 155, 039)              WHITE_OTHER (TS022 lists every
//                                            European nationality under White)
//   Northern Africa (015)                    OTHER_ARAB or OTHER_ANY, ambiguous
//                                            (TS022: "Moroccan", "Algerian",
//                                            "North African" under White,
//                                            Black and Other)
//   Sub-Saharan Africa (011, 014, 017, 018)  BLACK_AFRICAN (TS022 "Black ...
//                                            of African background: Nigerian")
//   Western Asia (145): Arab states          OTHER_ARAB or OTHER_ANY, ambiguous
//   Central Asia (143)                       ASIAN_OTHER (TS022 "Asian:
//                                            Tajikistani/Kazakhstani/...")
//   Southern Asia (034)                      ASIAN_OTHER ("Asian: Sri Lankan",
//                                            "Nepali"), but see the overrides
//   Eastern, South-eastern Asia (030, 035)   ASIAN_OTHER ("Asian: Japanese",
//                                            "Korean", "Filipino", "Thai", ...)
//   Caribbean (029)                          BLACK_CARIBBEAN, except where the
//                                            territory's language is Spanish
//                                            (Cuba, Dominican Republic, Puerto
//                                            Rico): Latin American, OTHER_ANY
//   Central and South America (013, 005)     OTHER_ANY ("Any other ethnic
//                                            group: Hispanic or Latin American")
//   Melanesia, Micronesia, Polynesia         OTHER_ANY ("Other ethnic group:
//   (054, 057, 061)                          Polynesia/Micronesia/Melanesia")
RegionCategories CategoriesForRegion(absl::string_view region) {
  const std::string code(region);
  if (std::optional<RegionCategories> o = Override(code)) return *o;
  const std::string sub = SubregionOf(code);
  if (sub == "151" || sub == "154" || sub == "155" || sub == "039") return Clear({C::kWhiteOther});
  if (sub == "015") return Either({C::kOtherArab, C::kOtherAny});
  if (sub == "011" || sub == "014" || sub == "017" || sub == "018") return Clear({C::kBlackAfrican});
  if (sub == "145") return code == sub ? RegionCategories{} : Either({C::kOtherArab, C::kOtherAny});
  if (sub == "143" || sub == "034" || sub == "030" || sub == "035") {
    // A subregion's own name ("Southern Asia") is no more than Asian.
    return code == "034" || code == "030" ? RegionCategories{} : Clear({C::kAsianOther});
  }
  if (sub == "029") {
    if (code == sub) return RegionCategories{};  // "Caribbean": the lexicon's
    if (LikelyOf("und_" + code).language == "es") return Clear({C::kOtherAny});
    return Clear({C::kBlackCaribbean});
  }
  if (sub == "013" || sub == "005") return Clear({C::kOtherAny});
  if (sub == "054" || sub == "057" || sub == "061") return Clear({C::kOtherAny});
  return RegionCategories{};  // Northern America and Australasia as a whole, QO
}

namespace {

// The peoples of a language: what CategoriesForRegion says for its likely
// territory when it is that territory's main language ("Samoan", "Amharic").
// A minority language names a minority people, which the territory's own
// answer may not fit: in the Americas and Oceania an indigenous people
// (OTHER_ANY); in Africa south of the Sahara, Black African ("Yoruba",
// "Zulu"); in North Africa and Western Asia, any other group (Berber,
// Assyrian); in China, Chinese only for languages written in Han characters
// (Cantonese, Hakka; not Tibetan or Uyghur); in Russia, Asian or White
// (Tatar, Buryat, Komi); elsewhere in Asia, Other Asian (in Southern Asia too:
// Tamil, not Indian); in Europe, White Other.
RegionCategories CategoriesForLanguage(const std::string& language, const Likely& likely) {
  RegionCategories own = CategoriesForRegion(likely.region);
  if (own.ranked.empty()) return own;
  if (LikelyOf("und_" + likely.region).language == language) return own;
  if (language == "af") return Either({C::kWhiteOther, C::kMixedOther, C::kOtherAny});  // Afrikaans
  const std::string sub = SubregionOf(likely.region);
  if (sub == "011" || sub == "014" || sub == "017" || sub == "018") return Clear({C::kBlackAfrican});
  if (sub == "021" || sub == "029" || sub == "013" || sub == "005" || sub == "053" || sub == "054" ||
      sub == "057" || sub == "061") {
    return Clear({C::kOtherAny});
  }
  if (sub == "015" || sub == "145") return Clear({C::kOtherAny});
  if (likely.region == "CN" || likely.region == "HK" || likely.region == "MO" || likely.region == "TW") {
    if (likely.script == "Hans" || likely.script == "Hant") return Clear({C::kAsianChinese});
    return Clear({C::kAsianOther});
  }
  // Most of Russia's other peoples by number are Turkic or Mongolic (Tatar,
  // Bashkir, Chuvash, Buryat), which SNOMED CT's ethnic-group hierarchy puts
  // among Asian peoples; Finno-Ugric peoples are European.
  if (likely.region == "RU") return Either({C::kAsianOther, C::kWhiteOther});
  // A minority people of Southern Asia is not the national tick-box: TS022
  // codes the write-ins "Punjabi", "Tamil", "Kashmiri" as Asian: Other Asian.
  if (sub == "143" || sub == "034" || sub == "030" || sub == "035") return Clear({C::kAsianOther});
  return Clear({C::kWhiteOther});
}

// Language names that are also ordinary English words or name no people.
bool IsOrdinaryWord(absl::string_view folded) {
  static constexpr absl::string_view kWords[] = {
      // Ordinary English words and short names easily met in other senses.
      "even", "slave", "meta", "mongo", "mari", "fang", "kom", "asu", "rwa", "jju", "sena", "bena",
      "kako", "koro", "mafa", "seri", "soga", "blin", "ido",
      // Constructed, liturgical and dead languages: no living people.
      "interlingua", "interlingue", "volapuk", "esperanto", "lojban", "latin", "sanskrit", "pali",
      "avestan", "akkadian", "ugaritic", "phoenician", "pahlavi", "sogdien", "geez", "gothic", "kawi"};
  for (absl::string_view w : kWords) {
    if (folded == w) return true;
  }
  return false;
}

// The nationality words regular English derives from a place's name, for its
// last word: "tokelau" -> "tokelauan", "sudan" -> "sudanese". Most are never
// written; they cost only table space, and a form that is written is found.
std::vector<std::string> Demonyms(absl::string_view name) {
  std::vector<std::string> out;
  const size_t space = name.rfind(' ');
  const std::string prefix(space == absl::string_view::npos ? "" : name.substr(0, space + 1));
  absl::string_view w = space == absl::string_view::npos ? name : name.substr(space + 1);
  auto add = [&](absl::string_view stem, absl::string_view suffix) {
    if (stem.size() >= 3) out.push_back(absl::StrCat(prefix, stem, suffix));
  };
  auto drop = [](absl::string_view s, size_t n) { return s.substr(0, s.size() - n); };
  if (w == "islands" || w == "island") {
    if (!prefix.empty()) {
      out.push_back(absl::StrCat(prefix, "islander"));
      // "Marshall Islands" -> "Marshallese", "Faroe Islands" -> "Faroese".
      absl::string_view stem = absl::string_view(prefix).substr(0, prefix.size() - 1);
      if (stem.find(' ') == absl::string_view::npos) {
        out.push_back(absl::StrCat(stem, absl::EndsWith(stem, "e") ? "se" : "ese"));
        out.push_back(absl::StrCat(stem, "ian"));
      }
    }
    return out;
  }
  if (w.size() < 4) return out;
  if (absl::EndsWith(w, "land")) {
    add(w, "er");
    add(drop(w, 4), "ish");
  }
  if (absl::EndsWith(w, "stan")) {
    add(w, "i");
    add(drop(w, absl::EndsWith(w, "istan") ? 5 : 4), "");
  }
  if (absl::EndsWith(w, "s")) {
    const absl::string_view s = drop(w, 1);
    add(s, "ian");  // "bahamas"
    if (absl::EndsWith(s, "a")) add(drop(s, 1), "ian");
    if (absl::EndsWith(w, "us")) add(drop(w, 2), "an");    // "mauritius"
    if (absl::EndsWith(w, "os")) add(drop(w, 2), "ian");   // "barbados", "comoros"
    if (absl::EndsWith(w, "es")) {
      add(drop(w, 2), "ian");  // "maldives"
      add(drop(w, 2), "ois");  // "seychelles"
    }
    return out;
  }
  switch (w.back()) {
    case 'a':
      add(w, "n");             // "kenya", "nigeria", "tonga"
      add(w, "ian");           // "ghana"
      add(drop(w, 1), "ian");  // "canada"
      add(drop(w, 1), "ese");  // "malta"
      add(drop(w, 1), "i");    // "somalia"
      break;
    case 'e':
      add(w, "an");            // "zimbabwe", "niue", "chile"
      add(w, "se");            // "faroe"
      add(drop(w, 1), "ian");  // "ukraine"
      add(drop(w, 1), "ese");  // "suriname"
      break;
    case 'i':
      add(w, "an");   // "mali", "haiti", "fiji", "brunei"
      break;
    case 'o':
      add(drop(w, 1), "an");  // "mexico", "morocco"
      add(w, "lese");         // "congo", "togo"
      break;
    case 'u':
      add(w, "an");    // "tokelau", "palau", "tuvalu"
      add(w, "vian");  // "peru"
      break;
    case 'y':
      add(drop(w, 1), "ian");  // "italy", "hungary"
      add(w, "an");            // "paraguay"
      if (absl::EndsWith(w, "ny")) add(drop(w, 1), "");  // "germany"
      break;
    default:
      add(w, "ian");  // "iran", "egypt", "jordan", "guam"
      add(w, "i");    // "iraq", "yemen", "bangladesh", "nepal"
      add(w, "ese");  // "sudan", "japan", "senegal", "vietnam"
      add(w, "an");
      if (absl::EndsWith(w, "on")) add(drop(w, 2), "ese");  // "lebanon"
      break;
  }
  return out;
}

// The folded alternative names in one ICU display name: "Trinidad & Tobago"
// gives "trinidad and tobago", "trinidad", "tobago"; "Myanmar (Burma)" gives
// "myanmar", "burma"; "Congo - Kinshasa" gives "congo kinshasa", "congo";
// "St. Lucia" also "saint lucia". Abbreviations ("US") are left out.
std::vector<std::string> NamesIn(std::string display) {
  std::vector<std::string> raw;
  if (const size_t open = display.find(" ("); open != std::string::npos) {
    const size_t close = display.find(')', open);
    if (close != std::string::npos) raw.push_back(display.substr(open + 2, close - open - 2));
    display.erase(open);
  }
  for (absl::string_view tail : {" SAR China"}) {
    if (absl::EndsWith(display, tail)) display.erase(display.size() - tail.size());
  }
  if (const size_t dash = display.find(" - "); dash != std::string::npos) raw.push_back(display.substr(0, dash));
  raw.push_back(display);
  std::vector<std::string> out;
  for (const std::string& r : raw) {
    bool lower = false;
    for (char c : r) lower |= c >= 'a' && c <= 'z';
    if (!lower) continue;  // "US", "UAE"
    absl::StatusOr<std::string> folded = FoldText(r);
    if (!folded.ok() || folded->size() < 4) continue;
    out.push_back(*folded);
    if (!absl::EndsWith(*folded, "islands")) {
      for (absl::string_view part : absl::StrSplit(*folded, " and ")) {
        if (part.size() >= 4 && part != *folded) out.push_back(std::string(part));
      }
    }
  }
  for (size_t i = 0, n = out.size(); i < n; ++i) {
    if (absl::StartsWith(out[i], "st ")) out.push_back(absl::StrCat("saint ", out[i].substr(3)));
  }
  return out;
}

// A string from ICU's English locale display data ("Countries%variant"),
// or "".
std::string EnglishResource(UResourceBundle* en, const char* table, const char* key) {
  UErrorCode status = U_ZERO_ERROR;
  UResourceBundle* t = ures_getByKey(en, table, nullptr, &status);
  std::string out;
  if (U_SUCCESS(status)) {
    int32_t len = 0;
    const UChar* s = ures_getStringByKey(t, key, &len, &status);
    if (U_SUCCESS(status)) out = Utf8(icu::UnicodeString(s, len));
  }
  ures_close(t);
  return out;
}

class Builder {
 public:
  void Add(const std::string& phrase, const std::string& detail, const std::string& region,
           const RegionCategories& cats, bool language) {
    auto [it, inserted] = index_.emplace(phrase, names_.size());
    if (inserted) {
      names_.push_back(
          WorldName{phrase, detail, region, SubregionOf(region), cats.ranked, cats.ambiguous, language});
      return;
    }
    // Two places (or peoples) share the word: it stands for either.
    WorldName& n = names_[it->second];
    if (n.categories == cats.ranked) return;
    for (Category c : cats.ranked) {
      if (std::find(n.categories.begin(), n.categories.end(), c) == n.categories.end()) n.categories.push_back(c);
    }
    n.ambiguous = true;
  }
  // Adds only a name not yet taken: a later source never makes an earlier
  // source's name ambiguous.
  void AddIfNew(const std::string& phrase, const std::string& detail, const std::string& region,
                const RegionCategories& cats) {
    if (!index_.contains(phrase)) Add(phrase, detail, region, cats, true);
  }
  bool Has(const std::string& phrase) const { return index_.contains(phrase); }
  std::vector<WorldName> Take() { return std::move(names_); }

 private:
  std::vector<WorldName> names_;
  absl::flat_hash_map<std::string, size_t> index_;
};

// The candidates for a minority people spoken in the countries `countries`
// ("AR BO PY"): each country's minority-language answer, united; ambiguous
// when the countries disagree. Countries that name no group are left out.
RegionCategories CategoriesForPeople(absl::string_view countries, std::string* first_region) {
  RegionCategories out;
  for (absl::string_view country : absl::StrSplit(countries, ' ', absl::SkipEmpty())) {
    const RegionCategories c = CategoriesForLanguage("mis", Likely{"mis", "", std::string(country)});
    if (c.ranked.empty()) continue;
    if (out.ranked.empty()) {
      out = c;
      *first_region = std::string(country);
      continue;
    }
    if (c.ranked == out.ranked) continue;
    for (Category cat : c.ranked) {
      if (std::find(out.ranked.begin(), out.ranked.end(), cat) == out.ranked.end()) out.ranked.push_back(cat);
    }
    out.ambiguous = true;
  }
  return out;
}

// Glottolog's peoples, after ICU's names: a name ICU already gives keeps its
// reading; a people's name that is also an ordinary English word or a
// liturgical language is left out as ICU's are. Names are one word or two
// ("Nez Perce").
void AddGlottologPeoples(Builder& b) {
  const std::string source(GlottologPeoplesSource());
  for (const GlottologPeople& p : GlottologPeoples()) {
    absl::StatusOr<std::string> folded = FoldText(p.name);
    if (!folded.ok() || folded->size() < 4 || IsOrdinaryWord(*folded)) continue;
    // A two-word name with a word that is already a place's or people's name
    // ("Algerian Arabic", "Achaean Greek") is a variety of that language, not
    // a people of its own: the words keep their own readings.
    if (const size_t space = folded->find(' '); space != std::string::npos &&
        (b.Has(folded->substr(0, space)) || b.Has(folded->substr(space + 1)))) {
      continue;
    }
    std::string region;
    const RegionCategories cats = CategoriesForPeople(p.countries, &region);
    if (cats.ranked.empty()) continue;
    b.AddIfNew(*folded, absl::StrCat(p.name, " (", source, ")"), region, cats);
  }
}

std::vector<WorldName> Build() {
  Builder b;
  UErrorCode status = U_ZERO_ERROR;
  // ICU keeps territory display names in its "region" tree (uresimp.h
  // calls it U_ICUDATA_REGION, which is not public).
  UResourceBundle* en = ures_open(U_ICUDATA_NAME U_TREE_SEPARATOR_STRING "region", "en", &status);
  if (U_FAILURE(status)) en = nullptr;
  for (URegionType type : {URGN_TERRITORY, URGN_SUBCONTINENT}) {
    status = U_ZERO_ERROR;
    std::unique_ptr<icu::StringEnumeration> regions(icu::Region::getAvailable(type, status));
    if (U_FAILURE(status) || regions == nullptr) continue;
    for (const char* code; (code = regions->next(nullptr, status)) != nullptr && U_SUCCESS(status);) {
      const RegionCategories cats = CategoriesForRegion(code);
      if (cats.ranked.empty()) continue;
      icu::UnicodeString name;
      icu::Locale("", code).getDisplayCountry(icu::Locale::getEnglish(), name);
      const std::string display = Utf8(name);
      if (display == code) continue;  // no English name
      std::vector<std::string> displays = {display};
      if (en != nullptr) {
        for (const char* table : {"Countries%short", "Countries%variant"}) {
          std::string alt = EnglishResource(en, table, code);
          if (!alt.empty()) displays.push_back(std::move(alt));
        }
      }
      for (const std::string& d : displays) {
        for (std::string& n : NamesIn(d)) {
        // "Dominican Republic", "Czech Republic": the adjective is the
        // nationality word ("dominican" is then of Dominica or the Republic).
        if (absl::EndsWith(n, " republic")) b.Add(n.substr(0, n.size() - 9), display, code, cats, false);
          b.Add(n, display, code, cats, false);
          for (const std::string& form : Demonyms(n)) b.Add(form, display, code, cats, false);
        }
      }
    }
  }
  if (en != nullptr) ures_close(en);
  for (const char* const* code = icu::Locale::getISOLanguages(); *code != nullptr; ++code) {
    icu::UnicodeString name;
    icu::Locale(*code).getDisplayLanguage(icu::Locale::getEnglish(), name);
    const std::string display = Utf8(name);
    absl::StatusOr<std::string> folded = FoldText(display);
    // One-word names only: "Northern Sami" or "Old English" is no people's name.
    if (!folded.ok() || folded->size() < 3 || folded->find(' ') != std::string::npos ||
        display == *code || IsOrdinaryWord(*folded)) {
      continue;
    }
    const Likely likely = LikelyOf(*code);
    if (likely.region.empty() || likely.language != *code) continue;
    const RegionCategories cats = CategoriesForLanguage(*code, likely);
    if (cats.ranked.empty()) continue;
    b.Add(*folded, display, likely.region, cats, true);
  }
  AddGlottologPeoples(b);
  return b.Take();
}

}  // namespace

const std::vector<WorldName>& WorldNames() {
  static const std::vector<WorldName>* const names = new std::vector<WorldName>(Build());
  return *names;
}

const std::string& WorldNamesSource() {
  static const std::string* const source =
      new std::string(absl::StrCat("ICU ", U_ICU_VERSION, ", ", GlottologPeoplesSource()));
  return *source;
}

}  // namespace ethrec
