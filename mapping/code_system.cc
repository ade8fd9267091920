#include "mapping/code_system.h"

#include "absl/strings/string_view.h"
#include "absl/strings/ascii.h"

namespace ethrec {

std::string CodeSystem::CanonicalKey(absl::string_view code) const {
  std::string key(absl::StripAsciiWhitespace(code));
  if (!case_sensitive) absl::AsciiStrToUpper(&key);
  return key;
}

const Concept* CodeSystem::Find(absl::string_view code) const {
  // Most callers send the canonical spelling: try it before copying.
  if (auto it = index.find(code); it != index.end()) return &concepts[it->second];
  std::string key = CanonicalKey(code);
  if (key.size() == code.size() && key == code) return nullptr;
  if (auto it = index.find(key); it != index.end()) return &concepts[it->second];
  return nullptr;
}

}  // namespace ethrec
