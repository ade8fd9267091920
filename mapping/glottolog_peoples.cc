#include "mapping/glottolog_peoples.h"

namespace ethrec {
namespace {

constexpr GlottologPeople kPeoples[] = {
#include "mapping/internal/glottolog_peoples.inc"
};

}  // namespace

absl::Span<const GlottologPeople> GlottologPeoples() { return kPeoples; }

absl::string_view GlottologPeoplesSource() { return "Glottolog 5.1"; }

}  // namespace ethrec
