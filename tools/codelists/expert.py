"""Expert 16-group (2001 census) codes carried into the ONS 2021 categories.

OpenSAFELY's Grouping_16 follows the 2001 census / NHS ethnic category. ONS 2021
added tick-boxes that split some of those groups; an expert coding today uses
them: Chinese is Asian; Gypsy or Irish Traveller, Roma and Arab have their own
boxes; the British national identities (English, Scottish, Welsh, Northern
Irish, Cornish) are White British, not Other White; and an African people or
nation written under Black is Black African, because the 2021 African box took
a write-in. Everything else keeps its group's category.
"""
import re

G16 = {
    "1": "WHITE_BRITISH", "2": "WHITE_IRISH", "3": "WHITE_OTHER",
    "4": "MIXED_WHITE_BLACK_CARIBBEAN", "5": "MIXED_WHITE_BLACK_AFRICAN", "6": "MIXED_WHITE_ASIAN",
    "7": "MIXED_OTHER", "8": "ASIAN_INDIAN", "9": "ASIAN_PAKISTANI", "10": "ASIAN_BANGLADESHI",
    "11": "ASIAN_OTHER", "12": "BLACK_CARIBBEAN", "13": "BLACK_AFRICAN", "14": "BLACK_OTHER",
    "15": "ASIAN_CHINESE", "16": "OTHER_ANY",
}
TS021 = {
    "1": "ASIAN_BANGLADESHI", "2": "ASIAN_CHINESE", "3": "ASIAN_INDIAN", "4": "ASIAN_PAKISTANI",
    "5": "ASIAN_OTHER", "6": "BLACK_AFRICAN", "7": "BLACK_CARIBBEAN", "8": "BLACK_OTHER",
    "9": "MIXED_WHITE_ASIAN", "10": "MIXED_WHITE_BLACK_AFRICAN", "11": "MIXED_WHITE_BLACK_CARIBBEAN",
    "12": "MIXED_OTHER", "13": "WHITE_BRITISH", "14": "WHITE_IRISH", "15": "WHITE_GYPSY_IRISH_TRAVELLER",
    "16": "WHITE_ROMA", "17": "WHITE_OTHER", "18": "OTHER_ARAB", "19": "OTHER_ANY",
}

# African peoples and nations named in the 2001-era "Other Black" lists.
AFRICAN = re.compile(r"\b(somali|nigerian|ghanaian|sudanese|eritrean|ethiopian|congolese|kenyan|ugandan|"
                     r"zimbabwean|sierra leonean)\b", re.I)
BRITISH_IDENTITY = re.compile(r"\b(english|scottish|welsh|northern irish|cornish|ulster scots|other british)\b", re.I)


def from_g16(g16, term):
    """The ONS 2021 category for an expert 16-group code and its term."""
    cat = G16[g16]
    t = term.lower()
    if cat == "WHITE_OTHER":
        if re.search(r"\b(gypsy|gypsies|traveller|romany)\b", t):
            return "WHITE_GYPSY_IRISH_TRAVELLER"
        if re.search(r"\broma\b", t):
            return "WHITE_ROMA"
        if BRITISH_IDENTITY.search(t) and "other" not in t:
            return "WHITE_BRITISH"
    if cat == "OTHER_ANY" and re.search(r"\barabs?\b", t) and not re.search(r"iran|african", t):
        return "OTHER_ARAB"
    if cat == "BLACK_OTHER" and AFRICAN.search(t):
        return "BLACK_AFRICAN"
    return cat


